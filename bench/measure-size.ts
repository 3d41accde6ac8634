// Measures one cluster size in this process: build and render time, memory, config size, and `nginx -t` on the output.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildModel } from '../src/build/build-model.js';
import type { CompileOptions } from '../src/pipeline/compile.js';
import { renderConfig } from '../src/render/render-config.js';
import { loadTemplates } from '../src/runtime/load-templates.js';
import { writeRuntimeFiles } from '../src/runtime/write-runtime-files.js';
import { generateCluster } from './generate-cluster.js';
import { findNginx } from '../src/nginx/find-nginx.js';
import { nginxEnvironment } from '../src/nginx/nginx-environment.js';

const WARMUP_RUNS = 2;
const TIMED_RUNS = 7;
const NGINX_TEST_RUNS = 3;
/** One `nginx -t` slower than this is enough: three would push a pathological size past the bench's time budget. */
const NGINX_SLOW_RUN_MS = 20_000;
const NGINX_TIMEOUT_MS = 180_000;
const MB = 1024 * 1024;

/** Median and minimum, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
}

export interface SizeResult {
  readonly paths: number;
  readonly objects: { readonly ingresses: number; readonly services: number; readonly endpointSlices: number; readonly secrets: number };
  readonly generateMs: number;
  /** First build + render in a fresh process: includes Handlebars compiling the templates and parsing certificates. */
  readonly coldTotalMs: number;
  readonly build: Timing;
  readonly render: Timing;
  readonly total: Timing;
  /**
   * The first read of the rendered config as one string (not in `render`): Handlebars returns a rope of small
   * strings, and whoever reads it first (the nginx driver writing or comparing it) pays for flattening it.
   */
  readonly firstRead: Timing;
  readonly memory: {
    /** After gc, before the cluster exists. */
    readonly baselineHeapMB: number;
    /** After gc, holding the snapshot only. */
    readonly snapshotHeapMB: number;
    /** After gc, holding the snapshot, model, diagnostics and rendered config. */
    readonly heapUsedMB: number;
    /** What V8 has reserved for the heap at that point: young-generation sizing alone can exceed the live data. */
    readonly heapTotalMB: number;
    readonly rssMB: number;
    /** Peak RSS of this process up to that point (generation included). */
    readonly peakRssMB: number;
  };
  readonly config: { readonly bytes: number; readonly lines: number; readonly sha256: string };
  /** Counted in the rendered text: what nginx parses. */
  readonly counts: {
    readonly servers: number;
    readonly tlsServers: number;
    readonly locations: number;
    readonly upstreams: number;
    readonly certificateFiles: number;
    readonly diagnostics: number;
    readonly diagnosticsByCode: Readonly<Record<string, number>>;
  };
  readonly isDeterministic: boolean;
  readonly snapshotSha256: string;
  readonly nginxTest: {
    readonly runsMs: readonly number[];
    readonly medianMs: number;
    /**
     * CPU time (user + system, 10 ms resolution) of each run, from GNU time: on a shared machine the wall
     * time also counts waiting for a core, this does not.
     */
    readonly cpuMs: readonly number[];
    readonly medianCpuMs: number | undefined;
    readonly maxRssMB: number | undefined;
    readonly warnings: readonly string[];
  };
  /** CPU time of build + render in this process (process.cpuUsage), median of the timed runs. */
  readonly totalCpu: Timing;
}

export async function measureSize(paths: number, seed: number): Promise<SizeResult> {
  const gc = requireGc();
  gc();
  const baselineHeap = process.memoryUsage().heapUsed;

  let started = performance.now();
  const snapshot = generateCluster({ paths, seed });
  const generateMs = performance.now() - started;
  gc();
  const snapshotHeap = process.memoryUsage().heapUsed;

  const runtimeDir = await mkdtemp(join(tmpdir(), `portico-bench-${paths}-`));
  // mkdtemp makes it 0700; nginx workers (nobody, when we are root) load certificates from below it.
  await chmod(runtimeDir, 0o755);
  const options: CompileOptions = {
    classes: { ingressClass: 'portico', controllerClass: 'portico.dev/ingress-controller', watchIngressWithoutClass: false },
    settingsSource: { namespace: undefined, name: 'portico' },
    now: new Date('2026-01-01T00:00:00Z'),
    render: { runtimeDir, httpPort: 18080, httpsPort: 18443, listenAddress: '127.0.0.1' },
  };
  const template = await loadTemplates();

  // Timed as build then render (what compile() does), so the two parts add up to the whole.
  const compileOnce = () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const built = buildModel(snapshot, options);
    const t1 = performance.now();
    const rendered = renderConfig(built.model, template, options.render);
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    return { built, rendered, buildMs: t1 - t0, renderMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000 };
  };

  started = performance.now();
  let last = compileOnce();
  const coldTotalMs = performance.now() - started;
  const reference = last.rendered.config;
  let isDeterministic = true;
  for (let i = 0; i < WARMUP_RUNS; i += 1) last = compileOnce();
  // Read once untimed, so the timed reads below do not pay for flattening the reference too.
  if (last.rendered.config !== reference) isDeterministic = false;
  const buildMs: number[] = [];
  const renderMs: number[] = [];
  const firstReadMs: number[] = [];
  const totalCpuMs: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i += 1) {
    // Each run starts from a clean heap, so one run's garbage is not billed to the next.
    gc();
    last = compileOnce();
    buildMs.push(last.buildMs);
    renderMs.push(last.renderMs);
    totalCpuMs.push(last.cpuMs);
    const readStarted = performance.now();
    if (last.rendered.config !== reference) isDeterministic = false;
    firstReadMs.push(performance.now() - readStarted);
  }
  gc();
  const memory = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;

  const config = last.rendered.config;
  const diagnosticsByCode: Record<string, number> = {};
  for (const d of last.built.diagnostics) diagnosticsByCode[d.code] = (diagnosticsByCode[d.code] ?? 0) + 1;
  const count = (pattern: RegExp): number => config.match(pattern)?.length ?? 0;

  const configFile = join(runtimeDir, 'nginx.conf');
  await writeFile(configFile, config);
  await writeRuntimeFiles(last.rendered, runtimeDir);
  const nginxTest = timeNginxTest(configFile, runtimeDir);
  await rm(runtimeDir, { recursive: true, force: true });

  return {
    paths,
    objects: {
      ingresses: snapshot.ingresses.length,
      services: snapshot.services.length,
      endpointSlices: snapshot.endpointSlices.length,
      secrets: snapshot.secrets.length,
    },
    generateMs,
    coldTotalMs,
    build: timing(buildMs),
    render: timing(renderMs),
    total: timing(buildMs.map((b, i) => b + (renderMs[i] ?? 0))),
    firstRead: timing(firstReadMs),
    totalCpu: timing(totalCpuMs),
    memory: {
      baselineHeapMB: baselineHeap / MB,
      snapshotHeapMB: snapshotHeap / MB,
      heapUsedMB: memory.heapUsed / MB,
      heapTotalMB: memory.heapTotal / MB,
      rssMB: memory.rss / MB,
      peakRssMB: peakRss / MB,
    },
    // The temp runtime dir is masked so the digest compares across runs (and across commits).
    config: { bytes: Buffer.byteLength(config), lines: count(/\n/g), sha256: sha256(config.replaceAll(runtimeDir, '<runtime-dir>')) },
    counts: {
      // Virtual hosts (plus the default server) and those with TLS, from the model: the config's server blocks
      // do not map one to one onto hosts.
      servers: last.built.model.servers.length + 1,
      tlsServers: last.built.model.servers.filter((s) => s.tls !== undefined).length,
      locations: count(/^\s*location /gm),
      upstreams: count(/^\s*upstream /gm),
      certificateFiles: last.rendered.files.length / 2,
      diagnostics: last.built.diagnostics.length,
      diagnosticsByCode,
    },
    isDeterministic,
    // KeyMaterial is not in the snapshot (Secrets hold plain PEM), so this digest covers the certificates too.
    snapshotSha256: sha256(JSON.stringify(snapshot)),
    nginxTest,
  };
}

/**
 * Runs `nginx -t` like the integration harness does (-e stderr keeps nginx away from its compiled-in log
 * path). Throws with nginx's output, keeping the runtime dir, if nginx rejects the config.
 */
function timeNginxTest(configFile: string, runtimeDir: string): SizeResult['nginxTest'] {
  const nginx = findNginx();
  // No -q: a warning (a name hash that does not fit, say) costs parse time and must show.
  const nginxArguments = ['-t', '-e', 'stderr', '-p', `${runtimeDir}/`, '-c', configFile];
  // GNU time reports nginx's peak RSS: a reload holds the old and the new configuration at once.
  const hasTime = existsSync('/usr/bin/time');
  const [command, commandArguments] = hasTime
    ? ['/usr/bin/time', ['-f', 'portico-bench-maxrss-kb=%M portico-bench-cpu-s=%U+%S', nginx, ...nginxArguments]]
    : [nginx, nginxArguments];
  const runsMs: number[] = [];
  let maxRssKb: number | undefined;
  const cpuMs: number[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < NGINX_TEST_RUNS; i += 1) {
    const started = performance.now();
    // The environment the controller gives nginx, so this measures what the controller's `nginx -t` costs.
    const result = spawnSync(command, commandArguments, { encoding: 'utf8', timeout: NGINX_TIMEOUT_MS, env: nginxEnvironment() });
    runsMs.push(performance.now() - started);
    const output = `${result.stdout}${result.stderr}`;
    if (result.error !== undefined || result.status !== 0) {
      throw new Error(`nginx -t failed (status ${result.status}, ${result.error?.message ?? 'no spawn error'}); runtime dir kept at ${runtimeDir}\n${output}`);
    }
    warnings.push(...output.split('\n').filter((line) => line.includes('[warn]')));
    const match = /portico-bench-maxrss-kb=(\d+)/.exec(output);
    if (match?.[1] !== undefined) maxRssKb = Math.max(maxRssKb ?? 0, Number(match[1]));
    const cpu = /portico-bench-cpu-s=([\d.]+)\+([\d.]+)/.exec(output);
    if (cpu?.[1] !== undefined && cpu[2] !== undefined) cpuMs.push((Number(cpu[1]) + Number(cpu[2])) * 1000);
    if ((runsMs[i] ?? 0) > NGINX_SLOW_RUN_MS) break;
  }
  return { runsMs, medianMs: median(runsMs), cpuMs, medianCpuMs: cpuMs.length === 0 ? undefined : median(cpuMs), maxRssMB: maxRssKb === undefined ? undefined : maxRssKb / 1024, warnings: [...new Set(warnings)] };
}

function requireGc(): () => void {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run with node --expose-gc: memory figures need a forced collection');
  return () => void gc();
}

function timing(samples: readonly number[]): Timing {
  return { medianMs: median(samples), minMs: Math.min(...samples) };
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const at = (i: number): number => sorted[i] ?? Number.NaN;
  return sorted.length % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
