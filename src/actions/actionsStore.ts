// The loaded machine actions, the state of the last load, and the actions being cancelled: the one source the tree,
// the badge, the status bar and the commands read. Pure (no vscode): listeners instead of vscode events.
import type { MachineAction } from '../defender/machineAction';
import { parseTime } from '../views/presentation';
import { detectStatusChanges, StatusChange } from './statusChanges';

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

export interface Disposable {
  dispose(): void;
}

/** The copy with the later lastUpdate wins: a load that started before a cancel must not undo the cancel's result. */
function fresher(stored: MachineAction | undefined, loaded: MachineAction): MachineAction {
  // The usual case, an unchanged time, needs no date parsing (10,000 rows per refresh).
  if (!stored || stored.lastUpdateDateTimeUtc === loaded.lastUpdateDateTimeUtc) {
    return loaded;
  }
  const storedTime = parseTime(stored?.lastUpdateDateTimeUtc);
  const loadedTime = parseTime(loaded.lastUpdateDateTimeUtc);
  return stored && storedTime !== undefined && (loadedTime === undefined || storedTime > loadedTime) ? stored : loaded;
}

export class ActionsStore {
  private list: MachineAction[] = [];
  private byId = new Map<string, MachineAction>();
  private warningList: string[] = [];
  private failure: { error: unknown } | undefined;
  /** Whether `list` is the result of a load (the baseline for status changes), not just empty. */
  private baseline = false;
  private current: { controller: AbortController; promise: Promise<RefreshResult> } | undefined;
  private readonly cancellingIds = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private lastLoadAt: number | undefined;

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
    return this.byId.get(id.toLowerCase());
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

  /** Puts the entity a cancel or get returned in place of the listed one (or first, when it was not listed). */
  upsert(action: MachineAction): void {
    const key = action.id.toLowerCase();
    const index = this.byId.has(key) ? this.list.findIndex((a) => a.id.toLowerCase() === key) : -1;
    this.list = index >= 0 ? this.list.map((a, i) => (i === index ? action : a)) : [action, ...this.list];
    this.byId.set(key, action);
    this.fire();
  }

  remove(id: string): void {
    const key = id.toLowerCase();
    if (this.byId.delete(key)) {
      this.list = this.list.filter((a) => a.id.toLowerCase() !== key);
      this.fire();
    }
  }

  /** Forgets everything (sign-out, another account or tenant) and abandons a running load. */
  clear(): void {
    this.current?.controller.abort();
    this.current = undefined;
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
    const promise = this.load(loader, controller);
    this.current = { controller, promise };
    this.fire();
    return promise;
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private async load(loader: Loader, controller: AbortController): Promise<RefreshResult> {
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
    const actions = result.actions.map((a) => fresher(this.get(a.id), a));
    const changes = this.baseline ? detectStatusChanges((id) => this.get(id), actions) : [];
    this.current = undefined;
    this.list = actions;
    this.byId = new Map();
    for (const action of actions) {
      this.byId.set(action.id.toLowerCase(), action);
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
