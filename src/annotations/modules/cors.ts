// enable-cors and the cors-* keys: CORS headers on the responses of an Ingress, and preflight requests
// (OPTIONS) answered 204 by nginx, with ingress-nginx's defaults. With a list of origins, the request's
// Origin is echoed only when it matches one: an http{} map per distinct list turns $http_origin into the
// allowed origin or nothing, and nginx sends no header whose value is empty.
import { createHash } from 'node:crypto';
import { blockDirective, directive, keyword, literal, mapBlock, variable, type Directive } from '../../model/directive.js';
import { annotationKey, defineAnnotation } from '../annotation.js';
import { boolean, integer, listOf, type Grammar } from '../grammars.js';

/** An allowed origin: `*`-free, with an optional scheme, host (or `*.` and a domain) and port. */
export interface CorsOrigin {
  /** undefined: either http or https. */
  readonly scheme: 'http' | 'https' | undefined;
  /** Lower-case; a leading `*.` stands for exactly one label, as in ingress-nginx. */
  readonly host: string;
  readonly port: number | undefined;
}

const label = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const originPattern = new RegExp(`^(?:(https?)://)?(\\*\\.)?(${label}(?:\\.${label})*)(?::([0-9]{1,5}))?$`);

const origin: Grammar<CorsOrigin> = {
  describe: 'an origin such as https://app.example.com, https://*.example.com or http://localhost:8080',
  parse: (raw) => {
    const match = originPattern.exec(raw.toLowerCase());
    if (match === null || raw.length > 260) return undefined;
    const [, scheme, wildcard = '', host = '', port] = match;
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
    return { scheme: scheme as 'http' | 'https' | undefined, host: `${wildcard}${host}`, port: port === undefined ? undefined : Number(port) };
  },
};

/** `*` (any origin), or a list of origins. */
const origins: Grammar<'*' | readonly CorsOrigin[]> = {
  describe: `"*", or a comma-separated list of origins (${origin.describe})`,
  parse: (raw) => (raw === '*' ? '*' : listOf(origin).parse(raw)),
};

const method: Grammar<string> = { describe: 'an HTTP method', parse: (raw) => (/^[A-Za-z]{1,32}$/.test(raw) ? raw.toUpperCase() : undefined) };
/** Header names as ingress-nginx validates them for CORS: letters, digits, `-` and `_`. */
const corsHeaderName: Grammar<string> = { describe: 'a header name (A-Z a-z 0-9 - _)', parse: (raw) => (/^[A-Za-z0-9_-]{1,128}$/.test(raw) ? raw : undefined) };
const headerList: Grammar<string> = {
  describe: '"*" or a comma-separated list of header names (A-Z a-z 0-9 - _)',
  parse: (raw) => (raw === '*' ? '*' : listOf(corsHeaderName).parse(raw)?.join(',')),
};

const enable = annotationKey('enable-cors', boolean, 'Add CORS headers to the responses of the Ingress and answer preflight requests.', 'false');
const allowOrigin = annotationKey('cors-allow-origin', origins, 'The origins allowed; a request from another origin gets no Access-Control-Allow-Origin.', '*');
const allowMethods = annotationKey('cors-allow-methods', listOf(method), 'Access-Control-Allow-Methods.', 'GET, PUT, POST, DELETE, PATCH, OPTIONS');
const allowHeaders = annotationKey(
  'cors-allow-headers',
  headerList,
  'Access-Control-Allow-Headers.',
  'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
);
const allowCredentials = annotationKey('cors-allow-credentials', boolean, 'Send Access-Control-Allow-Credentials: true.', 'true');
const maxAge = annotationKey('cors-max-age', integer(0, 999_999_999), 'How long, in seconds, a browser may cache a preflight answer (Access-Control-Max-Age).', '1728000');
const exposeHeaders = annotationKey('cors-expose-headers', headerList, 'Access-Control-Expose-Headers; none when empty.');

const DEFAULT_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS';
const DEFAULT_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization';

export interface Cors {
  readonly origins: '*' | readonly CorsOrigin[];
  readonly methods: string;
  readonly headers: string;
  readonly credentials: boolean;
  readonly maxAge: number;
  readonly exposeHeaders: string | undefined;
}

export const corsAnnotation = defineAnnotation({
  name: 'cors',
  keys: [enable, allowOrigin, allowMethods, allowHeaders, allowCredentials, maxAge, exposeHeaders],
  scope: 'location',
  risk: 'low',
  description:
    'Cross-origin resource sharing, as ingress-nginx does it: with enable-cors "true", responses carry the Access-Control-* headers ' +
    '(also on errors) and a preflight (OPTIONS) request from an allowed origin is answered 204 by nginx without reaching the backend, ' +
    'before the source ranges, rate limits and authentication, which preflights carry no credentials for. With "*" every origin is ' +
    'allowed (Access-Control-Allow-Origin: *); with a list, the Origin is echoed only when it matches one (`https://*.example.com` ' +
    'matches one label, an origin without scheme matches http and https), and Portico also sends `Vary: Origin` so caches keep the ' +
    'answers apart. Differences from ingress-nginx: the other Access-Control-* headers are sent on every response of the Ingress, ' +
    'whatever the Origin (without Access-Control-Allow-Origin a browser ignores them); an origin without scheme is anchored, never ' +
    'matched as a suffix. The cors-* keys mean nothing without enable-cors, as in ingress-nginx.',
  parse: (r): Cors | undefined => {
    const values: Cors = {
      origins: r.value(allowOrigin) ?? '*',
      methods: r.value(allowMethods)?.join(', ') ?? DEFAULT_METHODS,
      headers: r.value(allowHeaders) ?? DEFAULT_HEADERS,
      credentials: r.value(allowCredentials) ?? true,
      maxAge: r.value(maxAge) ?? 1728000,
      exposeHeaders: r.value(exposeHeaders),
    };
    return r.value(enable) === true ? values : undefined;
  },
  effect: {
    http: (cors) => {
      if (cors.origins === '*') return [];
      const names = variablesOf(cors.origins);
      return [
        mapBlock(variable('http_origin'), names.origin, [
          { key: { kind: 'default' }, value: literal('') },
          ...cors.origins.map((o) => ({ key: { kind: 'regex' as const, pattern: originRegex(o), caseInsensitive: true }, value: variable('http_origin') })),
        ]),
        mapBlock(variable('request_method'), names.preflight, [
          { key: { kind: 'default' }, value: literal('') },
          { key: { kind: 'string', text: 'OPTIONS' }, value: variable(names.origin) },
        ]),
      ];
    },
    location: (cors) => {
      const header = (name: string, value: ReturnType<typeof literal>): Directive => directive('add_header', keyword(name), value, keyword('always'));
      const found: Directive[] = [];
      let preflight: Directive;
      if (cors.origins === '*') {
        found.push(header('Access-Control-Allow-Origin', literal('*')));
        preflight = blockDirective('if', [variable('request_method'), keyword('='), keyword('OPTIONS')], [directive('return', keyword(204))]);
      } else {
        const names = variablesOf(cors.origins);
        found.push(header('Access-Control-Allow-Origin', variable(names.origin)), header('Vary', literal('Origin')));
        preflight = blockDirective('if', [variable(names.preflight)], [directive('return', keyword(204))]);
      }
      if (cors.credentials) found.push(header('Access-Control-Allow-Credentials', literal('true')));
      found.push(header('Access-Control-Allow-Methods', literal(cors.methods)), header('Access-Control-Allow-Headers', literal(cors.headers)));
      if (cors.exposeHeaders !== undefined) found.push(header('Access-Control-Expose-Headers', literal(cors.exposeHeaders)));
      found.push(header('Access-Control-Max-Age', literal(String(cors.maxAge))));
      // The `if` inherits the headers above (it sets none of its own), so the 204 carries them.
      found.push(preflight);
      return found;
    },
  },
});

/** The regex an origin's Origin header must match whole: dots escaped, `*.` one label. */
function originRegex(o: CorsOrigin): string {
  const host = o.host.startsWith('*.') ? `[a-z0-9-]+\\.${escape(o.host.slice(2))}` : escape(o.host);
  return `^${o.scheme ?? 'https?'}://${host}${o.port === undefined ? '' : `:${o.port}`}$`;
}

function escape(host: string): string {
  return host.replaceAll('.', '\\.');
}

/** Variable names from a hash of the origin list, so Ingresses allowing the same origins share the maps. */
function variablesOf(list: readonly CorsOrigin[]): { readonly origin: string; readonly preflight: string } {
  const suffix = createHash('sha256').update(JSON.stringify(list)).digest('hex').slice(0, 12);
  return { origin: `portico_cors_${suffix}`, preflight: `portico_preflight_${suffix}` };
}
