// proxy-http-version: the HTTP version nginx speaks to the backend.
import { directive, keyword } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { oneOf } from '../grammars.js';

const version = annotationKey('proxy-http-version', oneOf(['1.0', '1.1']), 'The HTTP version of requests to the backend.', '1.1');

export const proxyHttpVersion = defineAnnotation({
  name: 'proxy-http-version',
  keys: [version],
  scope: 'location',
  risk: 'low',
  description: 'HTTP/1.0 to the backend closes its connection after each request (no keepalive, no WebSocket); 1.1 is the default.',
  parse: (r) => r.value(version),
  effect: {
    location: (v) => [directive('proxy_http_version', keyword(v))],
  },
});
