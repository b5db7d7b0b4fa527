// The loaded machine actions, the state of the last load, and the actions being cancelled: the one source the tree,
// the badge, the status bar and the commands read. Pure (no vscode): listeners instead of vscode events.
import type { MachineAction } from '../defender/machineAction';
import { detectStatusChanges, StatusChange } from './statusChanges';
import type { Disposable } from '../shared/logger';
import { parseTime } from '../shared/time';

export interface LoadResult {
  actions: MachineAction[];
  /** Sentences for the user: why the list may be incomplete. */
  warnings: string[];
}

export type Loader = (signal: AbortSignal) => Promise<LoadResult>;

export type RefreshResult =
  | { kind: 'loaded'; changes: StatusChange[] }
  | { kind: 'failed'; error: unknown }
  /** A newer refresh or a clear() replaced this one before it finished. */
  | { kind: 'superseded' };

/** A copy of an action and the ticket of the request that fetched it (see ActionsStore.begin). */
interface Copy {
  action: MachineAction;
  ticket: number;
}

/**
 * Whether `candidate` is newer than `stored`: the later lastUpdate when both carry different ones, else the request
 * that started later. So a load that started before a cancel never undoes the cancel's result, whatever the timestamps.
 */
function isNewer(candidate: Copy, stored: Copy | undefined): boolean {
  if (!stored) {
    return true;
  }
  // The usual case, an unchanged time, needs no date parsing (10,000 rows per refresh).
  if (candidate.action.lastUpdateDateTimeUtc !== stored.action.lastUpdateDateTimeUtc) {
    const candidateTime = parseTime(candidate.action.lastUpdateDateTimeUtc);
    const storedTime = parseTime(stored.action.lastUpdateDateTimeUtc);
    if (candidateTime !== undefined && storedTime !== undefined && candidateTime !== storedTime) {
      return candidateTime > storedTime;
    }
  }
  return candidate.ticket >= stored.ticket;
}

export class ActionsStore {
  private list: MachineAction[] = [];
  private byId = new Map<string, Copy>();
  private warningList: string[] = [];
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
    return this.byId.get(id.toLowerCase())?.action;
  }

  /**
   * A ticket for a request about to start (a cancel, a get): pass it to upsert with the answer, so the store orders
   * copies by when their requests started and drops answers of a previous session. Increasing integers.
   */
  begin(): number {
    return ++this.tickets;
  }

  isCancelling(id: string): boolean {
    return this.cancellingIds.has(id.toLowerCase());
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
    const key = action.id.toLowerCase();
    const copy = { action, ticket };
    if (ticket < this.sessionStart || !isNewer(copy, this.byId.get(key))) {
      return false;
    }
    const index = this.byId.has(key) ? this.list.findIndex((a) => a.id.toLowerCase() === key) : -1;
    this.list = index >= 0 ? this.list.map((a, i) => (i === index ? action : a)) : [action, ...this.list];
    this.byId.set(key, copy);
    this.fire();
    return true;
  }

  /** Forgets everything (sign-out, another account or tenant) and abandons a running load. */
  clear(): void {
    this.current?.controller.abort();
    this.current = undefined;
    this.sessionStart = this.begin();
    this.list = [];
    this.byId = new Map();
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
    const copies = result.actions.map((action): Copy => {
      const stored = this.byId.get(action.id.toLowerCase());
      const loaded = { action, ticket };
      return isNewer(loaded, stored) ? loaded : stored ?? loaded;
    });
    const actions = copies.map((c) => c.action);
    const changes = this.baseline ? detectStatusChanges((id) => this.get(id), actions) : [];
    this.current = undefined;
    this.list = actions;
    this.byId = new Map();
    for (const copy of copies) {
      this.byId.set(copy.action.id.toLowerCase(), copy);
    }
    this.warningList = result.warnings;
    this.failure = undefined;
    this.baseline = true;
    this.lastLoadAt = this.now();
    this.fire();
    return { kind: 'loaded', changes };
  }

  private fire(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}
