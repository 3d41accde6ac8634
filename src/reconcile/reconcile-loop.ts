// The controller's loop: sources deliver changes to the store; a relevant change schedules one full rebuild
// (debounced); the rebuild compiles the snapshot and hands it to the nginx driver. Level-triggered: every run
// starts from the whole store, so a lost or repeated event never leaves nginx wrong. Nothing is built before
// every source has delivered its first list.
import type { Diagnostic } from '../model/diagnostic.js';
import type { NginxModel } from '../model/nginx-model.js';
import type { Snapshot } from '../model/snapshot.js';
import { compile, type CompileOptions } from '../pipeline/compile.js';
import type { ApplyResult } from '../nginx/nginx-driver.js';
import type { ConfigTemplate, RenderedConfig } from '../render/render-config.js';
import type { ObjectChange, ObjectStore } from '../store/object-store.js';
import { Debouncer, type Burst, type DebounceOptions } from './debouncer.js';

export interface ReconcileOutcome {
  readonly result: ApplyResult;
  readonly model: NginxModel;
  readonly diagnostics: readonly Diagnostic[];
  readonly buildMs: number;
  /** From the first change of the burst to the start of the rebuild (0 when the change found the loop idle). */
  readonly waitedMs: number;
  /** sha256 of the config nginx was given. */
  readonly configHash: string;
  /** The objects this outcome was built from (status and events look at exactly what was built). */
  readonly snapshot: Snapshot;
}

export interface ReconcileLoopOptions {
  readonly store: ObjectStore;
  readonly template: ConfigTemplate;
  readonly compileOptions: () => CompileOptions;
  readonly apply: (rendered: RenderedConfig) => Promise<ApplyResult>;
  readonly onOutcome: (outcome: ReconcileOutcome) => void;
  readonly onError: (error: unknown) => void;
  readonly debounce?: DebounceOptions;
  readonly hash: (text: string) => string;
}

export class ReconcileLoop {
  readonly #options: ReconcileLoopOptions;
  readonly #debouncer: Debouncer;
  #isSynced = false;
  #isDirty = false;
  /** Resolves with the first outcome that put a config live: the loop's readiness. */
  readonly firstApplied: Promise<void>;
  #markApplied: () => void = () => undefined;

  constructor(options: ReconcileLoopOptions) {
    this.#options = options;
    this.#debouncer = new Debouncer((burst) => this.#reconcile(burst), options.debounce ?? { holdoffMs: 100, maxDelayMs: 500 });
    this.firstApplied = new Promise((resolve) => (this.#markApplied = resolve));
  }

  /** Sources call this; cheap: it only updates the store and maybe schedules a run. */
  onChanges(changes: readonly ObjectChange[]): void {
    let isRelevant = false;
    for (const change of changes) isRelevant = this.#options.store.apply(change) || isRelevant;
    if (!isRelevant) return;
    this.#isDirty = true;
    if (this.#isSynced) this.#debouncer.trigger();
  }

  /** Every source has delivered its first list: build now. */
  synced(): void {
    this.#isSynced = true;
    this.#isDirty = true;
    this.#debouncer.trigger();
  }

  /** Resolves once no run is in progress or pending. */
  async idle(): Promise<void> {
    await this.#debouncer.idle();
  }

  stop(): void {
    this.#debouncer.cancel();
  }

  async #reconcile(burst: Burst): Promise<void> {
    if (!this.#isDirty) return;
    this.#isDirty = false;
    try {
      const started = performance.now();
      const snapshot = this.#options.store.snapshot();
      const compiled = compile(snapshot, this.#options.template, this.#options.compileOptions());
      const buildMs = performance.now() - started;
      const result = await this.#options.apply(compiled.rendered);
      if (result.kind === 'applied' || result.kind === 'unchanged') this.#markApplied();
      this.#options.onOutcome({ result, model: compiled.model, diagnostics: compiled.diagnostics, buildMs, waitedMs: burst.waitedMs, configHash: this.#options.hash(compiled.rendered.config), snapshot });
    } catch (error) {
      this.#options.onError(error);
    }
  }
}
