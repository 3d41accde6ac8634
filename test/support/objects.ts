// Builders for normalized Kubernetes objects, so tests read like the manifests they stand for.
import type {
  ConfigMap,
  EndpointSlice,
  Endpoints,
  Ingress,
  IngressClass,
  IngressRule,
  IngressTls,
  ObjectMeta,
  PathType,
  Secret,
  Service,
} from '../../src/model/kube.js';

export interface PathSpec {
  readonly path?: string;
  readonly pathType?: PathType;
  readonly service: string;
  readonly port?: number | string;
}

export interface IngressSpec {
  readonly namespace?: string;
  readonly className?: string | null;
  readonly created?: string;
  readonly annotations?: Record<string, string>;
  readonly rules?: readonly { readonly host?: string; readonly paths: readonly PathSpec[] }[];
  readonly tls?: readonly IngressTls[];
  readonly defaultBackend?: { readonly service: string; readonly port?: number | string };
}

export function meta(name: string, namespace = 'default', extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return { namespace, name, creationTimestamp: '', annotations: {}, labels: {}, ...extra };
}

function backend(service: string, port: number | string = 80): { serviceName: string; port: { number: number } | { name: string } } {
  return { serviceName: service, port: typeof port === 'number' ? { number: port } : { name: port } };
}

export function ingress(name: string, spec: IngressSpec): Ingress {
  const rules: IngressRule[] = (spec.rules ?? []).map((rule) => ({
    host: rule.host,
    paths: rule.paths.map((p) => ({ path: p.path ?? '/', pathType: p.pathType ?? 'Prefix', backend: backend(p.service, p.port) })),
  }));
  return {
    kind: 'Ingress',
    metadata: meta(name, spec.namespace, { creationTimestamp: spec.created ?? '', annotations: spec.annotations ?? {} }),
    ingressClassName: spec.className === null ? undefined : (spec.className ?? 'portico'),
    defaultBackend: spec.defaultBackend === undefined ? undefined : backend(spec.defaultBackend.service, spec.defaultBackend.port),
    rules,
    tls: spec.tls ?? [],
  };
}

export function ingressClass(name: string, controller: string, isDefault = false): IngressClass {
  const annotations: Record<string, string> = isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {};
  return { kind: 'IngressClass', metadata: meta(name, '', { annotations }), controller };
}

export function service(
  name: string,
  options: { namespace?: string; ports?: { name?: string; port: number; targetPort?: number | string }[]; affinity?: 'ClientIP'; type?: string; clusterIP?: string } = {},
): Service {
  return {
    kind: 'Service',
    metadata: meta(name, options.namespace),
    type: options.type ?? 'ClusterIP',
    clusterIP: options.clusterIP ?? '10.96.0.10',
    externalName: undefined,
    ports: (options.ports ?? [{ port: 80 }]).map((p) => ({ name: p.name ?? '', port: p.port, targetPort: p.targetPort ?? p.port, protocol: 'TCP' })),
    sessionAffinity: options.affinity ?? 'None',
  };
}

export function endpointSlice(
  serviceName: string,
  options: { namespace?: string; name?: string; portName?: string; port: number; endpoints: readonly { address: string; ready?: boolean }[] },
): EndpointSlice {
  return {
    kind: 'EndpointSlice',
    metadata: meta(options.name ?? `${serviceName}-${options.port}`, options.namespace, { labels: { 'kubernetes.io/service-name': serviceName } }),
    serviceName,
    addressType: 'IPv4',
    endpoints: options.endpoints.map((e) => ({ addresses: [e.address], ready: e.ready ?? true })),
    ports: [{ name: options.portName ?? '', port: options.port, protocol: 'TCP' }],
  };
}

export function endpoints(serviceName: string, options: { namespace?: string; port: number; portName?: string; ready: string[]; notReady?: string[] }): Endpoints {
  return {
    kind: 'Endpoints',
    metadata: meta(serviceName, options.namespace),
    subsets: [{ readyAddresses: options.ready, notReadyAddresses: options.notReady ?? [], ports: [{ name: options.portName ?? '', port: options.port, protocol: 'TCP' }] }],
  };
}

export function tlsSecret(name: string, pem: { certificatePem: string; keyPem: string }, namespace = 'default'): Secret {
  return { kind: 'Secret', metadata: meta(name, namespace), type: 'kubernetes.io/tls', data: { 'tls.crt': pem.certificatePem, 'tls.key': pem.keyPem } };
}

/** An Opaque Secret, e.g. the htpasswd of basic auth (`{ auth: 'user:$apr1$…' }`). */
export function opaqueSecret(name: string, data: Record<string, string>, namespace = 'default'): Secret {
  return { kind: 'Secret', metadata: meta(name, namespace), type: 'Opaque', data };
}

/** The controller's settings ConfigMap (`portico` in the tests' settings source) or any other. */
export function configMap(data: Record<string, string>, name = 'portico', namespace = 'default'): ConfigMap {
  return { kind: 'ConfigMap', metadata: meta(name, namespace), data };
}
