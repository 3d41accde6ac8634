// Controller-wide settings: flags of the CLI plus the controller ConfigMap, with the defaults that
// ingress-nginx users expect.

/** Which Ingresses are ours. */
export interface ClassSettings {
  /** The IngressClass name Portico serves (also matched against the legacy annotation). */
  readonly ingressClass: string;
  /** The spec.controller value of IngressClasses that belong to Portico. */
  readonly controllerClass: string;
  /** Serve Ingresses that name no class at all. */
  readonly watchIngressWithoutClass: boolean;
  /**
   * Treat the IngressClass named `ingressClass` as ours whatever its spec.controller says: how Portico takes
   * over an existing class such as `nginx` without editing a single Ingress.
   */
  readonly claimIngressClass?: boolean;
}

/** Proxy behaviour shared by every location (rendered once at http{} level and inherited). */
export interface ProxySettings {
  readonly connectTimeoutSeconds: number;
  readonly readTimeoutSeconds: number;
  readonly sendTimeoutSeconds: number;
  /** nginx size syntax, e.g. `1m`. */
  readonly bodySize: string;
  readonly upstreamKeepaliveConnections: number;
  readonly sslRedirect: boolean;
  /**
   * How long old workers may keep open connections (WebSocket, long polls) after a reload before nginx
   * closes them; without a bound each reload under long-lived traffic leaves a generation of workers behind.
   */
  readonly workerShutdownTimeoutSeconds: number;
}

export const defaultClassSettings: ClassSettings = {
  ingressClass: 'portico',
  controllerClass: 'portico.dev/ingress-controller',
  watchIngressWithoutClass: false,
};

export const defaultProxySettings: ProxySettings = {
  connectTimeoutSeconds: 5,
  readTimeoutSeconds: 60,
  sendTimeoutSeconds: 60,
  bodySize: '1m',
  upstreamKeepaliveConnections: 320,
  sslRedirect: true,
  workerShutdownTimeoutSeconds: 240,
};
