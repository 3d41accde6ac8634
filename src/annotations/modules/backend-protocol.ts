// backend-protocol: how nginx speaks to the backend: HTTP, HTTPS (proxy_pass https://), gRPC or gRPC over
// TLS (grpc_pass). Read by the build (upstream-policy): the protocol is part of the upstream's identity, so
// kept-alive connections of one protocol are never reused for another.
import { annotationKey, defineAnnotation } from '../annotation.js';
import { oneOf } from '../grammars.js';
import type { BackendProtocol } from '../../model/nginx-model.js';
import { grpcHeaderDirectives } from '../../render/proxy-headers.js';

const protocol = annotationKey(
  'backend-protocol',
  // AUTO_HTTP and FCGI parse, so the diagnostic can say they are known and refused.
  { ...oneOf(['HTTP', 'HTTPS', 'GRPC', 'GRPCS', 'AUTO_HTTP', 'FCGI'], { caseInsensitive: true }), describe: 'one of HTTP, HTTPS, GRPC, GRPCS (any case)' },
  'HTTP, HTTPS, GRPC or GRPCS.',
  'HTTP',
);

export const backendProtocolAnnotation = defineAnnotation({
  name: 'backend-protocol',
  keys: [protocol],
  scope: 'upstream',
  risk: 'low',
  description:
    'HTTPS: `proxy_pass https://…` (the backend certificate is not verified, as in ingress-nginx without proxy-ssl-verify). ' +
    'GRPC / GRPCS: `grpc_pass grpc://…` or `grpcs://…`, with the same forwarded headers as HTTP backends (`grpc_set_header`). ' +
    'gRPC clients need HTTP/2, which nginx offers on the TLS port (ALPN h2, as ingress-nginx does); plain-HTTP gRPC (h2c) ' +
    'is not offered on the HTTP port. AUTO_HTTP and FCGI are refused (the Ingress is rejected): FCGI needs fastcgi_param ' +
    'configuration Portico does not take from ConfigMaps.',
  parse: (r): BackendProtocol | undefined => {
    const value = r.value(protocol);
    if (value === 'AUTO_HTTP' || value === 'FCGI') {
      r.problem(protocol, `${value} is not supported; use HTTP, HTTPS, GRPC or GRPCS`);
      return undefined;
    }
    return value === undefined ? undefined : (value.toLowerCase() as BackendProtocol);
  },
  effect: {
    http: (value) => (value === 'grpc' || value === 'grpcs' ? grpcHeaderDirectives : []),
  },
});
