import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { autoRefreshDecision } from '../../src/model/autoRefresh';
import { RateBudgetExhausted, RateLimiter } from '../../src/defender/rateLimiter';
import { FileRateStateStore } from '../../src/defender/rateStateFile';
import { ManualClock, settle } from '../support/manualClock';
import { leftovers, tempRateFile } from '../support/rateBudgetFiles';

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
    const limiter = new RateLimiter({ clock, maxPauseMs: 2 * 3_600_000 });
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

  it('reports a 1 s Retry-After pause that is a few ms shorter when the request asks again', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    limiter.pauseFor(1);
    await clock.advance(3);
    const waits: number[] = [];
    track(limiter.acquire(undefined, { onWait: (ms) => waits.push(ms) }));
    await settle();
    assert.deepEqual(waits, [997]);
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

/** How many of `n` attempts the limiter admits at once (no waiting). */
async function admitted(limiter: RateLimiter, n: number, purpose: 'read' | 'write'): Promise<number> {
  let count = 0;
  for (let i = 0; i < n; i++) {
    await limiter.acquire(undefined, { maxWaitMs: 0, purpose }).then(() => count++, (error: unknown) => {
      assert.ok(error instanceof RateBudgetExhausted);
    });
  }
  return count;
}

describe('RateLimiter reserve for cancels (issue 11 item 7)', () => {
  it('reads may use 90 of 100 calls a minute; writes the rest', async () => {
    const limiter = new RateLimiter({ clock: new ManualClock() });
    assert.equal(await admitted(limiter, 150, 'read'), 90);
    assert.equal(await admitted(limiter, 150, 'write'), 10);
  });

  it('reads may use 1400 of 1500 calls an hour; writes the rest', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    let reads = 0;
    for (let minute = 0; minute < 20; minute++) {
      reads += await admitted(limiter, 90, 'read');
      await clock.advance(60_000);
    }
    assert.equal(reads, 1400);
    assert.deepEqual(limiter.remaining('read'), { minute: 90, hour: 0 });
    assert.equal(limiter.hasBudgetFor(10, 'read'), false);
    assert.equal(autoRefreshDecision({ signedIn: true, loading: false, budget: limiter, ageMs: undefined, intervalSeconds: 60 }), 'lowBudget',
      'auto refresh skips its turn rather than be refused');
    assert.equal(limiter.hasBudgetFor(10), true, 'a cancel would go');
    await assert.rejects(limiter.acquire(undefined, { maxWaitMs: 60_000, purpose: 'read' }),
      (error: unknown) => error instanceof RateBudgetExhausted && /the 1400 of the 1500 Defender API calls per hour that a refresh may use are used up \(100 are kept for cancels\)/.test(error.reason));
    assert.equal(await admitted(limiter, 150, 'write'), 100);
  });
});

describe('RateLimiter pause clamp (issue 11 item 8)', () => {
  it('never holds longer than maxPauseMs (default 5 minutes), whatever the Retry-After', async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter({ clock });
    limiter.pauseFor(1e12);
    await assert.rejects(limiter.acquire(undefined, { maxWaitMs: 0 }), (error: unknown) => error instanceof RateBudgetExhausted && error.waitMs === 300_000);
    await clock.advance(300_000);
    assert.equal(await admitted(limiter, 1, 'read'), 1);
  });
});

describe('RateLimiter shared through a file (issue 11 item 12)', () => {
  it('two limiters on one file never admit more than the limit together', async () => {
    const file = tempRateFile();
    const clock = new ManualClock();
    const windows = [0, 1].map(() => new RateLimiter({ perMinute: 10, perHour: 15, clock, store: new FileRateStateStore(file) }));
    let total = 0;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 12; i++) {
        total += await admitted(windows[i % 2], 1, 'write');
      }
      await clock.advance(60_000);
    }
    assert.equal(total, 15, '10 in the first minute, 5 more in the hour, across both windows');
    assert.deepEqual(leftovers(file), [], 'written by rename: no temp file left, and no lock held');
  });

  it('shares a Retry-After pause, and the waiting callers of two windows never exceed the minute budget', async () => {
    const file = tempRateFile();
    const clock = new ManualClock();
    const [a, b] = [0, 1].map(() => new RateLimiter({ perMinute: 4, perHour: 100, clock, store: new FileRateStateStore(file) }));
    a.pauseFor(30);
    await assert.rejects(b.acquire(undefined, { maxWaitMs: 0 }), (error: unknown) => error instanceof RateBudgetExhausted && error.waitMs === 30_000);
    const started = [a, b, a, b, a, b].map((limiter) => track(limiter.acquire()));
    await clock.advance(30_000);
    assert.equal(started.filter((s) => s.done()).length, 4);
    await clock.advance(60_000);
    assert.equal(started.filter((s) => s.done()).length, 6);
  });

  it('starts afresh from a file that is not a rate state, and reports a file it cannot write', async () => {
    const file = tempRateFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"calls": "nonsense"');
    const errors: string[] = [];
    const limiter = new RateLimiter({ perMinute: 2, perHour: 10, clock: new ManualClock(), store: new FileRateStateStore(file, (m) => errors.push(m)) });
    assert.equal(await admitted(limiter, 3, 'write'), 2);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).calls.length, 2);
    assert.equal(errors.length, 0);

    const blocked = new FileRateStateStore(path.join(file, 'not-a-folder', 'x.json'), (m) => errors.push(m));
    const alone = new RateLimiter({ perMinute: 2, perHour: 10, clock: new ManualClock(), store: blocked });
    assert.equal(await admitted(alone, 3, 'write'), 2, 'the window keeps its own budget');
    assert.equal(errors.length, 3, 'each failing operation is reported once, not on every call');
    assert.match(errors[0], /^Could not lock the shared rate budget .*x\.json \(the budget is read and written without it.*\): Error: ENOTDIR/);
    assert.match(errors[1], /^Could not read the shared rate budget .*x\.json \(only this window's calls are counted\): Error: ENOTDIR/);
    assert.match(errors[2], /^Could not write the shared rate budget /);
  });
});
