// The intermediate model: what nginx must do, in nginx's terms (servers, locations, upstreams), with every
// value validated. Built from a Snapshot by build/, turned into text by render/. No Kubernetes types here
// beyond ObjectRef, which says where each piece came from.
import { createHash } from 'node:crypto';
import type { Directive } from './directive.js';
import type { ObjectRef, PathType } from './kube.js';
import type { ProxySettings } from './settings.js';

export interface NginxModel {
  readonly settings: ProxySettings;
  /** Name-based virtual hosts, sorted by host. */
  readonly servers: readonly VirtualServer[];
  /** The catch-all server: rules without host, the default backend, else 404. */
  readonly defaultServer: DefaultServer;
  /** One per (namespace, Service, port), sorted by name; never one per path (nginx parses those quadratically). */
  readonly upstreams: readonly Upstream[];
  /** Certificates from TLS Secrets, sorted by name. */
  readonly certificates: readonly TlsCertificate[];
  /** htpasswd files from basic-auth Secrets, sorted by name. */
  readonly authFiles: readonly AuthFile[];
  /** What annotations add at http{} level (rate-limit zones, maps), without duplicates, in a stable order. */
  readonly httpDirectives: readonly Directive[];
}

export interface VirtualServer {
  /** Lower-case DNS name, or `*.` followed by one (a wildcard matching exactly one label). */
  readonly host: string;
  /** Undefined: plain HTTP only. */
  readonly tls: TlsBinding | undefined;
  /** Sorted for nginx: exact matches first, then prefixes, each by path, then regexes in the order nginx tries them. */
  readonly locations: readonly Location[];
  /** What annotations add at server level; from the oldest Ingress that sets each. */
  readonly directives: readonly Directive[];
}

export interface DefaultServer {
  readonly locations: readonly Location[];
  readonly directives: readonly Directive[];
}

/** Which certificate a TLS server presents: a Secret's (by TlsCertificate.name) or the default one. */
export type TlsBinding = { readonly kind: 'secret'; readonly certificate: string } | { readonly kind: 'default' };

export interface Location {
  /**
   * `=` exact; `` prefix (nginx picks the longest); `^~` a prefix that, when it is the longest, also beats
   * every regex (used on hosts that have regex paths, so those never take over another Ingress's Prefix
   * path); `~*` a case-insensitive regex (tried in order, after the prefixes).
   */
  readonly modifier: LocationModifier;
  /** For regexes, the whole pattern (`^/api(/|$)(.*)`). */
  readonly path: string;
  readonly action: LocationAction;
  /** What the Ingress's annotations add, in module order; the shared empty list when nothing. */
  readonly directives: readonly Directive[];
  /** Answer plain-HTTP requests with a 308 to HTTPS. */
  readonly sslRedirect: boolean;
  /** The Ingress path this location serves; undefined for the built-in 404. */
  readonly route: Route | undefined;
}

/** … and `@`: a named location, reached only through `error_page` (custom-http-errors). */
export type LocationModifier = '=' | '' | '^~' | '~*' | '@';

export type LocationAction =
  | {
      readonly kind: 'proxy';
      /** The main backend. */
      readonly upstream: string;
      /**
       * With a canary (canary annotation): the upstream name is chosen per request into `variable` by blocks at
       * http{} level (in NginxModel.httpDirectives), either `upstream` or `canary`.
       */
      readonly canary?: { readonly upstream: string; readonly variable: string };
    }
  | { readonly kind: 'status'; readonly code: 404 | 503 };

/** Where a location came from, for explain and diagnostics. */
export interface Route {
  readonly ingress: ObjectRef;
  /** `spec.rules[0].http.paths[1]` or `spec.defaultBackend`. */
  readonly field: string;
  readonly host: string | undefined;
  readonly path: string;
  readonly pathType: PathType | 'DefaultBackend';
  /** The path is a regular expression (use-regex or rewrite-target). */
  readonly isRegex: boolean;
  readonly service: string;
  readonly servicePort: string;
}

export interface Upstream {
  /** `namespace_service_port`: `_` appears in none of the three, so names never collide. */
  readonly name: string;
  readonly service: ObjectRef;
  readonly servicePort: string;
  /** Ready endpoints, sorted and without duplicates; may be empty (the paths then answer 503). */
  readonly endpoints: readonly UpstreamEndpoint[];
  /** `client-ip`: from Service sessionAffinity ClientIP (an annotation's balancing, when set, wins). */
  readonly affinity: 'none' | 'client-ip';
  /**
   * What the Ingress's annotations change about the upstream; absent for the default (round robin over the
   * endpoints, plain HTTP). A policy is part of the upstream's identity: its name carries a suffix for it.
   */
  readonly policy?: UpstreamPolicy;
}

/** How nginx speaks to the backend (backend-protocol). */
export type BackendProtocol = 'http' | 'https' | 'grpc' | 'grpcs';

/**
 * How requests are spread over the endpoints: `least-conn` (load-balance: ewma, the closest native method);
 * `hash` on a key made of text and variables (upstream-hash-by); `cookie`, a hash on the session cookie's
 * value, or on the id a first request is given (affinity: cookie).
 */
export type UpstreamBalancing =
  | { readonly kind: 'round-robin' }
  | { readonly kind: 'least-conn' }
  | { readonly kind: 'hash'; readonly key: HashKey }
  | { readonly kind: 'cookie'; readonly cookie: string };

/** A hash key: text in which nginx expands exactly the variables listed. */
export interface HashKey {
  readonly text: string;
  readonly variables: readonly string[];
}

export interface UpstreamPolicy {
  readonly protocol: BackendProtocol;
  readonly balancing: UpstreamBalancing;
  /** `service`: one server, the Service's ClusterIP and port, so kube-proxy balances (service-upstream). */
  readonly target: 'endpoints' | 'service';
}

export interface UpstreamEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface TlsCertificate {
  /** File stem, `namespace_secret`. */
  readonly name: string;
  readonly secret: ObjectRef;
  readonly subjectAltNames: readonly string[];
  readonly notAfter: string;
  readonly fingerprint256: string;
  readonly material: KeyMaterial;
}

/** PEM text of a certificate chain and its key. Serializes and inspects as redacted: key material is never logged. */
export class KeyMaterial {
  readonly #certificatePem: string;
  readonly #keyPem: string;

  constructor(certificatePem: string, keyPem: string) {
    this.#certificatePem = certificatePem;
    this.#keyPem = keyPem;
  }

  get certificatePem(): string {
    return this.#certificatePem;
  }

  get keyPem(): string {
    return this.#keyPem;
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'KeyMaterial [redacted]';
  }
}

/** An htpasswd file written from a basic-auth Secret, checked line by line; locations name it by `name`. */
export interface AuthFile {
  /** File stem, `namespace_secret_secretType` (namespace and secret contain no `_`, so names never collide). */
  readonly name: string;
  readonly secret: ObjectRef;
  /** How many users it holds. */
  readonly users: number;
  readonly content: SecretText;
}

/** Text from a Secret (password hashes). Serializes and inspects as redacted, like KeyMaterial. */
export class SecretText {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  get text(): string {
    return this.#text;
  }

  toJSON(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'SecretText [redacted]';
  }
}

/**
 * The variable holding a request's affinity id for a session cookie: the cookie's value, or a new id when
 * the request has none (then also sent back as the cookie). Named by a hash, as cookie names are
 * case-sensitive and may hold `-` and `.`, which nginx variable names may not.
 */
export function affinityVariable(cookie: string): string {
  return `portico_affinity_${createHash('sha256').update(cookie).digest('hex').slice(0, 12)}`;
}

/**
 * The named location that asks the default-backend Service for the page of `status`, for the paths of one
 * Ingress that use one Service port (its X-Service-Name and X-Service-Port differ per Service).
 */
export function errorLocationName(ingress: ObjectRef, service: string, servicePort: string, status: number): string {
  const key = JSON.stringify([ingress.namespace, ingress.name, service, servicePort]);
  return `portico_errors_${createHash('sha256').update(key).digest('hex').slice(0, 12)}_${status}`;
}
