// NginxDriver with a real nginx: start, skip unchanged bytes, reload, refuse a bad config while the last good
// one keeps serving, restart a killed nginx (spawn mode), and reload a separately started nginx (sidecar mode).
import { spawn } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { snapshotOf } from '../../src/model/snapshot.js';
import { defaultClassSettings } from '../../src/model/settings.js';
import { NginxDriver } from '../../src/nginx/nginx-driver.js';
import { workersOf } from '../../src/nginx/nginx-workers.js';
import { compile } from '../../src/pipeline/compile.js';
import type { RenderedConfig } from '../../src/render/render-config.js';
import { loadTemplates } from '../../src/runtime/load-templates.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest } from '../support/http-client.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { endpointSlice, ingress, service } from '../support/objects.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

describe('NginxDriver (real nginx)', () => {
  let backends: EchoBackend[];
  let runtimeDir: string;
  let httpPort: number;
  let httpsPort: number;
  let driver: NginxDriver;

  /** The config that routes web.test to backend `index`. */
  const render = async (index: number): Promise<RenderedConfig> => {
    const backend = backends[index] as EchoBackend;
    const objects = [
      ingress('web', { rules: [{ host: 'web.test', paths: [{ service: 'web' }] }] }),
      service('web'),
      endpointSlice('web', { port: backend.port, endpoints: [{ address: '127.0.0.1' }] }),
    ];
    const options = {
      classes: defaultClassSettings,
      settingsSource: { namespace: undefined, name: 'portico' },
      now: new Date(),
      render: { runtimeDir, httpPort, httpsPort, listenAddress: '127.0.0.1' },
    };
    return compile(snapshotOf(objects), await loadTemplates(), options).rendered;
  };
  const answer = async (): Promise<string> => (await httpRequest({ port: httpPort, host: 'web.test', path: '/' })).json<EchoResponse>().backend;

  beforeEach(async () => {
    backends = [await startEchoBackend('first'), await startEchoBackend('second')];
    runtimeDir = await makeTempDir('portico-driver-');
    [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  });

  afterEach(async () => {
    await driver?.stop();
    await Promise.all(backends.map((b) => b.close()));
    await removeDir(runtimeDir);
  });

  describe('spawn mode', () => {
    beforeEach(() => {
      driver = new NginxDriver({ mode: 'spawn', binary: nginxBinary(), runtimeDir, onNginxOutput: () => undefined });
    });

    it('starts nginx on the first apply, skips unchanged bytes, and reloads on a change', async () => {
      expect((await driver.apply(await render(0))).kind).to.equal('applied');
      expect(await answer()).to.equal('first');
      expect(await driver.apply(await render(0))).to.deep.equal({ kind: 'unchanged' });
      const reloaded = await driver.apply(await render(1));
      expect(reloaded).to.include({ kind: 'applied', reason: 'reload' });
      expect(await answer()).to.equal('second');
    });

    it('refuses a config nginx rejects, names the line, and keeps the last good one serving', async () => {
      await driver.apply(await render(0));
      const good = await render(1);
      const bad = { ...good, config: good.config.replace('server_tokens off;', 'server_tokens off;\n    no_such_directive on;') };
      const result = await driver.apply(bad);
      expect(result.kind).to.equal('rejected');
      if (result.kind !== 'rejected') return;
      expect(result.error.message).to.include('unknown directive "no_such_directive"');
      expect(result.error.file).to.equal(`${runtimeDir}/nginx.conf`);
      expect(result.error.line).to.be.a('number');
      expect(await answer()).to.equal('first');
      expect((await readdir(runtimeDir)).filter((f) => f.includes('candidate'))).to.deep.equal([]);
      expect((await driver.apply(good)).kind).to.equal('applied');
      expect(await answer()).to.equal('second');
    });

    it('restarts nginx when it dies, with the last good config', async () => {
      let exits = 0;
      driver = new NginxDriver({ mode: 'spawn', binary: nginxBinary(), runtimeDir, onNginxOutput: () => undefined, onNginxExit: () => void exits++ });
      await driver.apply(await render(0));
      const masterPid = async (): Promise<number> => Number((await readFile(`${runtimeDir}/nginx.pid`, 'utf8').catch(() => '0')).trim());
      const killed = await masterPid();
      const orphans = (await workersOf(killed)).map((w) => w.pid);
      // SIGKILL, as the OOM killer would: the workers survive their master and hold the ports.
      process.kill(killed, 'SIGKILL');
      await waitFor(async () => exits === 1);
      await waitFor(async () => (await masterPid()) !== killed && (await workersOf(await masterPid())).length > 0);
      expect(await answer()).to.equal('first');
      // Gone, or a zombie waiting for a reaper: either way no longer a worker (its cmdline is empty then).
      for (const pid of orphans) expect(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''), `orphaned worker ${pid}`).to.equal('');
    });

    it('stops nginx on stop()', async () => {
      await driver.apply(await render(0));
      await driver.stop();
      let error: unknown;
      await answer().catch((caught: unknown) => (error = caught));
      expect(String(error)).to.match(/ECONNREFUSED/);
    });

    it('removes candidates and half-written temporary files a crashed controller left behind', async () => {
      const stale = ['.nginx.conf.abcdef.candidate', '..nginx.conf.07e8d9a94df3.candidate.9df597785beb.tmp', '.nginx.conf.0123456789ab.tmp'];
      for (const name of stale) await writeFile(`${runtimeDir}/${name}`, 'half a config');
      await writeFile(`${runtimeDir}/keep.tmp`, 'not ours');
      await driver.removeStaleCandidates();
      const left = await readdir(runtimeDir);
      for (const name of stale) expect(left).not.to.include(name);
      expect(left).to.include('keep.tmp');
    });
  });

  describe('sidecar mode', () => {
    it('waits for the nginx another container starts, then reloads it through its pid file', async () => {
      driver = new NginxDriver({ mode: 'sidecar', binary: nginxBinary(), runtimeDir, timeoutMs: 10_000 });
      const first = driver.apply(await render(0));
      // The sidecar: waits for the config in the shared directory, then runs nginx in the foreground.
      await waitFor(async () => (await readdir(runtimeDir)).includes('nginx.conf'));
      const sidecar = spawn(nginxBinary(), ['-p', runtimeDir, '-c', `${runtimeDir}/nginx.conf`, '-e', 'stderr', '-g', 'daemon off;'], { stdio: 'ignore' });
      try {
        expect(await first).to.include({ kind: 'applied', reason: 'start' });
        expect(await answer()).to.equal('first');
        expect(await driver.apply(await render(1))).to.include({ kind: 'applied', reason: 'reload' });
        expect(await answer()).to.equal('second');
      } finally {
        sidecar.kill('SIGQUIT');
        await new Promise((resolve) => sidecar.once('exit', resolve));
      }
    });
  });
});
