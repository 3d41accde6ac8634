// x-forwarded-prefix: tells the backend under which path prefix the client reached it (X-Forwarded-Prefix),
// typically alongside rewrite-target.
import { directive, keyword, literal } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { urlPath } from '../grammars.js';

const prefix = annotationKey('x-forwarded-prefix', urlPath, 'The value of the X-Forwarded-Prefix header sent to the backend.');

export const xForwardedPrefixAnnotation = defineAnnotation({
  name: 'x-forwarded-prefix',
  keys: [prefix],
  scope: 'location',
  risk: 'low',
  description: 'Adds `X-Forwarded-Prefix: <value>` to the requests the backend receives; the other forwarding headers are kept.',
  parse: (r) => r.value(prefix),
  effect: {
    location: (value) => [directive('proxy_set_header', keyword('X-Forwarded-Prefix'), literal(value))],
  },
});
