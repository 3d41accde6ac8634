// The controller end to end against the fixture API server (real client library) and a real nginx: changes
// reach nginx, and a watch reconnect or a relist that re-delivers unchanged objects causes no reload.
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { runController, type RunningController } from '../../src/controller/run-controller.js';
import { loopbackCompileOptions, rebuildCount, reloadCount, silentLogger } from '../support/controller-fixture.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-api-server/fake-api-server.js';
import { httpRequest } from '../support/http-client.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const ingress = (name: string, host: string, service: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'default' },
  spec: { ingressClassName: 'portico', rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }] },
});

const slice = (service: string, port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ port }],
  endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
});

describe('controller, against the Kubernetes API (fixture server, spawn mode)', function () {
  this.timeout(60000);
  let api: FakeApiServer;
  let dir: string;
  let controller: RunningController;
  let httpPort: number;
  let first: EchoBackend;
  let second: EchoBackend;

  const answer = async (host: string): Promise<string | number> => {
    const response = await httpRequest({ port: httpPort, host, path: '/' });
    return response.status === 200 ? response.json<EchoResponse>().backend : response.status;
  };
  const reloads = (): Promise<number> => reloadCount(controller.healthPort);
  const rebuilds = (): Promise<number> => rebuildCount(controller.healthPort);

  before(async () => {
    first = await startEchoBackend('first');
    second = await startEchoBackend('second');
    api = await startFakeApiServer();
    dir = await makeTempDir('portico-e2e-kube-');
    api.apply(ingress('web', 'web.test', 'web'));
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    api.apply(slice('web', first.port));
    const [http, https, health] = (await freePorts(3)) as [number, number, number];
    httpPort = http;
    controller = await runController(
      {
        source: {
          kind: 'kubernetes',
          kubeconfig: await api.writeKubeconfig(dir),
          watchNamespace: undefined,
          duties: { publish: undefined, updateStatusOnShutdown: true, election: { leaseName: 'portico-leader', namespace: 'default', identity: 'e2e' } },
        },
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
    await api?.close();
    await Promise.all([first?.close(), second?.close()]);
    await removeDir(dir);
  });

  it('serves what the API holds once ready', async () => {
    expect(await answer('web.test')).to.equal('first');
  });

  it('follows endpoint changes', async () => {
    api.apply(slice('web', second.port));
    await waitFor(async () => (await answer('web.test')) === 'second');
  });

  it('serves a new Ingress and stops serving a deleted one', async () => {
    api.apply(ingress('more', 'more.test', 'web'));
    await waitFor(async () => (await answer('more.test')) === 'second');
    api.delete('Ingress', 'default', 'more');
    await waitFor(async () => (await answer('more.test')) === 404);
  });

  it('does not reload when watches reconnect or relist after 410 and re-deliver unchanged objects', async () => {
    await controller.idle();
    const before = await reloads();
    const rebuildsBefore = await rebuilds();
    api.closeWatches();
    api.expireHistory();
    api.closeWatches();
    // An unrelated change afterwards proves the informers are back; it must not reload nginx either.
    api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'unused', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    await api.waitForRequest((r) => r.resource === 'ingresses' && r.verb === 'list' && r.status === 200, 10000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await controller.idle();
    expect(await reloads()).to.equal(before);
    // Not even a rebuild: the store saw that nothing relevant changed.
    expect(await rebuilds()).to.equal(rebuildsBefore);
    expect(await answer('web.test')).to.equal('second');
  });

  it('serves basic auth from an Opaque Secret, follows a password change, and ignores Secrets nobody names', async () => {
    const htpasswd = (password: string): string =>
      Buffer.from(`alice:${execFileSync('openssl', ['passwd', '-apr1', '-stdin'], { input: password, encoding: 'utf8' }).trim()}\n`).toString('base64');
    const secret = (name: string, password: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, type: 'Opaque', data: { auth: htpasswd(password) } });
    const as = async (credentials: string | undefined): Promise<number> =>
      (await httpRequest({ port: httpPort, host: 'private.test', path: '/', ...(credentials === undefined ? {} : { headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } }) })).status;
    api.apply(secret('users', 'wonderland'));
    const annotations = { 'nginx.ingress.kubernetes.io/auth-type': 'basic', 'nginx.ingress.kubernetes.io/auth-secret': 'users' };
    const protectedIngress = ingress('private', 'private.test', 'web');
    api.apply({ ...protectedIngress, metadata: { ...protectedIngress.metadata, annotations } });
    await waitFor(async () => (await as(undefined)) === 401);
    expect(await as('alice:wonderland')).to.equal(200);

    api.apply(secret('users', 'looking-glass'));
    await waitFor(async () => (await as('alice:looking-glass')) === 200);
    expect(await as('alice:wonderland')).to.equal(401);

    await controller.idle();
    const rebuildsBefore = await rebuilds();
    api.apply(secret('unrelated', 'x'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await controller.idle();
    expect(await rebuilds()).to.equal(rebuildsBefore);
  });
});
