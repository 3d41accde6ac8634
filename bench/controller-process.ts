// The controller under measurement, in its own process (as in production: the driver's polling and echo
// backends must not share its event loop). Forked by controller-latency.ts; talks over IPC only.
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { runController, type RunningController } from '../src/controller/run-controller.js';
import { defaultClassSettings } from '../src/model/settings.js';

export interface ControllerProcessOptions {
  readonly manifestsDir: string;
  readonly runtimeDir: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly healthPort: number;
  readonly nginxBinary: string;
}

/** One log record of the controller, with a high-resolution wall-clock time (ms since the epoch). */
export interface LogRecord {
  readonly time: number;
  readonly msg: string;
  readonly level: number;
  readonly buildMs?: number;
  /** The debounce wait before the rebuild (0 when the change found the loop idle). */
  readonly waitedMs?: number;
  readonly durationMs?: number;
  readonly reason?: string;
  readonly [field: string]: unknown;
}

export type ToController = { readonly type: 'start'; readonly options: ControllerProcessOptions } | { readonly type: 'idle' | 'cpu' | 'stop'; readonly id: number };

export type FromController =
  | { readonly type: 'started'; readonly calledAt: number; readonly readyAt: number; readonly healthPort: number }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'reply'; readonly id: number; readonly records: readonly LogRecord[]; readonly cpuMs: number };

/** performance.now() on the wall clock, comparable across processes of one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

// Serves only when forked as a script; the driver imports this module for its types and wallNow.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send !== undefined) serve();

function serve(): void {
  const send = (message: FromController): void => void process.send?.(message);
  let pending: LogRecord[] = [];
  let controller: RunningController | undefined;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') pending.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
  const logger = pino({ level: 'debug', base: { component: 'portico' }, timestamp: () => `,"time":${wallNow().toFixed(3)}` }, sink);
  const cpuMs = (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const drain = (): LogRecord[] => {
    const records = pending;
    pending = [];
    return records;
  };

  const stop = async (): Promise<void> => {
    const running = controller;
    controller = undefined;
    await running?.stop();
  };
  // The driver died: take nginx down with us rather than leave it holding ports.
  process.once('disconnect', () => void stop().finally(() => process.exit(0)));

  process.on('message', (message: ToController) => {
    void (async () => {
      if (message.type === 'start') {
        const o = message.options;
        try {
          const calledAt = wallNow();
          controller = await runController(
            {
              source: { kind: 'manifests', dir: o.manifestsDir },
              nginx: { mode: 'spawn', binary: o.nginxBinary },
              compile: {
                classes: defaultClassSettings,
                settingsSource: { namespace: undefined, name: 'portico' },
                now: new Date(),
                render: { runtimeDir: o.runtimeDir, httpPort: o.httpPort, httpsPort: o.httpsPort, listenAddress: '127.0.0.1' },
              },
              healthPort: o.healthPort,
              healthAddress: '127.0.0.1',
            },
            logger,
          );
          await controller.ready;
          send({ type: 'started', calledAt, readyAt: wallNow(), healthPort: controller.healthPort });
        } catch (error) {
          send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
        }
        return;
      }
      if (message.type === 'idle') await controller?.idle();
      if (message.type === 'stop') await stop();
      send({ type: 'reply', id: message.id, records: drain(), cpuMs: cpuMs() });
      if (message.type === 'stop') process.disconnect();
    })();
  });
}
