// Soak: random object churn against the fixture API server for a long time (an hour by default), with the
// real controller (the CLI, its own process) and its nginx on loopback. Samples the memory of the controller
// and of nginx, counts reloads, probes a host that never changes, and checks at the end that the served
// config matches the API exactly. Writes bench/results/soak-latest.json.
// Usage: npm run soak -- [--duration 1h|20m|90s] [--seed N]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeCertificate } from '../test/support/certificates.js';
import { startEchoBackend, type EchoBackend } from '../test/support/echo-backend.js';
import { startFakeApiServer, type FakeApiServer } from '../test/support/fake-api-server/fake-api-server.js';
import { httpRequest } from '../test/support/http-client.js';
import { parseNginxConfig, walkStatements } from '../test/support/nginx-config-tokens.js';
import { freePorts } from '../test/support/ports.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { makeTempDir, removeDir } from '../test/support/temp-dir.js';
import { waitFor } from '../test/support/wait-for.js';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '1h' }, seed: { type: 'string' } } });
const durationMs = parseDuration(values.duration);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const random = seededRandom(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Bounded churn: at most this many Ingresses, Services and Secrets exist at once. */
const POOL = { ingresses: 150, services: 10, secrets: 4 };
const sampleEveryMs = Math.min(10_000, Math.max(1_000, durationMs / 60));

interface Sample {
  readonly seconds: number;
  readonly controllerRssMb: number;
  readonly nginxRssMb: number;
  readonly nginxProcesses: number;
  readonly reloads: number;
  readonly ingresses: number;
}

const portico = fileURLToPath(new URL('../../bin/portico', import.meta.url));
const dir = await makeTempDir('portico-soak-');
const backends: EchoBackend[] = [];
let api: FakeApiServer | undefined;
let controller: ChildProcess | undefined;
const errors: string[] = [];
const samples: Sample[] = [];
const counts = { operations: 0, faults: 0, probes: 0, probeFailures: 0, controllerErrorLogs: 0 };
let converged = false;
const started = Date.now();

try {
  for (let i = 0; i < 2; i++) backends.push(await startEchoBackend(`web-${i}`));
  api = await startFakeApiServer();
  const [http, https, health] = (await freePorts(3)) as [number, number, number];
  const certificates = [makeCertificate({ hosts: ['*.soak.test'], keyType: 'ecdsa' }), makeCertificate({ hosts: ['*.soak.test'], keyType: 'rsa' })];

  const service = (i: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  const slice = (i: number, ready: number) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `svc-${i}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ port: (backends[Math.abs(ready) % backends.length] as EchoBackend).port }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: ready >= 0 } }],
  });
  const secret = (i: number) => {
    const pem = pick(certificates);
    const data = { 'tls.crt': Buffer.from(pem.certificatePem).toString('base64'), 'tls.key': Buffer.from(pem.keyPem).toString('base64') };
    return { apiVersion: 'v1', kind: 'Secret', metadata: { name: `tls-${i}`, namespace: 'default' }, type: 'kubernetes.io/tls', data };
  };
  const ingress = (i: number, host = `h${i}.soak.test`) => {
    const paths = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, j) => ({
      path: j === 0 ? '/' : `/p${Math.floor(random() * 50)}`,
      pathType: pick(['Prefix', 'Exact', 'ImplementationSpecific']),
      backend: { service: { name: `svc-${Math.floor(random() * POOL.services)}`, port: { number: 80 } } },
    }));
    const tls = random() < 0.3 ? [{ hosts: [host], secretName: `tls-${Math.floor(random() * POOL.secrets)}` }] : [];
    return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `ing-${i}`, namespace: 'default' }, spec: { ingressClassName: 'portico', tls, rules: [{ host, http: { paths } }] } };
  };

  for (let i = 0; i < POOL.services; i++) {
    api.apply(service(i));
    api.apply(slice(i, i));
  }
  for (let i = 0; i < POOL.secrets; i++) api.apply(secret(i));
  for (let i = 0; i < POOL.ingresses / 2; i++) api.apply(ingress(i));
  // The probe: an Ingress nothing ever touches, which must answer 200 through every reload.
  api.apply({ ...service(0), metadata: { name: 'stable', namespace: 'default' } });
  api.apply({ ...slice(0, 0), metadata: { name: 'stable-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'stable' } } });
  api.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'stable', namespace: 'default' },
    spec: { ingressClassName: 'portico', rules: [{ host: 'stable.soak.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'stable', port: { number: 80 } } } }] } }] },
  });

  let output = '';
  controller = spawn(
    process.execPath,
    [portico, 'controller', '--kubeconfig', await api.writeKubeconfig(dir), '--runtime-dir', `${dir}/runtime`, '--listen-address', '127.0.0.1',
      '--http-port', String(http), '--https-port', String(https), '--health-port', String(health)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const onOutput = (chunk: Buffer): void => {
    output += chunk.toString();
    const lines = output.split('\n');
    output = lines.pop() ?? '';
    for (const line of lines) {
      // pino: level 50 is error, 60 fatal.
      const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
      if (level >= 50 || (level === 0 && line.trim() !== '')) {
        counts.controllerErrorLogs++;
        if (errors.length < 50) errors.push(`controller: ${line.slice(0, 500)}`);
      }
    }
  };
  controller.stdout?.on('data', onOutput);
  controller.stderr?.on('data', onOutput);
  const exited = new Promise<void>((resolve) => controller?.once('exit', () => resolve()));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => undefined))?.status === 200, 30_000);
  console.log(`soak: seed ${seed}, ${Math.round(durationMs / 1000)} s, controller pid ${controller.pid}, runtime ${dir}/runtime`);

  const live = new Set<number>(Array.from({ length: POOL.ingresses / 2 }, (_, i) => i));
  let nextSample = Date.now();
  while (Date.now() - started < durationMs) {
    if (controller.exitCode !== null || controller.signalCode !== null) throw new Error(`the controller exited (${controller.exitCode ?? controller.signalCode})`);
    const roll = random();
    const i = Math.floor(random() * POOL.ingresses);
    if (roll < 0.45) {
      api.apply(ingress(i));
      live.add(i);
    } else if (roll < 0.6) {
      api.delete('Ingress', 'default', `ing-${i}`);
      live.delete(i);
    } else if (roll < 0.8) api.apply(slice(Math.floor(random() * POOL.services), random() < 0.1 ? -1 : Math.floor(random() * 10)));
    else if (roll < 0.9) api.apply(secret(Math.floor(random() * POOL.secrets)));
    else if (roll < 0.97) api.apply({ ...service(Math.floor(random() * POOL.services)), spec: { ports: [{ port: 80 }], sessionAffinity: pick(['None', 'ClientIP']) } });
    else {
      // A fault now and then: a reset watch, or compacted history and a relist.
      if (random() < 0.5) api.closeWatches(undefined, { reset: true });
      else {
        api.expireHistory();
        api.closeWatches();
      }
      counts.faults++;
    }
    counts.operations++;

    counts.probes++;
    const probe = await httpRequest({ port: http, host: 'stable.soak.test', path: '/' }).catch((error: unknown) => ({ status: 0, error }));
    if (probe.status !== 200) {
      counts.probeFailures++;
      if (errors.length < 50) errors.push(`probe: status ${probe.status}`);
    }
    if (Date.now() >= nextSample) {
      samples.push(await sample(controller.pid ?? 0, `${dir}/runtime`, health, started, live.size));
      const last = samples.at(-1) as Sample;
      console.log(`soak: ${last.seconds}s controller ${last.controllerRssMb} MB, nginx ${last.nginxRssMb} MB in ${last.nginxProcesses} processes, ${last.reloads} reloads, ${counts.operations} operations`);
      nextSample += sampleEveryMs;
    }
    await new Promise((resolve) => setTimeout(resolve, 50 + random() * 200));
  }

  // The end: nginx must serve exactly the hosts the API holds.
  const expected = new Set([...live].map((i) => `h${i}.soak.test`));
  expected.add('stable.soak.test');
  try {
    await waitFor(async () => sameSet(await servedHosts(`${dir}/runtime/nginx.conf`), expected), 30_000, 200);
    converged = true;
  } catch {
    errors.push(`not converged: nginx serves ${(await servedHosts(`${dir}/runtime/nginx.conf`)).size} hosts, the API holds ${expected.size}`);
  }
  samples.push(await sample(controller.pid ?? 0, `${dir}/runtime`, health, started, live.size));
  controller.kill('SIGTERM');
  await exited;
} catch (error) {
  errors.push(`soak: ${error instanceof Error ? error.message : String(error)}`);
  controller?.kill('SIGKILL');
} finally {
  await api?.close();
  await Promise.all(backends.map((b) => b.close()));
  await removeDir(dir);
}

const first = samples[0];
const last = samples.at(-1);
const report = {
  date: new Date().toISOString(),
  seed,
  durationSeconds: Math.round((Date.now() - started) / 1000),
  ...counts,
  reloads: last?.reloads ?? 0,
  converged,
  controllerRssMb: { first: first?.controllerRssMb, last: last?.controllerRssMb, max: Math.max(...samples.map((s) => s.controllerRssMb)) },
  nginxRssMb: { first: first?.nginxRssMb, last: last?.nginxRssMb, max: Math.max(...samples.map((s) => s.nginxRssMb)) },
  errors,
  samples,
};
const out = fileURLToPath(new URL('../../bench/results/', import.meta.url));
await mkdir(out, { recursive: true });
await writeFile(`${out}soak-latest.json`, `${JSON.stringify(report, null, 2)}\n`);
const { samples: _samples, ...summary } = report;
console.log(JSON.stringify(summary, null, 2));
process.exitCode = errors.length === 0 && converged ? 0 : 1;

/** One sample: resident memory of the controller and of nginx (master and workers), reloads so far. */
async function sample(controllerPid: number, runtimeDir: string, healthPort: number, since: number, ingresses: number): Promise<Sample> {
  const master = Number((await readFile(`${runtimeDir}/nginx.pid`, 'utf8').catch(() => '0')).trim());
  const nginx = master > 0 ? [master, ...(await childrenOf(master))] : [];
  const rss = await Promise.all(nginx.map(rssMb));
  const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
  const reloads = [...metrics.matchAll(/^portico_nginx_reloads_total\{reason="(?:start|reload)"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  return {
    seconds: Math.round((Date.now() - since) / 1000),
    controllerRssMb: await rssMb(controllerPid),
    nginxRssMb: Math.round(rss.reduce((a, b) => a + b, 0) * 10) / 10,
    nginxProcesses: nginx.length,
    reloads,
    ingresses,
  };
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function childrenOf(pid: number): Promise<number[]> {
  const listed = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return listed.split(/\s+/).filter((entry) => entry !== '').map(Number);
}

async function servedHosts(configPath: string): Promise<Set<string>> {
  const config = await readFile(configPath, 'utf8').catch(() => '');
  const hosts = new Set<string>();
  for (const { statement } of walkStatements(parseNginxConfig(config).statements)) {
    const host = statement.args[0]?.text;
    if (statement.name.text === 'server_name' && host !== undefined && host !== '_') hosts.add(host);
  }
  return hosts;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text);
  if (match === null) throw new Error(`--duration: expected a number of seconds, or 90s, 20m, 1h; got ${text}`);
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 's' | 'm' | 'h'];
}
