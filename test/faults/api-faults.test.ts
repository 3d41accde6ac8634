// The controller against a failing Kubernetes API (fixture server, real client library, real nginx): after a
// connection reset, a stall, 410 Gone, 500s, slow lists and a burst of thousands of events, it converges
// to exactly the objects the API holds, with every change made during the fault served (no lost update).
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { runController, type RunningController } from '../../src/controller/run-controller.js';
import { createLogger } from '../../src/observability/logger.js';
import { loopbackCompileOptions } from '../support/controller-fixture.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-api-server/fake-api-server.js';
import { httpRequest } from '../support/http-client.js';
import { parseNginxConfig, walkStatements } from '../support/nginx-config-tokens.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const ingress = (name: string, host: string, path = '/') => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default' },
  spec: { ingressClassName: 'portico', rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
});

describe('faults: the Kubernetes API fails, the controller converges with no lost update', function () {
  this.timeout(120000);
  let api: FakeApiServer;
  let dir: string;
  let controller: RunningController;
  let httpPort: number;
  let backend: EchoBackend;
  /** What the API holds: Ingress name → host. The served config must converge to exactly this. */
  const expected = new Map<string, string>();
  const logs: string[] = [];

  const put = (name: string, host: string, path = '/'): void => {
    api.apply(ingress(name, host, path));
    expected.set(name, host);
  };
  const remove = (name: string): void => {
    api.delete('Ingress', 'default', name);
    expected.delete(name);
  };
  /** The hosts nginx.conf serves, read with the tokenizer. */
  const servedHosts = async (): Promise<string[]> => {
    const config = await readFile(`${dir}/runtime/nginx.conf`, 'utf8').catch(() => '');
    const hosts = new Set<string>();
    for (const { statement } of walkStatements(parseNginxConfig(config).statements)) {
      if (statement.name.text === 'server_name' && statement.args[0]?.text !== '_') hosts.add(statement.args[0]?.text ?? '');
    }
    return [...hosts].sort();
  };
  const converged = async (): Promise<boolean> => {
    await controller.idle();
    return JSON.stringify(await servedHosts()) === JSON.stringify([...new Set(expected.values())].sort());
  };
  const answers = async (host: string, path = '/'): Promise<boolean> => {
    const response = await httpRequest({ port: httpPort, host, path });
    return response.status === 200 && response.json<EchoResponse>().backend === 'web';
  };

  before(async () => {
    backend = await startEchoBackend('web');
    api = await startFakeApiServer();
    dir = await makeTempDir('portico-api-faults-');
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    api.apply({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ port: backend.port }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    });
    put('base', 'base.test');
    const [http, https, health] = (await freePorts(3)) as [number, number, number];
    httpPort = http;
    controller = await runController(
      {
        source: { kind: 'kubernetes', kubeconfig: await api.writeKubeconfig(dir), watchNamespace: undefined, duties: { publish: undefined, updateStatusOnShutdown: false, election: { leaseName: 'portico-leader', namespace: 'default', identity: 'faults' } } },
        nginx: { mode: 'spawn', binary: nginxBinary() },
        compile: loopbackCompileOptions(`${dir}/runtime`, http, https),
        healthPort: health,
        healthAddress: '127.0.0.1',
      },
      createLogger({ destination: new Writable({ write: (chunk: Buffer, _encoding, done) => void (logs.push(chunk.toString()), done()) }) }),
    );
    await controller.ready;
    await waitFor(converged);
  });

  after(async () => {
    await controller?.stop();
    await api?.close();
    await backend?.close();
    await removeDir(dir);
  });

  it('connection reset mid-watch: changes made while reconnecting are served', async () => {
    api.closeWatches(undefined, { reset: true });
    put('reset-1', 'reset-1.test');
    remove('base');
    await waitFor(converged, 20000);
    expect(await answers('reset-1.test')).to.equal(true);
  });

  it('a stalled watch: changes held by the stall are served once it resumes', async () => {
    api.stallWatches(undefined, Infinity);
    put('stall-1', 'stall-1.test');
    put('reset-1', 'reset-1b.test');
    await new Promise((resolve) => setTimeout(resolve, 300));
    api.resumeWatches();
    await waitFor(converged, 20000);
    expect(await answers('reset-1b.test')).to.equal(true);
  });

  it('410 Gone: objects deleted and changed while history expired are relisted, deletes included', async () => {
    api.stallWatches(undefined, Infinity);
    put('gone-1', 'gone-1.test');
    remove('stall-1');
    api.expireHistory();
    api.closeWatches();
    await waitFor(converged, 20000);
  });

  it('500s on lists and watches: retried until they succeed, nothing lost meanwhile', async () => {
    api.failNext('ingresses', 500, { verb: 'list-or-watch', times: 4 });
    api.failNext('endpointslices', 500, { verb: 'list-or-watch', times: 2 });
    api.closeWatches(undefined, { reset: true });
    put('err-1', 'err-1.test');
    remove('gone-1');
    await waitFor(converged, 40000);
    expect(api.requests.filter((r) => r.resource === 'ingresses' && r.status === 500).length).to.be.at.least(4);
  });

  it('slow lists during a relist: served once the lists arrive', async () => {
    api.slowLists(2000);
    api.expireHistory();
    api.closeWatches();
    put('slow-1', 'slow-1.test');
    await waitFor(converged, 30000);
    api.slowLists(0);
  });

  it('a burst of 3000 events (creates, updates, deletes) converges to exactly what the API holds', async () => {
    for (let i = 0; i < 1000; i++) put(`burst-${i}`, `burst-${i}.test`);
    for (let i = 0; i < 1000; i++) put(`burst-${i}`, `b${i % 500}.burst.test`, `/p${i}`);
    for (let i = 0; i < 1000; i += 2) remove(`burst-${i}`);
    await waitFor(converged, 60000);
    expect(expected.size).to.equal(503);
    // The last write of each object wins: burst-999 moved to b499.burst.test at /p999; the even ones are gone.
    expect(await answers('b499.burst.test', '/p999')).to.equal(true);
    expect(await answers('b1.burst.test', '/p501')).to.equal(true);
    expect(await answers('slow-1.test')).to.equal(true);
    expect((await httpRequest({ port: httpPort, host: 'burst-999.test', path: '/' })).status).to.equal(404);
    expect((await httpRequest({ port: httpPort, host: 'b0.burst.test', path: '/p0' })).status).to.equal(404);
  });
});
