// Auto refresh (SPEC §3 "The tree"): only while the view is visible, every mdeActions.autoRefreshSeconds, and only
// inside the rate budget — a turn is skipped, not queued, when the budget runs low. Timers are injected.

/** The part of the rate limiter the UI reads (src/defender/rateLimiter.ts implements it). */
export interface RateBudget {
  /** 'read' counts only what a refresh may use (the limiter keeps a reserve for cancels). */
  hasBudgetFor(n: number, purpose?: 'read' | 'write'): boolean;
  remaining(): { minute: number; hour: number };
}

/**
 * Calls an auto refresh needs free before it starts: the refresh itself, its retries (three 429s at most), and room
 * left for the engineer's own refreshes and cancels.
 */
export const AUTO_REFRESH_RESERVE = 10;

export type AutoRefreshDecision = 'run' | 'signedOut' | 'busy' | 'fresh' | 'lowBudget';

export interface AutoRefreshState {
  signedIn: boolean;
  loading: boolean;
  budget: RateBudget | undefined;
  /** Milliseconds since the last successful load; undefined when nothing is loaded yet. */
  ageMs: number | undefined;
  /** mdeActions.autoRefreshSeconds; 0 = off. */
  intervalSeconds: number;
}

/** Whether an auto refresh (a timer tick, or the view becoming visible) should load now. */
export function autoRefreshDecision(state: AutoRefreshState): AutoRefreshDecision {
  if (!state.signedIn || !state.budget) {
    return 'signedOut';
  }
  if (state.loading) {
    return 'busy';
  }
  // Showing the view again soon after a load (or a manual refresh just before a tick) reuses the list. Half an
  // interval, so timer jitter never makes a regular tick look fresh and skip a whole turn.
  if (state.ageMs !== undefined && (state.intervalSeconds <= 0 || state.ageMs < (state.intervalSeconds * 1000) / 2)) {
    return 'fresh';
  }
  return state.budget.hasBudgetFor(AUTO_REFRESH_RESERVE, 'read') ? 'run' : 'lowBudget';
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's own timers. */
export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs `tick` every `seconds` while `visible`; the next turn is timed from the end of the previous one, so a slow
 * answer never stacks refreshes. Becoming visible again starts a fresh interval (the caller refreshes on reveal).
 */
export class AutoRefreshTimer {
  private handle: unknown;
  private seconds = 0;
  private visible = false;
  private disposed = false;

  /** `onError` gets what a tick throws: the timer goes on, but the failure must reach the log. */
  constructor(
    private readonly tick: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  /** `seconds` 0 turns auto refresh off. */
  configure(options: { seconds: number; visible: boolean }): void {
    if (options.seconds === this.seconds && options.visible === this.visible) {
      return;
    }
    this.seconds = options.seconds;
    this.visible = options.visible;
    this.stop();
    this.schedule();
  }

  get running(): boolean {
    return this.handle !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }

  private schedule(): void {
    if (this.disposed || !this.visible || this.seconds <= 0) {
      return;
    }
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      void this.tick().catch(this.onError).finally(() => {
        if (this.handle === undefined) {
          this.schedule();
        }
      });
    }, this.seconds * 1000);
  }

  private stop(): void {
    if (this.handle !== undefined) {
      this.timers.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }
}
