// Checks a TLS Secret's certificate chain and private key, and answers which hosts a certificate covers.
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';

/**
 * What the build needs to know about a TLS Secret's certificate and key, or why it cannot be served.
 * A failure's `reason` is a short sentence that never quotes key material or PEM text.
 */
export type CertificateCheck =
  | {
      readonly ok: true;
      /** DNS subject alternative names of the leaf, lower-case and sorted; the subject CN if it has none. */
      readonly subjectAltNames: string[];
      /** End of the leaf's validity, ISO 8601. */
      readonly notAfter: string;
      /** Whether `notAfter` is before the `now` passed to this call. */
      readonly isExpired: boolean;
      /** SHA-256 fingerprint of the leaf, colon-separated hex as Node prints it. */
      readonly fingerprint256: string;
    }
  | { readonly ok: false; readonly reason: string };

/** The part of a check that does not depend on the clock, so it can be cached across rebuilds. */
type ParsedPair =
  | { readonly ok: true; readonly subjectAltNames: readonly string[]; readonly notAfterMs: number; readonly fingerprint256: string }
  | { readonly ok: false; readonly reason: string };

// Every rebuild re-checks every TLS Secret; parsing and key matching are the expensive part, so they are
// cached by content digest. The bound keeps a cluster churning through Secrets from growing memory forever.
const cacheLimit = 10_000;
const cache = new Map<string, ParsedPair>();

const certificateBlock = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const certificateBegin = /-----BEGIN CERTIFICATE-----/g;
const privateKeyBegin = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
// PKCS#8 "ENCRYPTED PRIVATE KEY" or a traditional key with "Proc-Type: 4,ENCRYPTED".
const encryptedKey = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/;
const dnsName = /^(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
// SAN values are attacker-chosen text that ends up in diagnostics; anything outside this set cannot match an
// Ingress host anyway, so it is dropped rather than carried along.
const dnsSanCharacters = /^[a-z0-9*._-]+$/;

/**
 * Parses a PEM certificate chain and its private key, and checks that the key belongs to the leaf
 * (the first certificate). Results are memoized by content; `isExpired` is computed against `now` on every call.
 *
 * @param certificatePem - `tls.crt`: one or more PEM certificates, leaf first.
 * @param keyPem - `tls.key`: an unencrypted RSA or EC key, PKCS#1, PKCS#8 or SEC1.
 * @param now - The instant expiry is judged against.
 */
export function checkCertificate(certificatePem: string, keyPem: string, now: Date): CertificateCheck {
  const digest = createHash('sha256').update(certificatePem).update('\0').update(keyPem).digest('base64');
  let parsed = cache.get(digest);
  if (parsed === undefined) {
    parsed = parsePair(certificatePem, keyPem);
    if (cache.size >= cacheLimit) {
      // Maps iterate in insertion order, so the first key is the oldest entry.
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(digest, parsed);
  }
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    // A copy, so a caller that sorts or edits its list cannot change what later calls get from the cache.
    subjectAltNames: [...parsed.subjectAltNames],
    notAfter: new Date(parsed.notAfterMs).toISOString(),
    isExpired: now.getTime() > parsed.notAfterMs,
    fingerprint256: parsed.fingerprint256,
  };
}

/**
 * Whether a certificate with these DNS names serves `host` for a client that checks names the way browsers
 * and OpenSSL do. A SAN `*.example.com` covers exactly one extra label (`a.example.com`, not `example.com`
 * nor `a.b.example.com`); an Ingress wildcard host `*.example.com` is covered only by that same wildcard SAN.
 *
 * @param subjectAltNames - DNS names as {@link checkCertificate} lists them.
 * @param host - An Ingress rule or TLS host, possibly a wildcard.
 */
export function coversHost(subjectAltNames: readonly string[], host: string): boolean {
  return namesCoverHost(nameSetOf(subjectAltNames), host);
}

/** The names, lower-case, as a set: built once per certificate, then each host costs two lookups, not a scan. */
export function nameSetOf(subjectAltNames: readonly string[]): ReadonlySet<string> {
  return new Set(subjectAltNames.map((name) => name.toLowerCase()));
}

/** {@link coversHost} with the names already made a set by {@link nameSetOf}. */
export function namesCoverHost(names: ReadonlySet<string>, host: string): boolean {
  const wanted = host.toLowerCase();
  if (names.has(wanted)) return true;
  // The one wildcard SAN that can cover `a.example.com` is `*` + `.example.com` (everything from the first
  // dot). None for an Ingress wildcard host (only the same wildcard SAN, an exact match, covers it), and none
  // under a top-level label: clients refuse `*.com`.
  const firstDot = wanted.indexOf('.');
  return !wanted.startsWith('*.') && firstDot > 0 && wanted.includes('.', firstDot + 1) && names.has(`*${wanted.slice(firstDot)}`);
}

function parsePair(certificatePem: string, keyPem: string): ParsedPair {
  const blocks = certificatePem.match(certificateBlock) ?? [];
  const begins = certificatePem.match(certificateBegin)?.length ?? 0;
  if (begins === 0) return { ok: false, reason: 'tls.crt holds no PEM certificate' };
  const describe = (index: number): string =>
    begins === 1 ? 'the certificate' : `certificate ${String(index + 1)} of the chain`;
  if (blocks.length < begins) {
    // A BEGIN line without its END: the block the regex could not close is the first one missing.
    return { ok: false, reason: `${describe(blocks.length)} is truncated (no END CERTIFICATE line)` };
  }

  // nginx sends the whole file as the chain, so a block it cannot read breaks the handshake for every client.
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return { ok: false, reason: `${describe(index)} does not parse` };
    }
  }
  const leaf = certificates[0];
  if (leaf === undefined) return { ok: false, reason: 'tls.crt holds no PEM certificate' };

  if (!privateKeyBegin.test(keyPem)) return { ok: false, reason: 'tls.key holds no PEM private key' };
  // Checked before parsing: OpenSSL would otherwise ask for a passphrase, and nginx cannot answer either.
  if (encryptedKey.test(keyPem)) return { ok: false, reason: 'the private key is encrypted; nginx needs it unencrypted' };
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    // The library error is not passed on: its text is not useful to a user and could echo input.
    return { ok: false, reason: 'the private key does not parse' };
  }

  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(key);
  } catch {
    matches = false;
  }
  if (!matches) return { ok: false, reason: 'the private key does not match the certificate' };

  const notAfterMs = leaf.validToDate.getTime();
  if (Number.isNaN(notAfterMs)) return { ok: false, reason: 'the certificate has no readable expiry date' };
  return { ok: true, subjectAltNames: listDnsNames(leaf), notAfterMs, fingerprint256: leaf.fingerprint256 };
}

/** DNS SANs, or the subject CN when there are none, as current clients fall back. */
function listDnsNames(certificate: X509Certificate): string[] {
  const names = new Set<string>();
  for (const { type, value } of parseSubjectAltName(certificate.subjectAltName ?? '')) {
    const name = value.toLowerCase();
    if (type === 'DNS' && dnsSanCharacters.test(name)) names.add(name);
  }
  if (names.size === 0) {
    // Only a CN that is a host name counts: a CN like "Portico Default Certificate" names nothing.
    const commonNames = certificate.subject
      .split('\n')
      .filter((line) => line.startsWith('CN='))
      .map((line) => line.slice(3).toLowerCase());
    const commonName = commonNames.at(-1);
    if (commonName !== undefined && dnsName.test(commonName)) names.add(commonName);
  }
  return [...names].sort();
}

/**
 * Splits Node's `subjectAltName` text ("DNS:a, IP Address:1.2.3.4, URI:\"x\\u002c y\"") into entries.
 * Node writes a value that contains a separator as a JSON string; reading those properly is what stops a
 * crafted URI entry such as `x, DNS:victim.com` from being taken for a DNS name.
 */
function parseSubjectAltName(text: string): { type: string; value: string }[] {
  const entries: { type: string; value: string }[] = [];
  let position = 0;
  while (position < text.length) {
    const colon = text.indexOf(':', position);
    if (colon < 0) break;
    const type = text.slice(position, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      end = colon + 2;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      end += 1;
      try {
        value = JSON.parse(text.slice(colon + 1, end)) as string;
      } catch {
        // Unreadable entry: skip it rather than guess; it will not count as a name.
        value = '';
      }
    } else {
      end = text.indexOf(', ', colon + 1);
      if (end < 0) end = text.length;
      value = text.slice(colon + 1, end);
    }
    if (value !== '') entries.push({ type, value });
    position = text.startsWith(', ', end) ? end + 2 : end;
    if (position === end && position < text.length) break;
  }
  return entries;
}
