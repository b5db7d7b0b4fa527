// The loaded machine actions, the state of the last load, and the actions being cancelled: the one source the tree,
// the badge, the status bar and the commands read; listeners instead of vscode events.
import type { MachineAction } from '../defender/machineAction';
import { StatusChange, statusChange } from './statusChanges';
import type { Disposable } from '../shared/logger';
import { parseTime, TimeOrder } from '../shared/time';

export interface LoadResult {
  actions: MachineAction[];
  /** Sentences for the user: why the list may be incomplete. */
  warnings: string[];
  /** How the creation times of `actions` stand, when the loader read them (ListResult.creationOrder). */
  creationOrder?: TimeOrder;
}

export type Loader = (signal: AbortSignal) => Promise<LoadResult>;

/** How a refresh ended: loaded (with the status changes it saw), failed, or replaced by a newer one. */
export type RefreshResult =
  | { kind: 'loaded'; changes: StatusChange[] }
  | { kind: 'failed'; error: unknown }
  /** A newer refresh or a clear() replaced this one before it finished. */
  | { kind: 'superseded' };

/**
 * Whether `candidate` (fetched by the request of ticket `candidateTicket`, see ActionsStore.begin) is newer than
 * `stored`: the later lastUpdate when both carry different ones, else the request that started later. So a load that
 * started before a cancel never undoes the cancel's result, whatever the timestamps.
 */
function isNewer(candidate: MachineAction, candidateTicket: number, stored: MachineAction, storedTicket: number): boolean {
  // The usual case, an unchanged time, needs no date parsing (10,000 rows per refresh).
  if (candidate.lastUpdateDateTimeUtc !== stored.lastUpdateDateTimeUtc) {
    const candidateTime = parseTime(candidate.lastUpdateDateTimeUtc);
    const storedTime = parseTime(stored.lastUpdateDateTimeUtc);
    if (candidateTime !== undefined && storedTime !== undefined && candidateTime !== storedTime) {
      return candidateTime > storedTime;
    }
  }
  return candidateTicket >= storedTicket;
}

/**
 * The listed actions, the state of the last load (loading, error, warnings, time in epoch ms from `now`) and the ids
 * being cancelled. One refresh runs at a time (a second joins it); an action read back by a cancel is kept over an
 * older list row. Listeners hear of every change through onDidChange.
 */
export class ActionsStore {
  private list: MachineAction[] = [];
  /** The ticket (see begin) of the load that fetched the list; the rows with another one are in `rowTickets`. */
  private listTicket = 0;
  /**
   * Lower-cased id → ticket of the rows that did not come with the list's load: put by a cancel's answer, or kept
   * over a load as newer. Few or none, so a refresh reads no ticket per row (one array fewer to walk: 0.3 ms of
   * 10,000 rows).
   */
  private rowTickets = new Map<string, number>();
  /** Lower-cased id → index in `list`, built when first needed: a refresh matches rows by position first. */
  private index: Map<string, number> | undefined;
  private warningList: string[] = [];
  /** How the creation times of `list` stand, when known: from the load, until a row is put in that was not in it. */
  private order: TimeOrder | undefined;
  private failure: { error: unknown } | undefined;
  /** Whether `list` is the result of a load (the baseline for status changes), not just empty. */
  private baseline = false;
  private current: { controller: AbortController; promise: Promise<RefreshResult> } | undefined;
  private readonly cancellingIds = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private lastLoadAt: number | undefined;
  /** The last ticket handed out; tickets below `sessionStart` belong to a previous session (before clear()). */
  private tickets = 0;
  private sessionStart = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get actions(): readonly MachineAction[] {
    return this.list;
  }

  get warnings(): readonly string[] {
    return this.warningList;
  }

  /** How the creation times of `actions` stand (see TimeOrder), or undefined when not known. */
  get creationOrder(): TimeOrder | undefined {
    return this.order;
  }

  get loading(): boolean {
    return this.current !== undefined;
  }

  /** Whether at least one load succeeded since the last clear(). */
  get loaded(): boolean {
    return this.baseline;
  }

  /** When the last successful load finished (epoch ms); undefined before the first. */
  get loadedAt(): number | undefined {
    return this.lastLoadAt;
  }

  /** The error of the last refresh when it failed (the previous actions stay listed). */
  get error(): unknown {
    return this.failure?.error;
  }

  get(id: string): MachineAction | undefined {
    return this.list[this.indexOf(id)];
  }

  /**
   * A ticket for a request about to start (a cancel, a get): pass it to upsert with the answer, so the store orders
   * copies by when their requests started and drops answers of a previous session. Increasing integers.
   */
  begin(): number {
    return ++this.tickets;
  }

  isCancelling(id: string): boolean {
    // Asked for every row shown: no lower-cased copy of the id while nothing is being cancelled.
    return this.cancellingIds.size > 0 && this.cancellingIds.has(id.toLowerCase());
  }

  setCancelling(id: string, cancelling: boolean): void {
    const key = id.toLowerCase();
    if (cancelling !== this.cancellingIds.has(key)) {
      if (cancelling) {
        this.cancellingIds.add(key);
      } else {
        this.cancellingIds.delete(key);
      }
      this.fire();
    }
  }

  /**
   * Puts the entity a cancel or get returned in place of the listed one (or first, when it was not listed). `ticket`
   * is from begin() when the request started (default: now). Returns false when it was dropped: the request started
   * before a sign-out or account change, or a newer copy is already stored.
   */
  upsert(action: MachineAction, ticket: number = this.begin()): boolean {
    const index = this.indexOf(action.id);
    if (ticket < this.sessionStart || (index >= 0 && !isNewer(action, ticket, this.list[index], this.ticketOf(this.list[index])))) {
      return false;
    }
    if (index < 0 || action.creationDateTimeUtc !== this.list[index].creationDateTimeUtc) {
      this.order = undefined;
    }
    this.rowTickets.set(action.id.toLowerCase(), ticket);
    if (index >= 0) {
      this.list = this.list.map((a, i) => (i === index ? action : a));
    } else {
      this.list = [action, ...this.list];
      this.index = undefined;
    }
    this.fire();
    return true;
  }

  /** Forgets everything (sign-out, another account or tenant) and abandons a running load. */
  clear(): void {
    this.current?.controller.abort();
    this.current = undefined;
    this.sessionStart = this.begin();
    this.list = [];
    this.listTicket = 0;
    this.rowTickets = new Map();
    this.index = undefined;
    this.order = undefined;
    this.warningList = [];
    this.failure = undefined;
    this.baseline = false;
    this.lastLoadAt = undefined;
    this.fire();
  }

  /**
   * One load at a time: while one runs, a refresh joins it — unless `restart` (the query changed), which abandons
   * it and starts over. Status changes are reported against the previous successful load.
   */
  refresh(loader: Loader, options: { restart?: boolean } = {}): Promise<RefreshResult> {
    if (this.current && !options.restart) {
      return this.current.promise;
    }
    this.current?.controller.abort();
    const controller = new AbortController();
    const promise = this.load(loader, controller, this.begin());
    this.current = { controller, promise };
    this.fire();
    return promise;
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async load(loader: Loader, controller: AbortController, ticket: number): Promise<RefreshResult> {
    let result: LoadResult;
    try {
      result = await loader(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        return { kind: 'superseded' };
      }
      this.current = undefined;
      this.failure = { error };
      this.fire();
      return { kind: 'failed', error };
    }
    if (controller.signal.aborted) {
      return { kind: 'superseded' };
    }
    const { list, rowTickets, changes, keptOtherTime } = this.merge(result.actions, ticket);
    this.current = undefined;
    this.list = list;
    this.listTicket = ticket;
    this.rowTickets = rowTickets;
    this.index = undefined;
    this.order = keptOtherTime ? undefined : result.creationOrder;
    this.warningList = result.warnings;
    this.failure = undefined;
    this.baseline = true;
    this.lastLoadAt = this.now();
    this.fire();
    return { kind: 'loaded', changes };
  }

  /** The index in `list` of the action `id` (any case), or -1. */
  private indexOf(id: string): number {
    if (!this.index) {
      const index = new Map<string, number>();
      this.list.forEach((action, i) => {
        const key = action.id.toLowerCase();
        if (!index.has(key)) {
          index.set(key, i);
        }
      });
      this.index = index;
    }
    return this.index.get(id.toLowerCase()) ?? -1;
  }

  /**
   * The list of a load (a stored copy that is newer stays in place of the loaded one), the tickets of such kept
   * rows, the status changes against the last load, and whether a kept copy was created at another time than the
   * loaded one said (then the load's creation order does not hold), in one pass. A refresh mostly lists what the last one did, shifted by the
   * actions created since: each row is looked for where the shift puts it, and by id (the index, built once) only
   * when it is not there.
   */
  private merge(loaded: readonly MachineAction[], ticket: number): { list: MachineAction[]; rowTickets: Map<string, number>; changes: StatusChange[]; keptOtherTime: boolean } {
    // A copy at its size, the few kept rows put in after: at 100,000 rows, growing it by push allocated three times
    // its size, while all JSON.parse made is alive (SPEC §4: that can bring on another pair of young-gen collections).
    const list = loaded.slice();
    const rowTickets = new Map<string, number>();
    const changes: StatusChange[] = [];
    let keptOtherTime = false;
    const previous = this.list;
    let shift = 0;
    for (let i = 0; i < loaded.length; i++) {
      const action = loaded[i];
      const at = previous[i + shift]?.id === action.id ? i + shift : this.indexOf(action.id);
      if (at < 0) {
        continue;
      }
      shift = at - i;
      const stored = previous[at];
      const storedTicket = this.ticketOf(stored);
      const keep = !isNewer(action, ticket, stored, storedTicket);
      // A kept copy stands where the loaded one was: the load's time order holds only if their creation times agree.
      keptOtherTime ||= keep && stored.creationDateTimeUtc !== action.creationDateTimeUtc;
      if (keep) {
        list[i] = stored;
        rowTickets.set(stored.id.toLowerCase(), storedTicket);
      }
      const change = this.baseline && !keep ? statusChange(stored, action) : undefined;
      if (change) {
        changes.push(change);
      }
    }
    return { list, rowTickets, changes, keptOtherTime };
  }

  /** The ticket of the request that fetched the listed `action` (see begin). */
  private ticketOf(action: MachineAction): number {
    return this.rowTickets.size === 0 ? this.listTicket : this.rowTickets.get(action.id.toLowerCase()) ?? this.listTicket;
  }

  private fire(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}
