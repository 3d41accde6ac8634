// RuntimeFiles: certificate files written once per content, and removed once no config refers to them.
import { readdir, stat } from 'node:fs/promises';
import { expect } from 'chai';
import { RuntimeFiles } from '../../src/runtime/write-runtime-files.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

describe('RuntimeFiles', () => {
  let dir: string;
  beforeEach(async () => (dir = await makeTempDir('portico-files-')));
  afterEach(async () => removeDir(dir));

  const file = (name: string, content: string) => ({ path: `${dir}/certs/${name}`, content, mode: 0o600 });

  it('rewrites only files whose content changed', async () => {
    const files = new RuntimeFiles(dir);
    await files.write({ config: '', files: [file('a_x.crt', 'one'), file('a_x.key', 'key')] });
    const before = await stat(`${dir}/certs/a_x.key`);
    await files.write({ config: '', files: [file('a_x.crt', 'two'), file('a_x.key', 'key')] });
    // An atomic write replaces the inode; an untouched file keeps it.
    expect((await stat(`${dir}/certs/a_x.key`)).ino).to.equal(before.ino);
    expect((await stat(`${dir}/certs/a_x.crt`)).size).to.equal(3);
  });

  it('removes the files of certificates no longer referenced, keeping the default one', async () => {
    const files = new RuntimeFiles(dir);
    await files.write({ config: '', files: [file('a_x.crt', 'one'), file('a_x.key', 'key')] });
    await files.write({ config: '', files: [] });
    expect((await readdir(`${dir}/certs`)).sort()).to.deep.equal(['default.crt', 'default.key']);
  });
});
