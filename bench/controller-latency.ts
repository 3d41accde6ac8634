// `npm run bench:controller`: the controller end to end, offline (manifest directory, spawn-mode nginx on
// loopback). Measures change→served latency for single edits at 1k Ingresses, cold start to serving at 10k
// paths, and that re-delivered unchanged objects cause no reload. Prints a table with the targets and writes
// bench/results/controller-latest.json.
//
// The controller runs in its own process (controller-process.ts), as in production; this process writes
// the files, runs the echo backends and polls nginx. Every edit's expected answer, and the answer before it,
// come from the explain oracle (src/explain), so a probe can only pass once the new state serves.
//
// Environment: BENCH_SEED (1), BENCH_CONTROLLER_EDITS (100), BENCH_CONTROLLER_COLD_RUNS (3), BENCH_CONTROLLER_PATHS
// (4040), BENCH_QUICK=1 (50 edits, one cold start), PORTICO_NGINX_BINARY (/usr/sbin/nginx). About 2.5 minutes.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { buildModel, type BuildOptions, type BuildResult } from '../src/build/build-model.js';
import { explainRequest, parseRequestTarget, type Explanation } from '../src/explain/explain-request.js';
import type { EndpointSlice, Ingress, KubeObject, ObjectKind, Service } from '../src/model/kube.js';
import { defaultClassSettings } from '../src/model/settings.js';
import { snapshotOf } from '../src/model/snapshot.js';
import { parseManifests, readManifests } from '../src/sources/manifests/read-manifests.js';
import { ObjectStore } from '../src/store/object-store.js';
import { startEchoBackend, type EchoBackend, type EchoResponse } from '../test/support/echo-backend.js';
import { httpRequest } from '../test/support/http-client.js';
import { freePort, freePorts } from '../test/support/ports.js';
import { seededRandom } from '../test/support/seeded-random.js';
import { makeTempDir, removeDir } from '../test/support/temp-dir.js';
import { groupByFile, manifestText, onLoopback } from './cluster-manifests.js';
import { wallNow, type ControllerProcessOptions, type FromController, type LogRecord, type ToController } from './controller-process.js';
import { generateCluster } from './generate-cluster.js';
import { findNginx } from '../src/nginx/find-nginx.js';
import { nginxEnvironment } from '../src/nginx/nginx-environment.js';

const SEED = Number(process.env['BENCH_SEED'] ?? 1);
/** 4 paths per Ingress on average: with seed 1, exactly 1,000 Ingresses of Portico's class (and 16 of another). */
const EDIT_CLUSTER_PATHS = Number(process.env['BENCH_CONTROLLER_PATHS'] ?? 4_040);
const IS_QUICK = process.env['BENCH_QUICK'] === '1';
/** 100 edits make the nearest-rank p99 the second-worst sample, not the worst. */
const EDITS = Number(process.env['BENCH_CONTROLLER_EDITS'] ?? (IS_QUICK ? 50 : 100));
const COLD_PATHS = 10_000;
const COLD_RUNS = Number(process.env['BENCH_CONTROLLER_COLD_RUNS'] ?? (IS_QUICK ? 1 : 3));
const POLL_INTERVAL_MS = 5;
const EDIT_TIMEOUT_MS = 10_000;
const COLD_TIMEOUT_MS = 30_000;
/** Quiet time between edits once the controller is idle, so no edit shares a debounce burst with another. */
const EDIT_GAP_MS = 150;
/** The Debouncer's holdoff in ReconcileLoop (not configurable from runController); a change that finds the loop idle waits none of it. */
const HOLDOFF_MS = 100;

const TARGET_EDIT_P99_MS = 300;
const TARGET_COLD_MS = 5_000;

const NGINX = findNginx();
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./controller-process.js', import.meta.url));

/** Generated Services' endpoints land on these; several Services share each. */
const BASE_ADDRESSES = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
/** Used only by edits (and by the per-namespace canary Services), so a new state is told from an old one. */
const EDIT_ADDRESSES = Array.from({ length: 16 }, (_, i) => `127.0.1.${i + 1}`);
const CANARY = 'bench-canary';
const KINDS: readonly ObjectKind[] = ['Ingress', 'IngressClass', 'Service', 'Endpoints', 'EndpointSlice', 'Secret', 'ConfigMap'];

const LOAD_AT_START = loadavg().map((l) => Number(l.toFixed(2)));

const buildOptions: BuildOptions = { classes: defaultClassSettings, settingsSource: { namespace: undefined, name: 'portico' }, now: new Date() };

type Verdict = 'PASS' | 'FAIL';
type EditKind = 'add-path' | 'change-endpoints' | 'add-ingress';

/** One request nginx must answer from one of `expect` (echo backend names, `address:port`). */
interface Probe {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly path: string;
  readonly expect: readonly string[];
}

/** Milliseconds of each step between the file write and the first request the new state served. */
interface Split {
  /** Write → the loop's trigger: chokidar's event and awaitWriteFinish, read, YAML parse, store update. */
  readonly detectMs: number;
  readonly holdoffMs: number;
  /** Store snapshot + build + render (the controller's buildMs). */
  readonly buildMs: number;
  /** Certificate and default-certificate files (writeRuntimeFiles), up to the candidate's creation. */
  readonly runtimeFilesMs: number;
  /** Writing and fsyncing the candidate nginx.conf. */
  readonly candidateWriteMs: number;
  readonly nginxTestMs: number;
  /** Swap → first request served by the new workers (SIGHUP, nginx parses again, new workers accept). */
  readonly reloadToServedMs: number;
  /**
   * Of which: swap → the master forked the new workers, sampled every poll: the driver's /proc scan before its
   * SIGHUP, then nginx parsing the whole config again.
   */
  readonly reloadParseMs: number | undefined;
  /** Of which: new workers forked → first request they served (nginx's master lets the old ones accept 100 ms more). */
  readonly handoverMs: number | undefined;
  /** Swap → the driver saw the new generation of workers (what `durationMs` waits for). */
  readonly reloadConfirmedMs: number;
}

interface EditSample {
  readonly index: number;
  readonly kind: EditKind;
  readonly file: string;
  readonly fileBytes: number;
  readonly probe: string;
  /** Undefined when the edit was not served within the timeout. */
  readonly latencyMs: number | undefined;
  readonly polls: number;
  readonly reloads: number;
  readonly split: Split | undefined;
}

interface ColdStart {
  readonly paths: number;
  readonly ingresses: number;
  readonly files: number;
  readonly manifestBytes: number;
  /** runController() called → first request answered by the expected backend. */
  readonly servedMs: number | undefined;
  /** runController() called → `ready` resolved (in the controller process). */
  readonly readyMs: number;
  readonly split: {
    /** Templates, directory read and parse, store, chokidar's initial scan, up to the first trigger. */
    readonly sourceStartMs: number;
    readonly holdoffMs: number;
    readonly buildMs: number;
    /** Including the default certificate (generated in a fresh runtime dir) and every Secret's files. */
    readonly runtimeFilesMs: number;
    readonly candidateWriteMs: number;
    readonly nginxTestMs: number;
    /** Spawn → first request served. */
    readonly startToServedMs: number;
  } | undefined;
}

async function main(): Promise<void> {
  const started = performance.now();
  const port = await freePort(BASE_ADDRESSES[0]);
  const backends: EchoBackend[] = [];
  for (const address of [...BASE_ADDRESSES, ...EDIT_ADDRESSES]) backends.push(await startEchoBackend(`${address}:${port}`, { host: address, port }));
  const workDir = await makeTempDir('portico-bench-controller-');
  try {
    process.stderr.write(`bench:controller: ${EDIT_CLUSTER_PATHS} paths, ${EDITS} edits …\n`);
    const editPhase = await runEditPhase(workDir, port);
    process.stderr.write(`bench:controller: cold start at ${COLD_PATHS} paths, ${COLD_RUNS} runs …\n`);
    const coldStarts = await runColdStarts(workDir, port);
    await report(editPhase, coldStarts, (performance.now() - started) / 1000);
  } finally {
    await Promise.all(backends.map((b) => b.close()));
    await removeDir(workDir);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The 1k-Ingress phase: cold start (for information), single edits, re-delivery of unchanged objects.

interface EditPhase {
  readonly cluster: { readonly paths: number; readonly ingresses: number; readonly ourIngresses: number; readonly services: number; readonly secrets: number; readonly files: number; readonly manifestBytes: number; readonly configBytes: number; readonly certificateFiles: number };
  readonly coldStart: ColdStart;
  readonly edits: readonly EditSample[];
  readonly reloadsDuringEdits: number;
  readonly rebuildsDuringEdits: number;
  readonly redelivery: { readonly files: number; readonly reloads: number; readonly rebuilds: number; readonly controllerCpuMs: number; readonly settledAfterMs: number };
  readonly micro: {
    /** parseManifests of one namespace file. */
    readonly parseFileMs: number;
    /** What the store does with one changed file's delivery (every kind's whole set, replaced). */
    readonly storeDeliveryMs: number;
    /** readManifests of the whole directory: the read-and-parse part of a cold start. */
    readonly readDirectoryMs: number;
    readonly nginxTestMs: number;
    /** buildModel alone (the controller's buildMs also renders). */
    readonly buildModelMs: number;
  };
}

async function runEditPhase(workDir: string, port: number): Promise<EditPhase> {
  const dir = join(workDir, 'edits');
  const manifests = join(dir, 'manifests');
  const runtimeDir = join(dir, 'runtime');
  await mkdir(manifests, { recursive: true });
  await mkdir(runtimeDir);

  const files = clusterFiles(EDIT_CLUSTER_PATHS, port, true);
  const manifestBytes = await writeAll(manifests, files);
  await checkRoundTrip(manifests, files);
  let current = buildOf(files);
  checkLoopback(current, port);

  const [httpPort, httpsPort, healthPort] = (await freePorts(3)) as [number, number, number];
  const ports = { httpPort, httpsPort };
  const child = await ControllerChild.fork();
  const runtimeEvents = new RuntimeEvents(runtimeDir);
  try {
    const coldStart = await measureColdStart(child, { manifestsDir: manifests, runtimeDir, httpPort, httpsPort, healthPort, nginxBinary: NGINX }, files, current, runtimeEvents, ports);
    const metrics = new MetricsReader(healthPort);

    const random = seededRandom(SEED + 1);
    const kinds: EditKind[] = ['add-path', 'change-endpoints', 'add-ingress'];
    const edits: EditSample[] = [];
    const before = await metrics.read();
    for (let index = 0; index < EDITS; index += 1) {
      const kind = kinds[index % kinds.length] as EditKind;
      const plan = planEdit(kind, index, files, current, random);
      files.set(plan.file, plan.objects);
      const text = manifestText(plan.objects);
      const reloadsBefore = (await metrics.read()).reloads;
      const master = new MasterChildren(Number(readFileSync(join(runtimeDir, 'nginx.pid'), 'utf8')));
      await writeFile(join(manifests, plan.file), text);
      const writtenAt = wallNow();
      const served = await pollUntilServed(plan.probe, ports, EDIT_TIMEOUT_MS, master);
      await child.request('idle');
      await sleep(EDIT_GAP_MS);
      await child.request('idle');
      const reloads = (await metrics.read()).reloads - reloadsBefore;
      const live = child.records.find((r) => r.msg === 'config live' && r.time > writtenAt);
      edits.push({
        index,
        kind,
        file: plan.file,
        fileBytes: Buffer.byteLength(text),
        probe: describeProbe(plan.probe),
        latencyMs: served.servedAt === undefined ? undefined : served.servedAt - writtenAt,
        polls: served.polls,
        reloads,
        split: served.servedAt === undefined || live === undefined ? undefined : splitOf(writtenAt, served.servedAt, live, runtimeEvents, served.forkedAt),
      });
      if (served.servedAt === undefined) process.stderr.write(`bench:controller: edit ${index} (${kind}) not served within ${EDIT_TIMEOUT_MS} ms; last answer ${served.last}\n`);
      current = plan.after;
    }
    const after = await metrics.read();

    const redelivery = await measureRedelivery(child, metrics, manifests, files);
    const micro = await measureMicro(files, runtimeDir, manifests);
    const snapshot = snapshotOf([...files.values()].flat());
    const certificateFiles = (await readdir(join(runtimeDir, 'certs'))).filter((f) => f.endsWith('.crt') || f.endsWith('.key')).length;
    return {
      cluster: {
        paths: EDIT_CLUSTER_PATHS,
        ingresses: snapshot.ingresses.length,
        ourIngresses: snapshot.ingresses.filter((i) => i.ingressClassName === 'portico').length,
        services: snapshot.services.length,
        secrets: snapshot.secrets.length,
        files: files.size,
        manifestBytes,
        configBytes: (await stat(join(runtimeDir, 'nginx.conf'))).size,
        certificateFiles,
      },
      coldStart,
      edits,
      reloadsDuringEdits: after.reloads - before.reloads,
      rebuildsDuringEdits: after.rebuilds - before.rebuilds,
      redelivery,
      micro,
    };
  } finally {
    runtimeEvents.close();
    await child.stop();
  }
}

/** Rewrites every file with the same objects (a comment on top) and waits until the controller is quiet. */
async function measureRedelivery(child: ControllerChild, metrics: MetricsReader, manifests: string, files: Map<string, KubeObject[]>): Promise<EditPhase['redelivery']> {
  await child.request('idle');
  const before = await metrics.read();
  const cpuBefore = (await child.request('cpu')).cpuMs;
  const started = wallNow();
  for (const [file, objects] of files) await writeFile(join(manifests, file), `# re-delivered: the same objects, new bytes\n${manifestText(objects)}`);
  // Settled: at least a second after the writes (awaitWriteFinish), then two quiet 250 ms windows in a row.
  let last = cpuBefore;
  let quiet = 0;
  let settledAt = started;
  while (wallNow() - started < 60_000) {
    await sleep(250);
    const cpu = (await child.request('cpu')).cpuMs;
    const busy = cpu - last > 5;
    if (busy) settledAt = wallNow();
    last = cpu;
    quiet = busy ? 0 : quiet + 1;
    if (quiet >= 2 && wallNow() - started > 1_000) break;
  }
  await child.request('idle');
  const after = await metrics.read();
  return {
    files: files.size,
    reloads: after.reloads - before.reloads,
    rebuilds: after.rebuilds - before.rebuilds,
    controllerCpuMs: last - cpuBefore,
    settledAfterMs: settledAt - started,
  };
}

/** What the split cannot see from outside, timed in this process on the same objects. */
async function measureMicro(files: Map<string, KubeObject[]>, runtimeDir: string, manifests: string): Promise<EditPhase['micro']> {
  const name = 'ns-0.yaml';
  const text = manifestText(files.get(name) ?? []);
  const parseFileMs = medianOf(20, () => void parseManifests(text, name));

  // What ManifestSource does for one changed file: every kind's whole set, replaced in the store. Objects of
  // the other files are the same references as in the store (as in the source), the re-read file's are new.
  const byFile = new Map([...files.entries()].map(([file, list]) => [file, parseManifests(manifestText(list), file).objects]));
  const store = new ObjectStore({ classes: buildOptions.classes, settingsSource: buildOptions.settingsSource });
  const deliver = (): void => {
    const all = [...byFile.keys()].sort().flatMap((file) => byFile.get(file) ?? []);
    for (const kind of KINDS) store.apply({ type: 'replace', kind, objects: all.filter((o) => o.kind === kind) });
  };
  deliver();
  const storeDeliveryMs = medianOf(20, () => deliver(), () => byFile.set(name, parseManifests(text, name).objects));

  const nginxTestMs = medianOf(5, () => {
    const result = spawnSync(NGINX, ['-t', '-q', '-e', 'stderr', '-p', runtimeDir, '-c', join(runtimeDir, 'nginx.conf')], { encoding: 'utf8', env: nginxEnvironment() });
    if (result.status !== 0) throw new Error(`nginx -t of the live config failed: ${result.stderr}`);
  });
  const snapshot = snapshotOf([...files.values()].flat());
  const buildModelMs = medianOf(7, () => void buildModel(snapshot, buildOptions));
  return { parseFileMs, storeDeliveryMs, readDirectoryMs: await timeReadDirectory(manifests), nginxTestMs, buildModelMs };
}

async function timeReadDirectory(dir: string): Promise<number> {
  const started = performance.now();
  await readManifests([dir]);
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------------------
// Cold starts at 10k paths, each in a fresh process and a fresh runtime directory.

async function runColdStarts(workDir: string, port: number): Promise<{ runs: ColdStart[]; readDirectoryMs: number }> {
  const dir = join(workDir, 'cold');
  const manifests = join(dir, 'manifests');
  await mkdir(manifests, { recursive: true });
  const files = clusterFiles(COLD_PATHS, port, false);
  await writeAll(manifests, files);
  const built = buildOf(files);
  checkLoopback(built, port);
  const results: ColdStart[] = [];
  for (let run = 0; run < COLD_RUNS; run += 1) {
    const runtimeDir = join(dir, `runtime-${run}`);
    await mkdir(runtimeDir);
    const [httpPort, httpsPort, healthPort] = (await freePorts(3)) as [number, number, number];
    const child = await ControllerChild.fork();
    const events = new RuntimeEvents(runtimeDir);
    try {
      results.push(await measureColdStart(child, { manifestsDir: manifests, runtimeDir, httpPort, httpsPort, healthPort, nginxBinary: NGINX }, files, built, events, { httpPort, httpsPort }));
      process.stderr.write(`bench:controller: cold start ${run + 1}: served after ${format(results.at(-1)?.servedMs)} ms\n`);
    } finally {
      events.close();
      await child.stop();
    }
  }
  return { runs: results, readDirectoryMs: await timeReadDirectory(manifests) };
}

async function measureColdStart(
  child: ControllerChild,
  options: ControllerProcessOptions,
  files: Map<string, KubeObject[]>,
  built: BuildResult,
  events: RuntimeEvents,
  ports: { readonly httpPort: number; readonly httpsPort: number },
): Promise<ColdStart> {
  const probe = knownHostProbe(built);
  // Poll from before the call: the clock starts in the controller process, just before runController().
  const polling = pollUntilServed(probe, ports, COLD_TIMEOUT_MS);
  const started = await child.start(options);
  const served = await polling;
  await child.request('idle');
  const live = child.records.find((r) => r.msg === 'config live');
  const snapshot = snapshotOf([...files.values()].flat());
  let manifestBytes = 0;
  for (const file of files.keys()) manifestBytes += (await stat(join(options.manifestsDir, file))).size;
  let split: ColdStart['split'];
  if (served.servedAt !== undefined && live !== undefined) {
    const s = splitOf(started.calledAt, served.servedAt, live, events);
    split = s && {
      sourceStartMs: s.detectMs,
      holdoffMs: s.holdoffMs,
      buildMs: s.buildMs,
      runtimeFilesMs: s.runtimeFilesMs,
      candidateWriteMs: s.candidateWriteMs,
      nginxTestMs: s.nginxTestMs,
      startToServedMs: s.reloadToServedMs,
    };
  }
  return {
    paths: snapshot.ingresses.filter((i) => i.ingressClassName === 'portico').reduce((n, i) => n + i.rules.reduce((m, r) => m + r.paths.length, 0), 0),
    ingresses: snapshot.ingresses.length,
    files: files.size,
    manifestBytes,
    servedMs: served.servedAt === undefined ? undefined : served.servedAt - started.calledAt,
    readyMs: started.readyAt - started.calledAt,
    split,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The cluster on disk.

/** A generated cluster on loopback, one file per namespace; with `canaries`, an unrouted Service per namespace. */
function clusterFiles(paths: number, port: number, canaries: boolean): Map<string, KubeObject[]> {
  const snapshot = generateCluster({ paths, seed: SEED });
  const flat: KubeObject[] = [
    ...snapshot.ingressClasses,
    ...snapshot.configMaps,
    ...snapshot.services,
    ...snapshot.endpointSlices,
    ...snapshot.secrets,
    ...snapshot.ingresses,
  ];
  const objects = onLoopback(flat, BASE_ADDRESSES, port);
  if (canaries) {
    const namespaces = [...new Set(snapshot.services.map((s) => s.metadata.namespace))];
    namespaces.forEach((namespace, i) => objects.push(...serviceWithEndpoints(namespace, CANARY, [EDIT_ADDRESSES[i % EDIT_ADDRESSES.length] as string], port, '2024-06-01T00:00:00Z')));
  }
  return groupByFile(objects);
}

function serviceWithEndpoints(namespace: string, name: string, addresses: readonly string[], port: number, created: string): [Service, EndpointSlice] {
  const meta = (objectName: string, labels: Record<string, string>) => ({ namespace, name: objectName, creationTimestamp: created, annotations: {}, labels });
  return [
    {
      kind: 'Service',
      metadata: meta(name, { app: name }),
      type: 'ClusterIP',
      clusterIP: undefined,
      externalName: undefined,
      ports: [{ name: 'http', port: 80, targetPort: port, protocol: 'TCP' }],
      sessionAffinity: 'None',
    },
    {
      kind: 'EndpointSlice',
      metadata: meta(`${name}-bench`, { 'kubernetes.io/service-name': name }),
      serviceName: name,
      addressType: 'IPv4',
      endpoints: addresses.map((address) => ({ addresses: [address], ready: true })),
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    },
  ];
}

async function writeAll(dir: string, files: Map<string, KubeObject[]>): Promise<number> {
  let bytes = 0;
  for (const [file, objects] of files) {
    const text = manifestText(objects);
    bytes += Buffer.byteLength(text);
    await writeFile(join(dir, file), text);
  }
  return bytes;
}

/** The files must parse back to exactly the generated objects, or the benchmark measures something else. */
async function checkRoundTrip(dir: string, files: Map<string, KubeObject[]>): Promise<void> {
  for (const [file, objects] of files) {
    const parsed = parseManifests(await readFile(join(dir, file), 'utf8'), file);
    if (parsed.problems.length > 0 || parsed.diagnostics.length > 0 || !isDeepStrictEqual(parsed.objects, objects)) {
      throw new Error(`${file} does not parse back to the objects written (${parsed.problems[0]?.message ?? parsed.diagnostics[0]?.message ?? 'objects differ'})`);
    }
  }
}

function buildOf(files: Map<string, KubeObject[]>): BuildResult {
  return buildModel(snapshotOf([...files.values()].flat()), buildOptions);
}

function checkLoopback(built: BuildResult, port: number): void {
  const stray = built.model.upstreams.flatMap((u) => u.endpoints).find((e) => !e.address.startsWith('127.') || e.port !== port);
  if (stray !== undefined) throw new Error(`an upstream endpoint is not an echo backend: ${stray.address}:${stray.port}`);
}

// ---------------------------------------------------------------------------------------------------------
// Edits, planned against the explain oracle.

interface EditPlan {
  readonly file: string;
  readonly objects: KubeObject[];
  readonly probe: Probe;
  readonly after: BuildResult;
}

function planEdit(kind: EditKind, index: number, files: Map<string, KubeObject[]>, before: BuildResult, random: () => number): EditPlan {
  const namespaces = [...files.keys()].filter((f) => f !== '_cluster.yaml').map((f) => f.replace(/\.yaml$/, ''));
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const namespace = pick(namespaces) as string;
    const file = `${namespace}.yaml`;
    const objects = files.get(file) ?? [];
    const ours = objects.filter((o): o is Ingress => o.kind === 'Ingress' && o.ingressClassName === 'portico');
    const candidate = plan(kind, index, namespace, objects, ours, before, pick);
    if (candidate === undefined) continue;
    const after = buildOf(new Map([...files, [file, candidate.objects]]));
    const then = explain(before, candidate.probe);
    const now = explain(after, candidate.probe);
    // The new state must answer from exactly the expected backends, and the old state from none of them.
    const expected = [...candidate.expect].sort();
    if (now.outcome.kind !== 'proxy' || !isDeepStrictEqual([...now.outcome.endpoints].sort(), expected)) continue;
    if (then.outcome.kind === 'proxy' && then.outcome.endpoints.some((e) => expected.includes(e))) continue;
    return { file, objects: candidate.objects, probe: { ...candidate.probe, expect: expected }, after };
  }
  throw new Error(`could not plan edit ${index} (${kind})`);
}

function plan(
  kind: EditKind,
  index: number,
  namespace: string,
  objects: readonly KubeObject[],
  ours: readonly Ingress[],
  before: BuildResult,
  pick: <T>(items: readonly T[]) => T | undefined,
): { objects: KubeObject[]; probe: Omit<Probe, 'expect'>; expect: readonly string[] } | undefined {
  const ingress = pick(ours);
  if (ingress === undefined) return undefined;
  const upstreamOf = (service: string) => before.model.upstreams.find((u) => u.service.namespace === namespace && u.service.name === service);
  const endpointsOf = (service: string) => (upstreamOf(service)?.endpoints ?? []).map((e) => `${e.address}:${e.port}`);
  const schemeOf = (host: string) => (before.model.servers.find((s) => s.host === host)?.tls === undefined ? 'http' : 'https') as Probe['scheme'];

  if (kind === 'add-path') {
    // A team adds a route: a new Prefix path on an existing Ingress, to a Service nothing routed to yet.
    const rule = ingress.rules[0];
    if (rule?.host === undefined) return undefined;
    const canary = objects.find((o): o is EndpointSlice => o.kind === 'EndpointSlice' && o.serviceName === CANARY);
    if (canary === undefined) return undefined;
    const path = `/bench-edit-${index}`;
    const changed: Ingress = {
      ...ingress,
      rules: [{ ...rule, paths: [...rule.paths, { path, pathType: 'Prefix', backend: { serviceName: CANARY, port: { number: 80 } } }] }, ...ingress.rules.slice(1)],
    };
    const port = canary.ports[0]?.port ?? 0;
    return {
      objects: objects.map((o) => (o === ingress ? changed : o)),
      probe: { scheme: schemeOf(rule.host), host: rule.host, path: `${path}/items` },
      expect: canary.endpoints.filter((e) => e.ready).map((e) => `${e.addresses[0]}:${port}`),
    };
  }

  if (kind === 'change-endpoints') {
    // A rollout: every ready pod of a routed Service replaced by new ones (one to three).
    const rule = pick(ingress.rules);
    const route = pick(rule?.paths ?? []);
    if (rule?.host === undefined || route?.backend === undefined || route.path === undefined) return undefined;
    const service = route.backend.serviceName;
    const slice = objects.find((o): o is EndpointSlice => o.kind === 'EndpointSlice' && o.serviceName === service);
    const old = endpointsOf(service);
    if (slice === undefined || old.length === 0) return undefined;
    const port = slice.ports[0]?.port ?? 0;
    const fresh = EDIT_ADDRESSES.filter((a) => !old.includes(`${a}:${port}`));
    const count = 1 + Math.floor((pick([0, 1, 2]) as number));
    const chosen: string[] = [];
    while (chosen.length < count) {
      const address = pick(fresh) as string;
      if (!chosen.includes(address)) chosen.push(address);
    }
    const changed: EndpointSlice = { ...slice, endpoints: [...chosen.map((address) => ({ addresses: [address], ready: true })), ...slice.endpoints.filter((e) => !e.ready)] };
    const path = route.pathType === 'Exact' || route.path === '/' ? route.path : route.path.replace(/\/$/, '');
    return {
      objects: objects.map((o) => (o === slice ? changed : o)),
      probe: { scheme: schemeOf(rule.host), host: rule.host, path },
      expect: chosen.map((a) => `${a}:${port}`),
    };
  }

  // A new app: a new Ingress, new host, `/` to an existing Service with ready endpoints.
  const services = objects.filter((o): o is Service => o.kind === 'Service' && o.metadata.name !== CANARY && endpointsOf(o.metadata.name).length > 0);
  const service = pick(services);
  if (service === undefined) return undefined;
  const host = `bench-added-${index}.${namespace}.example.com`;
  const added: Ingress = {
    kind: 'Ingress',
    metadata: { namespace, name: `bench-added-${index}`, creationTimestamp: new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString().replace('.000Z', 'Z'), annotations: {}, labels: { app: `bench-added-${index}` } },
    ingressClassName: 'portico',
    defaultBackend: undefined,
    rules: [{ host, paths: [{ path: '/', pathType: 'Prefix', backend: { serviceName: service.metadata.name, port: { number: service.ports[0]?.port ?? 80 } } }] }],
    tls: [],
  };
  return { objects: [...objects, added], probe: { scheme: 'http', host, path: '/' }, expect: endpointsOf(service.metadata.name) };
}

/** For a cold start: the first plain-HTTP host (by name) that proxies `/`-ish to ready endpoints. */
function knownHostProbe(built: BuildResult): Probe {
  for (const server of built.model.servers) {
    if (server.tls !== undefined) continue;
    for (const location of server.locations) {
      if (location.route === undefined || location.action.kind !== 'proxy') continue;
      const probe = { scheme: 'http' as const, host: server.host, path: location.path };
      const answer = explain(built, probe);
      if (answer.outcome.kind === 'proxy') return { ...probe, expect: [...answer.outcome.endpoints] };
    }
  }
  throw new Error('no plain-HTTP host with ready endpoints in the cluster');
}

function explain(built: BuildResult, probe: Omit<Probe, 'expect'>): Explanation {
  return explainRequest(built.model, built.diagnostics, parseRequestTarget(`${probe.scheme}://${probe.host}${probe.path}`));
}

function describeProbe(probe: Probe): string {
  return `${probe.scheme}://${probe.host}${probe.path} → ${probe.expect.join(' ')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Polling nginx.

/** A fresh request every POLL_INTERVAL_MS until one is answered by an expected backend, or the timeout. */
async function pollUntilServed(
  probe: Probe,
  ports: { readonly httpPort: number; readonly httpsPort: number },
  timeoutMs: number,
  master?: MasterChildren,
): Promise<{ servedAt: number | undefined; forkedAt: number | undefined; polls: number; last: string }> {
  const started = wallNow();
  let polls = 0;
  let last = 'no answer';
  let forkedAt: number | undefined;
  for (;;) {
    const sent = wallNow();
    if (forkedAt === undefined && master?.hasNewChild() === true) forkedAt = sent;
    last = await answerOf(probe, ports);
    polls += 1;
    if (probe.expect.includes(last)) return { servedAt: wallNow(), forkedAt, polls, last };
    if (wallNow() - started > timeoutMs) return { servedAt: undefined, forkedAt, polls, last };
    const wait = sent + POLL_INTERVAL_MS - wallNow();
    if (wait > 0) await sleep(wait);
  }
}

async function answerOf(probe: Probe, ports: { readonly httpPort: number; readonly httpsPort: number }): Promise<string> {
  try {
    const response = await httpRequest({
      port: probe.scheme === 'https' ? ports.httpsPort : ports.httpPort,
      host: probe.host,
      path: probe.path,
      ...(probe.scheme === 'https' ? { tls: { servername: probe.host } } : {}),
    });
    return response.status === 200 ? response.json<EchoResponse>().backend : `status ${response.status}`;
  } catch (error) {
    return `error ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}

/** The nginx master's children (its workers), read from /proc: one small file, cheap enough for every poll. */
class MasterChildren {
  readonly #file: string;
  readonly #before: ReadonlySet<string>;

  constructor(pid: number) {
    this.#file = `/proc/${pid}/task/${pid}/children`;
    this.#before = new Set(this.#read());
  }

  hasNewChild(): boolean {
    return this.#read().some((pid) => !this.#before.has(pid));
  }

  #read(): string[] {
    try {
      return readFileSync(this.#file, 'utf8').split(' ').filter((pid) => pid.trim() !== '');
    } catch {
      return [];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Where the time goes: the controller's log (buildMs, durationMs, high-resolution times) and inotify events
// on the runtime directory (candidate written, candidate swapped in after nginx -t).

class RuntimeEvents {
  readonly events: { readonly name: string; readonly time: number }[] = [];
  readonly #watcher: FSWatcher;

  constructor(dir: string) {
    this.#watcher = watch(dir, (_event, name) => {
      if (name !== null) this.events.push({ name, time: wallNow() });
    });
  }

  /** The first event at or after `since` whose name matches. */
  first(pattern: RegExp, since: number): number | undefined {
    return this.events.find((e) => e.time >= since && pattern.test(e.name))?.time;
  }

  close(): void {
    this.#watcher.close();
  }
}

const CANDIDATE_TMP = /^\.\.nginx\.conf\.[0-9a-f]+\.candidate\.[0-9a-f]+\.tmp$/;
const CANDIDATE = /^\.nginx\.conf\.[0-9a-f]+\.candidate$/;
const LIVE_CONFIG = /^nginx\.conf$/;

function splitOf(changedAt: number, servedAt: number, live: LogRecord, events: RuntimeEvents, forkedAt?: number): Split | undefined {
  const buildMs = live.buildMs ?? 0;
  // The record is written just after the apply (a config hash and metrics later): its start is close to this.
  const appliedAt = live.time;
  const applyStart = appliedAt - (live.durationMs ?? 0);
  const fired = applyStart - buildMs;
  const holdoffMs = live.waitedMs ?? HOLDOFF_MS;
  const tmp = events.first(CANDIDATE_TMP, fired);
  const candidate = tmp === undefined ? undefined : events.first(CANDIDATE, tmp);
  const swapped = candidate === undefined ? undefined : events.first(LIVE_CONFIG, candidate);
  if (tmp === undefined || candidate === undefined || swapped === undefined) return undefined;
  return {
    detectMs: fired - holdoffMs - changedAt,
    holdoffMs,
    buildMs,
    runtimeFilesMs: tmp - fired - buildMs,
    candidateWriteMs: candidate - tmp,
    nginxTestMs: swapped - candidate,
    reloadToServedMs: servedAt - swapped,
    reloadParseMs: forkedAt === undefined ? undefined : forkedAt - swapped,
    handoverMs: forkedAt === undefined ? undefined : servedAt - forkedAt,
    reloadConfirmedMs: appliedAt - swapped,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The controller process and its metrics.

class ControllerChild {
  readonly records: LogRecord[] = [];
  readonly #child: ChildProcess;
  readonly #waiting = new Map<number, (reply: { records: readonly LogRecord[]; cpuMs: number }) => void>();
  #next = 0;
  #started: ((message: FromController) => void) | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: FromController) => {
      if (message.type === 'reply') {
        this.records.push(...message.records);
        this.#waiting.get(message.id)?.(message);
        this.#waiting.delete(message.id);
      } else this.#started?.(message);
    });
  }

  static async fork(): Promise<ControllerChild> {
    const child = fork(CHILD_SCRIPT, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const controller = new ControllerChild(child);
    // The modules are loaded (and the IPC handler is on) once the first reply comes back.
    await controller.request('cpu');
    return controller;
  }

  async start(options: ControllerProcessOptions): Promise<{ calledAt: number; readyAt: number }> {
    const message = await withTimeout(
      new Promise<FromController>((resolve) => {
        this.#started = resolve;
        this.#send({ type: 'start', options });
      }),
      COLD_TIMEOUT_MS,
      'controller start',
    );
    if (message.type !== 'started') throw new Error(`controller did not start: ${message.type === 'failed' ? message.message : message.type}`);
    return message;
  }

  request(type: 'idle' | 'cpu' | 'stop'): Promise<{ records: readonly LogRecord[]; cpuMs: number }> {
    const id = (this.#next += 1);
    return withTimeout(
      new Promise((resolve) => {
        this.#waiting.set(id, resolve);
        this.#send({ type, id });
      }),
      60_000,
      `controller ${type}`,
    );
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    await this.request('stop').catch(() => this.#child.kill('SIGKILL'));
    await withTimeout(exited, 15_000, 'controller exit').catch(() => this.#child.kill('SIGKILL'));
  }

  #send(message: ToController): void {
    this.#child.send(message);
  }
}

class MetricsReader {
  readonly #port: number;

  constructor(port: number) {
    this.#port = port;
  }

  /** nginx reloads (not the start) and rebuilds (every outcome) so far. */
  async read(): Promise<{ reloads: number; rebuilds: number }> {
    const text = await (await fetch(`http://127.0.0.1:${this.#port}/metrics`)).text();
    const value = (pattern: RegExp): number => Number(pattern.exec(text)?.[1] ?? 0);
    return {
      reloads: value(/^portico_nginx_reloads_total\{reason="reload"\} (\d+)$/m),
      rebuilds: value(/^portico_rebuild_duration_seconds_count (\d+)$/m),
    };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The report.

async function report(phase: EditPhase, cold: { readonly runs: readonly ColdStart[]; readonly readDirectoryMs: number }, totalSeconds: number): Promise<void> {
  const served = phase.edits.filter((e) => e.latencyMs !== undefined);
  const latencies = served.map((e) => e.latencyMs as number);
  const splits = phase.edits.flatMap((e) => (e.split === undefined ? [] : [e.split]));
  const summary = (values: readonly number[]) => ({ medianMs: percentile(values, 50), p99Ms: percentile(values, 99), maxMs: Math.max(...values), minMs: Math.min(...values) });
  const latency = summary(latencies);
  const byKind = Object.fromEntries((['add-path', 'change-endpoints', 'add-ingress'] as const).map((kind) => [kind, summary(served.filter((e) => e.kind === kind).map((e) => e.latencyMs as number))]));
  const splitParts: readonly [keyof Split, string][] = [
    ['detectMs', 'file event + awaitWriteFinish + parse + store'],
    ['holdoffMs', 'debounce holdoff waited'],
    ['buildMs', 'build + render'],
    ['runtimeFilesMs', 'certificate files (writeRuntimeFiles)'],
    ['candidateWriteMs', 'candidate nginx.conf write + fsync'],
    ['nginxTestMs', 'nginx -t'],
    ['reloadToServedMs', 'swap → served (reload)'],
    ['reloadParseMs', '  of which swap → new workers forked'],
    ['handoverMs', '  of which new workers → served'],
    ['reloadConfirmedMs', '(swap → driver sees new workers)'],
  ];
  const splitSummary = Object.fromEntries(
    splitParts.map(([key]) => {
      const values = splits.flatMap((split) => (split[key] === undefined ? [] : [split[key]]));
      return [key, { medianMs: percentile(values, 50), p99Ms: percentile(values, 99), samples: values.length }];
    }),
  );
  const coldServed = cold.runs.map((c) => c.servedMs ?? Number.POSITIVE_INFINITY);
  const coldWorst = Math.max(...coldServed);

  const targets: { name: string; verdict: Verdict; measured: string }[] = [
    {
      name: `change→served p99 at ${phase.cluster.ourIngresses} Ingresses`,
      verdict: served.length === phase.edits.length && latency.p99Ms <= TARGET_EDIT_P99_MS ? 'PASS' : 'FAIL',
      measured: `${format(latency.p99Ms)} ms (limit ${TARGET_EDIT_P99_MS} ms; median ${format(latency.medianMs)}, max ${format(latency.maxMs)}, ${served.length}/${phase.edits.length} served)`,
    },
    {
      name: `cold start to serving at ${COLD_PATHS / 1000}k paths, worst of ${cold.runs.length}`,
      verdict: coldWorst <= TARGET_COLD_MS ? 'PASS' : 'FAIL',
      measured: `${format(coldWorst)} ms (limit ${TARGET_COLD_MS} ms; median ${format(percentile(coldServed, 50))})`,
    },
    {
      name: 'no reload when unchanged objects are re-delivered',
      verdict: phase.redelivery.reloads === 0 ? 'PASS' : 'FAIL',
      measured: `${phase.redelivery.reloads} reloads, ${phase.redelivery.rebuilds} rebuilds after rewriting all ${phase.redelivery.files} files`,
    },
    {
      name: 'one reload per edit',
      verdict: phase.reloadsDuringEdits === phase.edits.length ? 'PASS' : 'FAIL',
      measured: `${phase.reloadsDuringEdits} reloads, ${phase.rebuildsDuringEdits} rebuilds for ${phase.edits.length} edits`,
    },
  ];

  const c = phase.cluster;
  const m = phase.micro;
  const rows: [string, string][] = [
    ['edit cluster', `${c.ourIngresses} Ingresses (+${c.ingresses - c.ourIngresses} of another class) at the end, ${c.paths} paths, ${c.services} Services, ${c.secrets} Secrets`],
    ['  on disk / rendered', `${c.files} files, ${format(c.manifestBytes / 2 ** 20)} MB; nginx.conf ${format(c.configBytes / 1024)} KB, ${c.certificateFiles} certificate files`],
    ['cold start at 1k (info)', `${format(phase.coldStart.servedMs)} ms to served (${describeColdSplit(phase.coldStart)})`],
    ['change→served median / p99 / max', `${format(latency.medianMs)} / ${format(latency.p99Ms)} / ${format(latency.maxMs)} ms, ${served.length} edits (p99 nearest rank)`],
    ...Object.entries(byKind).map(([kind, k]): [string, string] => [`  ${kind}`, `${format(k.medianMs)} / ${format(k.p99Ms)} / ${format(k.maxMs)} ms`]),
    ['reloads / rebuilds for the edits', `${phase.reloadsDuringEdits} / ${phase.rebuildsDuringEdits}`],
    ['split of change→served', 'median / p99 ms'],
    ...splitParts.map(([key, label]): [string, string] => [`  ${label}`, `${format(splitSummary[key]?.medianMs)} / ${format(splitSummary[key]?.p99Ms)}`]),
    ['timed apart, median ms', `parse 1 file ${format(m.parseFileMs)}, store delivery ${format(m.storeDeliveryMs)}, buildModel ${format(m.buildModelMs)}, nginx -t ${format(m.nginxTestMs)}, read+parse dir ${format(m.readDirectoryMs)}`],
    ['re-delivery of every file', `${phase.redelivery.reloads} reloads, ${phase.redelivery.rebuilds} rebuilds; controller CPU ${format(phase.redelivery.controllerCpuMs)} ms, busy for ${format(phase.redelivery.settledAfterMs)} ms`],
    ...cold.runs.map((run, i): [string, string] => [`cold start ${run.paths} paths #${i + 1}`, `${format(run.servedMs)} ms to served (${describeColdSplit(run)})`]),
    [`  read+parse of its ${cold.runs[0]?.files ?? 0} files alone`, `${format(cold.readDirectoryMs)} ms`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  console.log('');
  for (const target of targets) console.log(`${target.verdict}  ${target.name}: ${target.measured}`);

  const output = {
    date: new Date().toISOString(),
    seed: SEED,
    environment: environment(),
    settings: { editClusterPaths: EDIT_CLUSTER_PATHS, edits: EDITS, coldPaths: COLD_PATHS, coldRuns: COLD_RUNS, pollIntervalMs: POLL_INTERVAL_MS, editGapMs: EDIT_GAP_MS, holdoffMs: HOLDOFF_MS },
    totalSeconds,
    cluster: phase.cluster,
    latency: { ...latency, byKind, split: splitSummary },
    reloadsDuringEdits: phase.reloadsDuringEdits,
    rebuildsDuringEdits: phase.rebuildsDuringEdits,
    redelivery: phase.redelivery,
    micro: phase.micro,
    coldStart1k: phase.coldStart,
    coldStarts: cold.runs,
    coldReadDirectoryMs: cold.readDirectoryMs,
    targets,
    edits: phase.edits,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(`${RESULTS_DIR}controller-latest.json`, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_DIR}controller-latest.json (${format(totalSeconds)} s)`);
  // An edit never served is a broken controller, not a slow one: fail the run. Missed targets are reported above.
  if (served.length !== phase.edits.length || cold.runs.some((run) => run.servedMs === undefined)) {
    console.error('bench:controller: FAILED: a change was never served');
    process.exitCode = 1;
  }
}

function describeColdSplit(cold: ColdStart): string {
  const s = cold.split;
  if (s === undefined) return 'no split';
  return `source start ${format(s.sourceStartMs)}, holdoff ${format(s.holdoffMs)}, build ${format(s.buildMs)}, runtime files ${format(s.runtimeFilesMs)}, candidate ${format(s.candidateWriteMs)}, nginx -t ${format(s.nginxTestMs)}, start→served ${format(s.startToServedMs)}`;
}

function environment(): Record<string, unknown> {
  const git = (args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trimEnd();
  const nginx = spawnSync(NGINX, ['-v'], { encoding: 'utf8' });
  return {
    node: process.version,
    nginx: `${nginx.stderr}${nginx.stdout}`.trim(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMB: Math.round(totalmem() / 2 ** 20),
    // The machine may be shared: other load shows in the tails.
    loadAverageAtStart: LOAD_AT_START,
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    commit: git(['rev-parse', 'HEAD']),
    // Uncommitted changes under src/ are measured too: say so.
    dirty: git(['status', '--porcelain', '--', 'src', 'templates']).split('\n').filter((line) => line !== ''),
  };
}

// ---------------------------------------------------------------------------------------------------------

/** Nearest rank: p99 of 100 samples is the 99th smallest. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number;
}

function medianOf(runs: number, work: () => void, prepare: () => void = () => undefined): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    prepare();
    const started = performance.now();
    work();
    samples.push(performance.now() - started);
  }
  return percentile(samples, 50);
}

function format(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return '∞';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Last: the classes above must be initialized before main() runs.
await main();
