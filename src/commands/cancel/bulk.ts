// In-flight dedupe (SPEC §3 "Cancel" 6) and the pacing of a multi-selection cancel (8). Every request already waits
// for the shared rate limiter inside the client; here the bulk keeps few requests in flight, stops sending when the
// user stops it, and says up front when the budget will make it wait.
import type { RateBudget } from '../../model/autoRefresh';

/** One running task per key: a second start of the same key joins the first instead of repeating it. */
export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const id = key.toLowerCase();
    const existing = this.running.get(id);
    if (existing) {
      return { promise: existing, joined: true };
    }
    const promise = task().finally(() => this.running.delete(id));
    this.running.set(id, promise);
    return { promise, joined: false };
  }

  has(key: string): boolean {
    return this.running.has(key.toLowerCase());
  }
}

/** At most this many cancels in flight at once. */
export const MAX_BULK_CONCURRENCY = 4;

export type PacedResult<R> = { result: R } | { notSent: true };

/**
 * Runs `worker` over `items` with at most `concurrency` at a time, in order. Once `signal` aborts, items not yet
 * started are left out (`notSent`); the ones in flight finish. Results come back in the order of `items`.
 */
export async function runPaced<T, R>(
  items: readonly T[],
  worker: (item: T) => Promise<R>,
  options: { concurrency: number; signal?: AbortSignal; onSettled?(done: number, total: number): void },
): Promise<PacedResult<R>[]> {
  const results: PacedResult<R>[] = items.map(() => ({ notSent: true }));
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !options.signal?.aborted) {
      const index = next++;
      results[index] = { result: await worker(items[index]) };
      options.onSettled?.(++done, items.length);
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

/** A sentence for the progress notification when the rate budget will make part of the bulk wait; else undefined. */
export function bulkPacingNote(count: number, budget: RateBudget | undefined): string | undefined {
  if (!budget) {
    return undefined;
  }
  const { minute, hour } = budget.remaining();
  if (count > hour) {
    return `${count - hour} of the ${count} cancels must wait for the hourly API budget (1,500 calls an hour).`;
  }
  if (count > minute) {
    return `${count - minute} of the ${count} cancels wait for the next minute's API budget (100 calls a minute).`;
  }
  return undefined;
}
