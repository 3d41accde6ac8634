// Step 2c of the build: the Secret behind each basic-auth Ingress → the htpasswd file nginx reads. A missing
// Secret or bad content rejects the Ingress (fail closed), with a diagnostic naming the Secret; several
// Ingresses naming one Secret share one file.
import { authFileOf, type BasicAuth } from '../annotations/modules/basic-auth.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { keyOf, refOf, type Ingress, type Secret } from '../model/kube.js';
import { SecretText, type AuthFile } from '../model/nginx-model.js';
import { checkHash, checkUser, formatHtpasswd, MAX_HTPASSWD_USERS, parseHtpasswd, type HtpasswdEntry, type HtpasswdResult } from './parse-htpasswd.js';

export interface AuthFileBinding {
  readonly file: AuthFile | undefined;
  /** Errors: the Ingress must not be served. */
  readonly diagnostics: readonly Diagnostic[];
}

type Outcome = { readonly file: AuthFile } | { readonly code: 'AUTH_SECRET_NOT_FOUND' | 'AUTH_SECRET_INVALID'; readonly reason: string };

/** Resolves basic-auth Secrets against `secrets`; `field` is the auth-secret annotation's field, for diagnostics. */
export function makeAuthFileBinder(secrets: readonly Secret[], field: string): (ingress: Ingress, auth: BasicAuth) => AuthFileBinding {
  let byKey: Map<string, Secret> | undefined;
  const outcomes = new Map<string, Outcome>();
  const outcomeOf = (namespace: string, auth: BasicAuth): Outcome => {
    byKey ??= new Map(secrets.map((s) => [keyOf(s.metadata), s]));
    const secretName = `${namespace}/${auth.secret}`;
    const secret = byKey.get(secretName);
    if (secret === undefined) return { code: 'AUTH_SECRET_NOT_FOUND', reason: `Secret ${secretName} does not exist` };
    const parsed = auth.secretType === 'auth-file' ? readAuthFile(secret) : readAuthMap(secret);
    if (!parsed.ok) return { code: 'AUTH_SECRET_INVALID', reason: `Secret ${secretName} (${auth.secretType}): ${parsed.reason}` };
    const name = authFileOf(namespace, auth).name;
    return { file: { name, secret: refOf(secret), users: parsed.entries.length, content: new SecretText(formatHtpasswd(parsed.entries)) } };
  };
  return (ingress, auth) => {
    const namespace = ingress.metadata.namespace;
    const key = `${namespace}/${auth.secret}/${auth.secretType}`;
    let outcome = outcomes.get(key);
    if (outcome === undefined) outcomes.set(key, (outcome = outcomeOf(namespace, auth)));
    if ('file' in outcome) return { file: outcome.file, diagnostics: [] };
    const message = `rejected: ${outcome.reason}; an Ingress that asks for authentication is not served without it`;
    return { file: undefined, diagnostics: [{ severity: 'error', code: outcome.code, object: refOf(ingress), field, message }] };
  };
}

function readAuthFile(secret: Secret): HtpasswdResult {
  const text = secret.data['auth'];
  return text === undefined ? { ok: false, reason: 'no key "auth" (an htpasswd file)' } : parseHtpasswd(text);
}

/** Each key a user, each value a hash (a trailing newline, as `--from-file` leaves it, is dropped). Sorted by user. */
function readAuthMap(secret: Secret): HtpasswdResult {
  const users = Object.keys(secret.data).sort();
  if (users.length === 0) return { ok: false, reason: 'no user' };
  if (users.length > MAX_HTPASSWD_USERS) return { ok: false, reason: `more than ${MAX_HTPASSWD_USERS} users` };
  const entries: HtpasswdEntry[] = [];
  for (const user of users) {
    const hash = (secret.data[user] ?? '').replace(/\r?\n$/, '');
    const problem = checkUser(user) ?? checkHash(hash);
    // Keys are not secret (kubectl shows them); values are, so messages never quote them.
    if (problem !== undefined) return { ok: false, reason: `key ${JSON.stringify(user)}: ${problem}` };
    entries.push({ user, hash });
  }
  return { ok: true, entries };
}
