// The API's budget (SPEC §1): 100 calls per minute and 1500 per hour per application and tenant, as sliding
// windows, plus Retry-After pauses. Every request of a client (retries and next pages included) passes here.
import { Clock, systemClock } from '../shared/logger';

export interface RateLimiterOptions {
  perMinute?: number;
  perHour?: number;
  clock?: Clock;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Shorter waits pass unremarked; longer ones are reported to `onWait` so the UI can say why nothing happens. */
const NOTABLE_WAIT_MS = 1000;

export interface WaitLimits {
  /** Fail with RateBudgetExhausted instead of waiting longer than this in total. */
  maxWaitMs?: number;
  /** Called before each wait of a second or more, with its length. */
  onWait?(ms: number): void;
}

/** acquire() would have waited longer than the caller accepts; no call was counted. */
export class RateBudgetExhausted extends Error {
  override readonly name = 'RateBudgetExhausted';

  /** `reason` completes "Not sent: …"; `waitMs` is how long until the budget allows the next call. */
  constructor(readonly reason: string, readonly waitMs: number) {
    super(`${reason} (${Math.ceil(waitMs / 1000)} s until the next call)`);
  }
}

interface Hold {
  waitMs: number;
  /** What holds the call, for "Not sent: …". */
  reason: string;
}

export class RateLimiter {
  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly clock: Clock;
  /** Start times of the calls of the last hour, oldest first. */
  private readonly calls: number[] = [];
  private pausedUntil = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.perMinute = options.perMinute ?? 100;
    this.perHour = options.perHour ?? 1500;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Waits until a call fits in both windows and no pause is running, then counts it. Rejects with
   * RateBudgetExhausted at once when that moment lies beyond `limits.maxWaitMs`.
   */
  async acquire(signal?: AbortSignal, limits: WaitLimits = {}): Promise<void> {
    const deadline = this.clock.now() + (limits.maxWaitMs ?? Infinity);
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const hold = this.holdAt(now);
      if (!hold) {
        this.calls.push(now);
        return;
      }
      if (now + hold.waitMs > deadline) {
        throw new RateBudgetExhausted(hold.reason, hold.waitMs);
      }
      if (hold.waitMs >= NOTABLE_WAIT_MS) {
        limits.onWait?.(hold.waitMs);
      }
      await this.clock.sleep(hold.waitMs, signal);
    }
  }

  /** After a 429: nobody sends before `seconds` have passed. */
  pauseFor(seconds: number): void {
    const until = this.clock.now() + Math.max(0, seconds) * 1000;
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  remaining(): { minute: number; hour: number } {
    const now = this.clock.now();
    this.forgetOlderThan(now - HOUR_MS);
    return {
      minute: Math.max(0, this.perMinute - this.countSince(now - MINUTE_MS)),
      hour: Math.max(0, this.perHour - this.calls.length),
    };
  }

  /** Whether `n` calls could start now without waiting (auto refresh skips a round otherwise). */
  hasBudgetFor(n: number): boolean {
    const left = this.remaining();
    return this.pausedUntil <= this.clock.now() && left.minute >= n && left.hour >= n;
  }

  /** Undefined when a call may start at `now`, else the longest of what holds it. */
  private holdAt(now: number): Hold | undefined {
    this.forgetOlderThan(now - HOUR_MS);
    const holds: Hold[] = [{ waitMs: this.pausedUntil - now, reason: 'the Defender API asked this client to pause (Retry-After)' }];
    if (this.calls.length >= this.perHour) {
      holds.push({ waitMs: this.calls[this.calls.length - this.perHour] + HOUR_MS - now, reason: `the budget of ${this.perHour} Defender API calls per hour is used up` });
    }
    if (this.countSince(now - MINUTE_MS) >= this.perMinute) {
      holds.push({ waitMs: this.calls[this.calls.length - this.perMinute] + MINUTE_MS - now, reason: `the budget of ${this.perMinute} Defender API calls per minute is used up` });
    }
    const longest = holds.reduce((a, b) => (b.waitMs > a.waitMs ? b : a));
    return longest.waitMs > 0 ? longest : undefined;
  }

  private forgetOlderThan(cutoff: number): void {
    let expired = 0;
    while (expired < this.calls.length && this.calls[expired] <= cutoff) {
      expired++;
    }
    this.calls.splice(0, expired);
  }

  private countSince(cutoff: number): number {
    let count = 0;
    for (let i = this.calls.length - 1; i >= 0 && this.calls[i] > cutoff; i--) {
      count++;
    }
    return count;
  }
}
