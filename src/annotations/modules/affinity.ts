// affinity: cookie: sticky sessions without a sticky module. The upstream hashes (consistently) on the
// session cookie's value; a request without the cookie is hashed on a new random id ($request_id), and the
// response sets the cookie to that id, so the first request and the next ones land on the same endpoint.
// The upstream side is in the build (upstream-policy) and the view model (the hash line).
import { directive, expansion, keyword, mapBlock, variable, type Directive } from '../../model/directive.js';
import { affinityVariable } from '../../model/nginx-model.js';
import { annotationKey, defineAnnotation, type LocationContext } from '../annotation.js';
import { boolean, hostAndPort, integer, oneOf, urlPath, type Grammar } from '../grammars.js';

/** Cookie names Portico can find in the Cookie header with a regex and write back unquoted. */
const cookieName: Grammar<string> = {
  describe: 'a cookie name of 1 to 64 characters A-Z a-z 0-9 _ . -',
  parse: (raw) => (/^[A-Za-z0-9_.-]{1,64}$/.test(raw) ? raw : undefined),
};

const affinity = annotationKey('affinity', oneOf(['cookie']), 'The kind of affinity; only `cookie` exists.');
const mode = annotationKey('affinity-mode', oneOf(['balanced', 'persistent']), 'balanced or persistent; both keep a session on its endpoint while that endpoint stays.', 'balanced');
const name = annotationKey('session-cookie-name', cookieName, 'The name of the cookie.', 'INGRESSCOOKIE');
const path = annotationKey('session-cookie-path', urlPath, 'The Path of the cookie.', 'the Ingress path (/ for regex paths)');
const domain = annotationKey('session-cookie-domain', hostAndPort, 'The Domain of the cookie.');
const maxAge = annotationKey('session-cookie-max-age', integer(0, 315_360_000), 'Max-Age of the cookie, in seconds.', 'a session cookie');
const expires = annotationKey('session-cookie-expires', integer(0, 315_360_000), 'Lifetime of the cookie, in seconds (sent as Max-Age).', 'a session cookie');
const sameSite = annotationKey('session-cookie-samesite', oneOf(['None', 'Lax', 'Strict']), 'The SameSite attribute of the cookie.');
const secure = annotationKey('session-cookie-secure', boolean, 'Mark the cookie Secure even on plain-HTTP requests.', 'false (Secure on HTTPS requests)');

export interface CookieAffinity {
  readonly cookie: {
    readonly name: string;
    readonly path: string | undefined;
    readonly domain: string | undefined;
    readonly maxAge: number | undefined;
    readonly sameSite: 'None' | 'Lax' | 'Strict' | undefined;
    readonly secure: boolean;
  };
  readonly mode: 'balanced' | 'persistent';
}

/** `; Secure` on HTTPS requests, as ingress-nginx does; empty otherwise. */
const SECURE_ON_HTTPS = 'portico_affinity_secure';

export const affinityAnnotation = defineAnnotation({
  name: 'affinity',
  keys: [affinity, mode, name, path, domain, maxAge, expires, sameSite, secure],
  scope: 'upstream',
  risk: 'low',
  description:
    'Sticky sessions with a cookie. Debian’s nginx has no sticky module, so Portico hashes (`hash … consistent`) on the ' +
    'cookie’s value; a request without the cookie is hashed on a new random id, which the response sets as the cookie ' +
    '(HttpOnly; Secure on HTTPS requests or with session-cookie-secure). The cookie holds a client id, not an endpoint: ' +
    'when endpoints come and go only the sessions of those endpoints move, in both affinity modes (ingress-nginx’s ' +
    '`persistent` would keep every session on its endpoint while it exists; here a scale-up moves about 1/n of them). ' +
    'session-cookie-expires is sent as Max-Age (nginx cannot compute a date; browsers prefer Max-Age anyway), and ' +
    'session-cookie-max-age wins when both are set. Without session-cookie-path the Path is the Ingress path, or `/` for ' +
    'regex paths. An Ingress with affinity gets upstreams of its own; affinity takes precedence over upstream-hash-by and ' +
    'load-balance. session-cookie-change-on-failure, -conditional-samesite-none and -partitioned are not supported.',
  parse: (r): CookieAffinity | undefined => {
    const kind = r.value(affinity);
    if (kind === undefined) {
      for (const key of [mode, name, path, domain, maxAge, expires, sameSite, secure]) if (r.has(key)) r.problem(key, `${key.key} needs affinity: cookie`);
      return undefined;
    }
    return {
      cookie: {
        name: r.value(name) ?? 'INGRESSCOOKIE',
        path: r.value(path),
        domain: r.value(domain),
        maxAge: r.value(maxAge) ?? r.value(expires),
        sameSite: r.value(sameSite),
        secure: r.value(secure) ?? false,
      },
      mode: r.value(mode) ?? 'balanced',
    };
  },
  effect: {
    http: (value) => affinityMaps(value.cookie.name),
    location: (value, context) => setCookie(value, context),
  },
});

/**
 * Two maps on the Cookie header per cookie name: the hash key (the cookie's value, else `$request_id`), and
 * the Set-Cookie value (empty when the request has the cookie, so nginx sends no header).
 */
function affinityMaps(cookie: string): readonly Directive[] {
  const base = affinityVariable(cookie);
  // PCRE2 allows capture names of at most 32 characters.
  const capture = `portico_cookie_${base.slice(-12)}`;
  const found = { kind: 'regex' as const, pattern: `(?:^|;)\\s*${cookie.replaceAll('.', '\\.')}=(?<${capture}>[^;\\s]+)`, caseInsensitive: false };
  return [
    mapBlock(variable('http_cookie'), base, [
      { key: found, value: variable(capture) },
      { key: { kind: 'default' }, value: variable('request_id') },
    ]),
    mapBlock(variable('http_cookie'), `${base}_set`, [
      { key: found, value: expansion('') },
      { key: { kind: 'default' }, value: variable(`${base}_cookie`) },
    ]),
    mapBlock(variable('https'), SECURE_ON_HTTPS, [
      { key: { kind: 'string', text: 'on' }, value: expansion('; Secure') },
      { key: { kind: 'default' }, value: expansion('') },
    ]),
  ];
}

/** The cookie this location would set, and the header that sends it when the request has none. */
function setCookie(value: CookieAffinity, context: LocationContext): readonly Directive[] {
  const { cookie } = value;
  const base = affinityVariable(cookie.name);
  const attributes = [`${cookie.name}=$request_id`, `Path=${cookie.path ?? (context.isRegex ? '/' : context.path)}`];
  if (cookie.domain !== undefined) attributes.push(`Domain=${cookie.domain}`);
  if (cookie.maxAge !== undefined) attributes.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.sameSite !== undefined) attributes.push(`SameSite=${cookie.sameSite}`);
  attributes.push('HttpOnly');
  const text = `${attributes.join('; ')}${cookie.secure ? '; Secure' : `$${SECURE_ON_HTTPS}`}`;
  return [
    directive('set', variable(`${base}_cookie`), expansion(text, ['request_id', SECURE_ON_HTTPS])),
    directive('add_header', keyword('Set-Cookie'), variable(`${base}_set`), keyword('always')),
  ];
}
