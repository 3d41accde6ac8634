// The controller end to end, offline: a manifest directory, spawn mode, a real nginx and loopback backends.
// Each edit is served; a broken file never is; health, readiness and metrics answer.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { runController, type RunningController } from '../../src/controller/run-controller.js';
import { createLogger } from '../../src/observability/logger.js';
import { loopbackCompileOptions, reloadCount } from '../support/controller-fixture.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest } from '../support/http-client.js';
import { nginxBinary } from '../support/nginx-harness.js';
import { freePort, freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const ingressYaml = (name: string, host: string, paths: readonly [string, string][]) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: default}
spec:
  ingressClassName: portico
  rules:
  - host: ${host}
    http:
      paths:
${paths.map(([path, service]) => `      - {path: ${path}, pathType: Prefix, backend: {service: {name: ${service}, port: {number: 80}}}}`).join('\n')}
`;

const serviceYaml = (name: string, port: number, addresses: readonly string[]) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default}
spec: {ports: [{port: 80, targetPort: ${port}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{port: ${port}}]
endpoints:
${addresses.map((address) => `- addresses: [${address}]`).join('\n')}
`;

describe('controller, offline (manifest directory, spawn mode)', function () {
  this.timeout(60000);
  let dir: string;
  let manifests: string;
  let controller: RunningController;
  let httpPort: number;
  let web: EchoBackend[];
  let api: EchoBackend;
  const logs: string[] = [];

  const answer = async (host: string, path = '/'): Promise<string | number> => {
    const response = await httpRequest({ port: httpPort, host, path });
    return response.status === 200 ? response.json<EchoResponse>().backend : response.status;
  };

  before(async () => {
    dir = await makeTempDir('portico-e2e-');
    manifests = `${dir}/manifests`;
    const sharedPort = await freePort('127.0.0.2');
    web = await Promise.all(['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((host, i) => startEchoBackend(`web-${i + 1}`, { host, port: sharedPort })));
    api = await startEchoBackend('api');
    await mkdir(manifests);
    await writeFile(`${manifests}/shop.yaml`, ingressYaml('shop', 'shop.test', [['/', 'web']]));
    await writeFile(`${manifests}/web.yaml`, serviceYaml('web', sharedPort, ['127.0.0.2']));
    await writeFile(`${manifests}/api.yaml`, serviceYaml('api', api.port, ['127.0.0.1']));
    const [http, https, health] = (await freePorts(3)) as [number, number, number];
    httpPort = http;
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => void (logs.push(chunk.toString()), done()) });
    controller = await runController(
      {
        source: { kind: 'manifests', dir: manifests },
        nginx: { mode: 'spawn', binary: nginxBinary() },
        compile: loopbackCompileOptions(`${dir}/runtime`, http, https),
        healthPort: health,
        healthAddress: '127.0.0.1',
      },
      createLogger({ destination: sink, level: 'debug' }),
    );
    await controller.ready;
  });

  after(async () => {
    await controller?.stop();
    await Promise.all([...(web ?? []), api].map((b) => b?.close()));
    await removeDir(dir);
  });

  const reloads = (): Promise<number> => reloadCount(controller.healthPort);

  it('serves the directory once ready, and says so on /readyz and /healthz', async () => {
    expect(await answer('shop.test')).to.equal('web-1');
    expect((await fetch(`http://127.0.0.1:${controller.healthPort}/readyz`)).status).to.equal(200);
    expect((await fetch(`http://127.0.0.1:${controller.healthPort}/healthz`)).status).to.equal(200);
  });

  it('serves an added path', async () => {
    await writeFile(`${manifests}/shop.yaml`, ingressYaml('shop', 'shop.test', [['/', 'web'], ['/api', 'api']]));
    await waitFor(async () => (await answer('shop.test', '/api/items')) === 'api');
  });

  it('follows endpoints scaled from 1 to 3', async () => {
    const port = web[0]?.port ?? 0;
    await writeFile(`${manifests}/web.yaml`, serviceYaml('web', port, ['127.0.0.2', '127.0.0.3', '127.0.0.4']));
    const seen = new Set<string | number>();
    await waitFor(async () => {
      seen.add(await answer('shop.test'));
      return seen.size === 3;
    });
    expect([...seen].sort()).to.deep.equal(['web-1', 'web-2', 'web-3']);
  });

  it('keeps serving the last good objects while a file is broken, without reloading, and serves the fix', async () => {
    await controller.idle();
    const before = await reloads();
    await writeFile(`${manifests}/shop.yaml`, 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop\n');
    await waitFor(async () => logs.some((line) => line.includes('manifest file not read')));
    await controller.idle();
    expect(await answer('shop.test', '/api/x')).to.equal('api');
    expect(await reloads()).to.equal(before);
    await writeFile(`${manifests}/shop.yaml`, ingressYaml('shop', 'shop.test', [['/', 'web']]));
    await waitFor(async () => (await answer('shop.test', '/api/x')) !== 'api');
  });

  it('stops serving a deleted Ingress', async () => {
    await rm(`${manifests}/shop.yaml`);
    await waitFor(async () => (await answer('shop.test')) === 404);
  });

  it('does not reload when a file is rewritten with the same objects', async () => {
    await controller.idle();
    const before = await reloads();
    await writeFile(`${manifests}/api.yaml`, `# same objects, new bytes\n${serviceYaml('api', api.port, ['127.0.0.1'])}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await controller.idle();
    expect(await reloads()).to.equal(before);
  });

  it('exports metrics', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${controller.healthPort}/metrics`)).text();
    expect(metrics).to.match(/^portico_nginx_last_reload_success 1$/m);
    expect(metrics).to.match(/^portico_objects\{kind="Ingress"\} \d+$/m);
    expect(metrics).to.include('portico_rebuild_duration_seconds_bucket');
  });
});
