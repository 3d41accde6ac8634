// Which nginx binary to run when none is named: one lookup shared by the controller, the examples, the
// tests and the benchmarks.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** `$PORTICO_NGINX_BINARY`, else `nginx` on PATH, else Debian's /usr/sbin/nginx (not on a user's PATH). */
export function findNginx(): string {
  const fromEnv = process.env['PORTICO_NGINX_BINARY'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return '/usr/sbin/nginx';
}
