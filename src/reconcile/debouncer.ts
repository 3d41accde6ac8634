// Coalesces bursts of relevant changes into one rebuild: run after a quiet holdoff, but never later than a
// maximum delay after the first change of the burst, so steady churn still gets applied.

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
  /** Quiet time after the last change before running (Contour uses 100 ms). */
  readonly holdoffMs: number;
  /** Longest wait after the first change of a burst (Contour uses 500 ms). */
  readonly maxDelayMs: number;
  readonly clock?: Clock;
}

/**
 * Calls `run` once per burst of `trigger()` calls. While `run` is in progress, triggers are remembered and
 * start the next burst when it ends, so runs never overlap and no change is lost.
 */
export class Debouncer {
  readonly #run: () => Promise<void>;
  readonly #options: Required<DebounceOptions>;
  #timer: unknown;
  #burstStartedAt: number | undefined;
  #isRunning = false;
  #isPendingAfterRun = false;
  #idle: Promise<void> = Promise.resolve();

  constructor(run: () => Promise<void>, options: DebounceOptions) {
    this.#run = run;
    this.#options = { clock: systemClock, ...options };
  }

  trigger(): void {
    if (this.#isRunning) {
      this.#isPendingAfterRun = true;
      return;
    }
    const { clock, holdoffMs, maxDelayMs } = this.#options;
    const now = clock.now();
    this.#burstStartedAt ??= now;
    const wait = Math.max(0, Math.min(holdoffMs, this.#burstStartedAt + maxDelayMs - now));
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(() => this.#fire(), wait);
  }

  /** Resolves when no run is in progress or scheduled to follow the current one. */
  async idle(): Promise<void> {
    await this.#idle;
  }

  /** Drops a scheduled run (for shutdown); a run in progress finishes. */
  cancel(): void {
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#burstStartedAt = undefined;
    this.#isPendingAfterRun = false;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#burstStartedAt = undefined;
    this.#isRunning = true;
    this.#idle = this.#run()
      .catch(() => undefined) // the run reports its own errors; the loop must go on
      .finally(() => {
        this.#isRunning = false;
        if (this.#isPendingAfterRun) {
          this.#isPendingAfterRun = false;
          this.trigger();
        }
      });
  }
}
