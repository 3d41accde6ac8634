// Unit tests for secure-files: private directories, atomic writes, and the on-disk default certificate.
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { checkCertificate } from '../../../src/certificates/check-certificate.js';
import { ensureDefaultCertificate, ensurePrivateDirectory, writeFileAtomic } from '../../../src/runtime/secure-files.js';
import { makeCertificate } from '../../support/certificates.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Runs `work` with the process umask set to `mask`, to show a mode does not depend on the umask. */
async function withUmask<T>(mask: number, work: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

describe('secure-files', () => {
  let root: string;

  beforeEach(async () => {
    root = await makeTempDir('portico-secure-');
  });

  afterEach(async () => {
    await removeDir(root);
  });

  describe('ensurePrivateDirectory', () => {
    it('creates missing parents and leaves the directory 0700', async () => {
      const dir = join(root, 'a', 'b', 'certs');
      await withUmask(0o000, () => ensurePrivateDirectory(dir));
      expect(await modeOf(dir)).to.equal(0o700);
    });

    it('tightens a directory that already existed with wider permissions', async () => {
      const dir = join(root, 'certs');
      await mkdir(dir);
      await chmod(dir, 0o755);
      await ensurePrivateDirectory(dir);
      expect(await modeOf(dir)).to.equal(0o700);
    });
  });

  describe('writeFileAtomic', () => {
    it('writes the content with exactly the requested mode, whatever the umask', async () => {
      const path = join(root, 'file.txt');
      await withUmask(0o077, () => writeFileAtomic(path, 'hello', 0o644));
      expect(await readFile(path, 'utf8')).to.equal('hello');
      expect(await modeOf(path)).to.equal(0o644);
    });

    it('replaces an existing file, content and mode, and leaves no temporary file behind', async () => {
      const path = join(root, 'secret.key');
      await writeFile(path, 'old content that is longer than the new one');
      await chmod(path, 0o644);
      await writeFileAtomic(path, Buffer.from('new'), 0o600);
      expect(await readFile(path, 'utf8')).to.equal('new');
      expect(await modeOf(path)).to.equal(0o600);
      expect(await readdir(root)).to.deep.equal(['secret.key']);
    });

    it('removes its temporary file when the final rename fails', async () => {
      // A non-empty directory under the target name makes rename fail after the temporary file is written.
      const path = join(root, 'blocked');
      await mkdir(path);
      await writeFile(join(path, 'inside'), 'x');
      let failed = false;
      try {
        await writeFileAtomic(path, 'content', 0o600);
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect(await readdir(root)).to.deep.equal(['blocked']);
    });
  });

  describe('ensureDefaultCertificate', () => {
    it('creates a private directory with a matching 0600 certificate and key', async () => {
      const dir = join(root, 'default');
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      expect(certificatePath).to.equal(join(dir, 'default.crt'));
      expect(keyPath).to.equal(join(dir, 'default.key'));
      expect(await modeOf(dir)).to.equal(0o700);
      expect(await modeOf(certificatePath)).to.equal(0o600);
      expect(await modeOf(keyPath)).to.equal(0o600);
      const check = checkCertificate(await readFile(certificatePath, 'utf8'), await readFile(keyPath, 'utf8'), new Date());
      expect(check.ok).to.equal(true);
      expect((await readdir(dir)).sort()).to.deep.equal(['default.crt', 'default.key']);
    });

    it('keeps a valid existing pair byte for byte', async () => {
      const dir = join(root, 'default');
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      const certificateBefore = await readFile(certificatePath);
      const keyBefore = await readFile(keyPath);
      await ensureDefaultCertificate(dir);
      expect((await readFile(certificatePath)).equals(certificateBefore)).to.equal(true);
      expect((await readFile(keyPath)).equals(keyBefore)).to.equal(true);
    });

    it('tightens the modes of a kept pair', async () => {
      const dir = join(root, 'default');
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      await chmod(dir, 0o755);
      await chmod(keyPath, 0o644);
      await chmod(certificatePath, 0o644);
      await ensureDefaultCertificate(dir);
      expect(await modeOf(dir)).to.equal(0o700);
      expect(await modeOf(keyPath)).to.equal(0o600);
      expect(await modeOf(certificatePath)).to.equal(0o600);
    });

    it('replaces a pair whose key is broken', async () => {
      const dir = join(root, 'default');
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      const certificateBefore = await readFile(certificatePath, 'utf8');
      await writeFile(keyPath, 'not a key');
      await ensureDefaultCertificate(dir);
      const certificateAfter = await readFile(certificatePath, 'utf8');
      expect(certificateAfter).not.to.equal(certificateBefore);
      expect(checkCertificate(certificateAfter, await readFile(keyPath, 'utf8'), new Date()).ok).to.equal(true);
    });

    it('replaces a pair whose key belongs to another certificate', async () => {
      const dir = join(root, 'default');
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      await writeFile(keyPath, makeCertificate({ hosts: ['other.example.com'] }).keyPem);
      await ensureDefaultCertificate(dir);
      expect(checkCertificate(await readFile(certificatePath, 'utf8'), await readFile(keyPath, 'utf8'), new Date()).ok).to.equal(
        true,
      );
    });

    it('replaces an expired pair', async () => {
      const dir = join(root, 'default');
      await mkdir(dir);
      const expired = makeCertificate({
        hosts: ['ingress.local'],
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2021-01-01T00:00:00Z'),
      });
      await writeFile(join(dir, 'default.crt'), expired.certificatePem);
      await writeFile(join(dir, 'default.key'), expired.keyPem);
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      const check = checkCertificate(await readFile(certificatePath, 'utf8'), await readFile(keyPath, 'utf8'), new Date());
      if (!check.ok) expect.fail(check.reason);
      expect(check.isExpired).to.equal(false);
    });

    it('generates a pair when only one of the two files exists', async () => {
      const dir = join(root, 'default');
      await mkdir(dir);
      const leftover = makeCertificate({ hosts: ['ingress.local'] });
      await writeFile(join(dir, 'default.crt'), leftover.certificatePem);
      const { certificatePath, keyPath } = await ensureDefaultCertificate(dir);
      expect(await readFile(certificatePath, 'utf8')).not.to.equal(leftover.certificatePem);
      expect(checkCertificate(await readFile(certificatePath, 'utf8'), await readFile(keyPath, 'utf8'), new Date()).ok).to.equal(
        true,
      );
    });
  });
});
