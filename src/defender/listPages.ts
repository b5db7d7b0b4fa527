// Merging the pages of one list answer (issue 8 item 3, issue 11 item 7): pages that overlap or repeat (the window
// moved between two requests, a proxy pages differently) must not give duplicate rows, and a server that pages one
// action at a time must not spend the rate budget.
import type { MachineAction, MachineActionPage } from './machineAction';

/** The most pages one list follows, whatever the server's page size. */
export const MAX_PAGES_PER_LIST = 20;
/** Pages allowed beyond what `top` needs at the first page's size, for overlap and a moving window. */
const SPARE_PAGES = 2;

/** How many pages a list of `top` actions may read when the first page carried `firstPageSize` elements. */
export function pageLimit(top: number, firstPageSize: number): number {
  return Math.min(MAX_PAGES_PER_LIST, Math.ceil(top / Math.max(1, firstPageSize)) + SPARE_PAGES);
}

/** Epoch ms of a `…Utc` timestamp (no zone designator means UTC); NaN when missing or unreadable. */
function updatedAt(action: MachineAction): number {
  const text = action.lastUpdateDateTimeUtc;
  if (!text) {
    return NaN;
  }
  return Date.parse(/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}

/**
 * Actions by id in the order first seen; of two copies the later one read wins unless its lastUpdateDateTimeUtc is
 * older than the held copy's (a copy without a readable date, or an equal date, cannot prove it is older); at most `top`.
 */
export class MergedPages {
  private readonly byId = new Map<string, MachineAction>();
  /** Copies of an action already held, dropped. */
  duplicates = 0;
  /** Elements that were not readable machine actions. */
  skipped = 0;

  constructor(private readonly top: number) {}

  /** Takes in a page; returns how many of its actions were new. */
  add(page: MachineActionPage): number {
    this.skipped += page.skipped;
    let added = 0;
    for (const action of page.actions) {
      const key = action.id.toLowerCase();
      const held = this.byId.get(key);
      if (held) {
        this.duplicates++;
        // Not `>`: NaN (no date) compares false, and the later read is the better guess then.
        if (!(updatedAt(action) < updatedAt(held))) {
          this.byId.set(key, action);
        }
      } else if (this.byId.size < this.top) {
        this.byId.set(key, action);
        added++;
      }
    }
    return added;
  }

  get full(): boolean {
    return this.byId.size >= this.top;
  }

  get actions(): MachineAction[] {
    return [...this.byId.values()];
  }
}
