// Closed value grammars for annotations. Each accepts a whole value (anchored) and returns it parsed, or
// undefined; `describe` is what the diagnostic and the generated docs say is expected. Control characters
// (CR/LF included) are refused by the reader before any grammar runs.
import { isIP } from 'node:net';

export interface Grammar<T> {
  readonly describe: string;
  readonly parse: (raw: string) => T | undefined;
}

export const boolean: Grammar<boolean> = {
  describe: '"true" or "false"',
  parse: (raw) => (raw === 'true' ? true : raw === 'false' ? false : undefined),
};

export function integer(min: number, max: number): Grammar<number> {
  return {
    describe: `a whole number from ${min} to ${max}`,
    parse: (raw) => {
      if (!/^[0-9]{1,9}$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? n : undefined;
    },
  };
}

/** Seconds, as ingress-nginx writes them (`60`), also with the unit (`60s`). */
export const seconds: Grammar<number> = {
  describe: 'a whole number of seconds (e.g. 60 or 60s)',
  parse: (raw) => {
    const match = /^([0-9]{1,7})s?$/.exec(raw);
    return match === null ? undefined : Number(match[1]);
  },
};

/** An nginx size: bytes, or k/m/g; lower-cased (`0` means no limit where nginx says so). */
export const size: Grammar<string> = {
  describe: 'a size such as 8k, 1m or 512 (bytes)',
  parse: (raw) => (/^[0-9]{1,9}[kKmMgG]?$/.test(raw) ? raw.toLowerCase() : undefined),
};

export function oneOf<const V extends string>(values: readonly V[], options: { caseInsensitive?: boolean } = {}): Grammar<V> {
  return {
    describe: `one of ${values.join(', ')}`,
    parse: (raw) => {
      const candidate = options.caseInsensitive === true ? values.find((v) => v.toLowerCase() === raw.toLowerCase()) : values.find((v) => v === raw);
      return candidate;
    },
  };
}

/** An HTTP status code in a range, e.g. the 3xx of a redirect. */
export function statusCode(min: number, max: number): Grammar<number> {
  return { ...integer(min, max), describe: `an HTTP status code from ${min} to ${max}` };
}

/** An RFC 9110 token: header names, cookie names. */
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;

export const headerName: Grammar<string> = {
  describe: 'an HTTP header name',
  parse: (raw) => (tokenPattern.test(raw) && !raw.includes('$') ? raw : undefined),
};

/** A comma-separated list; blanks around items are dropped, empty items refused. */
export function listOf<T>(item: Grammar<T>, maxItems = 64): Grammar<readonly T[]> {
  return {
    describe: `a comma-separated list of ${item.describe.replace(/^an? /, '')}s`,
    parse: (raw) => {
      const parts = raw.split(',').map((p) => p.trim());
      if (parts.length === 0 || parts.length > maxItems || parts.some((p) => p === '')) return undefined;
      const parsed: T[] = [];
      for (const part of parts) {
        const value = item.parse(part);
        if (value === undefined) return undefined;
        parsed.push(value);
      }
      return parsed;
    },
  };
}

/** An IPv4 or IPv6 address or CIDR block, normalized to `address/bits`-as-written. */
export const cidr: Grammar<string> = {
  describe: 'an IP address or CIDR block',
  parse: (raw) => {
    const [address = '', bits, ...rest] = raw.split('/');
    if (rest.length > 0) return undefined;
    // isIP accepts IPv6 zone ids (`fe80::1%eth0`), which nginx does not.
    const family = /^[0-9A-Fa-f:.]+$/.test(address) ? isIP(address) : 0;
    if (family === 0) return undefined;
    if (bits === undefined) return address;
    if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) return undefined;
    return `${address}/${Number(bits)}`;
  },
};

/** URL path characters (the Ingress path grammar's set) plus `%` escapes and a query string. */
const urlPathPattern = /^\/[A-Za-z0-9\-._~!&()*+,=:@/%]*(\?[A-Za-z0-9\-._~!&()*+,=:@/%?]*)?$/;
const hostPortPattern = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/i;

/** A DNS name or bracketed IPv6 address with an optional port, lower-cased: `api.internal:8443`. */
export const hostAndPort: Grammar<string> = {
  describe: 'a host name or [IPv6] address, optionally with :port',
  parse: (raw) => (raw.length <= 253 && hostPortPattern.test(raw) && validPort(raw) ? raw.toLowerCase() : undefined),
};

function validPort(authority: string): boolean {
  const port = /:([0-9]{1,5})$/.exec(authority)?.[1];
  return port === undefined || authority.endsWith(']') || (Number(port) >= 1 && Number(port) <= 65535);
}

/** A URL path with an optional query, no variables: `/login?next=/`. */
export const urlPath: Grammar<string> = {
  describe: 'a URL path starting with "/" (A-Z a-z 0-9 and - . _ ~ ! & ( ) * + , = : @ / % ?)',
  parse: (raw) => (raw.length <= 2048 && urlPathPattern.test(raw) ? raw : undefined),
};

export interface AbsoluteUrl {
  readonly scheme: 'http' | 'https';
  /** host or host:port, lower-cased. */
  readonly authority: string;
  /** Path and query; `/` when absent. */
  readonly path: string;
}

/** An absolute http(s) URL without user info, fragments or variables. */
export const absoluteUrl: Grammar<AbsoluteUrl> = {
  describe: 'an absolute http:// or https:// URL (host, optional port, path and query; no spaces, quotes or $)',
  parse: (raw) => {
    const match = /^(https?):\/\/([^/?#]+)([/?][^#]*)?$/i.exec(raw);
    if (match === null || raw.length > 2048) return undefined;
    const [, scheme = '', authority = '', rest = '/'] = match;
    const path = rest.startsWith('?') ? `/${rest}` : rest;
    if (!hostPortPattern.test(authority) || !urlPathPattern.test(path)) return undefined;
    return { scheme: scheme.toLowerCase() as 'http' | 'https', authority: authority.toLowerCase(), path };
  },
};

export function formatUrl(url: AbsoluteUrl): string {
  return `${url.scheme}://${url.authority}${url.path}`;
}

/** Free text for display (realms, names): printable ASCII without quotes or backslashes. */
export function plainText(maxLength: number): Grammar<string> {
  return {
    describe: `text of at most ${maxLength} printable characters, without " \\ $ { } ;`,
    parse: (raw) => (raw.length <= maxLength && /^[ !#%&'()*+,\-./0-9:<=>?@A-Z[\]^_`a-z|~]*$/.test(raw) ? raw : undefined),
  };
}

/** A Kubernetes object reference `name` or `namespace/name`; the namespace must be the Ingress's own. */
export interface ObjectName {
  readonly namespace: string | undefined;
  readonly name: string;
}

const dnsLabel = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const objectNamePattern = new RegExp(`^(?:(${dnsLabel})/)?(${dnsLabel}(?:\\.${dnsLabel})*)$`);

export const objectName: Grammar<ObjectName> = {
  describe: 'an object name, or namespace/name',
  parse: (raw) => {
    const match = objectNamePattern.exec(raw);
    if (match === null || raw.length > 253) return undefined;
    return { namespace: match[1], name: match[2] ?? '' };
  },
};

/** The bytes an nginx size stands for (`8k` → 8192); `value` is one that `size` accepted. */
export function sizeInBytes(value: string): number {
  const unit = value.at(-1) ?? '';
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(scale === 1 ? value : value.slice(0, -1)) * scale;
}

/** A size from 1 byte to `max` (e.g. buffers, where 0 makes no sense). */
export function sizeUpTo(max: string): Grammar<string> {
  const limit = sizeInBytes(max);
  return {
    describe: `a size from 1 to ${max}, such as 8k or 512 (bytes)`,
    parse: (raw) => {
      const value = size.parse(raw);
      return value !== undefined && sizeInBytes(value) >= 1 && sizeInBytes(value) <= limit ? value : undefined;
    },
  };
}

/**
 * An IP address or CIDR block written as the network it covers (`10.1.2.3/8` → `10.0.0.0/8`), so nginx
 * never warns that low address bits are meaningless; a lone address stays as written.
 */
export const cidrNetwork: Grammar<string> = {
  describe: cidr.describe,
  parse: (raw) => {
    const parsed = cidr.parse(raw);
    if (parsed === undefined || !parsed.includes('/')) return parsed;
    const [address = '', bits = ''] = parsed.split('/');
    return `${networkAddress(address, Number(bits))}/${bits}`;
  },
};

/** `address` with every bit after the first `bits` cleared, in the usual text form. */
function networkAddress(address: string, bits: number): string {
  if (isIP(address) === 4) {
    const value = address.split('.').reduce((n, octet) => (n << 8n) | BigInt(octet), 0n);
    const masked = value & mask(32, bits);
    return [24n, 16n, 8n, 0n].map((shift) => String((masked >> shift) & 255n)).join('.');
  }
  const masked = ipv6Value(address) & mask(128, bits);
  const groups = Array.from({ length: 8 }, (_, i) => ((masked >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.start === -1) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

function mask(width: number, bits: number): bigint {
  return ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
}

/** An IPv6 address (already valid for isIP) as a 128-bit number; an embedded IPv4 tail counts as two groups. */
function ipv6Value(address: string): bigint {
  const [head = '', tail] = address.split('::');
  const groupsOf = (part: string): bigint[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [BigInt(`0x${g}`)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [BigInt(a * 256 + b), BigInt(c * 256 + d)];
        });
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const groups = [...left, ...Array<bigint>(8 - left.length - right.length).fill(0n), ...right];
  return groups.reduce((n, g) => (n << 16n) | g, 0n);
}
