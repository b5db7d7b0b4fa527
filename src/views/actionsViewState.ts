// What the Machine Actions view draws from the controller's state, besides the rows: the badge, the description, the
// message above the tree, the loading and filtered context keys and the status bar.
import type { ExtensionSettings } from '../config';
import type { MachineAction } from '../defender/machineAction';
import { ActionFilter, isFilterActive } from '../model/actionFilter';
import type { Session } from '../model/session';
import { countOf, plainNotificationText, shownText, SHOWN_LENGTH, userText } from '../shared/userText';
import { countCancellable } from './grouping';
import type { StatusBarState } from './statusBarContent';
import { viewMessage } from './treeNodes';
import { describeFilter, whereLine } from './viewHeader';

/** The state the view reads (ActionsController fits). */
export interface ActionsViewSource {
  readonly store: { readonly actions: readonly MachineAction[]; readonly loaded: boolean; readonly loading: boolean; readonly warnings: readonly string[] };
  readonly session: Pick<Session, 'account' | 'configured' | 'restoring' | 'configurationProblem' | 'client'>;
  readonly settings: Pick<ExtensionSettings, 'onlyMine' | 'tenantId' | 'lookbackDays' | 'maxActions'>;
  readonly filter: ActionFilter;
  readonly waitLine: string | undefined;
  visibleActions(): readonly MachineAction[];
}

/** The view's parts apart from the rows; `message` has been through the text gate. */
export interface ActionsViewState {
  badge: { value: number; tooltip: string } | undefined;
  /** The account, and the filter while one is on (the onlyMine setting counts); through the text gate, ≤ 80 characters. */
  description: string | undefined;
  message: string | undefined;
  /** The mdeActions.loading context key: a list is loading, or the cached sign-in is still being read. */
  loading: boolean;
  /** The mdeActions.filtered context key: the view's own filter is on (what Clear Filter clears). */
  filtered: boolean;
  statusBar: StatusBarState;
}

/** The view's parts for `source` as it is now. */
export function actionsViewState(source: ActionsViewSource): ActionsViewState {
  const { store, session, settings } = source;
  const account = session.account;
  const cancellable = countCancellable(store.actions);
  const filter = { ...source.filter, onlyMine: source.filter.onlyMine || settings.onlyMine };
  const message = viewHeaderMessage(source, source.visibleActions().length, isFilterActive(filter));
  const parts = [account?.username ?? '', isFilterActive(filter) ? `Filter: ${describeFilter(filter)}` : ''].filter((p) => p);
  return {
    badge: cancellable > 0 ? { value: cancellable, tooltip: countOf(cancellable, 'cancellable machine action') } : undefined,
    // Typed and server text too (the UPN, the device filter, a type the server sent): through the one text gate, and
    // about a row's length, as it shares one line with the view's title.
    description: parts.length ? plainNotificationText(shownText(parts.join(' · '), SHOWN_LENGTH.row)) : undefined,
    // It holds server text (types, warnings) and typed text (the device filter): through the one text gate.
    message: message === undefined ? undefined : userText(message),
    // Reading the cached sign-in counts as loading, so the Sign In welcome does not flash before the tree shows.
    loading: store.loading || session.restoring,
    filtered: isFilterActive(source.filter),
    statusBar: {
      configured: session.configured,
      account: session.client() ? account : undefined,
      cancellable: store.loaded ? cancellable : undefined,
    },
  };
}

/**
 * The line above the tree. A setting that is wrong comes alone (the static welcome view cannot name it). Signed in:
 * where you are and what is filtered, why the list waits, then what viewMessage adds — once a list has loaded or
 * while it waits, so that the "Loading…" welcome still shows before (any message hides the welcome view).
 */
function viewHeaderMessage(source: ActionsViewSource, shown: number, filterActive: boolean): string | undefined {
  const { store, session, settings } = source;
  const problem = session.configurationProblem?.message;
  const account = session.account;
  if (problem || !account || !session.client() || !(store.loaded || source.waitLine)) {
    return problem;
  }
  const where = whereLine({ account, tenantSetting: settings.tenantId, filter: source.filter, onlyMineSetting: settings.onlyMine });
  const details = store.loaded
    ? viewMessage({
      total: store.actions.length, shown, lookbackDays: settings.lookbackDays, maxActions: settings.maxActions,
      warnings: store.warnings, filterActive,
    })
    : undefined;
  const more = [source.waitLine, details].filter((part) => part).join(' ');
  return more ? `${where} — ${more}` : where;
}
