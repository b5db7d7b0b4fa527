import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Clock } from '../../src/shared/logger';
import { RateBudgetExhausted, RateLimiter } from '../../src/defender/rateLimiter';

/** Time moves only when the test says so; sleepers wake when their moment is reached. */
class ManualClock implements Clock {
  private time = 1_000_000;
  private sleepers: { until: number; resolve: () => void }[] = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      this.sleepers.push({ until: this.time + ms, resolve });
    });
  }

  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    due.forEach((s) => s.resolve());
    await settle();
  }
}

/** Lets woken waiters run their next check. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await turn();
  }
}

/** Starts an acquire and reports whether it has completed. */
function track(promise: Promise<void>): { done: () => boolean } {
  let done = false;
  promise.then(() => { done = true; }, () => { done = true; });
  return { done: () => done };
}

async function acquireMany(limiter: RateLimiter, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await limiter.acquire();
  }
}

describe('RateLimiter', () => {
  it('lets 100 calls through in a minute and holds the 101st until the first leaves the window', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    await acquireMany(limiter, 100);
    assert.deepEqual(limiter.remaining(), { minute: 0, hour: 1400 });
    const next = track(limiter.acquire());
    await settle();
    assert.equal(next.done(), false);
    await clock.advance(59_999);
    assert.equal(next.done(), false);
    await clock.advance(1);
    assert.equal(next.done(), true);
    // The first 100 calls all left the minute window together; only the 101st is in it now.
    assert.deepEqual(limiter.remaining(), { minute: 99, hour: 1399 });
  });

  it('holds the 1501st call of an hour although the minute window has room', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    for (let minute = 0; minute < 15; minute++) {
      await acquireMany(limiter, 100);
      await clock.advance(60_000);
    }
    // 15 minutes in: the minute window is empty, the hour holds 1500 calls.
    assert.deepEqual(limiter.remaining(), { minute: 100, hour: 0 });
    const next = track(limiter.acquire());
    await clock.advance(44 * 60_000);
    assert.equal(next.done(), false);
    // The first 100 calls were made at minute 0; they leave the hour window at minute 60.
    await clock.advance(60_000 - 1);
    assert.equal(next.done(), false);
    await clock.advance(1);
    assert.equal(next.done(), true);
  });

  it('slides: calls spread over the minute free up one by one', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 3, perHour: 100, clock });
    await limiter.acquire();
    await clock.advance(10_000);
    await limiter.acquire();
    await clock.advance(10_000);
    await limiter.acquire();
    const fourth = track(limiter.acquire());
    await clock.advance(39_999);
    assert.equal(fourth.done(), false);
    await clock.advance(1);
    assert.equal(fourth.done(), true, 'the call made at 0 s left the window at 60 s');
    const fifth = track(limiter.acquire());
    await clock.advance(9_999);
    assert.equal(fifth.done(), false);
    await clock.advance(1);
    assert.equal(fifth.done(), true, 'the call made at 10 s left the window at 70 s');
  });

  it('pauseFor stops everybody until the pause ends, and a shorter pause does not shorten it', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    limiter.pauseFor(30);
    limiter.pauseFor(5);
    assert.equal(limiter.hasBudgetFor(1), false);
    const first = track(limiter.acquire());
    const second = track(limiter.acquire());
    await clock.advance(29_999);
    assert.equal(first.done() || second.done(), false);
    await clock.advance(1);
    assert.equal(first.done() && second.done(), true);
    assert.equal(limiter.hasBudgetFor(1), true);
    assert.equal(limiter.remaining().minute, 98);
  });

  it('waiting callers never exceed the budget together', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100, clock });
    const calls = Array.from({ length: 5 }, () => track(limiter.acquire()));
    await settle();
    assert.equal(calls.filter((c) => c.done()).length, 2);
    await clock.advance(60_000);
    assert.equal(calls.filter((c) => c.done()).length, 4);
    await clock.advance(60_000);
    assert.equal(calls.filter((c) => c.done()).length, 5);
  });

  it('hasBudgetFor compares with what is left in both windows', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 10, perHour: 12, clock });
    await acquireMany(limiter, 8);
    assert.equal(limiter.hasBudgetFor(2), true);
    assert.equal(limiter.hasBudgetFor(3), false);
    await clock.advance(60_000);
    assert.deepEqual(limiter.remaining(), { minute: 10, hour: 4 });
    assert.equal(limiter.hasBudgetFor(5), false, 'the hour is the tighter limit now');
  });

  it('gives up waiting when the signal aborts, without taking a slot', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 1, perHour: 10, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('view closed'));
    await assert.rejects(waiting, /view closed/);
    await clock.advance(60_000);
    assert.deepEqual(limiter.remaining(), { minute: 1, hour: 9 });
  });

  it('refuses at once, counting nothing, when the hour budget frees up later than maxWaitMs', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 10, perHour: 10, clock });
    await acquireMany(limiter, 10);
    await clock.advance(15 * 60_000);
    await assert.rejects(limiter.acquire(undefined, { maxWaitMs: 60_000 }), (error: unknown) => {
      assert.ok(error instanceof RateBudgetExhausted);
      assert.equal(error.reason, 'the budget of 10 Defender API calls per hour is used up');
      assert.equal(error.waitMs, 45 * 60_000);
      return true;
    });
    assert.deepEqual(limiter.remaining(), { minute: 10, hour: 0 });
  });

  it('refuses a pause longer than maxWaitMs, naming it', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    limiter.pauseFor(3600);
    await assert.rejects(limiter.acquire(undefined, { maxWaitMs: 60_000 }),
      (error: unknown) => error instanceof RateBudgetExhausted && /asked this client to pause/.test(error.reason) && error.waitMs === 3_600_000);
  });

  it('waits up to maxWaitMs inclusive, and reports each wait of a second or more to onWait', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 1, perHour: 100, clock });
    await limiter.acquire();
    const waits: number[] = [];
    const next = track(limiter.acquire(undefined, { maxWaitMs: 60_000, onWait: (ms) => waits.push(ms) }));
    await settle();
    assert.deepEqual(waits, [60_000]);
    await clock.advance(60_000);
    assert.equal(next.done(), true);
    assert.deepEqual(limiter.remaining(), { minute: 0, hour: 98 });

    limiter.pauseFor(0.5);
    await clock.advance(60_000);
    const brief = track(limiter.acquire(undefined, { onWait: (ms) => waits.push(ms) }));
    await settle();
    assert.equal(brief.done(), true);
    assert.deepEqual(waits, [60_000], 'no wait, no report');
  });

  it('gives up a capped wait when the signal aborts, before the cap is reached', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 1, perHour: 10, clock });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal, { maxWaitMs: 60_000 });
    await clock.advance(30_000);
    controller.abort(new Error('refresh superseded'));
    await assert.rejects(waiting, /refresh superseded/);
    assert.deepEqual(limiter.remaining(), { minute: 0, hour: 9 });
  });
});
