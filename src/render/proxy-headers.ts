// The request headers every proxied request carries. Declared once at http{} level so nginx parses them
// once; but nginx inherits `proxy_set_header` only into a level that sets none of its own, so a location
// whose annotations set one (upstream-vhost, x-forwarded-prefix…) gets the whole list again, minus the
// headers it overrides. gRPC backends (grpc_pass) read `grpc_set_header` instead: the same headers, declared
// at http{} level when some Ingress uses gRPC, and repeated the same way.
import { directive, keyword, literal, variable, type Directive } from '../model/directive.js';

const header = (name: string, value: ReturnType<typeof variable> | ReturnType<typeof literal>): Directive =>
  directive('proxy_set_header', keyword(name), value);

export const proxyHeaderDirectives: readonly Directive[] = [
  header('Host', variable('host')),
  header('Upgrade', variable('http_upgrade')),
  header('Connection', variable('portico_connection')),
  header('X-Request-ID', variable('portico_request_id')),
  header('X-Real-IP', variable('remote_addr')),
  header('X-Forwarded-For', variable('remote_addr')),
  header('X-Forwarded-Host', variable('host')),
  header('X-Forwarded-Port', variable('server_port')),
  header('X-Forwarded-Proto', variable('scheme')),
  header('X-Scheme', variable('scheme')),
  // httpoxy: never pass a client's Proxy header on.
  header('Proxy', literal('')),
];

/** The same headers for grpc_pass, without the HTTP/1.1 connection ones (gRPC speaks HTTP/2 to the backend). */
export const grpcHeaderDirectives: readonly Directive[] = proxyHeaderDirectives
  .filter((d) => !['upgrade', 'connection'].includes(headerName(d, 'proxy_set_header') ?? ''))
  .map((d) => ({ ...d, name: 'grpc_set_header' }));

function headerName(d: Directive, directiveName: string): string | undefined {
  const first = d.args[0];
  return d.name === directiveName && first !== undefined && 'text' in first ? first.text.toLowerCase() : undefined;
}

/** `directives`, preceded by the inherited headers they do not override when they set any header themselves. */
export function withProxyHeaders(directives: readonly Directive[]): readonly Directive[] {
  const inherited = [...withInherited(directives, 'proxy_set_header', proxyHeaderDirectives), ...withInherited(directives, 'grpc_set_header', grpcHeaderDirectives)];
  return inherited.length === 0 ? directives : [...inherited, ...directives];
}

function withInherited(directives: readonly Directive[], directiveName: string, base: readonly Directive[]): readonly Directive[] {
  const own = new Set(directives.map((d) => headerName(d, directiveName)).filter((n) => n !== undefined));
  return own.size === 0 ? [] : base.filter((d) => !own.has(headerName(d, directiveName) ?? ''));
}
