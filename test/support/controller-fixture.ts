// Shared pieces of the controller end-to-end tests: build options for loopback ports, and counters read
// from the controller's own /metrics (what an operator would look at).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.js';
import type { CompileOptions } from '../../src/pipeline/compile.js';
import { defaultClassSettings } from '../../src/model/settings.js';

/** A controller logger that writes nowhere, for tests that assert behaviour rather than log lines. */
export function silentLogger(): Logger {
  return createLogger({ destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
}

export function loopbackCompileOptions(runtimeDir: string, httpPort: number, httpsPort: number): CompileOptions {
  return {
    classes: defaultClassSettings,
    settingsSource: { namespace: undefined, name: 'portico' },
    now: new Date(),
    render: { runtimeDir, httpPort, httpsPort, listenAddress: '127.0.0.1' },
  };
}

async function metricsOf(healthPort: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
}

/** nginx starts and reloads that went live. */
export async function reloadCount(healthPort: number): Promise<number> {
  const metrics = await metricsOf(healthPort);
  return [...metrics.matchAll(/^portico_nginx_reloads_total\{reason="(?:start|reload)"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Rebuilds (build + render), whatever their outcome. */
export async function rebuildCount(healthPort: number): Promise<number> {
  return Number(/^portico_rebuild_duration_seconds_count (\d+)$/m.exec(await metricsOf(healthPort))?.[1]);
}
