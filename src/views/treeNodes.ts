// The tree's nodes as plain data, and what each looks like (label, icon, contextValue, …), so the whole tree is
// built and checked in plain Node; actionsTreeProvider.ts only turns a NodeView into a vscode.TreeItem.
import type { GroupBy } from '../config';
import { Commands, ItemContext } from '../constants';
import { isCancellable, MachineAction } from '../defender/machineAction';
import { errorDetail } from '../commands/errorPresentation';
import { ActionGroup, byNewest, groupActions } from './grouping';
import { SHOWN_LENGTH, shownText } from '../commands/userText';
import { actionDescription, actionLabel, actionTooltipMarkdown, CANCELLING_ICON, deviceLabel, IconSpec, relativeAge, statusIcon, statusLabel } from './presentation';

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

export interface TreeContent {
  /** The actions to show (already filtered). */
  actions: readonly MachineAction[];
  groupBy: GroupBy;
  /** The error of the last load, if it failed: its rows come first, the previous actions stay below. */
  error?: unknown;
}

/** The top-level rows. An empty result lets the welcome view show (loading, nothing in the window, …). */
export function rootNodes(content: TreeContent): TreeNode[] {
  const errors = content.error !== undefined ? errorNodes(content.error) : [];
  if (content.groupBy === 'none') {
    return [...errors, ...[...content.actions].sort(byNewest).map(actionNode)];
  }
  const groupBy = content.groupBy;
  return [...errors, ...groupActions(content.actions, groupBy).map((group): GroupNode => ({ kind: 'group', id: `group:${group.key}`, group, groupBy }))];
}

export function childNodes(node: TreeNode): TreeNode[] {
  return node.kind === 'group' ? node.group.actions.map(actionNode) : [];
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

/** The contextValue the menus match: `machineAction.cancellable` only when the cancel can be offered. */
export function actionContextValue(action: MachineAction, cancelling: boolean): string {
  if (cancelling) {
    return ItemContext.cancellingAction;
  }
  return isCancellable(action.status) ? ItemContext.cancellableAction : ItemContext.action;
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
        tooltip: { text: `${group.label}: ${count} machine action${count === 1 ? '' : 's'}${group.cancellableCount ? `, ${group.cancellableCount} cancellable` : ''}` },
        icon,
        collapsible: group.expanded ? 'expanded' : 'collapsed',
        accessibilityLabel: `${group.label}, ${count} machine action${count === 1 ? '' : 's'}`,
      };
    }
    case 'action': {
      const { action } = node;
      const cancelling = context.isCancelling(action.id);
      return {
        id: node.id,
        label: actionLabel(action),
        description: actionDescription(action, { now: context.now, showStatus: context.groupBy !== 'status', cancelling }),
        icon: cancelling ? CANCELLING_ICON : statusIcon(action.status),
        contextValue: actionContextValue(action, cancelling),
        collapsible: 'none',
        command: { command: Commands.showDetails, title: 'Show Machine Action Details', arguments: [node] },
        accessibilityLabel: [actionLabel(action), cancelling ? 'cancelling' : statusLabel(action.status), deviceLabel(action), relativeAge(action.creationDateTimeUtc, context.now)]
          .filter((s) => s).join(', '),
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
        accessibilityLabel: [node.label, node.description].filter((s) => s).join(': '),
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
 * hides actions, warnings. (A message replaces the static welcome view, which cannot name the number of days.)
 */
export function viewMessage(input: ViewMessageInput): string | undefined {
  const days = `the last ${input.lookbackDays} day${input.lookbackDays === 1 ? '' : 's'}`;
  const lines = [...input.warnings];
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
  return lines.length ? lines.join(' ') : undefined;
}
