// The controller (the real CLI, in its own process) killed with SIGKILL in the middle of applying changes:
// the runtime directory is never left half-written, a restarted controller recovers and serves the latest
// objects, certificate files stay 0600 in a 0700 directory, and no key material ever reaches the logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, stat, writeFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { testNginxConfig } from '../support/nginx-harness.js';
import { makeCertificate } from '../support/certificates.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../support/echo-backend.js';
import { httpRequest } from '../support/http-client.js';
import { freePorts } from '../support/ports.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const portico = fileURLToPath(new URL('../../../bin/portico', import.meta.url));

const manifest = (paths: number, backendPort: number, pem: { certificatePem: string; keyPem: string }): string =>
  [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'shop', namespace: 'default' },
      spec: {
        ingressClassName: 'portico',
        tls: [{ hosts: ['shop.test'], secretName: 'shop-tls' }],
        rules: [
          {
            host: 'shop.test',
            http: { paths: Array.from({ length: paths }, (_, i) => ({ path: `/v${i}`, pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } })) },
          },
        ],
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: backendPort }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ port: backendPort }],
      endpoints: [{ addresses: ['127.0.0.1'] }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-tls', namespace: 'default' },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(pem.certificatePem).toString('base64'), 'tls.key': Buffer.from(pem.keyPem).toString('base64') },
    },
  ]
    .map((object) => JSON.stringify(object))
    .join('\n---\n');

describe('faults: the controller killed mid-apply (SIGKILL), restarted', function () {
  this.timeout(120000);
  let dir: string;
  let backend: EchoBackend;
  let ports: [number, number, number];
  let controller: ChildProcess | undefined;
  let output = '';
  const pem = makeCertificate({ hosts: ['shop.test'] });

  const start = (): ChildProcess => {
    const [http, https, health] = ports;
    const child = spawn(
      process.execPath,
      [portico, 'controller', '--manifests', `${dir}/manifests`, '--runtime-dir', `${dir}/runtime`, '--listen-address', '127.0.0.1',
        '--http-port', String(http), '--https-port', String(https), '--health-port', String(health)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTICO_LOG_LEVEL: 'debug' } },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return child;
  };
  const isReady = async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${ports[2]}/readyz`).catch(() => undefined))?.status === 200;
  const answer = async (path: string): Promise<string | number> => {
    const response = await httpRequest({ port: ports[0], host: 'shop.test', path }).catch(() => undefined);
    if (response === undefined) return 0;
    // TLS hosts redirect plain HTTP: a 308 proves the path is routed; the backend proves it over HTTPS.
    return response.status;
  };
  const backendOverTls = async (path: string): Promise<string | undefined> => {
    const response = await httpRequest({ port: ports[1], host: 'shop.test', path, tls: { servername: 'shop.test' } }).catch(() => undefined);
    return response?.status === 200 ? response.json<EchoResponse>().backend : undefined;
  };
  const killed = (child: ChildProcess): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  before(async () => {
    dir = await makeTempDir('portico-crash-');
    backend = await startEchoBackend('web');
    ports = (await freePorts(3)) as [number, number, number];
    await mkdir(`${dir}/manifests`);
    await writeFile(`${dir}/manifests/shop.yaml`, manifest(1, backend.port, pem));
    controller = start();
    await waitFor(isReady, 20000);
  });

  after(async () => {
    if (controller !== undefined) {
      controller.kill('SIGTERM');
      await new Promise((resolve) => controller?.once('exit', resolve));
    }
    await backend?.close();
    await removeDir(dir);
  });

  it('serves, then survives five SIGKILLs at random points of an apply and serves the latest objects after each restart', async () => {
    expect(await backendOverTls('/v0')).to.equal('web');
    for (let round = 1; round <= 5; round++) {
      const paths = 1 + round * 40;
      await writeFile(`${dir}/manifests/shop.yaml`, manifest(paths, backend.port, pem));
      // Somewhere between reading the change and confirming the reload.
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 250)));
      await killed(controller as ChildProcess);

      // Whatever the moment, nginx.conf is a whole config nginx accepts, and nothing half-written is left.
      const runtime = `${dir}/runtime`;
      const test = await testNginxConfig(`${runtime}/nginx.conf`, runtime);
      expect(test.ok, test.output).to.equal(true);
      // The old nginx keeps serving while no controller runs: a crash is not an outage.
      expect(await answer('/v0'), 'served while the controller is down').to.equal(308);

      controller = start();
      await waitFor(isReady, 20000);
      await waitFor(async () => (await backendOverTls(`/v${paths - 1}`)) === 'web', 20000);
      const leftovers = (await readdir(runtime)).filter((name) => name.includes('candidate') || name.endsWith('.tmp'));
      expect(leftovers, 'temporary files left behind').to.deep.equal([]);
    }
  });

  it('keeps certificate and key files 0600 in a 0700 directory', async () => {
    const certs = `${dir}/runtime/certs`;
    expect((await stat(certs)).mode & 0o777).to.equal(0o700);
    const files = await readdir(certs);
    expect(files).to.include.members(['default_shop-tls.crt', 'default_shop-tls.key']);
    for (const file of files) expect((await stat(`${certs}/${file}`)).mode & 0o777, file).to.equal(0o600);
  });

  it('never logs key material (PEM markers, key bytes in PEM or base64), at debug level, over every run', () => {
    expect(output.length).to.be.greaterThan(1000);
    const keyBody = pem.keyPem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
    const base64Key = Buffer.from(pem.keyPem).toString('base64');
    const needles = ['PRIVATE KEY', '-----BEGIN', ...keyBody.slice(0, 3), base64Key.slice(0, 64), base64Key.slice(200, 264)];
    for (const needle of needles) expect(output.includes(needle), `the logs contain ${needle}`).to.equal(false);
  });
});
