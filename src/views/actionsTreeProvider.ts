// The TreeDataProvider of the Machine Actions view: turns the pure nodes of treeNodes.ts into TreeItems.
import * as vscode from 'vscode';
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

function toTreeItem(view: NodeView): vscode.TreeItem {
  const collapsible = {
    none: vscode.TreeItemCollapsibleState.None,
    collapsed: vscode.TreeItemCollapsibleState.Collapsed,
    expanded: vscode.TreeItemCollapsibleState.Expanded,
  }[view.collapsible];
  const item = new vscode.TreeItem(view.label, collapsible);
  item.id = view.id;
  item.description = view.description;
  item.tooltip = tooltipOf(view.tooltip);
  item.iconPath = new vscode.ThemeIcon(view.icon.id, view.icon.color ? new vscode.ThemeColor(view.icon.color) : undefined);
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
    this.changed.fire();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return toTreeItem(nodeView(node, this.context()));
  }

  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'action') {
      item.tooltip = tooltipOf(actionTooltip(node, this.context().now));
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
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
