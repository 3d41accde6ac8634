// Leader election over a coordination.k8s.io/v1 Lease: acquire, renew every few seconds, step down when renewal
// fails for too long or another replica holds the Lease, release on shutdown so another replica takes over at
// its next try. Writes carry the resourceVersion read, so of two replicas racing for the Lease one gets 409.
import { decideLease, releasedSpec, type LeaseObservation, type LeaseRecord, type LeaseSpec } from './decide-lease.js';

/** Reads and writes the one Lease; `create` and `update` throw LeaseConflictError on 409. */
export interface LeaseClient {
  read(): Promise<LeaseRecord | undefined>;
  create(spec: LeaseSpec): Promise<LeaseRecord>;
  update(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord>;
}

/** Another replica wrote the Lease between our read and our write (HTTP 409): we lost the race. */
export class LeaseConflictError extends Error {
  override readonly name = 'LeaseConflictError';
}

export interface ElectionClock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: ElectionClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface LeaseTimings {
  /** Written into the Lease: how long others wait for a renewal before taking over. */
  readonly leaseDurationSeconds: number;
  /** How often the leader renews. */
  readonly renewIntervalMs: number;
  /** How often a follower tries, and a leader retries a failed renewal. */
  readonly retryIntervalMs: number;
  /** A leader that has not renewed for this long steps down, before others may consider the Lease expired. */
  readonly renewDeadlineMs: number;
}

export const defaultLeaseTimings: LeaseTimings = { leaseDurationSeconds: 15, renewIntervalMs: 5_000, retryIntervalMs: 2_000, renewDeadlineMs: 10_000 };

export interface LeaseElectorOptions {
  /** This replica: the pod name, else the host name. */
  readonly identity: string;
  readonly client: LeaseClient;
  readonly timings?: LeaseTimings;
  readonly clock?: ElectionClock;
  /** Called on every change of leadership, synchronously, before anything else is done as (or no longer as) leader. */
  readonly onLeadershipChange?: (isLeader: boolean) => void;
  /** A failed read or write other than a lost race; the elector retries on its own. */
  readonly onError?: (error: unknown) => void;
}

export class LeaseElector {
  readonly #options: LeaseElectorOptions;
  readonly #timings: LeaseTimings;
  readonly #clock: ElectionClock;
  readonly #abort = new AbortController();
  #isLeader = false;
  #record: LeaseRecord | undefined;
  #observation: LeaseObservation | undefined;
  #lastRenewMs = Number.NEGATIVE_INFINITY;
  #lastAttemptFailed = false;
  #attempt: Promise<boolean> | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: LeaseElectorOptions) {
    this.#options = options;
    this.#timings = options.timings ?? defaultLeaseTimings;
    this.#clock = options.clock ?? systemClock;
  }

  get isLeader(): boolean {
    return this.#isLeader;
  }

  /** The holder as last read or written; undefined before the first read. */
  get holder(): string | undefined {
    return this.#record?.holderIdentity;
  }

  /** Runs the election until stop(): an attempt, then a pause (renew interval when leading, retry interval otherwise). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** One attempt to acquire or renew the Lease (one at a time); resolves with whether this replica leads after it. */
  tryAcquireOrRenew(): Promise<boolean> {
    this.#attempt ??= this.#tryOnce().finally(() => (this.#attempt = undefined));
    return this.#attempt;
  }

  /**
   * Stops the loop and waits for an attempt in flight. Leadership stays as it is: a leader finishes its shutdown
   * work (clearing status) as leader, then calls release(); without release() the Lease simply runs out.
   */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#attempt;
  }

  /**
   * Stops (if not stopped yet) and gives the Lease up if held (no holder), so another replica takes over at its
   * next try rather than on expiry.
   */
  async release(): Promise<void> {
    await this.stop();
    const record = this.#record;
    const wasLeader = this.#isLeader;
    this.#setLeader(false);
    if (!wasLeader || record === undefined) return;
    try {
      this.#record = await this.#options.client.update(releasedSpec(record, this.#clock.now()), record.resourceVersion);
    } catch (error) {
      // A conflict means someone else already wrote the Lease: nothing of ours to release.
      if (!(error instanceof LeaseConflictError)) this.#options.onError?.(error);
    }
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const isLeader = await this.tryAcquireOrRenew();
      if (signal.aborted) return;
      const pause = isLeader && !this.#lastAttemptFailed ? this.#timings.renewIntervalMs : this.#timings.retryIntervalMs;
      await this.#clock.sleep(pause, signal);
    }
  }

  async #tryOnce(): Promise<boolean> {
    const { client, identity } = this.#options;
    try {
      const current = await client.read();
      const nowMs = this.#clock.now();
      this.#observe(current, nowMs);
      const decision = decideLease(current, {
        identity,
        nowMs,
        leaseDurationSeconds: this.#timings.leaseDurationSeconds,
        observation: this.#observation,
      });
      if (decision.kind === 'wait') {
        this.#lastAttemptFailed = false;
        this.#setLeader(false);
        return false;
      }
      const written = decision.kind === 'create' ? await client.create(decision.spec) : await client.update(decision.spec, decision.resourceVersion);
      this.#record = written;
      this.#observation = { resourceVersion: written.resourceVersion, atMs: nowMs };
      this.#lastRenewMs = nowMs;
      this.#lastAttemptFailed = false;
      this.#setLeader(true);
      return true;
    } catch (error) {
      if (error instanceof LeaseConflictError) {
        this.#lastAttemptFailed = false;
        this.#setLeader(false);
        return false;
      }
      this.#lastAttemptFailed = true;
      this.#options.onError?.(error);
      // Step down before others may take over: they wait leaseDurationSeconds from our last renewal.
      if (this.#isLeader && this.#clock.now() - this.#lastRenewMs >= this.#timings.renewDeadlineMs) this.#setLeader(false);
      return this.#isLeader;
    }
  }

  #observe(current: LeaseRecord | undefined, nowMs: number): void {
    this.#record = current;
    if (current === undefined) this.#observation = undefined;
    else if (this.#observation?.resourceVersion !== current.resourceVersion) this.#observation = { resourceVersion: current.resourceVersion, atMs: nowMs };
  }

  #setLeader(isLeader: boolean): void {
    if (this.#isLeader === isLeader) return;
    this.#isLeader = isLeader;
    this.#options.onLeadershipChange?.(isLeader);
  }
}
