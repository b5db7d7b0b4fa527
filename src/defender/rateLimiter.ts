// The API's budget (SPEC §1): 100 calls per minute and 1500 per hour per application and tenant, as sliding
// windows, plus Retry-After pauses. Every request of a client (retries and next pages included) passes here.
import { Clock, systemClock } from './logger';

export interface RateLimiterOptions {
  perMinute?: number;
  perHour?: number;
  clock?: Clock;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

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

  /** Waits until a call fits in both windows and no pause is running, then counts it. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.waitMs(this.clock.now());
      if (wait <= 0) {
        this.calls.push(this.clock.now());
        return;
      }
      await this.clock.sleep(wait, signal);
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

  /** 0 when a call may start at `now`, else how long until one may. */
  private waitMs(now: number): number {
    this.forgetOlderThan(now - HOUR_MS);
    const waits = [this.pausedUntil - now];
    if (this.calls.length >= this.perHour) {
      waits.push(this.calls[this.calls.length - this.perHour] + HOUR_MS - now);
    }
    if (this.countSince(now - MINUTE_MS) >= this.perMinute) {
      waits.push(this.calls[this.calls.length - this.perMinute] + MINUTE_MS - now);
    }
    return Math.max(0, ...waits);
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
