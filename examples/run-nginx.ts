// Runs the rendered config under a real nginx for the example: `nginx -t`, then nginx in the foreground,
// stopped gracefully on request and never left running after this process ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runtimeLayout } from '../src/render/runtime-layout.js';

import { findNginx } from '../src/nginx/find-nginx.js';

const startTimeoutMs = 10_000;
/** A graceful stop waits for open requests; past this, nginx is killed so Ctrl-C never hangs. */
const stopGraceMs = 5_000;

/**
 * The arguments every run shares. `-p` is the runtime dir (the config's paths are absolute anyway, but
 * nginx also resolves its compiled-in defaults against it); `-e stderr` keeps messages from before the
 * config is read out of the system's log directory, which a normal user cannot write.
 */
function baseArguments(configFile: string, prefixDir: string): string[] {
  return ['-e', 'stderr', '-p', prefixDir.endsWith('/') ? prefixDir : `${prefixDir}/`, '-c', configFile];
}

/** `nginx -t`: what nginx says about the config, and whether it accepts it. */
export async function testNginxConfig(configFile: string, prefixDir: string): Promise<{ ok: boolean; output: string }> {
  const child = spawn(findNginx(), ['-t', '-q', ...baseArguments(configFile, prefixDir)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await exitOf(child);
  return { ok: code === 0, output: output.trim() };
}

export interface RunningNginx {
  readonly pid: number;
  /** Resolves when the master exits, for whatever reason. */
  readonly exited: Promise<number | null>;
  /** SIGQUIT (finish open requests), then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts nginx with `daemon off;` as our child, and resolves once it accepts connections on `host:port`.
 * Its output goes to our stdout and stderr. It runs in its own process group, so a terminal's Ctrl-C
 * reaches only us and we stop it gracefully, in order; an exit hook stops it if we end some other way.
 */
export async function startNginx(configFile: string, prefixDir: string, host: string, port: number): Promise<RunningNginx> {
  // Otherwise an nginx left over from an earlier run would answer the readiness probe (and the requests)
  // while ours fails to bind.
  if (await canConnect(host, port)) {
    throw new Error(`something already listens on ${host}:${port}; stop it (an earlier nginx: kill $(cat ${runtimeLayout(prefixDir).pidFile})) or choose other ports`);
  }
  const child = spawn(findNginx(), [...baseArguments(configFile, prefixDir), '-g', 'daemon off;'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  // Listen at once: 'spawn' and 'error' are emitted on a later tick, and an await here would miss them.
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`cannot run ${findNginx()}: ${error.message} (set PORTICO_NGINX_BINARY)`)));
  });
  await spawned;
  const pid = child.pid ?? 0;
  const exited = exitOf(child);
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  // SIGTERM is nginx's fast shutdown: the master takes its workers down with it, even after we are gone.
  const killOnExit = (): void => {
    if (!hasExited) signal(pid, 'SIGTERM');
  };
  process.on('exit', killOnExit);

  const stop = async (): Promise<void> => {
    if (!hasExited) {
      signal(pid, 'SIGQUIT');
      const timer = setTimeout(() => signal(pid, 'SIGKILL'), stopGraceMs);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
  };

  const deadline = Date.now() + startTimeoutMs;
  while (!(await canConnect(host, port))) {
    if (hasExited) {
      await stop();
      throw new Error(`nginx exited during startup (code ${String(await exited)}); its messages are above`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`nginx did not accept connections on ${host}:${port} within ${startTimeoutMs} ms`);
    }
    await sleep(50);
  }
  return { pid, exited, stop };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Already gone: exactly what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (isConnected: boolean): void => {
      socket.destroy();
      resolve(isConnected);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
