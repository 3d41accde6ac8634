// Closed grammars for every user-written value that reaches nginx.conf. Anything outside them is rejected
// before the model is built, so no manifest can smuggle nginx syntax into the config.

const dnsLabel = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const dnsLabelPattern = new RegExp(`^${dnsLabel}$`);
const dnsSubdomainPattern = new RegExp(`^${dnsLabel}(?:\\.${dnsLabel})*$`);
const hostPattern = new RegExp(`^(?:\\*\\.)?${dnsLabel}(?:\\.${dnsLabel})*$`);
/** IANA service name, as Kubernetes validates port names: at most 15, letters, digits, inner hyphens, one letter. */
const portNamePattern = /^(?=.*[a-z])[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,14}$/;
/**
 * Path characters: RFC 3986 unreserved characters and the sub-delimiters nginx gives no meaning to, plus
 * `/`, `:` and `@`. Excluded on purpose: `;` `{` `}` `"` `'` `#` `$` `\` `%`, spaces and control characters
 * (nginx syntax, variables, or percent-encodings that nginx would compare decoded).
 */
const pathPattern = /^\/[A-Za-z0-9\-._~!&()*+,=:@/]*$/;

export const MAX_HOST_LENGTH = 253;
export const MAX_PATH_LENGTH = 2048;

/** A DNS label (RFC 1123): namespaces, Service names. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && dnsLabelPattern.test(value);
}

/** A DNS subdomain (RFC 1123): object names such as Ingresses and Secrets. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && dnsSubdomainPattern.test(value);
}

/** An Ingress rule host, already lower-cased: a DNS name, optionally `*.` + DNS name. IP addresses are not hosts. */
export function isHost(value: string): boolean {
  return value.length <= MAX_HOST_LENGTH && hostPattern.test(value) && !/^[0-9.]+$/.test(value);
}

export function isPortName(value: string): boolean {
  return portNamePattern.test(value);
}

/** Why a path is not acceptable, or undefined when it is. */
export function pathProblem(path: string): string | undefined {
  if (path.length > MAX_PATH_LENGTH) return `is longer than ${MAX_PATH_LENGTH} characters`;
  if (!path.startsWith('/')) return 'must start with "/"';
  if (!pathPattern.test(path)) {
    const bad = [...path].find((c) => !pathPattern.test(`/${c}`)) ?? '';
    return `contains ${describeCharacter(bad)}, which is outside the allowed characters (A-Z a-z 0-9 / - . _ ~ ! & ( ) * + , = : @)`;
  }
  return undefined;
}

/** Names a character without echoing control characters into logs. */
function describeCharacter(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || code > 0x7e) return `the character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return `"${c}"`;
}

/** Characters a regex path may use: the path set plus regex syntax; never quotes, spaces, `;`, `#` or control characters. */
const regexPathPattern = /^\/[A-Za-z0-9\-._~!&()*+,=:@/%?^$|[\]{}\\]*$/;
export const MAX_REGEX_PATH_LENGTH = 1024;

/**
 * Why a regex path (use-regex, rewrite-target) is not acceptable, or undefined. It must compile as a
 * JavaScript regex without the constructs PCRE reads differently, so nginx never meets one it rejects:
 * a bad regex would otherwise fail `nginx -t` for every host.
 */
export function regexPathProblem(path: string): string | undefined {
  if (path.length > MAX_REGEX_PATH_LENGTH) return `is longer than ${MAX_REGEX_PATH_LENGTH} characters`;
  if (!path.startsWith('/')) return 'must start with "/"';
  if (!regexPathPattern.test(path)) {
    const bad = [...path].find((c) => !regexPathPattern.test(`/${c}`)) ?? '';
    return `contains ${describeCharacter(bad)}, which regex paths may not use`;
  }
  return regexProblem(path);
}

/**
 * Why a regular expression nginx will compile (with PCRE) is not acceptable, or undefined: it must compile
 * as a JavaScript regex and avoid the constructs PCRE reads differently, since one nginx rejects fails
 * `nginx -t` for every host.
 */
export function regexProblem(pattern: string): string | undefined {
  if (/\(\?<?[=!]|\\[pPkQEgGRKXhHvV0-9]|\(\?[^:]/.test(pattern.replace(/\(\?<[A-Za-z][A-Za-z0-9]*>/g, '('))) {
    return 'uses lookaround, back-references, inline flags or escapes that PCRE and JavaScript read differently';
  }
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'is not a valid regular expression';
  }
  return undefined;
}
