// Per-test scratch directories under the OS temp dir (nginx prefixes, generated certificates).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Creates a fresh directory under `os.tmpdir()` whose name starts with `prefix` (e.g. `portico-it-`).
 * It is made world-traversable (0755) because nginx, started as root, runs its workers as an
 * unprivileged user, and they must reach the temp paths (proxy_temp, client_body_temp) inside it.
 */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

/** Removes a directory tree; a missing directory is not an error, so cleanup hooks can always call it. */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
