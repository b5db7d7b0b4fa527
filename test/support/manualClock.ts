// The one fake clock of the tests: time moves only by the test or by the waits the code asks for, never by itself.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Clock } from '../../src/shared/logger';

/**
 * How a `sleep` ends. `advance`: when the test's advance() reaches its moment. `instant`: on the next turn of the event
 * loop, moving the time on by as much (work already admitted reads the time it was admitted at). `stall`: never by
 * itself, only when its signal aborts.
 */
export type SleepMode = 'advance' | 'instant' | 'stall';

export interface ManualClockOptions {
  /** The start, in ms since the epoch; the real time by default. */
  start?: number;
  /** `advance` by default. */
  sleeps?: SleepMode;
  /** Called with each instant sleep's ms, so a simulator's clock can move along with this one. */
  onSleep?: (ms: number) => void;
}

/** A Clock (src/shared/logger.ts) whose time the test controls; it records every wait asked of it. */
export class ManualClock implements Clock {
  /** Every wait asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private time: number;
  private sleepers: Array<{ until: number; resolve: () => void }> = [];

  constructor(private readonly options: ManualClockOptions = {}) {
    this.time = options.start ?? Date.now();
  }

  /** The time in ms since the epoch. */
  now(): number {
    return this.time;
  }

  /** Records `ms` and ends as the clock's SleepMode says; rejects with the signal's reason when it aborts first. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(ms);
    const mode = this.options.sleeps ?? 'advance';
    if (mode === 'instant') {
      await nextTurn();
      signal?.throwIfAborted();
      this.time += ms;
      this.options.onSleep?.(ms);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      if (mode === 'advance') {
        this.sleepers.push({ until: this.time + ms, resolve });
      }
    });
  }

  /** Moves the time on by `ms`, wakes the sleeps it reaches and lets their waiters run their next step. */
  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    due.forEach((s) => s.resolve());
    await settle();
  }
}

/** Lets woken waiters run their next steps: a few turns of the event loop. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await nextTurn();
  }
}
