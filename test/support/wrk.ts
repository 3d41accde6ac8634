// Drives HTTP load with wrk (Debian's package) until told to stop, and reads its summary: requests made,
// non-2xx/3xx answers and socket errors, which is what "no request lost" is counted from.
import { spawn } from 'node:child_process';

export interface WrkResult {
  readonly requests: number;
  /** Answers outside 2xx and 3xx. */
  readonly non2xx3xx: number;
  readonly socketErrors: { readonly connect: number; readonly read: number; readonly write: number; readonly timeout: number };
  /** wrk's own text, for the failure message. */
  readonly output: string;
}

export interface RunningWrk {
  /** Stops wrk (SIGINT: it prints its summary) and resolves with that summary. */
  stop(): Promise<WrkResult>;
}

/** Starts `wrk` on `url` with the given Host header; it runs until stop() (or `maxSeconds`). */
export function startWrk(options: {
  readonly url: string;
  readonly host: string;
  readonly connections: number;
  /** False sends `Connection: close`: one request per connection. */
  readonly keepAlive: boolean;
  readonly threads?: number;
  readonly maxSeconds?: number;
}): RunningWrk {
  const headers = ['-H', `Host: ${options.host}`, ...(options.keepAlive ? [] : ['-H', 'Connection: close'])];
  const args = ['-t', String(options.threads ?? 1), '-c', String(options.connections), '-d', `${options.maxSeconds ?? 300}s`, ...headers, options.url];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      await exited;
      return parseWrkOutput(output);
    },
  };
}

/** Reads wrk's summary; its error lines appear only when a count is not zero. */
export function parseWrkOutput(output: string): WrkResult {
  const requests = /(\d+) requests in /.exec(output);
  if (requests === null) throw new Error(`wrk printed no summary:\n${output}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  return {
    requests: Number(requests[1]),
    non2xx3xx: Number(non2xx?.[1] ?? 0),
    socketErrors: { connect: Number(socket?.[1] ?? 0), read: Number(socket?.[2] ?? 0), write: Number(socket?.[3] ?? 0), timeout: Number(socket?.[4] ?? 0) },
    output,
  };
}
