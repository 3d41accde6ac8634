// load-balance: how an upstream spreads requests over its endpoints. Read by the build (upstream-policy),
// which gives upstreams with a non-default method their own upstream block.
import { annotationKey, defineAnnotation } from '../annotation.js';
import { oneOf } from '../grammars.js';

const loadBalance = annotationKey(
  'load-balance',
  oneOf(['round_robin', 'ewma']),
  'round_robin: in turn; ewma: to the endpoint with the fewest active connections (nginx least_conn).',
  'round_robin',
);

export type LoadBalance = 'round_robin' | 'ewma';

export const loadBalanceAnnotation = defineAnnotation({
  name: 'load-balance',
  keys: [loadBalance],
  scope: 'upstream',
  risk: 'low',
  description:
    "The balancing method of the Ingress's Services. ingress-nginx's `ewma` (peak EWMA of response times, in Lua) becomes " +
    "nginx's native `least_conn`, the closest method Debian's nginx has: slow endpoints hold more active connections and get " +
    'fewer new requests. An Ingress that asks for a method other than the default gets upstreams of its own, so other ' +
    "Ingresses using the same Service keep theirs. upstream-hash-by and cookie affinity take precedence, as in ingress-nginx.",
  parse: (r) => r.value(loadBalance),
  effect: {},
});
