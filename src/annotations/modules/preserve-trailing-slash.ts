// preserve-trailing-slash: accepted for compatibility; Portico's HTTPS redirect always keeps the request URI
// as sent.
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean } from '../grammars.js';

const preserve = annotationKey('preserve-trailing-slash', boolean, 'Keep a trailing slash in the HTTPS redirect.', 'true (always, in Portico)');

export const preserveTrailingSlashAnnotation = defineAnnotation({
  name: 'preserve-trailing-slash',
  keys: [preserve],
  scope: 'location',
  risk: 'low',
  description:
    "ingress-nginx's HTTPS redirect drops a trailing slash unless this is true. Portico's redirect (308 to " +
    '`https://<host><request URI>`) always keeps the path and query exactly as sent, so the value changes nothing; it is ' +
    'accepted so that manifests carrying it need no edit.',
  parse: (r) => r.value(preserve),
  effect: {},
});
