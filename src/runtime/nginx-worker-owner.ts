// Who nginx's worker processes run as, so certificate files can be private to them and to us.
// nginx loads certificates in its workers, per TLS handshake (see render/view-model.ts). Run as an
// unprivileged user, the workers are that same user and nothing is needed. Started as root with no `user`
// directive, as Portico's config has none, they drop to nginx's compiled-in default, `nobody`.
import { readFileSync } from 'node:fs';
import type { FileOwner } from './secure-files.js';

const UNPRIVILEGED_ID = 65534;

/** Undefined when files we write are already readable by the workers (we are not root). */
export function nginxWorkerOwner(): FileOwner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: idOf('/etc/passwd', 'nobody'), gid: idOf('/etc/group', 'nogroup', idOf('/etc/group', 'nobody')) };
}

/** The numeric id of `name` in a passwd/group file, or `fallback`. */
function idOf(file: string, name: string, fallback = UNPRIVILEGED_ID): number {
  try {
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
    const id = Number(line?.split(':')[2]);
    return Number.isInteger(id) ? id : fallback;
  } catch {
    return fallback;
  }
}
