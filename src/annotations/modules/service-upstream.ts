// service-upstream: proxy to the Service's ClusterIP and port instead of its endpoints, so kube-proxy
// balances and endpoint changes need no reload. Read by the build (upstream-policy, resolve-backends).
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean } from '../grammars.js';

const serviceUpstream = annotationKey('service-upstream', boolean, "Proxy to the Service's ClusterIP instead of its endpoints.", 'false');

export const serviceUpstreamAnnotation = defineAnnotation({
  name: 'service-upstream',
  keys: [serviceUpstream],
  scope: 'upstream',
  risk: 'low',
  description:
    "The upstream has one server, the Service's ClusterIP and port: kube-proxy picks the Pod, so Portico's balancing, " +
    'hashing and cookie affinity have no effect there, and nginx sees no endpoint ' +
    'change. A headless Service (no ClusterIP) keeps its endpoints, with a warning.',
  parse: (r) => r.value(serviceUpstream),
  effect: {},
});
