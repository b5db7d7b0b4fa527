// Merging the pages of one list answer (issue 8 item 3, issue 11 item 7): pages that overlap or repeat (the window
// moved between two requests, a proxy pages differently) must not give duplicate rows, and a server that pages one
// action at a time must not spend the rate budget.
import { isDefenderApiError } from './errors';
import { ListEnvelope, MachineAction, parseMachineAction } from './machineAction';
import { nextTimeOrder, parseTime, TimeOrder } from '../shared/time';

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

/** Characters idHash reads at the start and at the end of an id; the rest is left to sameId. */
const HASHED_HEAD = 4;
const HASHED_TAIL = 8;

/**
 * A 32-bit hash of the first HASHED_HEAD and last HASHED_TAIL characters of `id` that ids equal without case share:
 * ASCII letters are folded with `| 0x20` (other ASCII characters may collide, which sameId settles); when one of
 * those characters is not ASCII, the id is hashed as its toLowerCase() (which may be longer: hence no length in the
 * hash, and the end counted from the end). Twelve characters, not all 36 of a GUID: a GUID's are random throughout,
 * and reading every character was a third of the merge. Ids alike at both ends collide, and after MAX_PROBES the
 * merge moves to a Map, so that cannot make it quadratic.
 */
function idHash(id: string, lowered = false): number {
  const tailFrom = Math.max(HASHED_HEAD, id.length - HASHED_TAIL);
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i = i === HASHED_HEAD - 1 ? tailFrom : i + 1) {
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
 * The position in `list` of the action with this id, looked up in an open-addressing table of id hashes (`table`
 * holds pairs: a position, -1 when free, then its idHash; side by side, so a probe reads one cache line: at 100,000
 * actions the table is larger than the CPU caches), or -1 when there is none: then `position` (where the caller puts
 * it) is recorded, unless undefined (the caller drops it). GAVE_UP after MAX_PROBES probes.
 */
function findInTable(table: Int32Array, list: readonly MachineAction[], id: string, position: number | undefined): number {
  const hash = idHash(id);
  const mask = (table.length >> 1) - 1;
  for (let probe = 0, slot = hash & mask; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
    const held = table[2 * slot];
    if (held < 0) {
      if (position !== undefined) {
        table[2 * slot] = position;
        table[2 * slot + 1] = hash;
      }
      return -1;
    }
    if (table[2 * slot + 1] === hash && sameId(list[held].id, id)) {
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

/**
 * How far mergeInto got: the actions in the list, the copies and unreadable elements it met, where its lookup gave
 * up (or the page's length), and the TimeOrder of the list's creation times so far.
 */
interface MergeProgress {
  count: number;
  copies: number;
  skipped: number;
  stoppedAt: number;
  order: TimeOrder;
}

/**
 * Reads `elements` from index `from` on (parseMachineAction; an unreadable one is counted in `skipped`) and adds each
 * action to `list` (its first `count` entries are actions, the rest room for more) as it is read, while its strings
 * are in the CPU cache: a new id at `count` while fewer than `top` are held, a copy of a held action in its place
 * unless it is older. Ids are looked up in `exact` when
 * given, else in `table` (findInTable). `order`: the TimeOrder of the list's creation times
 * before this call, read on with each action added (its time and the previous one's are in the CPU cache then).
 * A plain function on arrays, not a MergedPages method and without a callback: its compiled loop must depend neither
 * on the class's object shape, which V8 drops with the last MergedPages at a full GC, nor on one closure (then every
 * refresh ran the loop unoptimised).
 */
function mergeInto(list: MachineAction[], count: number, top: number, elements: readonly unknown[], from: number, table: Int32Array, exact: Map<string, number> | undefined, order: TimeOrder): MergeProgress {
  let copies = 0;
  let skipped = 0;
  for (let i = from; i < elements.length; i++) {
    let action: MachineAction;
    try {
      action = parseMachineAction(elements[i]);
    } catch (error) {
      if (!isDefenderApiError(error)) {
        throw error;
      }
      skipped++;
      continue;
    }
    const position = count < top ? count : undefined;
    const held = exact ? findInMap(exact, action.id, position) : findInTable(table, list, action.id, position);
    if (held === GAVE_UP) {
      return { count, copies, skipped, stoppedAt: i, order };
    }
    if (held >= 0) {
      copies++;
      // Not `>`: NaN (no date) compares false, and the later read is the better guess then.
      if (!(updatedAt(action) < updatedAt(list[held]))) {
        if (action.creationDateTimeUtc !== list[held].creationDateTimeUtc) {
          order = 'mixed';
        }
        list[held] = action;
      }
    } else if (position !== undefined) {
      const time = action.creationDateTimeUtc;
      order = nextTimeOrder(order, position === 0 ? time : list[0].creationDateTimeUtc, position === 0 ? null : list[position - 1].creationDateTimeUtc, time);
      list[count++] = action;
    }
  }
  return { count, copies, skipped, stoppedAt: elements.length, order };
}

/** What MergedPages.add made of one page. */
export interface PageTaken {
  /** Elements the page carried, readable or not. */
  received: number;
  /** Elements that were machine actions (not an object, or no id: skipped). */
  readable: number;
  /** Actions not held before (new ids while the list had room). */
  added: number;
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
  private list: MachineAction[] = [];
  private readonly table: Int32Array;
  private exact: Map<string, number> | undefined;
  private order: TimeOrder = 'newestFirst';
  /** Copies of an action already held, dropped. */
  duplicates = 0;
  /** Elements that were not readable machine actions. */
  skipped = 0;

  constructor(private readonly top: number) {
    let size = 16;
    while (size < top * 2) {
      size *= 2;
    }
    // Pairs (findInTable): every position -1, free.
    this.table = new Int32Array(2 * size).fill(-1);
  }

  /**
   * Reads the elements of a page (listEnvelope) into the list: a bad element is skipped and counted, never thrown.
   * The list is lengthened for the page at once and cut to what it holds after: at 100,000 actions, push grew it by
   * three times its size while all JSON.parse made is alive (SPEC §4).
   */
  add(page: ListEnvelope): PageTaken {
    const { table, top } = this;
    const { elements } = page;
    const before = this.list.length;
    if (before === 0) {
      // Room for the first page at once: a copy of its elements, each overwritten by its action as read, the rest
      // cut after (packed at its size, unlike new Array(n), whose holes every later reader checks).
      this.list = elements.slice(0, Math.min(top, elements.length)) as MachineAction[];
    }
    const { list } = this;
    const skippedBefore = this.skipped;
    let count = before;
    for (let from = 0; from < elements.length;) {
      const progress = mergeInto(list, count, top, elements, from, table, this.exact, this.order);
      count = progress.count;
      this.order = progress.order;
      this.duplicates += progress.copies;
      this.skipped += progress.skipped;
      from = progress.stoppedAt;
      if (from < elements.length) {
        this.exact = new Map(list.slice(0, count).map((a, i): [string, number] => [a.id.toLowerCase(), i]));
      }
    }
    list.length = count;
    return { received: elements.length, readable: elements.length - (this.skipped - skippedBefore), added: list.length - before };
  }

  get full(): boolean {
    return this.list.length >= this.top;
  }

  /** How the creation times of `actions` stand, in their order (read as each action was parsed). */
  get creationOrder(): TimeOrder {
    return this.order;
  }

  /** The merged actions (the list itself, not a copy: read it once the pages are in). */
  get actions(): MachineAction[] {
    return this.list;
  }
}
