// nginxWorkerOwner and assertWorkersCanReach: certificate files must stay reachable by nginx's workers.
import { chmod, mkdir } from 'node:fs/promises';
import { expect } from 'chai';
import { assertWorkersCanReach, nginxWorkerOwner } from '../../../src/runtime/nginx-worker-owner.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

describe('nginx worker owner', () => {
  let dir: string;
  beforeEach(async () => (dir = await makeTempDir('portico-owner-')));
  afterEach(async () => removeDir(dir));

  it('names an unprivileged user only when we are root', () => {
    const owner = nginxWorkerOwner();
    if (process.getuid?.() === 0) expect(owner?.uid).to.be.a('number').and.not.equal(0);
    else expect(owner).to.equal(undefined);
  });

  it('accepts a directory whose parents the workers can enter', async () => {
    await mkdir(`${dir}/a/certs`, { recursive: true, mode: 0o755 });
    await assertWorkersCanReach(`${dir}/a/certs`, { uid: 65534, gid: 65534 });
  });

  it('refuses one below a directory closed to them, naming that directory', async () => {
    await mkdir(`${dir}/closed/certs`, { recursive: true });
    await chmod(`${dir}/closed`, 0o700);
    let error: unknown;
    try {
      await assertWorkersCanReach(`${dir}/closed/certs`, { uid: 65534, gid: 65534 });
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.include(`cannot enter ${dir}/closed (mode 700)`);
  });
});
