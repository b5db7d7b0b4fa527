// The state behind the Machine Actions view and the one thing commands talk to: the store, the session, the filter
// (kept in workspaceState), refresh with its rate-limit wait line, auto refresh, settings reactions and status-change
// notices. It renders nothing: the view (actionsView.ts) draws on its onDidChange. No vscode values, so it runs in
// plain Node.
import type { ExtensionSettings } from '../config';
import type { DefenderClient, ListOptions } from '../defender/client';
import type { MachineAction } from '../defender/machineAction';
import { ActionFilter, applyFilter, normalizeFilter } from '../model/actionFilter';
import { ActionsStore, RefreshResult } from '../model/actionsStore';
import { autoRefreshDecision, AutoRefreshTimer, realTimers, type Timers } from '../model/autoRefresh';
import type { Session } from '../model/session';
import type { SettingsSource } from '../settings';
import { errorDetail, signInRequired } from '../shared/errors';
import type { Disposable, Logger } from '../shared/logger';
import { countCancellable } from './grouping';
import { statusChangeMessage } from './statusChangeText';
import { describeFilter, rateLimitWaitLine } from './viewHeader';

const FILTER_STATE_KEY = 'mdeActions.filter';

/** What tells two list queries apart: the time window, the size and the requestor (not the time they are sent). */
function queryKey(query: ListOptions): string {
  return JSON.stringify([query.lookbackDays, query.top, query.requestorUpn ?? null]);
}

/** Where the filter is kept between sessions: the workspace's Memento (vscode.Memento fits). */
export interface FilterState {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** What the controller is built from; `timers` and `now` (epoch ms) default to the real ones. */
export interface ActionsControllerOptions {
  session: Session;
  settings: SettingsSource;
  state: FilterState;
  log: Logger;
  /** Shows a status-change notice to the engineer (an information notification, not awaited). */
  notice(message: string): void;
  timers?: Timers;
  now?: () => number;
}

/** Reveals an action's row in the tree; registered by the view, which owns the TreeView. */
export type Revealer = (action: MachineAction) => PromiseLike<void>;

/** Thrown when a command needs a session: the command wrapper offers Sign In. */
function signInFirst(what: string): Error {
  return signInRequired(`Sign in to Microsoft Defender to ${what}.`);
}

/**
 * The Machine Actions state over the Session it is given. Fires onDidChange whenever anything the view draws may
 * have changed (the store, the session, the settings, the filter, the wait line).
 */
export class ActionsController implements Disposable {
  /** The loaded actions and the actions being cancelled; cleared when the account, tenant or API base changes. */
  readonly store: ActionsStore;
  /** Sign-in: the account, the client and the rate budget. */
  readonly session: Session;
  private readonly options: ActionsControllerOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly timer: AutoRefreshTimer;
  private readonly listeners = new Set<() => void>();
  private readonly disposables: Disposable[] = [];
  private currentFilter: ActionFilter;
  /** visibleActions() as last computed, with what it was computed from (the store gives a new list on each change). */
  private visibleCache: { actions: readonly MachineAction[]; filter: ActionFilter; upn: string | undefined; visible: readonly MachineAction[] } | undefined;
  private visible = false;
  private revealer: Revealer | undefined;
  /** After dispose(): nothing more is loaded, saved, logged or shown. */
  private disposed = false;
  /** The client the loaded list came from: another account, tenant or API base starts from an empty list. */
  private listClient: DefenderClient | undefined;
  /** Each load's outcome once reported (log, notices), by the store's promise of it: refreshes that join share it. */
  private readonly reports = new WeakMap<Promise<RefreshResult>, Promise<RefreshResult>>();
  /** The queryKey of the last load started: a change of the settings or the filter that keeps it loads nothing. */
  private startedQuery: string | undefined;
  /** While a list waits for the rate limit: the line that says so, its end (epoch ms) and timer, and its refresh. */
  private waiting: { line: string; until: number; handle: unknown; owner?: object } | undefined;

  constructor(options: ActionsControllerOptions) {
    this.options = options;
    this.session = options.session;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.store = new ActionsStore(this.now);
    this.currentFilter = normalizeFilter(options.state.get(FILTER_STATE_KEY));
    this.timer = new AutoRefreshTimer(() => this.autoRefresh(), (error) => this.log.error(`Auto refresh: ${errorDetail(error)}`), this.timers);
    this.disposables.push(
      { dispose: () => this.timer.dispose() },
      { dispose: () => this.setWaiting(undefined) },
      this.store.onDidChange(() => this.fire()),
      this.session.onDidChange(() => this.onSessionChanged()),
      options.settings.onDidChange(() => this.onSettingsChanged()),
    );
    this.onSessionChanged();
  }

  /** The settings as last read. */
  get settings(): ExtensionSettings {
    return this.options.settings.current;
  }

  /** The view's own filter (the onlyMine setting is apart from it). */
  get filter(): ActionFilter {
    return this.currentFilter;
  }

  /** Why the list waits for the rate limit and until when; undefined when it does not wait. */
  get waitLine(): string | undefined {
    return this.waiting?.line;
  }

  /** Calls `listener` after anything the view draws may have changed. */
  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The client; throws a 'signInRequired' error (the command wrapper offers Sign In) when signed out. */
  requireClient(what: string): DefenderClient {
    const client = this.session.client();
    if (!client) {
      throw signInFirst(what);
    }
    return client;
  }

  /**
   * The rows the view shows now: the loaded actions after the filter. Filtered once per change of the store, the
   * filter or the session, however many readers a render has (the tree, the header's count, a command).
   */
  visibleActions(): readonly MachineAction[] {
    const { actions } = this.store;
    const filter = this.currentFilter;
    const upn = this.session.account?.username;
    let cache = this.visibleCache;
    if (!cache || cache.actions !== actions || cache.filter !== filter || cache.upn !== upn) {
      cache = { actions, filter, upn, visible: applyFilter(actions, filter, upn) };
      this.visibleCache = cache;
    }
    return cache.visible;
  }

  /**
   * Sets the view's filter and keeps it in the workspace state. Turning "only mine" on or off also narrows or widens
   * the server query (unless the onlyMine setting already narrows it), so it refreshes; a failure of that refresh is
   * thrown as for refresh(). When the workspace state refuses the filter, it still applies in this window (the view
   * shows it) and then an error says it could not be kept.
   */
  async setFilter(filter: ActionFilter): Promise<void> {
    if (this.disposed) {
      return;
    }
    this.currentFilter = filter;
    this.log.info(`Filter: ${describeFilter(filter) || 'none'}`);
    const saving = this.saveFilter(filter);
    if (this.queryChanged()) {
      await this.refresh({ manual: true, restart: true });
    } else {
      this.fire();
    }
    const refused = await saving;
    if (refused) {
      throw refused;
    }
  }

  /** Clears the view's own filter (the onlyMine setting stays as the user set it). */
  async clearFilter(): Promise<void> {
    await this.setFilter(normalizeFilter({}));
  }

  /**
   * Loads the list (one request, GET /api/machineactions, Machine.Read). A manual refresh always runs (the rate
   * limiter paces it) and throws a 'signInRequired' error when signed out; `restart` abandons a running load (the
   * query changed) instead of joining it. A failure shows in the tree as an error row and, for a manual refresh, is
   * thrown to the command wrapper as well. After dispose() it does nothing (the window is closing).
   */
  async refresh(options: { manual: boolean; restart?: boolean }): Promise<void> {
    if (this.disposed) {
      return;
    }
    const client = this.session.client();
    if (!client) {
      if (options.manual) {
        throw signInFirst('see the machine actions');
      }
      return;
    }
    // The wait line belongs to this refresh: a refresh that replaced it may be waiting now and keeps its line.
    const owner = {};
    let result: RefreshResult;
    try {
      result = await this.load(client, owner, options.restart);
    } finally {
      if (this.waiting?.owner === owner) {
        this.setWaiting(undefined);
      }
    }
    if (result.kind === 'failed' && options.manual) {
      throw result.error;
    }
  }

  /**
   * Brings an action's row into sight after a cancel moved it (e.g. into the collapsed Cancelled group), through the
   * view's revealer: only while the view is visible and the filter shows the row. Rejects when the view's reveal does.
   */
  async revealAction(id: string): Promise<void> {
    const action = this.visibleActions().find((a) => a.id.toLowerCase() === id.toLowerCase());
    if (action && this.visible && this.revealer) {
      await this.revealer(action);
    }
  }

  /** The view's hook for revealAction; disposing it removes it. */
  setRevealer(revealer: Revealer): Disposable {
    this.revealer = revealer;
    return {
      dispose: () => {
        if (this.revealer === revealer) {
          this.revealer = undefined;
        }
      },
    };
  }

  /** Whether the view is visible: auto refresh runs only then, and showing the view loads a list that is due. */
  setVisible(visible: boolean): void {
    if (this.disposed) {
      return;
    }
    const shown = visible && !this.visible;
    this.visible = visible;
    this.configureTimer();
    if (shown) {
      this.inBackground(this.autoRefresh());
    }
  }

  /**
   * Stops everything: a load on the wire or waiting for the rate limit is abandoned (no retry is sent, its outcome is
   * neither logged nor shown), and later calls of refresh, setFilter and setVisible do nothing.
   */
  dispose(): void {
    this.disposed = true;
    // The view goes with the extension too: nothing is drawn while the rest is torn down.
    this.listeners.clear();
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
    // Last, so that the store's change reaches no listener of ours.
    this.store.clear();
  }

  /** The store's load (started, or joined while one runs), its outcome reported once however many refreshes share it. */
  private load(client: DefenderClient, owner: object, restart: boolean | undefined): Promise<RefreshResult> {
    const query = this.listQuery();
    const hooks = { onThrottled: (seconds: number) => this.setWaiting(seconds, owner) };
    const loading = this.store.refresh(async (signal) => {
      this.startedQuery = queryKey(query);
      const list = await client.listMachineActions(query, signal, hooks);
      return { actions: list.actions, warnings: list.warnings, creationOrder: list.creationOrder };
    }, { restart });
    let reported = this.reports.get(loading);
    if (!reported) {
      reported = loading.then((result) => this.report(result));
      this.reports.set(loading, reported);
    }
    return reported;
  }

  /** The list the settings and the filter ask for now: time window, size and requestor. */
  private listQuery(): ListOptions {
    const onlyMine = this.settings.onlyMine || this.currentFilter.onlyMine;
    return { lookbackDays: this.settings.lookbackDays, top: this.settings.maxActions, requestorUpn: onlyMine ? this.session.account?.username : undefined };
  }

  /** Whether, signed in, the settings and the filter now ask for another list than the last load did. */
  private queryChanged(): boolean {
    return this.session.client() !== undefined && queryKey(this.listQuery()) !== this.startedQuery;
  }

  /** Keeps the filter for the next window; resolves to the error to report when the workspace state refuses it. */
  private async saveFilter(filter: ActionFilter): Promise<Error | undefined> {
    try {
      await this.options.state.update(FILTER_STATE_KEY, filter);
      return undefined;
    } catch (error) {
      const refused = new Error(`The filter applies in this window, but could not be kept for the next one: ${errorDetail(error)}`);
      this.log.error(refused.message);
      return refused;
    }
  }

  /**
   * Shows why the list waits and until when (`seconds` of the rate limit, from now), and takes the line away when the
   * wait is over; undefined takes it away at once. A load that replaced the waiting one sees the same pause again,
   * rounded up to whole seconds once more: within a second of the shown end, that end and its line stay.
   */
  private setWaiting(seconds: number | undefined, owner?: object): void {
    const now = this.now();
    if (seconds !== undefined && this.waiting && Math.abs(now + seconds * 1000 - this.waiting.until) < 1000) {
      this.waiting.owner = owner;
      return;
    }
    if (this.waiting) {
      this.timers.clearTimeout(this.waiting.handle);
    }
    this.waiting = seconds === undefined ? undefined : {
      owner,
      until: now + seconds * 1000,
      line: rateLimitWaitLine(seconds, now),
      handle: this.timers.setTimeout(() => this.setWaiting(undefined), seconds * 1000),
    };
    this.fire();
  }

  /** Logs a load's outcome and shows its status-change notice; called once per load. */
  private report(result: RefreshResult): RefreshResult {
    if (this.disposed) {
      return result;
    }
    if (result.kind === 'loaded') {
      this.log.info(`Loaded ${this.store.actions.length} machine actions (${countCancellable(this.store.actions)} cancellable)`);
      const message = this.settings.notifyOnStatusChange ? statusChangeMessage(result.changes) : undefined;
      if (message) {
        for (const change of result.changes) {
          this.log.info(`Status change: ${change.action.id} ${change.from} → ${change.to}`);
        }
        this.options.notice(message);
      }
    } else if (result.kind === 'failed') {
      this.log.error(`Could not load machine actions: ${errorDetail(result.error)}`);
    }
    return result;
  }

  private async autoRefresh(): Promise<void> {
    const loadedAt = this.store.loadedAt;
    const decision = autoRefreshDecision({
      signedIn: !!this.session.client(),
      loading: this.store.loading,
      budget: this.session.rateBudget(),
      ageMs: loadedAt === undefined ? undefined : this.now() - loadedAt,
      intervalSeconds: this.settings.autoRefreshSeconds,
    });
    if (decision === 'lowBudget') {
      this.log.info('Auto refresh skipped: the API rate budget is low');
    }
    if (decision === 'run') {
      await this.refresh({ manual: false });
    }
  }

  /** Work nobody awaits still reaches the log when it fails (no unhandled rejection). */
  private inBackground(work: Promise<unknown>): void {
    work.catch((error) => this.log.error(`Machine actions view: ${errorDetail(error)}`));
  }

  private configureTimer(): void {
    this.timer.configure({ seconds: this.settings.autoRefreshSeconds, visible: this.visible });
  }

  private onSettingsChanged(): void {
    this.configureTimer();
    if (this.queryChanged()) {
      this.inBackground(this.refresh({ manual: false, restart: true }));
    }
    this.fire();
  }

  private onSessionChanged(): void {
    const client = this.session.client();
    if (client !== this.listClient) {
      this.listClient = client;
      this.store.clear();
      if (client) {
        this.inBackground(this.refresh({ manual: false, restart: true }));
      }
    }
    this.configureTimer();
    this.fire();
  }

  private fire(): void {
    for (const listener of [...this.listeners]) {
      listener();
    }
  }
}
