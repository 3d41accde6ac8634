// The long-running controller, wired: a source (Kubernetes API or a manifest directory) → store → debounced
// rebuild → nginx driver, with health, metrics and structured logs around it.
import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { formatDiagnostic } from '../model/diagnostic.js';
import { NginxDriver, type NginxMode } from '../nginx/nginx-driver.js';
import { ControllerMetrics } from '../observability/metrics.js';
import { startHealthServer } from '../observability/health-server.js';
import type { Logger } from '../observability/logger.js';
import type { CompileOptions } from '../pipeline/compile.js';
import { ReconcileLoop, type ReconcileOutcome } from '../reconcile/reconcile-loop.js';
import { loadTemplates } from '../runtime/load-templates.js';
import { KubernetesSource } from '../sources/kubernetes/kubernetes-source.js';
import { ManifestSource } from '../sources/manifests/manifest-source.js';
import { ObjectStore } from '../store/object-store.js';

export type ControllerSource =
  | { readonly kind: 'kubernetes'; readonly kubeconfig: string | undefined; readonly watchNamespace: string | undefined }
  | { readonly kind: 'manifests'; readonly dir: string };

export interface ControllerOptions {
  readonly source: ControllerSource;
  readonly nginx: { readonly mode: NginxMode; readonly binary: string };
  /** Build and render options; `now` is refreshed at every rebuild. */
  readonly compile: CompileOptions;
  readonly healthPort: number;
  readonly healthAddress?: string;
}

export interface RunningController {
  /** Resolves once the initial lists are in and a first config serves. */
  readonly ready: Promise<void>;
  readonly metrics: ControllerMetrics;
  readonly healthPort: number;
  /** Resolves when no rebuild is in progress or pending (for tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function runController(options: ControllerOptions, logger: Logger): Promise<RunningController> {
  const metrics = new ControllerMetrics();
  const driver = new NginxDriver({
    mode: options.nginx.mode,
    binary: options.nginx.binary,
    runtimeDir: options.compile.render.runtimeDir,
    onNginxOutput: (text) => logger.info({ nginx: text.trim() }, 'nginx output'),
    onNginxExit: (code, signal) => logger.error({ code, signal }, 'nginx exited; restarting it with the last good config'),
  });
  await driver.removeStaleCandidates();
  const store = new ObjectStore({ classes: options.compile.classes, settingsSource: options.compile.settingsSource });
  let reported = new Set<string>();

  const onOutcome = (outcome: ReconcileOutcome): void => {
    metrics.recordOutcome(outcome);
    metrics.recordModel(outcome.model);
    const now = new Set(outcome.diagnostics.map(formatDiagnostic));
    // Say each problem once, when it appears, not at every rebuild.
    for (const line of now) if (!reported.has(line)) logger.warn({ diagnostic: line }, 'object problem');
    reported = now;
    const result = outcome.result;
    const fields = { buildMs: Math.round(outcome.buildMs), configHash: outcome.configHash.slice(0, 12) };
    if (result.kind === 'applied') logger.info({ ...fields, reason: result.reason, durationMs: Math.round(result.durationMs) }, 'config live');
    else if (result.kind === 'unchanged') logger.debug(fields, 'config unchanged; no reload');
    else if (result.kind === 'rejected') logger.error({ ...fields, nginx: result.error }, 'nginx rejected the config; the last good one keeps serving');
    else logger.error({ ...fields, reason: result.message }, 'nginx did not take the config; the last good one keeps serving');
  };

  const loop = new ReconcileLoop({
    store,
    template: await loadTemplates(),
    compileOptions: () => ({ ...options.compile, now: new Date() }),
    apply: (rendered) => driver.apply(rendered),
    onOutcome,
    onError: (error) => logger.error({ err: error }, 'rebuild failed'),
    hash: (text) => createHash('sha256').update(text).digest('hex'),
  });

  let isReady = false;
  const source = startSource(options.source, options.compile, loop, logger);
  const health: Server = await startHealthServer({
    port: options.healthPort,
    ...(options.healthAddress === undefined ? {} : { address: options.healthAddress }),
    isReady: () => isReady,
    registry: metrics.registry,
    beforeMetrics: () => {
      metrics.recordObjects(store.counts());
      metrics.recordInformerRestarts(source.restarts());
    },
  });
  const address = health.address();
  const ready = source.started.then(async () => {
    loop.synced();
    await loop.firstApplied;
    isReady = true;
    logger.info('ready: initial sync done and a first config serves');
  });

  return {
    ready,
    metrics,
    healthPort: typeof address === 'object' && address !== null ? address.port : options.healthPort,
    idle: () => loop.idle(),
    async stop() {
      loop.stop();
      await source.stop();
      await loop.idle();
      await driver.stop();
      await new Promise<void>((resolve) => health.close(() => resolve()));
    },
  };
}

interface StartedSource {
  readonly started: Promise<void>;
  restarts(): Record<string, number>;
  stop(): Promise<void>;
}

function startSource(source: ControllerSource, compile: CompileOptions, loop: ReconcileLoop, logger: Logger): StartedSource {
  if (source.kind === 'manifests') {
    const manifests = new ManifestSource(source.dir);
    const started = manifests.start({
      onChanges: (changes) => loop.onChanges(changes),
      onProblem: (problem) => logger.error({ file: problem.file, reason: problem.message }, 'manifest file not read; its last good objects stay'),
    });
    return { started, restarts: () => ({}), stop: () => manifests.stop() };
  }
  const kubernetes = new KubernetesSource(
    {
      kubeconfig: source.kubeconfig,
      namespace: source.watchNamespace,
      configMap: { namespace: compile.settingsSource.namespace, name: compile.settingsSource.name },
      endpoints: 'EndpointSlice',
    },
    {
      onChanges: (changes) => loop.onChanges(changes),
      onFailure: (kind, error, retryInMs) => logger.warn({ kind, err: error, retryInMs }, 'informer failed; restarting it'),
      onInvalid: (kind, namespace, name, reason) => logger.warn({ kind, namespace, name, reason }, 'object not understood; left out'),
    },
  );
  return { started: kubernetes.start(), restarts: () => kubernetes.restarts(), stop: () => kubernetes.stop() };
}
