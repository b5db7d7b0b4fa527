// The tree's nodes as plain data, and what each looks like (label, icon, contextValue, …), so the whole tree is
// built and checked in plain Node; actionsTreeProvider.ts only turns a NodeView into a vscode.TreeItem.
import type { GroupBy } from '../config';
import { Commands, ItemContext, ItemFlags, VIEW_ID } from '../constants';
import { isCancellable, MachineAction } from '../defender/machineAction';
import { availableResults } from '../defender/resultLinks';
import { ActionGroup, groupActions, sortNewestFirst } from './grouping';
import { countOf, SHOWN_LENGTH, shownText } from '../shared/userText';
import { actionDescription, actionTooltipMarkdown, CANCELLING_ICON, deviceLabel, IconSpec, joinNonEmpty, rowLabel, statusIcon, statusLabel } from './presentation';
import { errorDetail } from '../shared/errors';
import { parseTime, relativeAge, TimeOrder } from '../shared/time';

export interface NodeCommand {
  command: string;
  title: string;
  arguments?: unknown[];
}

export interface GroupNode {
  readonly kind: 'group';
  readonly id: string;
  readonly group: ActionGroup;
  readonly groupBy: GroupBy;
}

export interface ActionNode {
  readonly kind: 'action';
  readonly id: string;
  readonly action: MachineAction;
}

/** A row that is not an action: the error of a failed load, and its Retry and Show Log rows. */
export interface MessageNode {
  readonly kind: 'message';
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: IconSpec;
  readonly command?: NodeCommand;
}

export type TreeNode = GroupNode | ActionNode | MessageNode;

export function actionNode(action: MachineAction): ActionNode {
  return { kind: 'action', id: `action:${action.id.toLowerCase()}`, action };
}

export const LOAD_FAILED_LABEL = 'Could not load machine actions';

/** The rows for a failed load: what went wrong, then Retry and Show Log. */
export function errorNodes(error: unknown): MessageNode[] {
  const message = errorDetail(error);
  return [
    { kind: 'message', id: 'message:error', label: LOAD_FAILED_LABEL, description: shownText(message, SHOWN_LENGTH.row), tooltip: `${LOAD_FAILED_LABEL}: ${shownText(message, SHOWN_LENGTH.tooltipField)}`, icon: { id: 'error', color: 'errorForeground' } },
    { kind: 'message', id: 'message:retry', label: 'Retry', icon: { id: 'refresh' }, command: { command: Commands.refresh, title: 'Retry' } },
    { kind: 'message', id: 'message:showLog', label: 'Show Log', icon: { id: 'output' }, command: { command: Commands.showLog, title: 'Show Log' } },
  ];
}

/**
 * Rows per page of a large group (or of the flat list). VS Code moves and renders every row it is given: a group of
 * 5,000 took 1.6 s to open in code-server, a page of 200 opens at once.
 */
export const PAGE_SIZE = 200;
/**
 * The command of the paging rows: `(pageKey: string, count: number | 'all')`. It belongs to the view (an id below
 * the view's, like the workbench's own view commands), is not contributed, and is not in the palette.
 */
export const SHOW_MORE_COMMAND = `${VIEW_ID}.showMore`;
/** The page key of the flat list (grouping "none"); groups use their group key. */
export const FLAT_LIST_KEY = 'list';

/** How many rows a group shows, by page key. */
export interface PageLimits {
  limit(key: string): number;
}

/** The first page of every group: what a fresh view shows. */
export const FIRST_PAGES: PageLimits = { limit: () => PAGE_SIZE };

/** The rows each group shows: the first page until the user asks for more. */
export class GroupPaging implements PageLimits {
  private readonly shown = new Map<string, number>();

  limit(key: string): number {
    return this.shown.get(key) ?? PAGE_SIZE;
  }

  /** Shows `count` more rows of the group `key`, or all of them. */
  showMore(key: string, count: number | 'all'): void {
    this.shown.set(key, count === 'all' ? Infinity : this.limit(key) + count);
  }
}

function pagingNode(key: string, label: string, count: number | 'all', icon: string): MessageNode {
  return {
    kind: 'message', id: `message:${count === 'all' ? 'all' : 'more'}:${key}`, label, icon: { id: icon },
    command: { command: SHOW_MORE_COMMAND, title: label, arguments: [key, count] },
  };
}

/** The first `limit` rows of `actions` (sorted already), then "Show N more…" and "Show all N" when some are hidden. */
function pagedRows(key: string, actions: readonly MachineAction[], limit: number): TreeNode[] {
  const rows: TreeNode[] = actions.slice(0, limit).map(actionNode);
  const hidden = actions.length - rows.length;
  if (hidden > 0) {
    const next = Math.min(PAGE_SIZE, hidden);
    rows.push({ ...pagingNode(key, `Show ${next} more…`, next, 'ellipsis'), description: `${hidden} not shown` });
    if (hidden > next) {
      rows.push(pagingNode(key, `Show all ${actions.length}`, 'all', 'list-flat'));
    }
  }
  return rows;
}

export interface TreeContent {
  /** The actions to show (already filtered). */
  actions: readonly MachineAction[];
  /** How their creation times stand when known (the store's: a filtered part of a list stands as the list does). */
  creationOrder?: TimeOrder;
  groupBy: GroupBy;
  /** The error of the last load, if it failed: its rows come first, the previous actions stay below. */
  error?: unknown;
}

/** The top-level rows. An empty result lets the welcome view show (loading, nothing in the window, …). */
export function rootNodes(content: TreeContent, pages: PageLimits = FIRST_PAGES): TreeNode[] {
  const errors = content.error !== undefined ? errorNodes(content.error) : [];
  if (content.groupBy === 'none') {
    return [...errors, ...pagedRows(FLAT_LIST_KEY, sortNewestFirst([...content.actions], content.creationOrder), pages.limit(FLAT_LIST_KEY))];
  }
  const groupBy = content.groupBy;
  return [...errors, ...groupActions(content.actions, groupBy, content.creationOrder).map((group): GroupNode => ({ kind: 'group', id: `group:${group.key}`, group, groupBy }))];
}

/** A group's rows, one page at a time (`pages`); other nodes have none. */
export function childNodes(node: TreeNode, pages: PageLimits = FIRST_PAGES): TreeNode[] {
  return node.kind === 'group' ? pagedRows(node.group.key, node.group.actions, pages.limit(node.group.key)) : [];
}

export interface NodeView {
  id: string;
  label: string;
  description?: string;
  /** Markdown whose server text is escaped (render untrusted, no HTML), or plain text. */
  tooltip?: { markdown: string } | { text: string };
  icon: IconSpec;
  contextValue?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: NodeCommand;
  accessibilityLabel: string;
}

export interface ViewContext {
  now: number;
  groupBy: GroupBy;
  isCancelling(id: string): boolean;
}

/**
 * The contextValue the menus match: `machineAction.cancellable` only when the cancel can be offered, then ItemFlags
 * words for the results ready to fetch (`machineAction commandOutput`).
 */
export function actionContextValue(action: MachineAction, cancelling: boolean): string {
  const base = cancelling ? ItemContext.cancellingAction : isCancellable(action.status) ? ItemContext.cancellableAction : ItemContext.action;
  const results = availableResults(action);
  // Built without arrays: a group shown whole makes 10,000 of these.
  const withOutput = results.commandOutput ? `${base} ${ItemFlags.commandOutput}` : base;
  return results.investigationPackage ? `${withOutput} ${ItemFlags.investigationPackage}` : withOutput;
}

/**
 * An action's tooltip, built only when VS Code asks for it (resolveTreeItem, on hover): it is most of the cost of a
 * row, and a group of 10,000 rows must open without a stall.
 */
export function actionTooltip(node: ActionNode, now: number): { markdown: string } {
  return { markdown: actionTooltipMarkdown(node.action, now) };
}

export function nodeView(node: TreeNode, context: ViewContext): NodeView {
  switch (node.kind) {
    case 'group': {
      const { group } = node;
      const icon = node.groupBy === 'status' ? statusIcon(group.actions[0].status) : { id: node.groupBy === 'device' ? 'vm' : 'symbol-event' };
      const count = group.actions.length;
      return {
        id: node.id,
        label: group.label,
        description: String(count),
        tooltip: { text: `${group.label}: ${countOf(count, 'machine action')}${group.cancellableCount ? `, ${group.cancellableCount} cancellable` : ''}` },
        icon,
        collapsible: group.expanded ? 'expanded' : 'collapsed',
        accessibilityLabel: shownText(`${group.label}, ${countOf(count, 'machine action')}`, SHOWN_LENGTH.accessibilityLabel),
      };
    }
    case 'action': {
      const { action } = node;
      const cancelling = context.isCancelling(action.id);
      const label = rowLabel(action);
      const created = parseTime(action.creationDateTimeUtc);
      return {
        id: node.id,
        label,
        description: actionDescription(action, { now: context.now, showStatus: context.groupBy !== 'status', cancelling, created }),
        icon: cancelling ? CANCELLING_ICON : statusIcon(action.status),
        contextValue: actionContextValue(action, cancelling),
        collapsible: 'none',
        command: { command: Commands.showDetails, title: 'Show Machine Action Details', arguments: [node] },
        // What a screen reader says is shown text too: the device name and an unknown status are the server's.
        accessibilityLabel: shownText(joinNonEmpty([label, cancelling ? 'cancelling' : statusLabel(action.status), deviceLabel(action), relativeAge(created ?? null, context.now)], ', '), SHOWN_LENGTH.accessibilityLabel),
      };
    }
    case 'message':
      return {
        id: node.id,
        label: node.label,
        description: node.description,
        tooltip: node.tooltip !== undefined ? { text: node.tooltip } : undefined,
        icon: node.icon,
        collapsible: 'none',
        command: node.command,
        accessibilityLabel: shownText([node.label, node.description].filter((s) => s).join(': '), SHOWN_LENGTH.accessibilityLabel),
      };
  }
}

export interface ViewMessageInput {
  /** Actions loaded, before the filter. */
  total: number;
  /** Actions shown, after the filter. */
  shown: number;
  lookbackDays: number;
  maxActions: number;
  warnings: readonly string[];
  /** A filter is on (client side, or "only mine" on the server query). */
  filterActive: boolean;
}

/**
 * The line above the tree (treeView.message) when it helps: an empty time window, a cut-off list, a filter that
 * hides actions, then the warnings. (A message replaces the static welcome view, which cannot name the number of days.)
 */
export function viewMessage(input: ViewMessageInput): string | undefined {
  const days = `the last ${countOf(input.lookbackDays, 'day')}`;
  const lines: string[] = [];
  if (input.total === 0) {
    lines.push(`No machine actions in ${days}.`);
    if (input.filterActive) {
      lines.push('A filter is on: change or clear it to see more.');
    }
  }
  if (input.total >= input.maxActions) {
    lines.push(`Showing the newest ${input.maxActions} machine actions of ${days} (setting "Max Actions").`);
  }
  if (input.shown < input.total) {
    lines.push(`${input.shown} of ${input.total} machine actions of ${days} match the filter.`);
  }
  // The warnings last: their length is the server's doing, and the message's length limit must not cut the hints.
  lines.push(...input.warnings);
  return lines.length ? lines.join(' ') : undefined;
}
