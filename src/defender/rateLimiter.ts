// The API's budget (SPEC §1): 100 calls per minute and 1500 per hour per application and tenant, as sliding
// windows, plus Retry-After pauses. Every request of a client (retries and next pages included) passes here.
import { Clock, systemClock } from '../shared/logger';

/** 'read' (list, get) may not use the reserve; 'write' (cancel) may use the whole budget. */
export type CallPurpose = 'read' | 'write';

/** One admitted call; `id` is unique across limiters sharing a store, so merging never counts a call twice. */
export interface RecordedCall {
  /** Epoch ms. */
  at: number;
  id: string;
}

/** The limiter's state as it is shared between limiters (two VS Code windows): calls of the last hour and the pause. */
export interface RateState {
  calls: RecordedCall[];
  /** Epoch ms before which nobody sends (a 429's Retry-After); 0 when none. */
  pausedUntil: number;
}

/**
 * Where limiters share their state. `read` is called before each decision and the state merged in; `write` after
 * each change. Both are synchronous so two limiters in one process cannot interleave between read and write.
 */
export interface RateStateStore {
  read(): RateState | undefined;
  write(state: RateState): void;
  /**
   * Runs `work` (a read, a decision and a write) so that no other limiter's read-merge-write, in this process or
   * another, interleaves with it, and returns its result. Optional: without it, only this process is serialised.
   */
  exclusive?<T>(work: () => T): T;
}

export interface RateLimiterOptions {
  perMinute?: number;
  perHour?: number;
  /**
   * Calls per minute and per hour that reads cannot use, so a refresh (or a server paging one action at a time)
   * never starves a cancel. Default: a tenth of the minute budget and a fifteenth of the hour budget (10 and 100).
   */
  readReserve?: { minute: number; hour: number };
  /** The longest pause a Retry-After may impose, in ms (default 5 minutes): an absurd value cannot block the session. */
  maxPauseMs?: number;
  /** Shares the state with other limiters (e.g. FileRateStateStore for all windows); default: this instance only. */
  store?: RateStateStore;
  clock?: Clock;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DEFAULT_MAX_PAUSE_MS = 5 * MINUTE_MS;
/**
 * Shorter waits pass unremarked; longer ones are reported to `onWait` so the UI can say why nothing happens. Half a
 * second, not one: a 1 s Retry-After is a few ms shorter by the time the request asks again (the shared state file is
 * read and written in between), and the user should still read "Waiting 1 s".
 */
const NOTABLE_WAIT_MS = 500;

export interface WaitLimits {
  /** Fail with RateBudgetExhausted instead of waiting longer than this in total. */
  maxWaitMs?: number;
  /** Called before each wait of about a second or more (≥ 500 ms), with its length in ms. */
  onWait?(ms: number): void;
  /** Default 'write' (the whole budget). */
  purpose?: CallPurpose;
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

const NO_RESERVE = Object.freeze({ minute: 0, hour: 0 });

/** Sliding-window budget of SPEC §1; every method may throw what the store throws. */
export class RateLimiter {
  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly readReserve: { minute: number; hour: number };
  private readonly maxPauseMs: number;
  private readonly store?: RateStateStore;
  private readonly clock: Clock;
  /** Calls of the last hour, oldest first. */
  private calls: RecordedCall[] = [];
  private pausedUntil = 0;
  // Tells this limiter's calls from other windows' in a shared state; no secret, so no crypto at activation.
  private readonly instance = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  private sequence = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.perMinute = options.perMinute ?? 100;
    this.perHour = options.perHour ?? 1500;
    const reserve = options.readReserve ?? { minute: Math.round(this.perMinute / 10), hour: Math.round(this.perHour / 15) };
    // Reads keep at least one call per window, so a misconfigured reserve cannot lock the list out for good.
    this.readReserve = { minute: Math.min(reserve.minute, this.perMinute - 1), hour: Math.min(reserve.hour, this.perHour - 1) };
    this.maxPauseMs = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Waits until a call of `limits.purpose` fits in both windows and no pause is running, then counts it. Rejects with
   * RateBudgetExhausted at once when that moment lies beyond `limits.maxWaitMs`.
   */
  async acquire(signal?: AbortSignal, limits: WaitLimits = {}): Promise<void> {
    const deadline = this.clock.now() + (limits.maxWaitMs ?? Infinity);
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const hold = this.exclusively(() => {
        this.merge();
        const found = this.holdAt(now, limits.purpose ?? 'write');
        if (!found) {
          this.calls.push({ at: now, id: `${this.instance}:${this.sequence++}` });
          this.persist();
        }
        return found;
      });
      if (!hold) {
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

  /** After a 429: nobody sends before `seconds` have passed, or maxPauseMs, whichever comes first. */
  pauseFor(seconds: number): void {
    this.exclusively(() => {
      this.merge();
      const now = this.clock.now();
      const until = now + Math.min(Math.max(0, seconds) * 1000, this.maxPauseMs);
      this.pausedUntil = Math.max(this.pausedUntil, until);
      this.persist();
    });
  }

  /** The longest pause a Retry-After can impose, in seconds. */
  get maxPauseSeconds(): number {
    return Math.floor(this.maxPauseMs / 1000);
  }

  /** Calls left in each window for `purpose` (default 'write': the whole budget; 'read' leaves out the reserve). */
  remaining(purpose: CallPurpose = 'write'): { minute: number; hour: number } {
    this.merge();
    const now = this.clock.now();
    this.forgetOlderThan(now - HOUR_MS);
    const reserved = this.reserveFor(purpose);
    return {
      minute: Math.max(0, this.perMinute - reserved.minute - this.countSince(now - MINUTE_MS)),
      hour: Math.max(0, this.perHour - reserved.hour - this.calls.length),
    };
  }

  /** Whether `n` calls of `purpose` could start now without waiting (auto refresh skips a round otherwise). */
  hasBudgetFor(n: number, purpose: CallPurpose = 'write'): boolean {
    const left = this.remaining(purpose);
    return this.pausedUntil <= this.clock.now() && left.minute >= n && left.hour >= n;
  }

  /** `work` under the store's cross-process exclusion, when it has one. */
  private exclusively<T>(work: () => T): T {
    return this.store?.exclusive ? this.store.exclusive(work) : work();
  }

  /** Takes in what other limiters on the store did; a pause from the store is bounded by maxPauseMs too. */
  private merge(): void {
    const shared = this.store?.read();
    if (!shared) {
      return;
    }
    const byId = new Map(this.calls.map((call) => [call.id, call]));
    for (const call of shared.calls) {
      byId.set(call.id, call);
    }
    this.calls = [...byId.values()].sort((a, b) => a.at - b.at);
    this.pausedUntil = Math.max(this.pausedUntil, Math.min(shared.pausedUntil, this.clock.now() + this.maxPauseMs));
  }

  private persist(): void {
    if (this.store) {
      this.forgetOlderThan(this.clock.now() - HOUR_MS);
      this.store.write({ calls: this.calls, pausedUntil: this.pausedUntil });
    }
  }

  /** The calls a purpose must leave unused: reads leave the cancels' reserve, cancels may use everything. */
  private reserveFor(purpose: CallPurpose): { minute: number; hour: number } {
    return purpose === 'read' ? this.readReserve : NO_RESERVE;
  }

  /** Undefined when a call may start at `now`, else the longest of what holds it. */
  private holdAt(now: number, purpose: CallPurpose): Hold | undefined {
    this.forgetOlderThan(now - HOUR_MS);
    const reserved = this.reserveFor(purpose);
    const holds: Hold[] = [
      { waitMs: this.pausedUntil - now, reason: 'the Defender API asked this client to pause (Retry-After)' },
      this.windowHold(now, HOUR_MS, this.perHour, reserved.hour, 'hour'),
      this.windowHold(now, MINUTE_MS, this.perMinute, reserved.minute, 'minute'),
    ];
    const longest = holds.reduce((a, b) => (b.waitMs > a.waitMs ? b : a));
    return longest.waitMs > 0 ? longest : undefined;
  }

  /** How long until a call fits in the window of `lengthMs` ending at `now` (≤ 0: it fits), `reserved` calls kept back. */
  private windowHold(now: number, lengthMs: number, budget: number, reserved: number, unit: string): Hold {
    const limit = budget - reserved;
    const reason = reserved > 0
      ? `the ${limit} of the ${budget} Defender API calls per ${unit} that a refresh may use are used up (${reserved} are kept for cancels)`
      : `the budget of ${budget} Defender API calls per ${unit} is used up`;
    if (this.countSince(now - lengthMs) < limit) {
      return { waitMs: 0, reason };
    }
    return { waitMs: this.calls[this.calls.length - limit].at + lengthMs - now, reason };
  }

  private forgetOlderThan(cutoff: number): void {
    let expired = 0;
    while (expired < this.calls.length && this.calls[expired].at <= cutoff) {
      expired++;
    }
    this.calls.splice(0, expired);
  }

  private countSince(cutoff: number): number {
    let count = 0;
    for (let i = this.calls.length - 1; i >= 0 && this.calls[i].at > cutoff; i--) {
      count++;
    }
    return count;
  }
}
