// The TreeDataProvider of the Machine Actions view: turns the pure nodes of treeNodes.ts into TreeItems.
import * as vscode from 'vscode';
import type { IconSpec } from './presentation';
import { actionTooltip, childNodes, GroupPaging, NodeView, nodeView, PAGE_SIZE, rootNodes, SHOW_MORE_COMMAND, TreeContent, TreeNode, ViewContext } from './treeNodes';

/** Markdown that renders server text as text: untrusted (no command links), no HTML, no theme icons. */
function untrustedMarkdown(markdown: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(markdown, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

function tooltipOf(tooltip: NodeView['tooltip']): vscode.TreeItem['tooltip'] {
  return tooltip && ('markdown' in tooltip ? untrustedMarkdown(tooltip.markdown) : tooltip.text);
}

const COLLAPSIBLE: Readonly<Record<NodeView['collapsible'], vscode.TreeItemCollapsibleState>> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/** One ThemeIcon per icon (they are immutable): rows of one status share theirs, 10,000 rows make one, not 10,000. */
const themeIcons = new WeakMap<IconSpec, vscode.ThemeIcon>();

function themeIcon(icon: IconSpec): vscode.ThemeIcon {
  let themeIcon = themeIcons.get(icon);
  if (!themeIcon) {
    themeIcon = new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);
    themeIcons.set(icon, themeIcon);
  }
  return themeIcon;
}

function toTreeItem(view: NodeView): vscode.TreeItem {
  const item = new vscode.TreeItem(view.label, COLLAPSIBLE[view.collapsible]);
  item.id = view.id;
  item.description = view.description;
  item.tooltip = tooltipOf(view.tooltip);
  item.iconPath = themeIcon(view.icon);
  item.contextValue = view.contextValue;
  item.command = view.command;
  item.accessibilityInformation = { label: view.accessibilityLabel };
  return item;
}

export class ActionsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  /** How many rows each large group shows; kept across refreshes, so a refresh does not fold a group back. */
  private readonly paging = new GroupPaging();
  private readonly showMoreCommand: vscode.Disposable;
  /**
   * The context of the rows of the last getChildren answer, taken once for all of them: a group of 10,000 rows has one
   * `now` (every age counted from the same instant), not 10,000 clocks and context objects.
   */
  private rowContext: ViewContext | undefined;

  constructor(private readonly content: () => TreeContent, private readonly context: () => ViewContext) {
    this.showMoreCommand = vscode.commands.registerCommand(SHOW_MORE_COMMAND, (key: unknown, count: unknown) => this.showMore(key, count));
  }

  /** The paging rows' command; arguments from elsewhere (a key binding) that do not fit are ignored. */
  private showMore(key: unknown, count: unknown): void {
    if (typeof key === 'string' && (count === 'all' || (typeof count === 'number' && count > 0))) {
      this.paging.showMore(key, count === 'all' ? 'all' : Math.min(count, PAGE_SIZE));
      this.refresh();
    }
  }

  /** Everything is rebuilt from the store: one cheap pass, and no node can show stale state. */
  refresh(): void {
    this.rowContext = undefined;
    this.changed.fire();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return toTreeItem(nodeView(node, (this.rowContext ??= this.context())));
  }

  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'action') {
      item.tooltip = tooltipOf(actionTooltip(node, this.context().now));
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    this.rowContext = this.context();
    return node ? childNodes(node, this.paging) : rootNodes(this.content(), this.paging);
  }

  /** For TreeView.reveal: an action row's group, or undefined at the top level. */
  getParent(node: TreeNode): TreeNode | undefined {
    return node.kind === 'action'
      ? rootNodes(this.content()).find((n) => n.kind === 'group' && n.group.actions.some((a) => a.id === node.action.id))
      : undefined;
  }

  dispose(): void {
    this.showMoreCommand.dispose();
    this.changed.dispose();
  }
}
