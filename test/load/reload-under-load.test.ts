// Reloads under load, through the controller (spawn mode, manifest directory) and a real nginx: wrk drives
// keep-alive traffic while the controller applies 100 config changes, each a reload, and not one request
// fails. A WebSocket opened before a reload keeps working on its old worker until worker_shutdown_timeout.
import { mkdir, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { runController, type RunningController } from '../../src/controller/run-controller.js';
import { loopbackCompileOptions, reloadCount, silentLogger } from '../support/controller-fixture.js';
import { startEchoBackend, type EchoBackend } from '../support/echo-backend.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { openWebSocket } from '../support/websocket-session.js';
import { startWrk } from '../support/wrk.js';

/** Short, so the test sees nginx close a WebSocket held across a reload; production keeps 240s. */
const shutdownTimeoutSeconds = 2;

const ingressYaml = (name: string, host: string, paths: readonly string[]): string =>
  JSON.stringify({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default' },
    spec: {
      ingressClassName: 'portico',
      rules: [{ host, http: { paths: paths.map((path) => ({ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } })) } }],
    },
  });

describe('load: reloads under traffic lose nothing (wrk, real nginx, the controller)', function () {
  this.timeout(120000);
  let dir: string;
  let controller: RunningController;
  let backend: EchoBackend;
  let httpPort: number;

  before(async () => {
    dir = await makeTempDir('portico-load-');
    backend = await startEchoBackend('web');
    await mkdir(`${dir}/manifests`);
    await writeFile(`${dir}/manifests/load.yaml`, ingressYaml('load', 'load.test', ['/']));
    await writeFile(`${dir}/manifests/churn.yaml`, ingressYaml('churn', 'churn.test', ['/v0']));
    await writeFile(
      `${dir}/manifests/web.yaml`,
      [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: backend.port }] } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
          addressType: 'IPv4',
          ports: [{ port: backend.port }],
          endpoints: [{ addresses: ['127.0.0.1'] }],
        },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'portico', namespace: 'default' }, data: { 'worker-shutdown-timeout': `${shutdownTimeoutSeconds}s` } },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n---\n'),
    );
    const [http, https, health] = (await freePorts(3)) as [number, number, number];
    httpPort = http;
    controller = await runController(
      {
        source: { kind: 'manifests', dir: `${dir}/manifests` },
        nginx: { mode: 'spawn', binary: nginxBinary() },
        compile: loopbackCompileOptions(`${dir}/runtime`, http, https),
        healthPort: health,
        healthAddress: '127.0.0.1',
      },
      silentLogger(),
    );
    await controller.ready;
  });

  after(async () => {
    await controller?.stop();
    await backend?.close();
    await removeDir(dir);
  });

  /** Writes a change that alters nginx.conf and waits until nginx runs it. */
  const applyChange = async (n: number): Promise<void> => {
    const before = await reloadCount(controller.healthPort);
    await writeFile(`${dir}/manifests/churn.yaml`, ingressYaml('churn', 'churn.test', Array.from({ length: n + 1 }, (_, i) => `/v${i}`)));
    await waitFor(async () => (await reloadCount(controller.healthPort)) > before, 20000);
  };

  it('serves every request (no non-2xx, no socket error) while the controller applies 100 config changes', async () => {
    const reloadsBefore = await reloadCount(controller.healthPort);
    // One request per connection: every request meets whatever worker generation is accepting at that moment.
    const wrk = startWrk({ url: `http://127.0.0.1:${httpPort}/`, host: 'load.test', connections: 4, keepAlive: false });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let n = 1; n <= 100; n++) await applyChange(n);
    const result = await wrk.stop();
    const reloads = (await reloadCount(controller.healthPort)) - reloadsBefore;
    console.log(`      reload under load: ${reloads} reloads, ${result.requests} requests, ${result.non2xx3xx} non-2xx/3xx, socket errors ${JSON.stringify(result.socketErrors)}`);
    expect(reloads, 'every change was a reload').to.be.at.least(100);
    expect(result.requests, result.output).to.be.greaterThan(1000);
    expect(result.non2xx3xx, result.output).to.equal(0);
    expect(result.socketErrors, result.output).to.deep.equal({ connect: 0, read: 0, write: 0, timeout: 0 });
  });

  it('with keep-alive, loses only requests sent on an idle connection as its old worker closes it (never a refused connection, never an error status)', async () => {
    // nginx's graceful shutdown closes the old workers' idle keep-alive connections at once; a request already
    // on its way on one of them meets a reset. HTTP clients retry such a request on a new connection (RFC 9112
    // §9.3.1), wrk does not, so this counts them: at most one per connection per reload.
    const reloadsBefore = await reloadCount(controller.healthPort);
    const connections = 8;
    const wrk = startWrk({ url: `http://127.0.0.1:${httpPort}/`, host: 'load.test', connections, keepAlive: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let n = 1; n <= 10; n++) await applyChange(100 + n);
    const result = await wrk.stop();
    const reloads = (await reloadCount(controller.healthPort)) - reloadsBefore;
    console.log(`      reload under load, keep-alive: ${reloads} reloads, ${result.requests} requests, ${result.non2xx3xx} non-2xx/3xx, socket errors ${JSON.stringify(result.socketErrors)}`);
    expect(result.requests, result.output).to.be.greaterThan(1000);
    expect(result.non2xx3xx, result.output).to.equal(0);
    expect({ ...result.socketErrors, read: 0 }, result.output).to.deep.equal({ connect: 0, read: 0, write: 0, timeout: 0 });
    expect(result.socketErrors.read, result.output).to.be.at.most(connections * reloads);
  });

  it('keeps a WebSocket opened before a reload working on its old worker, then closes it at worker_shutdown_timeout', async () => {
    const session = await openWebSocket({ port: httpPort, host: 'load.test', path: '/ws' });
    expect(await session.echo('before')).to.equal('before');
    await applyChange(200);
    const reloadedAt = performance.now();
    // The old worker still carries it after the reload…
    expect(await session.echo('after the reload')).to.equal('after the reload');
    // …and a new connection is served by the new config meanwhile.
    const fresh = await openWebSocket({ port: httpPort, host: 'load.test', path: '/ws' });
    expect(await fresh.echo('fresh')).to.equal('fresh');
    fresh.close();
    // nginx closes what the old worker still holds once worker_shutdown_timeout has passed.
    const closedAt = await session.closed;
    const seconds = (closedAt - reloadedAt) / 1000;
    expect(seconds).to.be.within(shutdownTimeoutSeconds - 0.5, shutdownTimeoutSeconds + 8);
  });
});
