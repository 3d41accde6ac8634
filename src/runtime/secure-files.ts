// Writes files that hold secrets: private directories, atomic replacement, and the default certificate on disk.
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkCertificate } from '../certificates/check-certificate.js';
import { generateDefaultCertificate } from '../certificates/default-certificate.js';

/** Who must be able to read a private file besides its writer: nginx workers, which load certificates per handshake. */
export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

const privateDirectoryMode = 0o700;
const privateFileMode = 0o600;

/**
 * Creates `dir` (and its parents) if needed and leaves it mode 0700, even when it already existed with
 * wider permissions.
 */
export async function ensurePrivateDirectory(dir: string, owner?: FileOwner): Promise<void> {
  await mkdir(dir, { recursive: true, mode: privateDirectoryMode });
  // mkdir's mode is filtered by the umask and ignored for a directory that already exists.
  await chmod(dir, privateDirectoryMode);
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
}

/**
 * Replaces `path` with `content` so readers see the old file or the new one, never a partial write.
 * The file is created with `mode` from the start, so the content is never readable by others, not even briefly.
 */
export async function writeFileAtomic(path: string, content: string | Buffer, mode: number, owner?: FileOwner): Promise<void> {
  // Same directory as the target, so the rename stays on one file system and is atomic.
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx' fails if the name exists, so a planted file or symlink at the temporary name is never written through.
  const handle = await open(temporary, 'wx', mode);
  try {
    try {
      // The umask may have removed bits from the mode given to open.
      await handle.chmod(mode);
      if (owner !== undefined) await handle.chown(owner.uid, owner.gid);
      await handle.writeFile(content);
      // Without the sync a crash just after the rename can leave an empty file under the final name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Makes sure `dir` (made private) holds `default.crt` and `default.key` as a matching, unexpired pair,
 * keeping an existing valid pair byte for byte and generating a new one otherwise. Both files end mode 0600.
 *
 * @returns The paths nginx's default server should use.
 */
export async function ensureDefaultCertificate(dir: string, owner?: FileOwner): Promise<{ certificatePath: string; keyPath: string }> {
  await ensurePrivateDirectory(dir, owner);
  const certificatePath = join(dir, 'default.crt');
  const keyPath = join(dir, 'default.key');

  const existing = await readPair(certificatePath, keyPath);
  const check = existing === undefined ? undefined : checkCertificate(existing.certificatePem, existing.keyPem, new Date());
  if (check?.ok === true && !check.isExpired) {
    // Kept so clients that pinned or cached it keep working across restarts; the modes are reasserted in
    // case someone loosened them.
    for (const path of [certificatePath, keyPath]) {
      await chmod(path, privateFileMode);
      if (owner !== undefined) await chown(path, owner.uid, owner.gid);
    }
    return { certificatePath, keyPath };
  }

  const generated = generateDefaultCertificate();
  // Key first: a crash between the two writes leaves a mismatched pair, which the next start replaces.
  await writeFileAtomic(keyPath, generated.keyPem, privateFileMode, owner);
  await writeFileAtomic(certificatePath, generated.certificatePem, privateFileMode, owner);
  return { certificatePath, keyPath };
}

/** Both files' text, or undefined if either is missing or unreadable (which means: generate a new pair). */
async function readPair(certificatePath: string, keyPath: string): Promise<{ certificatePem: string; keyPem: string } | undefined> {
  try {
    const [certificatePem, keyPem] = await Promise.all([readFile(certificatePath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { certificatePem, keyPem };
  } catch {
    return undefined;
  }
}
