// The `npm run bench` entry: measures each cluster size in a fresh child process, prints a table and the
// targets, and writes bench/results/latest.json.
import { fork, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { generateCluster } from './generate-cluster.js';
import { measureSize, type SizeResult } from './measure-size.js';
import { findNginx } from '../src/nginx/find-nginx.js';

const DEFAULT_SIZES = [1_000, 10_000, 50_000];
const QUICK_SIZES = [1_000, 10_000];
const MEASURE_FLAG = '--measure';
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

type Verdict = 'PASS' | 'FAIL' | 'SKIP';

const LOAD_AT_START = loadavg().map((l) => Number(l.toFixed(2)));

interface Target {
  readonly name: string;
  readonly verdict: Verdict;
  readonly measured: string;
}

if (process.argv[2] === MEASURE_FLAG) {
  await measureInChild(Number(process.argv[3]), Number(process.argv[4]));
} else {
  await main();
}

async function main(): Promise<void> {
  const sizes = chooseSizes();
  const seed = Number(process.env['BENCH_SEED'] ?? 1);

  // Also makes the certificate pool, once, before the children race for it.
  const generatorDigests = [0, 1].map(() => sha256(JSON.stringify(generateCluster({ paths: Math.min(...sizes), seed }))));
  const isGeneratorDeterministic = generatorDigests[0] === generatorDigests[1];

  const results: SizeResult[] = [];
  for (const paths of sizes) {
    process.stderr.write(`bench: ${paths} paths …\n`);
    // A fresh process per size: peak RSS and the cold (first-call) time then belong to that size alone.
    const result = await runChild(paths, seed);
    process.stderr.write(`bench: ${paths} paths done (build+render ${result.total.medianMs.toFixed(1)} ms, nginx -t ${result.nginxTest.medianMs.toFixed(0)} ms)\n`);
    results.push(result);
  }

  const targets = judgeTargets(results);
  printTable(results);
  console.log('');
  console.log(`determinism: generator ${isGeneratorDeterministic ? 'same seed → same snapshot' : 'DIFFERS'}; render ${results.every((r) => r.isDeterministic) ? 'identical bytes across runs' : 'DIFFERS'}`);
  for (const target of targets) console.log(`${target.verdict.padEnd(4)}  ${target.name}: ${target.measured}`);

  await mkdir(RESULTS_DIR, { recursive: true });
  const report = {
    date: new Date().toISOString(),
    seed,
    environment: {
      node: process.version,
      // Heap flags such as --max-semi-space-size change RSS a lot; children inherit NODE_OPTIONS.
      nodeOptions: process.env['NODE_OPTIONS'] ?? '',
      nginx: nginxVersion(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      totalMemoryMB: Math.round(totalmem() / 2 ** 20),
      // The machine may be shared: wall times then include waiting for a core (the CPU rows do not).
      loadAverageAtStart: LOAD_AT_START,
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    },
    isGeneratorDeterministic,
    results,
    targets,
  };
  await writeFile(`${RESULTS_DIR}latest.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_DIR}latest.json`);

  // Nondeterministic output is a bug, not a slow measurement: fail the run. Missed targets are reported above.
  if (!isGeneratorDeterministic || !results.every((r) => r.isDeterministic)) {
    console.error('bench: FAILED: output is not deterministic');
    process.exitCode = 1;
  }
}

function chooseSizes(): number[] {
  const listed = process.env['BENCH_SIZES'];
  if (listed !== undefined && listed !== '') {
    const sizes = listed.split(',').map((s) => Number(s.trim()));
    if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`BENCH_SIZES must be positive integers separated by commas, got "${listed}"`);
    return sizes;
  }
  return process.env['BENCH_QUICK'] === '1' ? QUICK_SIZES : DEFAULT_SIZES;
}

async function measureInChild(paths: number, seed: number): Promise<void> {
  try {
    const result = await measureSize(paths, seed);
    // Run by hand (`run.js --measure 10000 1`) there is no parent to send to: print instead.
    if (process.send === undefined) console.log(JSON.stringify(result, null, 2));
    // Exit only once the parent has the message: a pending IPC send would otherwise be cut off.
    else process.send(result, () => process.disconnect());
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
    if (process.connected) process.disconnect();
  }
}

function runChild(paths: number, seed: number): Promise<SizeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [MEASURE_FLAG, String(paths), String(seed)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: SizeResult | undefined;
    child.on('message', (message) => (result = message as SizeResult));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`bench: FAILED: measuring ${paths} paths exited with ${signal ?? `code ${code}`} (output above)`));
    });
  });
}

function judgeTargets(results: readonly SizeResult[]): Target[] {
  const at = (paths: number): SizeResult | undefined => results.find((r) => r.paths === paths);
  const small = at(10_000);
  const large = at(50_000);
  const limit = (name: string, result: SizeResult | undefined, value: (r: SizeResult) => number, max: number, unit: string): Target => {
    if (result === undefined) return { name, verdict: 'SKIP', measured: 'size not run' };
    const measured = value(result);
    return { name, verdict: measured <= max ? 'PASS' : 'FAIL', measured: `${format(measured)} ${unit} (limit ${max} ${unit})` };
  };

  const targets = [
    limit('build+render 10k paths, warm median', small, (r) => r.total.medianMs, 50, 'ms'),
    limit('build+render 50k paths, warm median', large, (r) => r.total.medianMs, 300, 'ms'),
    limit('controller peak RSS at 10k paths', small, (r) => r.memory.peakRssMB, 150, 'MB'),
    limit('nginx -t of the 10k output, median', small, (r) => r.nginxTest.medianMs / 1000, 0.5, 's'),
  ];
  for (const result of results) {
    const warnings = result.nginxTest.warnings;
    targets.push({
      name: `nginx -t of the ${result.paths / 1000}k output has no warning`,
      verdict: warnings.length === 0 ? 'PASS' : 'FAIL',
      measured: warnings.length === 0 ? 'none' : warnings.join(' | '),
    });
  }
  // "Roughly linear": within 1.5× of the path ratio (5× the paths may cost up to 7.5× the time).
  const name = 'nginx -t grows roughly linearly, 50k/10k';
  if (small === undefined || large === undefined) targets.push({ name, verdict: 'SKIP', measured: 'needs both 10k and 50k' });
  else {
    const ratio = large.nginxTest.medianMs / small.nginxTest.medianMs;
    const allowed = (1.5 * large.paths) / small.paths;
    const cpuRatio = large.nginxTest.medianCpuMs !== undefined && small.nginxTest.medianCpuMs !== undefined ? large.nginxTest.medianCpuMs / small.nginxTest.medianCpuMs : undefined;
    const cpuNote = cpuRatio === undefined ? '' : `; CPU time ${cpuRatio.toFixed(2)}×`;
    targets.push({ name, verdict: ratio <= allowed ? 'PASS' : 'FAIL', measured: `${ratio.toFixed(2)}× for ${large.paths / small.paths}× the paths (limit ${allowed.toFixed(1)}×${cpuNote})` });
  }
  return targets;
}

function printTable(results: readonly SizeResult[]): void {
  const rows: [string, (r: SizeResult) => string][] = [
    ['Ingress paths', (r) => String(r.paths)],
    ['Ingresses (all classes) / Services / Secrets', (r) => `${r.objects.ingresses} / ${r.objects.services} / ${r.objects.secrets}`],
    ['servers (TLS) / locations', (r) => `${r.counts.servers} (${r.counts.tlsServers}) / ${r.counts.locations}`],
    ['upstreams / cert files', (r) => `${r.counts.upstreams} / ${r.counts.certificateFiles}`],
    ['diagnostics', (r) => String(r.counts.diagnostics)],
    ['generate ms', (r) => format(r.generateMs)],
    ['cold build+render ms', (r) => format(r.coldTotalMs)],
    ['build ms med / min', (r) => `${format(r.build.medianMs)} / ${format(r.build.minMs)}`],
    ['render ms med / min', (r) => `${format(r.render.medianMs)} / ${format(r.render.minMs)}`],
    ['build+render ms med / min', (r) => `${format(r.total.medianMs)} / ${format(r.total.minMs)}`],
    ['build+render CPU ms med / min', (r) => `${format(r.totalCpu.medianMs)} / ${format(r.totalCpu.minMs)}`],
    ['first read of the config ms med / min', (r) => `${format(r.firstRead.medianMs)} / ${format(r.firstRead.minMs)}`],
    ['heap MB snapshot / used / total', (r) => `${format(r.memory.snapshotHeapMB - r.memory.baselineHeapMB)} / ${format(r.memory.heapUsedMB)} / ${format(r.memory.heapTotalMB)}`],
    ['RSS MB after gc / peak', (r) => `${format(r.memory.rssMB)} / ${format(r.memory.peakRssMB)}`],
    ['config KB / lines', (r) => `${format(r.config.bytes / 1024)} / ${r.config.lines}`],
    ['nginx -t ms median (runs)', (r) => `${format(r.nginxTest.medianMs)} (${r.nginxTest.runsMs.length})`],
    ['nginx -t CPU ms median', (r) => (r.nginxTest.medianCpuMs === undefined ? 'n/a' : format(r.nginxTest.medianCpuMs))],
    ['nginx -t peak RSS MB', (r) => (r.nginxTest.maxRssMB === undefined ? 'n/a' : format(r.nginxTest.maxRssMB))],
  ];
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const cells = rows.map(([, value]) => results.map(value));
  const columnWidth = Math.max(...cells.flat().map((cell) => cell.length));
  for (const [i, [label]] of rows.entries()) {
    console.log(`${label.padEnd(labelWidth)}  ${(cells[i] ?? []).map((cell) => cell.padStart(columnWidth)).join('  ')}`);
  }
}

/** Three significant figures are all a timing on a shared 2-core machine can claim. */
function format(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function nginxVersion(): string {
  const result = spawnSync(findNginx(), ['-v'], { encoding: 'utf8' });
  return `${result.stderr}${result.stdout}`.trim();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
