// One client-node informer (ListWatch) under supervision. The library relists by itself after 410 Gone and
// re-watches after a clean close or 30 s of silence, but any other failure (a 500, a reset connection, a
// failed list) stops it for good: the supervisor restarts it with jittered exponential backoff. Handlers only
// turn events into ObjectChanges; nothing they do can throw into the library.
import { ListWatch, type KubernetesObject, type Watch } from '@kubernetes/client-node';
import type { KubeObject, ObjectKind } from '../../model/kube.js';
import type { ObjectChange } from '../../store/object-store.js';
import { normalizeObject } from '../normalize-object.js';
import type { WatchedKind } from './watched-kinds.js';

export interface InformerHandlers {
  readonly onChanges: (changes: readonly ObjectChange[]) => void;
  /** A failure: the informer stopped and restarts after `retryInMs`, or (undefined) a handler threw. */
  readonly onFailure: (kind: ObjectKind, error: unknown, retryInMs: number | undefined) => void;
  /** An object of a kind we read that does not normalize; it is left out. */
  readonly onInvalid: (kind: ObjectKind, namespace: string, name: string, reason: string) => void;
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** [0, 1); injectable so tests are exact. */
  readonly random: () => number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000, random: Math.random };

export class SupervisedInformer {
  readonly #watched: WatchedKind;
  readonly #informer: ListWatch<KubernetesObject>;
  readonly #handlers: InformerHandlers;
  readonly #backoff: BackoffOptions;
  #failures = 0;
  #isStopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #failureDuringStart: unknown;
  #isStarting = false;
  #resolveSynced: () => void = () => undefined;
  /** Resolves once the first list has arrived and been reported. */
  readonly synced: Promise<void>;
  /** How many times the informer was restarted after a failure, for metrics. */
  restarts = 0;

  constructor(watched: WatchedKind, watch: Watch, handlers: InformerHandlers, backoff: BackoffOptions = defaultBackoff) {
    this.#watched = watched;
    this.#handlers = handlers;
    this.#backoff = backoff;
    this.synced = new Promise((resolve) => (this.#resolveSynced = resolve));
    this.#informer = new ListWatch(watched.path, watch, watched.list, false, undefined, watched.fieldSelector);
    this.#informer.on('add', (raw) => this.#guard(() => this.#upsert(raw)));
    this.#informer.on('update', (raw) => this.#guard(() => this.#upsert(raw)));
    this.#informer.on('delete', (raw) => this.#guard(() => this.#delete(raw)));
    this.#informer.on('error', (error) => this.#guard(() => this.#failed(error)));
  }

  get kind(): ObjectKind {
    return this.#watched.kind;
  }

  /**
   * The raw object as the informer's cache holds it now (status, uid and resourceVersion included, which the
   * normalized objects leave out); undefined when unknown. For the status writer and the event recorder.
   */
  cached(namespace: string, name: string): KubernetesObject | undefined {
    return this.#informer.get(name, namespace === '' ? undefined : namespace);
  }

  start(): void {
    void this.#start();
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    clearTimeout(this.#retryTimer);
    await this.#informer.stop();
  }

  async #start(): Promise<void> {
    if (this.#isStopped) return;
    this.#isStarting = true;
    this.#failureDuringStart = undefined;
    try {
      await this.#informer.start();
    } catch (error) {
      this.#failureDuringStart ??= error;
    } finally {
      this.#isStarting = false;
    }
    if (this.#failureDuringStart !== undefined) {
      this.#scheduleRestart(this.#failureDuringStart);
      return;
    }
    this.#failures = 0;
    // The informer's cache is now the truth: objects deleted while we were away disappear from the store.
    const objects = this.#informer.list().flatMap((raw) => this.#normalize(raw) ?? []);
    this.#handlers.onChanges([{ type: 'replace', kind: this.kind, objects }]);
    this.#resolveSynced();
  }

  #failed(error: unknown): void {
    // stop() and a start() over a running informer report an AbortError: our own doing, not a failure.
    if (this.#isStopped || (error instanceof Error && error.name === 'AbortError')) return;
    if (this.#isStarting) this.#failureDuringStart ??= error ?? new Error('informer failed');
    else this.#scheduleRestart(error);
  }

  #scheduleRestart(error: unknown): void {
    if (this.#isStopped || this.#retryTimer !== undefined) return;
    const ceiling = Math.min(this.#backoff.maxMs, this.#backoff.initialMs * 2 ** this.#failures);
    // Full jitter: replicas that lost the API server together do not come back together.
    const delay = Math.round(ceiling / 2 + (ceiling / 2) * this.#backoff.random());
    this.#failures += 1;
    this.#handlers.onFailure(this.kind, error, delay);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.restarts += 1;
      void this.#start();
    }, delay);
  }

  #upsert(raw: KubernetesObject): void {
    const object = this.#normalize(raw);
    if (object !== undefined) this.#handlers.onChanges([{ type: 'upsert', object }]);
  }

  #delete(raw: KubernetesObject): void {
    const namespace = this.kind === 'IngressClass' ? '' : (raw.metadata?.namespace ?? '');
    this.#handlers.onChanges([{ type: 'delete', kind: this.kind, namespace, name: raw.metadata?.name ?? '' }]);
  }

  #normalize(raw: KubernetesObject): KubeObject | undefined {
    const result = normalizeObject(raw, this.kind);
    if (result.status === 'ok') return result.object;
    if (result.status === 'invalid') this.#handlers.onInvalid(result.kind, result.namespace, result.name, result.reason);
    return undefined;
  }

  /** Event handlers run inside the library: an exception there must never escape into it. */
  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#handlers.onFailure(this.kind, error, undefined);
    }
  }
}
