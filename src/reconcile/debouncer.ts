// Coalesces bursts of relevant changes into one rebuild. A change that finds the loop idle runs at once
// (leading edge); changes that follow within the holdoff of the last run wait for a quiet holdoff, but never
// longer than a maximum delay after the first change of their burst, so steady churn still gets applied.

export interface Clock {
  readonly now: () => number;
  readonly setTimeout: (callback: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface DebounceOptions {
  /** Quiet time after the last change before running, for changes that follow a run closely (Contour: 100 ms). */
  readonly holdoffMs: number;
  /** Longest wait after the first change of a burst (Contour uses 500 ms). */
  readonly maxDelayMs: number;
  readonly clock?: Clock;
}

/** What the run is told about the burst it serves. */
export interface Burst {
  /** From the first trigger of the burst to the start of the run: the holdoff actually waited. */
  readonly waitedMs: number;
}

/**
 * Calls `run` once per burst of `trigger()` calls. A trigger while idle (no run in progress or scheduled, and
 * none ended within the holdoff) starts a run on the next turn of the event loop, so triggers of the same
 * turn share it. While `run` is in progress, triggers are remembered and start the next burst when it ends,
 * so runs never overlap and no change is lost.
 */
export class Debouncer {
  readonly #run: (burst: Burst) => Promise<void>;
  readonly #options: Required<DebounceOptions>;
  #timer: unknown;
  #isLeadingEdge = false;
  #burstStartedAt: number | undefined;
  #lastRunEndedAt = Number.NEGATIVE_INFINITY;
  #isRunning = false;
  #isPendingAfterRun = false;
  /** Callers of idle() waiting for no run to be in progress or scheduled. */
  #quietWaiters: (() => void)[] = [];

  constructor(run: (burst: Burst) => Promise<void>, options: DebounceOptions) {
    this.#run = run;
    this.#options = { clock: systemClock, ...options };
  }

  trigger(): void {
    if (this.#isRunning) {
      this.#isPendingAfterRun = true;
      return;
    }
    // A run is about to start and will read the state this trigger announces.
    if (this.#isLeadingEdge) return;
    const { clock, holdoffMs, maxDelayMs } = this.#options;
    const now = clock.now();
    const isIdle = this.#timer === undefined && now - this.#lastRunEndedAt >= holdoffMs;
    this.#burstStartedAt ??= now;
    const wait = isIdle ? 0 : Math.max(0, Math.min(holdoffMs, this.#burstStartedAt + maxDelayMs - now));
    this.#isLeadingEdge = isIdle;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(() => this.#fire(), wait);
  }

  /** Resolves once no run is in progress or scheduled (a holdoff that is running counts as scheduled). */
  idle(): Promise<void> {
    if (this.#isQuiet()) return Promise.resolve();
    return new Promise((resolve) => this.#quietWaiters.push(resolve));
  }

  /** Drops a scheduled run (for shutdown); a run in progress finishes. */
  cancel(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#isLeadingEdge = false;
    this.#burstStartedAt = undefined;
    this.#isPendingAfterRun = false;
    if (!this.#isRunning) this.#wakeQuietWaiters();
  }

  #isQuiet(): boolean {
    return !this.#isRunning && this.#timer === undefined;
  }

  #wakeQuietWaiters(): void {
    const waiters = this.#quietWaiters;
    this.#quietWaiters = [];
    for (const wake of waiters) wake();
  }

  #fire(): void {
    const { clock } = this.#options;
    const waitedMs = clock.now() - (this.#burstStartedAt ?? clock.now());
    this.#timer = undefined;
    this.#isLeadingEdge = false;
    this.#burstStartedAt = undefined;
    this.#isRunning = true;
    void this.#run({ waitedMs })
      .catch(() => undefined) // the run reports its own errors; the loop must go on
      .finally(() => {
        this.#isRunning = false;
        this.#lastRunEndedAt = clock.now();
        if (this.#isPendingAfterRun) {
          this.#isPendingAfterRun = false;
          this.trigger();
        }
        if (this.#isQuiet()) this.#wakeQuietWaiters();
      });
  }
}
