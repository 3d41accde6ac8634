// Debouncer: at once when idle, holdoff for what follows, maximum delay under churn, no overlapping runs, no lost trigger.
import { expect } from 'chai';
import { Debouncer, type Clock } from '../../../src/reconcile/debouncer.js';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  time = 0;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #nextId = 0;
  readonly now = (): number => this.time;
  readonly setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.#nextId++;
    this.#timers.push({ at: this.time + ms, callback, id });
    return id;
  };
  readonly clearTimeout = (handle: unknown): void => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  };
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      const due = this.#timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.time = due.at;
      this.#timers = this.#timers.filter((t) => t !== due);
      due.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = until;
  }
}

describe('Debouncer', () => {
  let clock: ManualClock;
  let runsAt: number[];
  let debouncer: Debouncer;

  beforeEach(() => {
    clock = new ManualClock();
    runsAt = [];
    debouncer = new Debouncer(async () => void runsAt.push(clock.time), { holdoffMs: 100, maxDelayMs: 500, clock });
  });

  it('runs at once for a change that finds it idle, and once more for the rest of the burst, a holdoff after its last trigger', async () => {
    debouncer.trigger();
    debouncer.trigger();
    await clock.advance(0);
    expect(runsAt).to.deep.equal([0]);
    await clock.advance(50);
    debouncer.trigger();
    await clock.advance(50);
    debouncer.trigger();
    await clock.advance(300);
    expect(runsAt).to.deep.equal([0, 200]);
  });

  it('runs at once again once a holdoff has passed since the last run', async () => {
    debouncer.trigger();
    await clock.advance(100);
    debouncer.trigger();
    await clock.advance(0);
    expect(runsAt).to.deep.equal([0, 100]);
  });

  it('tells the run how long its burst waited', async () => {
    const waited: number[] = [];
    const measuring = new Debouncer(async (burst) => void waited.push(burst.waitedMs), { holdoffMs: 100, maxDelayMs: 500, clock });
    measuring.trigger();
    await clock.advance(30);
    measuring.trigger();
    await clock.advance(40);
    measuring.trigger();
    await clock.advance(500);
    expect(waited).to.deep.equal([0, 140]);
  });

  it('runs no later than the maximum delay while triggers keep coming', async () => {
    for (let i = 0; i < 20; i++) {
      debouncer.trigger();
      await clock.advance(60);
    }
    // The first trigger ran at once; the burst that followed it was cut at 500 ms after its own start (60).
    expect(runsAt.slice(0, 2)).to.deep.equal([0, 560]);
    expect(runsAt.length).to.be.greaterThan(2);
  });

  it('never overlaps runs and runs again for triggers that arrived during a run', async () => {
    let release: () => void = () => undefined;
    let active = 0;
    let maxActive = 0;
    const slow = new Debouncer(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runsAt.push(clock.time);
        await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      { holdoffMs: 100, maxDelayMs: 500, clock },
    );
    slow.trigger();
    await clock.advance(100);
    slow.trigger();
    slow.trigger();
    await clock.advance(1000);
    expect(runsAt).to.deep.equal([0]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    await clock.advance(100);
    // The triggers that arrived during the run wait a holdoff after it, not at once.
    expect(runsAt).to.deep.equal([0, 1200]);
    release();
    await slow.idle();
    expect(maxActive).to.equal(1);
  });

  it('keeps going after a run that fails', async () => {
    let calls = 0;
    const failing = new Debouncer(
      async () => {
        calls++;
        throw new Error('boom');
      },
      { holdoffMs: 10, maxDelayMs: 50, clock },
    );
    failing.trigger();
    await clock.advance(0);
    failing.trigger();
    await clock.advance(10);
    expect(calls).to.equal(2);
  });

  it('is idle only once no run is in progress or scheduled, a running holdoff included', async () => {
    let isIdle = false;
    debouncer.trigger();
    await clock.advance(0);
    debouncer.trigger();
    void debouncer.idle().then(() => (isIdle = true));
    await clock.advance(50);
    expect(isIdle).to.equal(false);
    await clock.advance(50);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runsAt).to.deep.equal([0, 100]);
    expect(isIdle).to.equal(true);
  });

  it('drops a scheduled run on cancel', async () => {
    debouncer.trigger();
    debouncer.cancel();
    await clock.advance(1000);
    expect(runsAt).to.deep.equal([]);
  });
});
