// The long-running controller, wired: a source (Kubernetes API or a manifest directory) → store → debounced
// rebuild → nginx driver, with health, metrics and structured logs around it; with the Kubernetes API, the
// elected leader also writes Ingress status and Events.
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
import { startLeaderDuties, type LeaderDuties, type LeaderDutiesOptions } from './leader-duties.js';

export type { ElectionOptions, LeaderDutiesOptions, PublishSource } from './leader-duties.js';

export type ControllerSource =
  | {
      readonly kind: 'kubernetes';
      readonly kubeconfig: string | undefined;
      readonly watchNamespace: string | undefined;
      /** Leader election, Ingress status and Events. */
      readonly duties: LeaderDutiesOptions;
    }
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
  /** Resolves when no rebuild, status write or Event is in progress or pending (for tests). */
  idle(): Promise<void>;
  /** Whether this replica leads (writes status and Events); always false with a manifest directory. */
  isLeader(): boolean;
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
  const store = new ObjectStore({
    classes: options.compile.classes,
    settingsSource: options.compile.settingsSource,
    ...(options.compile.annotations === undefined ? {} : { annotationsPrefix: options.compile.annotations.prefix }),
  });
  let reported = new Set<string>();
  let duties: LeaderDuties | undefined;

  const onOutcome = (outcome: ReconcileOutcome): void => {
    metrics.recordOutcome(outcome);
    metrics.recordModel(outcome.model);
    const now = new Set(outcome.diagnostics.map(formatDiagnostic));
    // Say each problem once, when it appears, not at every rebuild.
    for (const line of now) if (!reported.has(line)) logger.warn({ diagnostic: line }, 'object problem');
    reported = now;
    const result = outcome.result;
    const fields = { waitedMs: Math.round(outcome.waitedMs), buildMs: Math.round(outcome.buildMs), configHash: outcome.configHash.slice(0, 12) };
    duties?.onOutcome(outcome);
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
  if (source.kubernetes !== undefined && options.source.kind === 'kubernetes') {
    duties = startLeaderDuties(source.kubernetes, options.source.duties, options.compile.classes, logger, (isLeader) => metrics.recordLeadership(isLeader));
  }
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
    async idle() {
      await loop.idle();
      await duties?.idle();
    },
    isLeader: () => duties?.isLeader() ?? false,
    async stop() {
      loop.stop();
      await source.stop();
      await loop.idle();
      // Status is cleared (if asked) while nginx still serves, and the Lease released, before nginx stops.
      await duties?.stop();
      await driver.stop();
      await new Promise<void>((resolve) => health.close(() => resolve()));
    },
  };
}

interface StartedSource {
  readonly started: Promise<void>;
  /** The Kubernetes source, when it is one: its client config and Ingress cache serve status and Events. */
  readonly kubernetes?: KubernetesSource;
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
  return { started: kubernetes.start(), kubernetes, restarts: () => kubernetes.restarts(), stop: () => kubernetes.stop() };
}
