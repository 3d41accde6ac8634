// Runs a real nginx for integration tests: checks a rendered nginx.conf with `nginx -t`, starts it in a
// private prefix on loopback, reloads it the way the controller will, and never lets it outlive the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findNginx } from '../../src/nginx/find-nginx.js';

const startTimeoutMs = 10_000;
const reloadTimeoutMs = 10_000;
/** How long a graceful stop (SIGQUIT) may take before we SIGKILL; open WebSockets would hold it forever. */
const stopGraceMs = 3_000;
const configTestTimeoutMs = 30_000;
/** How long the log must stay quiet after an `[emerg]` before a reload counts as failed (see hasReloadFailed). */
const reloadFailureQuietMs = 200;
const pollIntervalMs = 20;

/** An nginx master started by {@link startNginx}. */
export interface RunningNginx {
  /** The prefix (`-p`): the config's relative paths resolve against it. */
  readonly runtimeDir: string;
  /** `${runtimeDir}/nginx.conf`: always the config nginx last accepted. */
  readonly configPath: string;
  /**
   * Checks `config` with `nginx -t`, installs it as nginx.conf, sends SIGHUP, and resolves once a new
   * worker generation serves and every old worker has stopped accepting. Throws (old config still
   * serving) if nginx rejects the config, or if the reload does not take effect within 10 s.
   */
  reload(config: string): Promise<void>;
  /** Graceful stop (SIGQUIT); SIGKILLs master and workers if that takes more than 3 s. Idempotent. */
  stop(): Promise<void>;
  /** The error log named by the current config's main-level `error_log` (or nginx's own stderr). */
  errorLog(): Promise<string>;
}

/** Options for {@link startNginx}. */
export interface StartNginxOptions {
  /** The complete nginx.conf, including its own `pid`, `error_log` and temp paths under runtimeDir. */
  readonly config: string;
  /** The prefix directory; created if missing. */
  readonly runtimeDir: string;
  /** A port the config listens on; nginx counts as started once it accepts TCP there. */
  readonly waitForPort: number;
  /** Defaults to 127.0.0.1. */
  readonly waitHost?: string;
}

/** The outcome of `nginx -t`. */
export interface NginxConfigTest {
  readonly ok: boolean;
  /** What nginx printed (errors only, since it runs with -q). */
  readonly output: string;
}

/**
 * The nginx to run: `$PORTICO_NGINX_BINARY`, else `nginx` on PATH, else /usr/sbin/nginx. It must be
 * 1.19.5 or newer (the harness passes `-e stderr`).
 */
export function nginxBinary(): string {
  return findNginx();
}

/** Runs `nginx -t -q -p prefixDir -c configPath`; throws only if nginx cannot be run at all. */
export async function testNginxConfig(configPath: string, prefixDir: string): Promise<NginxConfigTest> {
  // -e stderr: startup messages go to our pipe, not to the compiled-in log path outside the prefix.
  const args = ['-t', '-q', '-e', 'stderr', '-p', prefixArgument(prefixDir), '-c', resolve(configPath)];
  const child = spawn(nginxBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), configTestTimeoutMs);
  try {
    const code = await new Promise<number | null>((resolvePromise, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolvePromise(exitCode));
    });
    return { ok: code === 0, output: output.trim() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Writes `config` to `${runtimeDir}/nginx.conf`, checks it with `nginx -t` (throwing nginx's output and
 * the offending numbered line), then runs `nginx -p runtimeDir -c nginx.conf -g 'daemon off;'` as a
 * child and resolves once it accepts connections on waitHost:waitForPort and its workers are up.
 */
export async function startNginx(options: StartNginxOptions): Promise<RunningNginx> {
  const runtimeDir = resolve(options.runtimeDir);
  // 0755 (under the usual umask): workers run unprivileged when we are root and need the temp paths.
  await mkdir(runtimeDir, { recursive: true, mode: 0o755 });
  const configPath = join(runtimeDir, 'nginx.conf');
  await writeFile(configPath, options.config);
  await assertConfigAccepted(configPath, runtimeDir, options.config);

  const args = ['-e', 'stderr', '-p', prefixArgument(runtimeDir), '-c', configPath, '-g', 'daemon off;'];
  const child = spawn(nginxBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const nginx = new NginxProcess(child, runtimeDir, configPath, options.config);
  try {
    await nginx.waitUntilServing(options.waitHost ?? '127.0.0.1', options.waitForPort);
  } catch (error) {
    await nginx.stop();
    throw error;
  }
  return nginx;
}

/** Live nginx masters, killed (with their workers) if the test process exits while they run. */
const liveMasters = new Set<ChildProcess>();
let areExitHooksInstalled = false;

class NginxProcess implements RunningNginx {
  private output = '';
  private exited = false;
  private readonly exitedPromise: Promise<void>;
  private readonly startedAt = Date.now();

  constructor(
    private readonly child: ChildProcess,
    readonly runtimeDir: string,
    readonly configPath: string,
    private config: string,
  ) {
    installExitHooks();
    liveMasters.add(child);
    const append = (chunk: Buffer): void => {
      // Keep the tail only: a chatty nginx must not grow the test process without bound.
      this.output = (this.output + chunk.toString('utf8')).slice(-256 * 1024);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exitedPromise = new Promise((resolvePromise) => {
      const onGone = (): void => {
        this.exited = true;
        liveMasters.delete(child);
        resolvePromise();
      };
      child.once('exit', onGone);
      child.once('error', (error) => {
        append(Buffer.from(`failed to run nginx: ${error.message}\n`));
        onGone();
      });
    });
    // A test that forgets stop() must not keep mocha alive; the exit hook still kills nginx.
    child.unref();
    for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  }

  async waitUntilServing(host: string, port: number): Promise<void> {
    const deadline = this.startedAt + startTimeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`nginx exited during startup:\n${await this.diagnostics()}`);
      if ((await canConnect(host, port)) && (await workerGeneration(this.pid())).current.length > 0) return;
      if (Date.now() > deadline) {
        throw new Error(`nginx did not accept connections on ${host}:${port} within ${startTimeoutMs} ms:\n${await this.diagnostics()}`);
      }
      await sleep(pollIntervalMs);
    }
  }

  async reload(config: string): Promise<void> {
    if (this.exited) throw new Error(`cannot reload: nginx has exited:\n${await this.diagnostics()}`);
    // Test a side file first, so nginx.conf keeps matching what nginx runs when the candidate is rejected.
    const candidatePath = join(this.runtimeDir, 'nginx.conf.next');
    await writeFile(candidatePath, config);
    await assertConfigAccepted(candidatePath, this.runtimeDir, config);
    await rename(candidatePath, this.configPath);

    const masterPid = this.pid();
    const previous = new Set((await workerGeneration(masterPid)).all);
    // The master reports a failed reload in the log of the config it keeps running: watch that one.
    const logBefore = (await this.errorLog()).length;
    process.kill(masterPid, 'SIGHUP');

    const deadline = Date.now() + reloadTimeoutMs;
    let lastLog = '';
    let lastLogChangeAt = Date.now();
    for (;;) {
      if (this.exited) throw new Error(`nginx exited during reload:\n${await this.diagnostics()}`);
      const generation = await workerGeneration(masterPid);
      const hasNewWorkers = generation.current.some((pid) => !previous.has(pid));
      const isOldStillAccepting = generation.current.some((pid) => previous.has(pid));
      if (hasNewWorkers && !isOldStillAccepting) break;
      const newLog = (await this.errorLog()).slice(logBefore);
      if (newLog !== lastLog) {
        lastLog = newLog;
        lastLogChangeAt = Date.now();
      }
      if (hasReloadFailed(newLog, Date.now() - lastLogChangeAt)) {
        throw new Error(`nginx refused the reload and keeps the old config:\n${newLog.trim()}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`nginx did not start new workers within ${reloadTimeoutMs} ms of SIGHUP:\n${await this.diagnostics()}`);
      }
      await sleep(pollIntervalMs);
    }
    this.config = config;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const masterPid = this.pid();
    const processes = [masterPid, ...descendantPidsSync(masterPid)];
    signal(masterPid, 'SIGQUIT');
    if (await this.waitForExit(stopGraceMs)) return;
    // Workers orphaned by a killed master would keep the listening sockets: kill the whole tree.
    for (const pid of [...processes, ...descendantPidsSync(masterPid)]) signal(pid, 'SIGKILL');
    if (!(await this.waitForExit(stopGraceMs))) throw new Error(`nginx master ${masterPid} survived SIGKILL`);
  }

  async errorLog(): Promise<string> {
    const logPath = mainErrorLogPath(this.config, this.runtimeDir);
    if (logPath === undefined) return this.output;
    try {
      return await readFile(logPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  private pid(): number {
    if (this.child.pid === undefined) throw new Error(`nginx did not start:\n${this.output}`);
    return this.child.pid;
  }

  private async waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolvePromise) => (timer = setTimeout(() => resolvePromise(false), timeoutMs)));
    try {
      return await Promise.race([this.exitedPromise.then(() => true), timeout]);
    } finally {
      // A pending timer would keep the test process alive after the last test.
      clearTimeout(timer);
    }
  }

  private async diagnostics(): Promise<string> {
    const log = await this.errorLog().catch((error: unknown) => `(cannot read error log: ${String(error)})`);
    const parts = [`nginx output:\n${this.output.trim() || '(none)'}`];
    if (log !== this.output) parts.push(`error log (last 4 KiB):\n${log.slice(-4096).trim() || '(empty)'}`);
    return parts.join('\n');
  }
}

/**
 * Whether the master has given up on a reload, judged from what it logged since the SIGHUP. An
 * `[emerg]` is final unless nginx is retrying a busy port ("try again to bind()", 5 tries 500 ms apart,
 * then "still could not bind()"); the quiet period covers reading the log between those two lines.
 */
function hasReloadFailed(logSinceReload: string, quietMs: number): boolean {
  if (logSinceReload.includes('still could not bind()')) return true;
  const lastEmerg = logSinceReload.lastIndexOf('[emerg]');
  if (lastEmerg === -1) return false;
  return !logSinceReload.slice(lastEmerg).includes('try again to bind()') && quietMs >= reloadFailureQuietMs;
}

/** Runs `nginx -t` on a file and throws nginx's complaint, with the numbered offending line, if any. */
async function assertConfigAccepted(configPath: string, prefixDir: string, config: string): Promise<void> {
  const result = await testNginxConfig(configPath, prefixDir);
  if (result.ok) return;
  const excerpt = await offendingLines(result.output, configPath, config);
  throw new Error(`nginx -t rejected ${configPath}:\n${result.output}${excerpt === '' ? '' : `\n\n${excerpt}`}`);
}

/** nginx names the place as `in /path/file.conf:LINE`; show that line with two of context each side. */
async function offendingLines(output: string, configPath: string, config: string): Promise<string> {
  const match = /in (\S+):(\d+)\s*$/m.exec(output);
  if (match === null) return '';
  const [, file = '', lineText = ''] = match;
  const text = file === configPath ? config : await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return '';
  const line = Number(lineText);
  const lines = text.split('\n');
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + 2);
  const width = String(to).length;
  const shown: string[] = [];
  for (let n = from; n <= to; n++) {
    shown.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`);
  }
  return `${file}:${line}\n${shown.join('\n')}`;
}

/**
 * The master's worker processes, from /proc: `current` are those accepting connections (their title is
 * "worker process"), `all` includes old ones "shutting down" after a reload. nginx sets the title
 * after a worker's init and right before an old worker closes its listening sockets, which is what
 * makes it a reliable signal.
 */
async function workerGeneration(masterPid: number): Promise<{ current: number[]; all: number[] }> {
  const current: number[] = [];
  const all: number[] = [];
  for (const pid of await childPids(masterPid)) {
    const title = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!title.startsWith('nginx: worker process')) continue; // exited, zombie, not yet initialized, or a cache process
    all.push(pid);
    if (!title.includes('shutting down')) current.push(pid);
  }
  return { current, all };
}

async function childPids(parentPid: number): Promise<number[]> {
  try {
    const listed = await readFile(`/proc/${parentPid}/task/${parentPid}/children`, 'utf8');
    return listed.split(/\s+/).filter((entry) => entry !== '').map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
    const pids: number[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      if (parentOf(stat) === parentPid) pids.push(Number(entry));
    }
    return pids;
  }
}

/** All descendants, synchronously: usable from process 'exit', where nothing asynchronous runs. */
function descendantPidsSync(rootPid: number): number[] {
  const parents = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat = '';
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const parent = parentOf(stat);
    if (parent !== undefined) parents.set(Number(entry), parent);
  }
  const found: number[] = [];
  const frontier = [rootPid];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const [pid, parentPid] of parents) {
      if (parentPid === parent && !found.includes(pid)) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/** /proc/PID/stat is `pid (comm) state ppid ...`; comm may contain spaces and parentheses. */
function parentOf(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) && fields[1] !== undefined ? ppid : undefined;
}

function installExitHooks(): void {
  if (areExitHooksInstalled) return;
  areExitHooksInstalled = true;
  process.on('exit', killLiveMastersSync);
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.once(name, () => {
      killLiveMastersSync();
      // Re-raise for the default exit only if nobody else (mocha, a reporter) handles the signal.
      if (process.listenerCount(name) === 0) process.kill(process.pid, name);
    });
  }
}

function killLiveMastersSync(): void {
  for (const child of liveMasters) {
    if (child.pid === undefined) continue;
    const tree = [child.pid, ...descendantPidsSync(child.pid)];
    for (const pid of tree) signal(pid, 'SIGKILL');
  }
  liveMasters.clear();
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The main-level `error_log` target as a file path, or undefined when it is stderr or absent. */
function mainErrorLogPath(config: string, prefixDir: string): string | undefined {
  const withoutComments = config.replace(/#[^\n]*/g, '');
  const match = /(?:^|[;{}\s])error_log\s+("[^"]*"|'[^']*'|[^\s;]+)/.exec(withoutComments);
  if (match === null) return undefined;
  const target = (match[1] ?? '').replace(/^["']|["']$/g, '');
  if (target === 'stderr' || target.startsWith('syslog:') || target.startsWith('memory:')) return undefined;
  return isAbsolute(target) ? target : join(prefixDir, target);
}

function prefixArgument(dir: string): string {
  const absolute = resolve(dir);
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}

async function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    const finish = (isConnected: boolean): void => {
      socket.destroy();
      resolvePromise(isConnected);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

