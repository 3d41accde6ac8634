// app-root: a request for exactly "/" on the Ingress's hosts is redirected to the application's root path.
import { blockDirective, directive, expansion, keyword, variable } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { urlPath } from '../grammars.js';

const appRoot = annotationKey('app-root', urlPath, 'Where a request for "/" is redirected (302).');

export const appRootAnnotation = defineAnnotation({
  name: 'app-root',
  keys: [appRoot],
  scope: 'server',
  risk: 'low',
  description:
    'A request for exactly `/` gets a 302 to `<scheme>://<host><app-root>`, as in ingress-nginx; other paths are served as usual. ' +
    'With several Ingresses on one host, the oldest one that sets it wins.',
  parse: (r) => r.value(appRoot),
  effect: {
    server: (path) => [
      blockDirective('if', [variable('uri'), keyword('='), keyword('/')], [directive('return', keyword(302), expansion(`$scheme://$http_host${path}`, ['scheme', 'http_host']))]),
    ],
  },
});
