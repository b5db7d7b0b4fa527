// Merging the pages of one list answer (issue 8 item 3, issue 11 item 7): pages that overlap or repeat (the window
// moved between two requests, a proxy pages differently) must not give duplicate rows, and a server that pages one
// action at a time must not spend the rate budget.
import type { MachineAction, MachineActionPage } from './machineAction';
import { parseTime } from '../shared/time';

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
  // Only copies of one id come here (rare): the one reading of a time, so this merge and the store's agree.
  return parseTime(action.lastUpdateDateTimeUtc) ?? NaN;
}

/** Whether two ids name one action (ids compare without case, as everywhere). */
function sameId(a: string, b: string): boolean {
  return a === b || a.toLowerCase() === b.toLowerCase();
}

/**
 * A 32-bit hash of `id` that ids equal without case share: ASCII letters are folded with `| 0x20` (other ASCII
 * characters may collide, which sameId settles); an id with other characters is hashed as its toLowerCase().
 */
function idHash(id: string, lowered = false): number {
  let hash = id.length;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code > 0x7f && !lowered) {
      return idHash(id.toLowerCase(), true);
    }
    hash = Math.imul(hash ^ (code < 0x80 ? code | 0x20 : code), 0x01000193);
  }
  return hash;
}

/** Probes one lookup may take in the table before MergedPages gives way to a Map (ids made to collide). */
const MAX_PROBES = 32;
/** A lookup that gave up after MAX_PROBES. */
const GAVE_UP = -2;

/**
 * The position in `list` of the action with this id, looked up in an open-addressing table of id hashes (`slots`
 * holds positions, -1 when free; `hashes` their idHash), or -1 when there is none: then `position` (where the caller
 * puts it) is recorded, unless undefined (the caller drops it). GAVE_UP after MAX_PROBES probes.
 */
function findInTable(slots: Int32Array, hashes: Int32Array, list: readonly MachineAction[], id: string, position: number | undefined): number {
  const hash = idHash(id);
  const mask = slots.length - 1;
  for (let probe = 0, slot = hash & mask; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
    const held = slots[slot];
    if (held < 0) {
      if (position !== undefined) {
        slots[slot] = position;
        hashes[slot] = hash;
      }
      return -1;
    }
    if (hashes[slot] === hash && sameId(list[held].id, id)) {
      return held;
    }
  }
  return GAVE_UP;
}

/** findInTable with a Map of lower-cased ids. */
function findInMap(map: Map<string, number>, id: string, position: number | undefined): number {
  const key = id.toLowerCase();
  const held = map.get(key);
  if (held === undefined && position !== undefined) {
    map.set(key, position);
  }
  return held ?? -1;
}

/** How far mergeInto got: the copies it met, and where its lookup gave up (or the page's length). */
interface MergeProgress {
  copies: number;
  stoppedAt: number;
}

/**
 * Adds `actions` from index `from` on to `list`: a new id at the end while the list is shorter than `top`, a copy of
 * a held action in its place unless it is older. `find` is findInTable or findInMap with their first arguments.
 * A plain function on arrays, not a MergedPages method: its compiled loop must not depend on the class's object
 * shape, which V8 drops with the last MergedPages at a full GC (then every refresh ran the loop unoptimised).
 */
function mergeInto(list: MachineAction[], top: number, actions: readonly MachineAction[], from: number, find: (id: string, position: number | undefined) => number): MergeProgress {
  let copies = 0;
  for (let i = from; i < actions.length; i++) {
    const action = actions[i];
    const position = list.length < top ? list.length : undefined;
    const held = find(action.id, position);
    if (held === GAVE_UP) {
      return { copies, stoppedAt: i };
    }
    if (held >= 0) {
      copies++;
      // Not `>`: NaN (no date) compares false, and the later read is the better guess then.
      if (!(updatedAt(action) < updatedAt(list[held]))) {
        list[held] = action;
      }
    } else if (position !== undefined) {
      list.push(action);
    }
  }
  return { copies, stoppedAt: actions.length };
}

/**
 * Actions by id in the order first seen; of two copies the later one read wins unless its lastUpdateDateTimeUtc is
 * older than the held copy's (a copy without a readable date, or an equal date, cannot prove it is older); at most `top`.
 *
 * Ids are looked up in a table of id hashes sized for `top` (a refresh looks up 10,000 ids; a Map of lower-cased ids
 * cost 3× more: a new string and a slower hash per id). Ids made to collide do not make it quadratic: after
 * MAX_PROBES probes every id moves to a Map of lower-cased ids.
 */
export class MergedPages {
  private readonly list: MachineAction[] = [];
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private exact: Map<string, number> | undefined;
  /** Copies of an action already held, dropped. */
  duplicates = 0;
  /** Elements that were not readable machine actions. */
  skipped = 0;

  constructor(private readonly top: number) {
    let size = 16;
    while (size < top * 2) {
      size *= 2;
    }
    this.slots = new Int32Array(size).fill(-1);
    this.hashes = new Int32Array(size);
  }

  /** Takes in a page; returns how many of its actions were new. */
  add(page: MachineActionPage): number {
    this.skipped += page.skipped;
    const { list, slots, hashes } = this;
    const before = list.length;
    let progress: MergeProgress = { copies: 0, stoppedAt: 0 };
    if (!this.exact) {
      progress = mergeInto(list, this.top, page.actions, 0, (id, position) => findInTable(slots, hashes, list, id, position));
      this.duplicates += progress.copies;
    }
    if (progress.stoppedAt < page.actions.length) {
      const exact = this.exact ?? new Map(list.map((a, i): [string, number] => [a.id.toLowerCase(), i]));
      this.exact = exact;
      this.duplicates += mergeInto(list, this.top, page.actions, progress.stoppedAt, (id, position) => findInMap(exact, id, position)).copies;
    }
    return list.length - before;
  }

  get full(): boolean {
    return this.list.length >= this.top;
  }

  /** The merged actions (the list itself, not a copy: read it once the pages are in). */
  get actions(): MachineAction[] {
    return this.list;
  }
}
