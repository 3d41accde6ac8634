// The input of a build: every object the controller knows, as plain arrays (order does not matter).
import type { ConfigMap, EndpointSlice, Endpoints, Ingress, IngressClass, KubeObject, Secret, Service } from './kube.js';

export interface Snapshot {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  readonly endpoints: readonly Endpoints[];
  readonly secrets: readonly Secret[];
  readonly configMaps: readonly ConfigMap[];
}

export function emptySnapshot(): Snapshot {
  return { ingresses: [], ingressClasses: [], services: [], endpointSlices: [], endpoints: [], secrets: [], configMaps: [] };
}

/**
 * Groups objects by kind. Objects are keyed by kind/namespace/name and a later duplicate replaces an
 * earlier one (as a later `kubectl apply` would).
 */
export function snapshotOf(objects: readonly KubeObject[]): Snapshot {
  const unique = new Map<string, KubeObject>();
  for (const object of objects) unique.set(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`, object);
  const ofKind = <K extends KubeObject['kind']>(kind: K) =>
    [...unique.values()].filter((o): o is Extract<KubeObject, { kind: K }> => o.kind === kind);
  return {
    ingresses: ofKind('Ingress'),
    ingressClasses: ofKind('IngressClass'),
    services: ofKind('Service'),
    endpointSlices: ofKind('EndpointSlice'),
    endpoints: ofKind('Endpoints'),
    secrets: ofKind('Secret'),
    configMaps: ofKind('ConfigMap'),
  };
}
