// from-to-www-redirect: the www. twin of each host (or the bare name of a www. host) redirects to it. Read by
// the build (build-model), which adds a redirecting server for each twin that no Ingress serves itself.
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean } from '../grammars.js';

const fromToWww = annotationKey('from-to-www-redirect', boolean, 'Redirect www.<host> to <host>, or <host> to www.<host>, whichever the Ingress names.', 'false');

export const fromToWwwRedirectAnnotation = defineAnnotation({
  name: 'from-to-www-redirect',
  keys: [fromToWww],
  scope: 'server',
  risk: 'low',
  description:
    'For each host of the Ingress, its twin (`www.example.com` for `example.com`, and the other way round) answers every ' +
    'request with a 308 to the same URI on the host. HTTPS requests for the twin are redirected too when the host\'s ' +
    'certificate covers the twin. A twin that some Ingress serves itself is left alone; wildcard hosts have no twin.',
  parse: (r) => r.value(fromToWww),
  effect: {},
});
