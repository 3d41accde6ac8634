// The order that settles every conflict between Ingresses: oldest first, then namespace/name.
import { compareText } from '../model/diagnostic.js';
import type { Ingress } from '../model/kube.js';

export function compareIngressAge(a: Ingress, b: Ingress): number {
  return (
    compareText(a.metadata.creationTimestamp, b.metadata.creationTimestamp) ||
    compareText(a.metadata.namespace, b.metadata.namespace) ||
    compareText(a.metadata.name, b.metadata.name)
  );
}
