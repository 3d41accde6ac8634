// upstream-vhost: the Host header the backend receives instead of the client's.
import { directive, keyword, literal } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { hostAndPort } from '../grammars.js';

const upstreamVhost = annotationKey('upstream-vhost', hostAndPort, 'The Host header sent to the backend.', "the request's Host");

export const upstreamVhostAnnotation = defineAnnotation({
  name: 'upstream-vhost',
  keys: [upstreamVhost],
  scope: 'location',
  risk: 'low',
  description:
    'The backend receives this Host header (e.g. `api.internal` or `api.internal:8080`) instead of the client’s; ' +
    'X-Forwarded-Host keeps the client’s. Unlike ingress-nginx, the value is a host name and optional port only, never ' +
    'nginx variables.',
  parse: (r) => r.value(upstreamVhost),
  effect: {
    location: (host, context) => [directive(context.protocol === 'grpc' || context.protocol === 'grpcs' ? 'grpc_set_header' : 'proxy_set_header', keyword('Host'), literal(host))],
  },
});
