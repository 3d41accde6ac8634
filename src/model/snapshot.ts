// The input of a build: every object the controller knows, as plain arrays (order does not matter).
import type { ConfigMap, EndpointSlice, Endpoints, Ingress, IngressClass, Secret, Service } from './kube.js';

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
