// The Machine Actions view as a whole: the store, the tree, its badge, description and message (where you are, what is
// filtered, why a list waits), the loading and filtered context keys, the filter (kept in workspaceState), auto
// refresh, status-change notifications and the status bar.
import * as vscode from 'vscode';
import { notify } from '../notify';
import { countOf, userText } from '../shared/userText';
import { ActionFilter, applyFilter, isFilterActive, normalizeFilter } from '../model/actionFilter';
import { ActionsStore, RefreshResult } from '../model/actionsStore';
import { autoRefreshDecision, AutoRefreshTimer } from '../model/autoRefresh';
import type { Session, SessionAccount } from '../model/session';
import type { ExtensionSettings, SettingKey } from '../config';
import { ContextKeys, Settings, VIEW_ID } from '../constants';
import type { DefenderClient } from '../defender/client';
import type { MachineAction } from '../defender/machineAction';
import type { ExtensionLog } from '../log';
import { onDidChangeSettings, readSettings } from '../settings';
import { StatusBar } from './statusBar';
import { ActionsTreeProvider } from './actionsTreeProvider';
import { countCancellable } from './grouping';
import { actionNode, viewMessage } from './treeNodes';
import { describeFilter, rateLimitWaitLine, whereLine } from './viewHeader';
import { errorDetail, signInRequired } from '../shared/errors';
import { statusChangeMessage } from './statusChangeText';

const FILTER_STATE_KEY = 'mdeActions.filter';

/** Thrown when a command needs a session: the command wrapper offers Sign In. */
function signInFirst(what: string): Error {
  return signInRequired(`Sign in to Microsoft Defender to ${what}.`);
}

/**
 * The Machine Actions view: owns the store, the filter, the auto refresh, status-change notices, the badge, the message
 * and the status bar, over the Session it is given; the commands work through it.
 */
export class MachineActionsView implements vscode.Disposable {
  readonly store = new ActionsStore();
  readonly provider: ActionsTreeProvider;
  readonly treeView: vscode.TreeView<unknown>;
  private readonly statusBar = new StatusBar();
  private readonly timer: AutoRefreshTimer;
  private readonly disposables: vscode.Disposable[] = [];
  private settings: ExtensionSettings;
  private currentFilter: ActionFilter;
  /** The client the loaded list came from: another account, tenant or API base starts from an empty list. */
  private listClient: DefenderClient | undefined;
  /** While a list waits for the rate limit: the line that says so, and the timer that removes it when the wait ends. */
  private waiting: { line: string; timer: NodeJS.Timeout; owner?: object } | undefined;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: ExtensionLog, readonly session: Session) {
    this.settings = this.readSettings();
    this.currentFilter = normalizeFilter(context.workspaceState.get(FILTER_STATE_KEY));
    this.provider = new ActionsTreeProvider(
      () => ({ actions: this.visibleActions(), groupBy: this.settings.groupBy, error: this.store.error }),
      () => ({ now: Date.now(), groupBy: this.settings.groupBy, isCancelling: (id) => this.store.isCancelling(id) }),
    );
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true });
    this.timer = new AutoRefreshTimer(() => this.autoRefresh(), (error) => this.log.error(`Auto refresh: ${errorDetail(error)}`));
    this.disposables.push(
      this.provider,
      this.treeView,
      this.statusBar,
      { dispose: () => this.timer.dispose() },
      { dispose: () => this.setWaiting(undefined) },
      this.store.onDidChange(() => this.render()),
      this.session.onDidChange(() => this.onSessionChanged()),
      this.treeView.onDidChangeVisibility((e) => {
        this.configureTimer();
        if (e.visible) {
          this.inBackground(this.autoRefresh());
        }
      }),
      onDidChangeSettings((affects) => this.onSettingsChanged(affects)),
    );
    context.subscriptions.push(this);
    this.onSessionChanged();
  }

  get filter(): ActionFilter {
    return this.currentFilter;
  }

  /** The client, or a "sign in" error the command wrapper turns into a Sign In button. */
  requireClient(what: string): DefenderClient {
    const client = this.session.client();
    if (!client) {
      throw signInFirst(what);
    }
    return client;
  }

  async setFilter(filter: ActionFilter): Promise<void> {
    // "Only mine" also narrows the server query (unless the onlyMine setting already does).
    const queryChanged = !this.settings.onlyMine && filter.onlyMine !== this.currentFilter.onlyMine;
    this.currentFilter = filter;
    await this.context.workspaceState.update(FILTER_STATE_KEY, filter);
    this.log.info(`Filter: ${describeFilter(filter) || 'none'}`);
    if (queryChanged && this.session.client()) {
      await this.refresh({ manual: true, restart: true });
    } else {
      this.render();
    }
  }

  /**
   * Loads the list (one request). Manual refreshes always run (the rate limiter paces them); a failure shows in the
   * tree as an error row and, for a manual refresh, is thrown to the command wrapper as well.
   */
  async refresh(options: { manual: boolean; restart?: boolean }): Promise<void> {
    const client = this.session.client();
    if (!client) {
      if (options.manual) {
        throw signInFirst('see the machine actions');
      }
      return;
    }
    const account = this.session.account;
    const onlyMine = this.settings.onlyMine || this.currentFilter.onlyMine;
    const { lookbackDays, maxActions } = this.settings;
    // The wait line belongs to this refresh: a refresh that replaced it may be waiting now and keeps its line.
    const owner = {};
    const hooks = { onThrottled: (seconds: number) => this.setWaiting(seconds, owner) };
    const loading = this.store.refresh(async (signal) => {
      const list = await client.listMachineActions({ lookbackDays, top: maxActions, requestorUpn: onlyMine ? account?.username : undefined }, signal, hooks);
      return { actions: list.actions, warnings: list.warnings };
    }, { restart: options.restart });
    // The view's own progress bar; the welcome view says "Loading…" while the tree is still empty.
    let result: RefreshResult;
    try {
      result = await vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => loading);
    } finally {
      if (this.waiting?.owner === owner) {
        this.setWaiting(undefined);
      }
    }
    this.report(result, options.manual);
  }

  /** Clears the view's own filter (the onlyMine setting stays as the user set it). */
  async clearFilter(): Promise<void> {
    await this.setFilter(normalizeFilter({}));
  }

  /**
   * Shows in the view's message why the list waits and until when (`seconds` of the rate limit, from now), and takes
   * the line away when the wait is over; undefined takes it away at once.
   */
  private setWaiting(seconds: number | undefined, owner?: object): void {
    clearTimeout(this.waiting?.timer);
    this.waiting = seconds === undefined ? undefined : {
      owner,
      line: rateLimitWaitLine(seconds, Date.now()),
      timer: setTimeout(() => this.setWaiting(undefined), seconds * 1000),
    };
    this.render();
  }

  private report(result: RefreshResult, manual: boolean): void {
    switch (result.kind) {
      case 'loaded': {
        this.log.info(`Loaded ${this.store.actions.length} machine actions (${countCancellable(this.store.actions)} cancellable)`);
        const message = this.settings.notifyOnStatusChange ? statusChangeMessage(result.changes) : undefined;
        if (message) {
          for (const change of result.changes) {
            this.log.info(`Status change: ${change.action.id} ${change.from} → ${change.to}`);
          }
          void notify.info(message);
        }
        break;
      }
      case 'failed':
        this.log.error(`Could not load machine actions: ${errorDetail(result.error)}`);
        if (manual) {
          throw result.error;
        }
        break;
      case 'superseded':
        break;
    }
  }

  private async autoRefresh(): Promise<void> {
    const loadedAt = this.store.loadedAt;
    const decision = autoRefreshDecision({
      signedIn: !!this.session.client(),
      loading: this.store.loading,
      budget: this.session.rateBudget(),
      ageMs: loadedAt === undefined ? undefined : Date.now() - loadedAt,
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
    this.timer.configure({ seconds: this.settings.autoRefreshSeconds, visible: this.treeView.visible });
  }

  private readSettings(): ExtensionSettings {
    const { settings, problems } = readSettings();
    for (const problem of problems) {
      this.log.warn(problem);
    }
    return settings;
  }

  private onSettingsChanged(affects: (key: SettingKey) => boolean): void {
    this.settings = this.readSettings();
    this.configureTimer();
    if (affects(Settings.lookbackDays) || affects(Settings.maxActions) || affects(Settings.onlyMine)) {
      this.inBackground(this.refresh({ manual: false, restart: true }));
    }
    this.render();
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
    this.render();
  }

  /**
   * Brings an action's row into sight after a cancel moved it (e.g. into the collapsed Cancelled group): expands its
   * group and selects it, without taking focus. Only while the view is visible and the filter shows the row.
   */
  async revealAction(id: string): Promise<void> {
    const action = this.visibleActions().find((a) => a.id.toLowerCase() === id.toLowerCase());
    if (action && this.treeView.visible) {
      await this.treeView.reveal(actionNode(action), { select: true, focus: false, expand: true });
    }
  }

  /** The rows the view shows now: the loaded actions after the filter. */
  visibleActions(): MachineAction[] {
    return applyFilter(this.store.actions, this.currentFilter, this.session.account?.username);
  }

  private render(): void {
    const account = this.session.account;
    const shown = this.visibleActions();
    const cancellable = countCancellable(this.store.actions);
    this.treeView.badge = cancellable > 0 ? { value: cancellable, tooltip: countOf(cancellable, 'cancellable machine action') } : undefined;
    const filter = { ...this.currentFilter, onlyMine: this.currentFilter.onlyMine || this.settings.onlyMine };
    this.treeView.description = describeView(account, filter);
    const message = this.message(shown.length, isFilterActive(filter));
    // It holds server text (types, warnings) and typed text (the device filter): through the one text gate.
    this.treeView.message = message === undefined ? undefined : userText(message);
    // Reading the cached sign-in counts as loading, so the Sign In welcome does not flash before the tree shows.
    void vscode.commands.executeCommand('setContext', ContextKeys.loading, this.store.loading || this.session.restoring);
    void vscode.commands.executeCommand('setContext', ContextKeys.filtered, isFilterActive(this.currentFilter));
    this.statusBar.update({
      configured: this.session.configured,
      account: this.session.client() ? account : undefined,
      cancellable: this.store.loaded ? cancellable : undefined,
    }, `${VIEW_ID}.focus`);
    this.provider.refresh();
  }

  /**
   * The line above the tree. A setting that is wrong comes alone (the static welcome view cannot name it). Signed in:
   * where you are and what is filtered, why the list waits, then what viewMessage adds — once a list has loaded or
   * while it waits, so that the "Loading…" welcome still shows before (any message hides the welcome view).
   */
  private message(shown: number, filterActive: boolean): string | undefined {
    const problem = this.session.configurationProblem?.message;
    const account = this.session.account;
    if (problem || !account || !this.session.client() || !(this.store.loaded || this.waiting)) {
      return problem;
    }
    const where = whereLine({ account, tenantSetting: this.settings.tenantId, filter: this.currentFilter, onlyMineSetting: this.settings.onlyMine });
    const details = this.store.loaded
      ? viewMessage({
        total: this.store.actions.length, shown, lookbackDays: this.settings.lookbackDays, maxActions: this.settings.maxActions,
        warnings: this.store.warnings, filterActive,
      })
      : undefined;
    const more = [this.waiting?.line, details].filter((part) => part).join(' ');
    return more ? `${where} — ${more}` : where;
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }
}

function describeView(account: SessionAccount | undefined, filter: ActionFilter): string | undefined {
  const parts = [account?.username ?? '', isFilterActive(filter) ? `Filter: ${describeFilter(filter)}` : ''].filter((p) => p);
  return parts.length ? parts.join(' · ') : undefined;
}
