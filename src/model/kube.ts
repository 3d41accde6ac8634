// Portico's own view of the Kubernetes objects it reads: small, fully-populated types normalized at the edge,
// so the core never sees the client library's optional-everything V1* shapes.

/** Identifies an object in diagnostics and in the model. */
export interface ObjectRef {
  readonly kind: ObjectKind;
  readonly namespace: string;
  readonly name: string;
}

export type ObjectKind =
  | 'Ingress'
  | 'IngressClass'
  | 'Service'
  | 'Endpoints'
  | 'EndpointSlice'
  | 'Secret'
  | 'ConfigMap';

export interface ObjectMeta {
  readonly namespace: string;
  readonly name: string;
  /** RFC 3339; empty when unknown (sorts first, like an object of the epoch). */
  readonly creationTimestamp: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** A Service port named by number or by name, as in IngressServiceBackend.port. */
export type ServicePortRef = { readonly number: number } | { readonly name: string };

export interface IngressBackend {
  readonly serviceName: string;
  readonly port: ServicePortRef;
}

export interface IngressPath {
  /** As written; undefined when the rule omits it (the API then means "/"). */
  readonly path: string | undefined;
  readonly pathType: PathType;
  /** Undefined for a `resource` backend, which Portico does not serve. */
  readonly backend: IngressBackend | undefined;
}

export interface IngressRule {
  /** As written; undefined for a rule that matches every host. */
  readonly host: string | undefined;
  readonly paths: readonly IngressPath[];
}

export interface IngressTls {
  readonly hosts: readonly string[];
  readonly secretName: string | undefined;
}

export interface Ingress {
  readonly kind: 'Ingress';
  readonly metadata: ObjectMeta;
  readonly ingressClassName: string | undefined;
  readonly defaultBackend: IngressBackend | undefined;
  readonly rules: readonly IngressRule[];
  readonly tls: readonly IngressTls[];
}

export interface IngressClass {
  readonly kind: 'IngressClass';
  readonly metadata: ObjectMeta;
  readonly controller: string;
}

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: string;
}

export interface Service {
  readonly kind: 'Service';
  readonly metadata: ObjectMeta;
  readonly type: string;
  readonly clusterIP: string | undefined;
  readonly externalName: string | undefined;
  readonly ports: readonly ServicePort[];
  readonly sessionAffinity: 'None' | 'ClientIP';
}

export interface EndpointPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
}

export interface SliceEndpoint {
  readonly addresses: readonly string[];
  readonly ready: boolean;
}

export interface EndpointSlice {
  readonly kind: 'EndpointSlice';
  readonly metadata: ObjectMeta;
  /** From the `kubernetes.io/service-name` label. */
  readonly serviceName: string;
  readonly addressType: string;
  readonly endpoints: readonly SliceEndpoint[];
  readonly ports: readonly EndpointPort[];
}

export interface EndpointSubset {
  readonly readyAddresses: readonly string[];
  readonly notReadyAddresses: readonly string[];
  readonly ports: readonly EndpointPort[];
}

export interface Endpoints {
  readonly kind: 'Endpoints';
  readonly metadata: ObjectMeta;
  readonly subsets: readonly EndpointSubset[];
}

export interface Secret {
  readonly kind: 'Secret';
  readonly metadata: ObjectMeta;
  readonly type: string;
  /** Decoded values (UTF-8). */
  readonly data: Readonly<Record<string, string>>;
}

export interface ConfigMap {
  readonly kind: 'ConfigMap';
  readonly metadata: ObjectMeta;
  readonly data: Readonly<Record<string, string>>;
}

export type KubeObject = Ingress | IngressClass | Service | Endpoints | EndpointSlice | Secret | ConfigMap;

export function refOf(object: KubeObject): ObjectRef {
  return { kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

/** `namespace/name`, the key used for indexes and for messages. */
export function keyOf(meta: { readonly namespace: string; readonly name: string }): string {
  return meta.namespace === '' ? meta.name : `${meta.namespace}/${meta.name}`;
}
