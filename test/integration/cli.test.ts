// The portico CLI as users run it (bin/portico in a child process): render, lint, explain, exit codes,
// -o json, --runtime-dir and --watch.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { testNginxConfig } from '../support/nginx-harness.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const BIN = fileURLToPath(new URL('../../../bin/portico', import.meta.url));

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const web = (host: string, path = '/') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${host.split('.')[0]}, namespace: default}
spec:
  ingressClassName: portico
  rules: [{host: ${host}, http: {paths: [{path: ${path}, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;

const backend = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{port: 8080}]
endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2], conditions: {ready: false}}]
`;

describe('portico CLI', () => {
  let dir: string;
  let runtimeDir: string;

  beforeEach(async () => {
    dir = await makeTempDir('portico-cli-');
    runtimeDir = `${dir}/runtime`;
    await mkdir(`${dir}/manifests/nested`, { recursive: true });
    await writeFile(`${dir}/manifests/app.yaml`, web('app.test'));
    await writeFile(`${dir}/manifests/nested/backend.yml`, backend);
    await writeFile(`${dir}/manifests/ignored.txt`, 'not a manifest');
  });

  afterEach(async () => removeDir(dir));

  describe('render', () => {
    it('prints a config nginx accepts, reading directories recursively, and writes certificates under --runtime-dir', async () => {
      const result = await run(['render', '-f', `${dir}/manifests`, '--runtime-dir', runtimeDir, '--http-port', '18080', '--https-port', '18443']);
      expect(result.stderr).to.equal('');
      expect(result.code).to.equal(0);
      expect(result.stdout).to.include('server_name "app.test";').and.include('server 10.0.0.1:8080;').and.not.include('10.0.0.2');
      await writeFile(`${dir}/nginx.conf`, result.stdout);
      const test = await testNginxConfig(`${dir}/nginx.conf`, runtimeDir);
      expect(test.output).to.equal('');
      expect(test.ok).to.equal(true);
      expect((await stat(`${runtimeDir}/certs/default.key`)).mode & 0o777).to.equal(0o600);
    });

    it('writes -o FILE and renders the same bytes for the same input', async () => {
      const args = ['render', '-f', `${dir}/manifests`, '--runtime-dir', runtimeDir];
      await run([...args, '-o', `${dir}/first.conf`]);
      await run([...args, '-o', `${dir}/second.conf`]);
      const first = await readFile(`${dir}/first.conf`, 'utf8');
      expect(first).to.include('server_name "app.test";');
      expect(await readFile(`${dir}/second.conf`, 'utf8')).to.equal(first);
    });

    it('reports problems on stderr naming the object, exits 1, and still renders everything valid', async () => {
      await writeFile(`${dir}/manifests/bad.yaml`, web('bad.test', '"/a;b"'));
      await writeFile(`${dir}/manifests/broken.yaml`, 'kind: [unclosed');
      const result = await run(['render', '-f', `${dir}/manifests`, '--runtime-dir', runtimeDir]);
      expect(result.code).to.equal(1);
      expect(result.stderr).to.match(/^error INVALID_PATH Ingress default\/bad spec\.rules\[0\]\.http\.paths\[0\]\.path: rejected: the path contains ";"/m);
      expect(result.stderr).to.match(/^error INVALID_FILE .*broken\.yaml: /m);
      expect(result.stdout).to.include('server_name "app.test";').and.not.include('bad.test');
    });

    it('honours --listen-address, --ingress-class and --watch-ingress-without-class', async () => {
      await writeFile(`${dir}/manifests/app.yaml`, web('app.test').replace('ingressClassName: portico', 'ingressClassName: nginx'));
      await writeFile(`${dir}/manifests/plain.yaml`, web('plain.test').replace('  ingressClassName: portico\n', ''));
      const result = await run([
        'render', '-f', `${dir}/manifests`, '--runtime-dir', runtimeDir, '--ingress-class', 'nginx', '--watch-ingress-without-class', '--listen-address', '127.0.0.1', '--http-port', '8081',
      ]);
      expect(result.stdout).to.include('server_name "app.test";').and.include('server_name "plain.test";').and.include('listen 127.0.0.1:8081;');
    });

    it('exits 2 on usage errors', async () => {
      expect((await run(['render'])).code, 'no -f').to.equal(2);
      expect((await run(['render', '-f', dir, '--http-port', 'eighty'])).code, 'bad port').to.equal(2);
      expect((await run(['render', '-f', dir, '--listen-address', 'localhost'])).code, 'not an address').to.equal(2);
      expect((await run(['frobnicate'])).code, 'unknown command').to.equal(2);
    });

    it('exits 2 on controller status and election options that cannot work', async () => {
      const both = await run(['controller', '--publish-service', 'portico-system/portico', '--publish-status-address', '192.0.2.1']);
      expect(both.code, 'two address sources').to.equal(2);
      expect(both.stderr).to.include('--publish-service and --publish-status-address exclude each other');
      const manifests = await run(['controller', '--manifests', dir, '--publish-status-address', '192.0.2.1']);
      expect(manifests.code, 'status without the API').to.equal(2);
      expect(manifests.stderr).to.include('--manifests takes no --publish-* option');
      expect((await run(['controller', '--publish-service', 'a/b/c'])).code, 'not [namespace/]name').to.equal(2);
      expect((await run(['controller', '--update-status-on-shutdown', 'maybe'])).code, 'not a boolean').to.equal(2);
      expect((await run(['controller', '--controller-namespace', 'Not_A_Namespace'])).code, 'not a namespace').to.equal(2);
      expect((await run(['controller', '--publish-status-address', ' , '])).code, 'no address').to.equal(2);
    });

    it('re-renders -o FILE on every change with --watch', async function () {
      this.timeout(15000);
      const output = `${dir}/watched.conf`;
      const child: ChildProcess = spawn(process.execPath, [BIN, 'render', '-f', `${dir}/manifests`, '--runtime-dir', runtimeDir, '-o', output, '--watch'], { stdio: 'ignore' });
      try {
        await waitFor(async () => (await readFile(output, 'utf8').catch(() => '')).includes('app.test'));
        await writeFile(`${dir}/manifests/more.yaml`, web('more.test'));
        await waitFor(async () => (await readFile(output, 'utf8')).includes('server_name "more.test";'));
      } finally {
        child.kill();
      }
    });
  });

  describe('lint', () => {
    it('lists every problem with severity and exits 1 when one is an error', async () => {
      await writeFile(`${dir}/manifests/bad.yaml`, web('bad.test', '"/a;b"'));
      await writeFile(`${dir}/manifests/orphan.yaml`, web('orphan.test').replace('name: web', 'name: nowhere'));
      const result = await run(['lint', '-f', `${dir}/manifests`]);
      expect(result.code).to.equal(1);
      const lines = result.stdout.trim().split('\n');
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^error INVALID_PATH Ingress default\/bad /);
      expect(lines[1]).to.match(/^error SERVICE_NOT_FOUND Ingress default\/orphan .*Service nowhere does not exist/);
    });

    it('says so and exits 0 when there is nothing to report, and speaks JSON with -o json', async () => {
      const clean = await run(['lint', '-f', `${dir}/manifests`]);
      expect(clean.code).to.equal(0);
      expect(clean.stdout).to.equal('no problems found\n');
      await writeFile(`${dir}/manifests/orphan.yaml`, web('orphan.test').replace('name: web', 'name: nowhere'));
      const json = JSON.parse((await run(['lint', '-f', `${dir}/manifests`, '-o', 'json'])).stdout) as { diagnostics: { code: string; object: { name: string } }[] };
      expect(json.diagnostics.map((d) => [d.code, d.object.name])).to.deep.equal([['SERVICE_NOT_FOUND', 'orphan']]);
    });
    it('sums up the ingress-nginx and nginx.org annotations Portico does not support: the migration cost', async () => {
      const annotated = web('legacy.test').replace(
        'namespace: default}',
        'namespace: default, annotations: {nginx.ingress.kubernetes.io/enable-access-log: "false", nginx.ingress.kubernetes.io/auth-tls-verify-client: "on", nginx.org/rewrites: "x"}}',
      );
      await writeFile(`${dir}/manifests/legacy.yaml`, annotated);
      const result = await run(['lint', '-f', `${dir}/manifests`]);
      expect(result.code, 'the fail-closed key is an error').to.equal(1);
      const summary = result.stdout.slice(result.stdout.indexOf('annotations Portico does not support'));
      expect(summary.trim().split('\n')).to.deep.equal([
        'annotations Portico does not support (see docs/annotations.md):',
        '  nginx.ingress.kubernetes.io/auth-tls-verify-client (rejects the Ingress): default/legacy',
        '  nginx.ingress.kubernetes.io/enable-access-log: default/legacy',
        '  nginx.org/rewrites: default/legacy',
      ]);
      const json = JSON.parse((await run(['lint', '-f', `${dir}/manifests`, '-o', 'json'])).stdout) as { unsupportedAnnotations: { key: string }[] };
      expect(json.unsupportedAnnotations.map((u) => u.key)).to.have.length(3);
    });

    it('prints the supported annotations as Markdown', async () => {
      const result = await run(['annotations']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.match(/^# Annotations\n/).and.include('| [`rewrite-target`](#rewrite-target) |');
    });
  });

  describe('explain', () => {
    it('names the Ingress, rule, path, Service and endpoints that serve a URL', async () => {
      const result = await run(['explain', '-f', `${dir}/manifests`, 'http://APP.test:8080/some/page']);
      expect(result.code).to.equal(0);
      expect(result.stdout).to.include('server:   app.test (exact host)')
        .and.include('ingress:  default/app spec.rules[0].http.paths[0] (Prefix /)')
        .and.include('service:  web port 80 (upstream default_web_80)')
        .and.include('endpoints: 10.0.0.1:8080');
    });

    it('says why a URL gets 404 or 503, also as JSON', async () => {
      const notFound = await run(['explain', '-f', `${dir}/manifests`, 'http://nobody.test/']);
      expect(notFound.stdout).to.include('the default server').and.include('404');
      await writeFile(`${dir}/manifests/orphan.yaml`, web('orphan.test').replace('name: web', 'name: nowhere'));
      const unavailable = JSON.parse((await run(['explain', '-f', `${dir}/manifests`, '-o', 'json', 'http://orphan.test/x'])).stdout) as {
        outcome: { status: number };
        diagnostics: { code: string }[];
      };
      expect(unavailable.outcome.status).to.equal(503);
      expect(unavailable.diagnostics.map((d) => d.code)).to.deep.equal(['SERVICE_NOT_FOUND']);
    });

    it('refuses a URL that is not http(s) with exit 2', async () => {
      expect((await run(['explain', '-f', `${dir}/manifests`, 'ftp://app.test/'])).code).to.equal(2);
    });
  });
});
