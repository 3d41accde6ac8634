// Applies rendered configs to a real nginx, safely: skip unchanged bytes; otherwise write the candidate next
// to the live file, `nginx -t` exactly that file, swap it in with a rename, reload, and report success only
// once a new generation of workers runs. A config nginx rejects never goes live: the last good one keeps
// serving. In spawn mode the driver also starts nginx, restarts it if it dies, and stops it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { RenderedConfig } from '../render/render-config.js';
import { runtimeLayout, type RuntimeLayout } from '../render/runtime-layout.js';
import { writeFileAtomic } from '../runtime/secure-files.js';
import { RuntimeFiles } from '../runtime/write-runtime-files.js';
import { nginxEnvironment } from './nginx-environment.js';
import { testNginxConfig, type NginxConfigError } from './nginx-config-test.js';
import { workersOf, type WorkerProcess } from './nginx-workers.js';

export type NginxMode = 'spawn' | 'sidecar';

export interface NginxDriverOptions {
  readonly mode: NginxMode;
  readonly binary: string;
  /** Absolute; the config, pid file, logs and certificates live here. */
  readonly runtimeDir: string;
  /** How long a start or reload may take to show new workers. */
  readonly timeoutMs?: number;
  /** Where nginx's own stderr goes (spawn mode). */
  readonly onNginxOutput?: (text: string) => void;
  /** nginx (spawn mode) exited on its own; it is restarted. */
  readonly onNginxExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

export type ApplyResult =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'applied'; readonly reason: 'start' | 'reload'; readonly durationMs: number }
  | { readonly kind: 'rejected'; readonly error: NginxConfigError }
  | { readonly kind: 'failed'; readonly message: string };

/** A candidate config, or a temporary file of an atomic write (writeFileAtomic) that a killed controller left. */
const STALE = /^\.nginx\.conf\.[0-9a-f]+\.candidate$|^\..+\.[0-9a-f]{12}\.tmp$/;

export class NginxDriver {
  readonly #options: Required<Omit<NginxDriverOptions, 'onNginxExit'>> & Pick<NginxDriverOptions, 'onNginxExit'>;
  readonly #layout: RuntimeLayout;
  readonly #files: RuntimeFiles;
  #child: ChildProcess | undefined;
  #isStopping = false;
  #liveConfig: string | undefined;
  #lastAction: 'start' | 'reload' = 'start';

  constructor(options: NginxDriverOptions) {
    this.#options = { timeoutMs: 10_000, onNginxOutput: (text) => process.stderr.write(text), ...options };
    this.#layout = runtimeLayout(options.runtimeDir);
    this.#files = new RuntimeFiles(options.runtimeDir);
  }

  /** The bytes nginx serves now (undefined before the first apply). */
  get liveConfig(): string | undefined {
    return this.#liveConfig;
  }

  async apply(rendered: RenderedConfig): Promise<ApplyResult> {
    const started = performance.now();
    await this.#files.write(rendered);
    if (rendered.config === this.#liveConfig && (await this.#isRunning())) return { kind: 'unchanged' };

    const configFile = this.#layout.configFile;
    const candidate = `${dirname(configFile)}/.${basename(configFile)}.${randomBytes(6).toString('hex')}.candidate`;
    await writeFileAtomic(candidate, rendered.config, 0o644);
    const test = await testNginxConfig(this.#options.binary, this.#layout.runtimeDir, candidate);
    if (!test.ok) {
      await rm(candidate, { force: true });
      return { kind: 'rejected', error: { ...test.error, file: test.error.file === candidate ? configFile : test.error.file } };
    }
    const previous = await readFile(configFile, 'utf8').catch(() => undefined);
    await rename(candidate, configFile);

    const outcome = (await this.#isRunning()) ? await this.#reload() : await this.#start();
    if (outcome !== undefined) {
      // nginx did not take it (a port in use, say): put the last good file back for the next start or reload.
      if (previous !== undefined) await writeFileAtomic(configFile, previous, 0o644);
      return { kind: 'failed', message: outcome };
    }
    this.#liveConfig = rendered.config;
    return { kind: 'applied', reason: this.#lastAction, durationMs: performance.now() - started };
  }

  /** Stops nginx in spawn mode (graceful SIGQUIT, SIGKILL after `graceMs`); leaves a sidecar's nginx alone. */
  async stop(graceMs = 10_000): Promise<void> {
    this.#isStopping = true;
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGQUIT');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Removes candidates and half-written files left by a controller that died mid-apply. */
  async removeStaleCandidates(): Promise<void> {
    const dir = dirname(this.#layout.configFile);
    for (const file of await readdir(dir).catch(() => [])) if (STALE.test(file)) await rm(`${dir}/${file}`, { force: true });
  }

  async #masterPid(): Promise<number | undefined> {
    if (this.#options.mode === 'spawn') {
      const child = this.#child;
      return child !== undefined && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    }
    const text = await readFile(this.#layout.pidFile, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  async #isRunning(): Promise<boolean> {
    return (await this.#masterPid()) !== undefined;
  }

  /** Spawn mode: start nginx; sidecar mode: wait for the sidecar's nginx to come up with this config. */
  async #start(): Promise<string | undefined> {
    this.#lastAction = 'start';
    if (this.#options.mode === 'spawn') {
      await this.#stopOrphanedMaster();
      this.#spawn();
    }
    return this.#waitForWorkers(new Set(), 'nginx did not start');
  }

  async #reload(): Promise<string | undefined> {
    this.#lastAction = 'reload';
    const master = await this.#masterPid();
    if (master === undefined) return this.#start();
    const before = new Set((await workersOf(master)).map((w) => w.pid));
    // SIGHUP, not `nginx -s reload`: that command parses the whole config again just to find the pid.
    process.kill(master, 'SIGHUP');
    return this.#waitForWorkers(before, 'nginx did not start workers with the new config');
  }

  /** Waits until the master runs only workers that are not in `old` (old ones may still be draining). */
  async #waitForWorkers(old: ReadonlySet<number>, failure: string): Promise<string | undefined> {
    const deadline = performance.now() + this.#options.timeoutMs;
    for (;;) {
      const master = await this.#masterPid();
      if (master !== undefined) {
        const current = (await workersOf(master)).filter((w: WorkerProcess) => w.isCurrent);
        if (current.length > 0 && current.every((w) => !old.has(w.pid))) return undefined;
      } else if (this.#options.mode === 'spawn' && this.#child === undefined) {
        return `${failure}: nginx exited`;
      }
      if (performance.now() > deadline) return `${failure} within ${this.#options.timeoutMs} ms (see ${this.#layout.errorLog})`;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * A controller killed outright (SIGKILL, say) leaves its nginx running: it serves on, but holds the ports,
   * so ours could never start. Found through the pid file, and only if it is an nginx master of this
   * prefix (a recycled pid must not be signalled); stopped gracefully, then for good after 3 s.
   */
  async #stopOrphanedMaster(): Promise<void> {
    const pid = Number((await readFile(this.#layout.pidFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0) return;
    const title = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
    if (!title.startsWith('nginx: master process') || !title.includes(this.#layout.runtimeDir)) return;
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      return; // gone meanwhile
    }
    const deadline = performance.now() + 3_000;
    while ((await liveMembersOf(pid)).length > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await stopProcessGroup(pid);
  }

  #spawn(): void {
    const layout = this.#layout;
    // Its own process group (led by the master, inherited by the workers), so that the workers of a master
    // killed outright can still be found and stopped.
    const child = spawn(this.#options.binary, ['-p', layout.runtimeDir, '-c', layout.configFile, '-e', 'stderr', '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: nginxEnvironment(),
    });
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => this.#options.onNginxOutput(chunk.toString()));
    const group = child.pid;
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      if (this.#isStopping) return;
      this.#options.onNginxExit?.(code, signal);
      // A master killed outright (the OOM killer, say) leaves its workers running and holding the ports:
      // stop them, then restart with the last good config, which is what nginx.conf holds.
      void stopProcessGroup(group).then(() =>
        setTimeout(() => {
          if (!this.#isStopping && this.#child === undefined && this.#liveConfig !== undefined) this.#spawn();
        }, 200),
      );
    });
  }
}

/**
 * SIGTERM to every live process of the group (the orphaned workers), SIGKILL after 5 s; resolves when none
 * is left. Zombies do not count: they hold no port and only wait for a reaper.
 */
async function stopProcessGroup(group: number | undefined): Promise<void> {
  if (group === undefined) return;
  const deadline = performance.now() + 5_000;
  for (let signal: NodeJS.Signals = 'SIGTERM'; ; ) {
    const members = await liveMembersOf(group);
    if (members.length === 0) return;
    for (const pid of members) {
      try {
        process.kill(pid, signal);
      } catch {
        // gone meanwhile
      }
    }
    if (performance.now() > deadline) signal = 'SIGKILL';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Processes whose process group is `group` and that are not zombies, from /proc. */
async function liveMembersOf(group: number): Promise<number[]> {
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // After the parenthesised command: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === group && state !== 'Z') members.push(Number(entry));
  }
  return members;
}
