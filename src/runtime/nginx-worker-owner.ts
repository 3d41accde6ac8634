// Who nginx's worker processes run as, so certificate files can be private to them and to us.
// nginx loads certificates in its workers, per TLS handshake (see render/view-model.ts). Run as an
// unprivileged user, the workers are that same user and nothing is needed. Started as root with no `user`
// directive, as Portico's config has none, they drop to nginx's compiled-in default, `nobody`.
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
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

/**
 * Throws when the workers could not open files in `dir` because a directory above it is closed to them
 * (say a checkout under a 0700 /root): nginx -t would pass and every TLS handshake would then fail.
 */
export async function assertWorkersCanReach(dir: string, owner: FileOwner): Promise<void> {
  for (let parent = dirname(dir); ; parent = dirname(parent)) {
    const info = await stat(parent);
    const mode = info.uid === owner.uid ? info.mode >> 6 : info.gid === owner.gid ? info.mode >> 3 : info.mode;
    if ((mode & 0o1) === 0) {
      throw new Error(
        `nginx workers run as uid ${owner.uid} and cannot enter ${parent} (mode ${(info.mode & 0o777).toString(8)}), ` +
          `so they could not load certificates from ${dir}: choose a --runtime-dir they can reach, or run as a non-root user`,
      );
    }
    if (parent === dirname(parent)) return;
  }
}
