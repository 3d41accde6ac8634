// auth-url, auth-method, auth-signin, auth-signin-redirect-param, auth-response-headers,
// auth-always-set-cookie (and auth-proxy-set-headers, refused): external authentication as ingress-nginx does
// it for oauth2-proxy. Every location of the Ingress asks an internal location (one per server and auth
// service) through `auth_request`; that location proxies to the auth URL with the
// original URL and method in headers. 2xx lets the request through, 401 and 403 are answered as they are (a
// 401 becomes a redirect to auth-signin when set), anything else is a 500: never open.
import { createHash } from 'node:crypto';
import { blockDirective, directive, expansion, keyword, literal, variable, type Directive, type DirectiveArg } from '../../model/directive.js';
import { annotationKey, defineAnnotation, type ServerContext } from '../annotation.js';
import { boolean, listOf, oneOf, type Grammar } from '../grammars.js';

/** The variables an auth or sign-in URL may use. `$host` is the only one allowed before the path. */
const urlVariables = ['host', 'escaped_request_uri', 'request_uri', 'scheme', 'http_host'] as const;
type UrlVariable = (typeof urlVariables)[number];

export interface TemplateUrl {
  /** As written, variables included. */
  readonly text: string;
  readonly scheme: 'http' | 'https';
  /** `host` or `host:port`, lower-cased, or `$host` (optionally with a port). */
  readonly authority: string;
  readonly variables: readonly UrlVariable[];
}

/**
 * An absolute http(s) URL whose authority is a DNS name, an IP address or `$host` (each with an optional
 * port), and whose path and query use the URL path characters and the variables of `allowed`. Nothing else:
 * no quotes, spaces, `;`, `#`, braces or other variables (the auth-url CVE class).
 */
function templateUrl(allowed: readonly UrlVariable[]): Grammar<TemplateUrl> {
  const names = allowed.map((v) => `$${v}`).join(' ');
  return {
    describe: `an absolute http:// or https:// URL (host or $host, optional port, path and query; may use ${names})`,
    parse: (raw) => {
      if (raw.length > 2048) return undefined;
      const match = /^(https?):\/\/([^/?#]+)([/?][^#]*)?$/i.exec(raw);
      if (match === null) return undefined;
      const [, scheme = '', authority = '', rest = ''] = match;
      const isHostVariable = /^\$host(?::[0-9]{1,5})?$/.test(authority) && allowed.includes('host');
      const isHost = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i.test(authority);
      if (!isHostVariable && !isHost) return undefined;
      const port = /:([0-9]+)$/.exec(authority)?.[1];
      if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
      const used = new Set<UrlVariable>(isHostVariable ? ['host'] : []);
      const withoutVariables = rest.replace(/\$([a-z_]+)/g, (whole, name: string) => {
        if (!(allowed as readonly string[]).includes(name)) return whole;
        used.add(name as UrlVariable);
        return '';
      });
      if (!/^(?:\/[A-Za-z0-9\-._~!&()*+,=:@/%]*)?(?:\?[A-Za-z0-9\-._~!&()*+,=:@/%?]*)?$/.test(withoutVariables)) return undefined;
      return { text: raw, scheme: scheme.toLowerCase() as 'http' | 'https', authority: authority.toLowerCase(), variables: [...used].sort() };
    },
  };
}

const authUrl = annotationKey(
  'auth-url',
  templateUrl(['host']),
  'The URL that decides: 2xx lets the request through, 401 or 403 is the answer. `$host` is the Ingress rule\'s host (see below).',
);
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE'] as const;
const authMethod = annotationKey('auth-method', oneOf(methods), 'The method of the request to auth-url (the original one is in X-Original-Method).', 'GET');
const authSignin = annotationKey(
  'auth-signin',
  templateUrl(urlVariables),
  'Where a 401 from auth-url redirects the browser (302); unless it has the redirect parameter already, `rd=<original URL>` is added.',
);
const redirectParameter: Grammar<string> = {
  describe: 'a query parameter name (A-Z a-z 0-9 - _ .)',
  parse: (raw) => (/^[A-Za-z0-9\-_.]{1,64}$/.test(raw) ? raw : undefined),
};
const authSigninRedirectParam = annotationKey('auth-signin-redirect-param', redirectParameter, 'The query parameter of auth-signin that carries the original URL.', 'rd');
/** ingress-nginx's header grammar: the names also become nginx variable names, so no other token characters. */
const responseHeaderName: Grammar<string> = {
  describe: 'a header name (A-Z a-z 0-9 - _)',
  parse: (raw) => (/^[A-Za-z0-9\-_]{1,128}$/.test(raw) ? raw : undefined),
};
const authResponseHeaders = annotationKey(
  'auth-response-headers',
  { ...listOf(responseHeaderName, 32), describe: 'a comma-separated list of header names (A-Z a-z 0-9 - _)' },
  "Headers of auth-url's answer passed on to the backend (replacing what the client sent under those names).",
);
const authAlwaysSetCookie = annotationKey('auth-always-set-cookie', boolean, "Pass auth-url's Set-Cookie to the client on every answer, errors included (else only on success).", 'false');
const authProxySetHeaders = annotationKey('auth-proxy-set-headers', { describe: 'a ConfigMap name', parse: (raw: string) => raw }, 'Not supported: refused (see above).');

export interface ExternalAuth {
  readonly url: TemplateUrl;
  readonly method: (typeof methods)[number] | undefined;
  readonly signin: TemplateUrl | undefined;
  readonly redirectParameter: string;
  readonly responseHeaders: readonly string[];
  readonly alwaysSetCookie: boolean;
}

/**
 * The internal location of the auth requests of one auth-url and method: named by a hash of both, so the
 * Ingresses of a host that share an auth service share one location (each costs nginx a TLS context at every
 * reload, ~0.3 ms), and `^` is in no Ingress path, so it never collides with one.
 */
export function authLocationOf(url: string, method: string | undefined): string {
  const digest = createHash('sha256').update(JSON.stringify([url, method ?? null])).digest('hex');
  return `/^portico-auth/${digest.slice(0, 16)}`;
}

/** Core nginx cannot percent-encode, so the original URI goes into `rd=` only when it needs no encoding there. */
const ESCAPED_REQUEST_URI = 'portico_escaped_request_uri';

export const externalAuthAnnotation = defineAnnotation({
  name: 'external-auth',
  keys: [authUrl, authMethod, authSignin, authSigninRedirectParam, authResponseHeaders, authAlwaysSetCookie, authProxySetHeaders],
  scope: 'location',
  risk: 'high',
  description:
    'Every request to the Ingress is first sent (without its body) to auth-url, with its headers (cookies, Authorization) and ' +
    '`X-Original-URL`, `X-Original-Method`, `X-Auth-Request-Redirect` (the request URI), `X-Real-IP`, `X-Forwarded-For`, ' +
    '`X-Request-ID` and `X-Sent-From: nginx-ingress-controller`, as ingress-nginx sends them (with auth-method also `X-Original-URI` ' +
    'and `X-Scheme`). A 2xx answer lets the request through, 401 and 403 are passed to the client (a 401 becomes a 302 to ' +
    'auth-signin when set), anything else (auth-url down) is a 500. Differences from ingress-nginx: `$host` in auth-url is the ' +
    "Ingress rule's host, never the client's Host header (on a wildcard rule, the one label nginx matched under it; an Ingress " +
    'with auth-url on `$host` answers 500 for rules without host, whose Host header a client chooses freely); ' +
    '`$escaped_request_uri` is the request URI when it has none of & + % ; (core nginx cannot percent-encode), else `/`; ' +
    'auth-proxy-set-headers, auth-snippet and auth-cache-* are not supported (auth-proxy-set-headers is refused). ' +
    'A host name in auth-url is resolved by nginx when a request needs it, through the resolver the controller reads from ' +
    '/etc/resolv.conf; an IP address needs no resolver.',
  parse: (r): ExternalAuth | undefined => {
    const url = r.value(authUrl);
    const method = r.value(authMethod);
    const signin = r.value(authSignin);
    const parameter = r.value(authSigninRedirectParam) ?? 'rd';
    const responseHeaders = r.value(authResponseHeaders) ?? [];
    const alwaysSetCookie = r.value(authAlwaysSetCookie) ?? false;
    if (r.has(authProxySetHeaders)) r.problem(authProxySetHeaders, 'auth-proxy-set-headers is not supported (it would paste a ConfigMap into the auth request); remove it');
    if (!r.has(authUrl)) {
      for (const key of [authMethod, authSignin, authSigninRedirectParam, authResponseHeaders, authAlwaysSetCookie]) {
        if (r.has(key)) r.problem(key, `${key.key} needs auth-url`);
      }
      return undefined;
    }
    if (url === undefined) return undefined;
    return { url, method, signin, redirectParameter: parameter, responseHeaders, alwaysSetCookie };
  },
  effect: {
    location: (auth, context) => {
      // gRPC backends (backend-protocol) read grpc_set_header.
      const setHeader = context.protocol === 'grpc' || context.protocol === 'grpcs' ? 'grpc_set_header' : 'proxy_set_header';
      const found: Directive[] = [directive('auth_request', literal(authLocationOf(auth.url.text, auth.method)))];
      found.push(directive('auth_request_set', variable('portico_auth_cookie'), variable('upstream_http_set_cookie')));
      found.push(directive('add_header', keyword('Set-Cookie'), variable('portico_auth_cookie'), ...(auth.alwaysSetCookie ? [keyword('always')] : [])));
      for (const header of auth.responseHeaders) {
        const name = header.toLowerCase().replaceAll('-', '_');
        found.push(directive('auth_request_set', variable(`portico_auth_${name}`), variable(`upstream_http_${name}`)));
        found.push(directive(setHeader, keyword(header), variable(`portico_auth_${name}`)));
      }
      if (auth.signin !== undefined) {
        found.push(
          directive('set', variable(ESCAPED_REQUEST_URI), variable('request_uri')),
          blockDirective('if', [variable('request_uri'), keyword('~'), literal('[&+%;]')], [directive('set', variable(ESCAPED_REQUEST_URI), literal('/'))]),
          directive('error_page', keyword(401), keyword('='), signinTarget(auth.signin, auth.redirectParameter)),
        );
      }
      return found;
    },
    internalLocations: (auth, context) => [blockDirective('location', [keyword('='), literal(authLocationOf(auth.url.text, auth.method))], authRequest(auth, context))],
  },
});

/** `error_page 401 =` target: the sign-in URL, with `rd=<original URL>` unless it carries the parameter already. */
function signinTarget(signin: TemplateUrl, parameter: string): DirectiveArg {
  const variables = [...urlVariables.filter((v) => v !== 'escaped_request_uri'), ESCAPED_REQUEST_URI];
  const text = signin.text.replaceAll('$escaped_request_uri', `$${ESCAPED_REQUEST_URI}`);
  const query = text.split('?').slice(1).join('?');
  if (query.split('&').some((pair) => pair.split('=')[0] === parameter)) return expansion(text, variables);
  const separator = text.includes('?') ? '&' : '?';
  return expansion(`${text}${separator}${parameter}=$scheme://$http_host$${ESCAPED_REQUEST_URI}`, variables);
}

function header(name: string, value: DirectiveArg): Directive {
  return directive('proxy_set_header', keyword(name), value);
}

/** The internal location's body: what the auth request carries and where it goes. */
function authRequest(auth: ExternalAuth, context: ServerContext): readonly Directive[] {
  const usesHost = auth.url.variables.includes('host');
  // Rules without host are served to any Host header: `$host` there would let a client choose who authorizes it.
  if (usesHost && context.host === '') return [directive('internal'), directive('return', keyword(500))];
  // On an exact host, `$host` is that host; on a wildcard host it is the one label nginx matched, and stays a variable.
  const target = usesHost && !context.host.startsWith('*.') ? auth.url.text.replaceAll('$host', context.host) : auth.url.text;
  const body: Directive[] = [
    directive('internal'),
    directive('proxy_pass_request_body', keyword('off')),
    header('Content-Length', literal('')),
    header('X-Forwarded-Proto', literal('')),
    header('X-Request-ID', variable('portico_request_id')),
    header('X-Original-URL', expansion('$scheme://$http_host$request_uri', ['scheme', 'http_host', 'request_uri'])),
    header('X-Original-Method', variable('request_method')),
    header('X-Sent-From', literal('nginx-ingress-controller')),
    header('X-Real-IP', variable('remote_addr')),
    header('X-Forwarded-For', variable('remote_addr')),
    header('X-Auth-Request-Redirect', variable('request_uri')),
  ];
  if (auth.method !== undefined) {
    body.push(directive('proxy_method', keyword(auth.method)), header('X-Original-URI', variable('request_uri')), header('X-Scheme', variable('scheme')));
  }
  body.push(
    directive('proxy_ssl_server_name', keyword('on')),
    // Through a variable, so nginx resolves a host name when a request needs it (with the resolver) instead of
    // at load, where a name that does not resolve would fail the whole config.
    directive('set', variable('portico_auth_target'), expansion(target, ['host'])),
    directive('proxy_pass', variable('portico_auth_target')),
  );
  return body;
}
