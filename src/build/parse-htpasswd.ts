// htpasswd content from a basic-auth Secret → checked `user:hash` entries, refusing what nginx would misread
// (a `:` or `#` where its parser splits or skips, control characters, a hash format crypt(3) cannot check),
// and the canonical file Portico writes from them. Messages name line numbers, never users or hashes.

export interface HtpasswdEntry {
  readonly user: string;
  readonly hash: string;
}

export type HtpasswdResult = { readonly ok: true; readonly entries: readonly HtpasswdEntry[] } | { readonly ok: false; readonly reason: string };

/** Secrets are at most 1 MiB in Kubernetes; a user list far beyond this is a mistake, not a config. */
export const MAX_HTPASSWD_USERS = 10_000;

const b64crypt = '[./0-9A-Za-z]';
/** The formats nginx checks: its own ($apr1$, {SHA}, {SSHA}) and those of glibc/libxcrypt's crypt(3). */
const hashFormats: readonly RegExp[] = [
  new RegExp(`^\\$apr1\\$${b64crypt}{1,8}\\$${b64crypt}{22}$`),
  new RegExp(`^\\$1\\$${b64crypt}{1,8}\\$${b64crypt}{22}$`),
  new RegExp(`^\\$5\\$(?:rounds=[0-9]{1,9}\\$)?${b64crypt}{1,16}\\$${b64crypt}{43}$`),
  new RegExp(`^\\$6\\$(?:rounds=[0-9]{1,9}\\$)?${b64crypt}{1,16}\\$${b64crypt}{86}$`),
  new RegExp(`^\\$2[aby]\\$[0-9]{2}\\$${b64crypt}{53}$`),
  new RegExp(`^\\$y\\$${b64crypt}{1,64}\\$${b64crypt}{1,86}\\$${b64crypt}{43}$`),
  /^\{SHA\}[A-Za-z0-9+/]{27}=$/,
  /^\{SSHA\}[A-Za-z0-9+/]{28,}={0,2}$/,
  new RegExp(`^${b64crypt}{13}$`),
];

/** What a hash may be, for messages. */
export const HASH_FORMATS = '$apr1$, $1$, $5$, $6$, $2y$ (bcrypt), $y$ (yescrypt), {SHA}, {SSHA} or DES crypt';

/** Printable ASCII without `:` (nginx ends the user name there) and not starting with `#` (a comment to nginx). */
const userPattern = /^[!-9;-~][ -9;-~]{0,254}$/;

/** Why `user` cannot be an htpasswd user, or undefined when it can. */
export function checkUser(user: string): string | undefined {
  if (!userPattern.test(user) || user.startsWith('#') || user.endsWith(' ')) {
    return 'a user name must be printable ASCII (at most 255 characters), without ":", not starting with "#" or a space';
  }
  return undefined;
}

/** Why `hash` cannot be checked by nginx, or undefined when it can. */
export function checkHash(hash: string): string | undefined {
  if (hash.startsWith('{PLAIN}')) return 'a password stored in clear ({PLAIN}); store a hash (openssl passwd -apr1 or -6, htpasswd -B)';
  return hashFormats.some((format) => format.test(hash)) ? undefined : `not a password hash nginx checks (${HASH_FORMATS})`;
}

/** The lines of an htpasswd file; blank lines and `#` comments are skipped, CRLF line ends accepted. */
export function parseHtpasswd(text: string): HtpasswdResult {
  const entries: HtpasswdEntry[] = [];
  const users = new Set<string>();
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const where = `line ${i + 1}`;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(line)) return { ok: false, reason: `${where}: a control character` };
    const colon = line.indexOf(':');
    if (colon < 0) return { ok: false, reason: `${where}: not user:hash` };
    const user = line.slice(0, colon);
    // htpasswd files may carry more fields after the hash (user:hash:comment); nginx stops at the second ":".
    const hash = line.slice(colon + 1).split(':')[0] ?? '';
    const problem = checkUser(user) ?? checkHash(hash);
    if (problem !== undefined) return { ok: false, reason: `${where}: ${problem}` };
    // nginx takes the first line of a user: a second one would be dead text that looks like a password.
    if (users.has(user)) return { ok: false, reason: `${where}: the user of an earlier line again` };
    users.add(user);
    entries.push({ user, hash });
    if (entries.length > MAX_HTPASSWD_USERS) return { ok: false, reason: `more than ${MAX_HTPASSWD_USERS} users` };
  }
  if (entries.length === 0) return { ok: false, reason: 'no user' };
  return { ok: true, entries };
}

/** The file nginx reads: one `user:hash` line per entry, in the given order. */
export function formatHtpasswd(entries: readonly HtpasswdEntry[]): string {
  return entries.map((e) => `${e.user}:${e.hash}\n`).join('');
}
