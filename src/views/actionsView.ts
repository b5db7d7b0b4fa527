// The Machine Actions view: draws the controller's state on each of its changes — the tree, its badge, description,
// message and progress bar, the loading and filtered context keys, and the status bar. It holds no state of its own
// besides these VS Code objects.
import * as vscode from 'vscode';
import { ContextKeys, VIEW_ID } from '../constants';
import type { ActionsController } from './actionsController';
import { actionsViewState } from './actionsViewState';
import { ActionsTreeProvider } from './actionsTreeProvider';
import { StatusBar } from './statusBar';
import { actionNode } from './treeNodes';

/** The Machine Actions TreeView and status bar item over an ActionsController; disposed with the extension. */
export class ActionsView implements vscode.Disposable {
  /** The tree's data (ExtensionTestApi.treeDataProvider). */
  readonly provider: ActionsTreeProvider;
  /** The mdeActions.machineActions TreeView (ExtensionTestApi.treeView). */
  readonly treeView: vscode.TreeView<unknown>;
  private readonly statusBar = new StatusBar();
  private readonly disposables: vscode.Disposable[] = [];
  /** Ends the view's progress bar; set while a list loads. */
  private endProgress: (() => void) | undefined;

  constructor(context: vscode.ExtensionContext, private readonly controller: ActionsController) {
    const { store } = controller;
    this.provider = new ActionsTreeProvider(
      () => ({ actions: controller.visibleActions(), creationOrder: store.creationOrder, groupBy: controller.settings.groupBy, error: store.error }),
      () => ({ now: Date.now(), groupBy: controller.settings.groupBy, isCancelling: (id) => store.isCancelling(id) }),
    );
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.provider, canSelectMany: true, showCollapseAll: true });
    this.disposables.push(
      this.provider,
      this.treeView,
      this.statusBar,
      { dispose: () => this.showProgress(false) },
      controller.onDidChange(() => this.render()),
      controller.setRevealer((action) => this.treeView.reveal(actionNode(action), { select: true, focus: false, expand: true })),
      this.treeView.onDidChangeVisibility((e) => controller.setVisible(e.visible)),
    );
    context.subscriptions.push(this);
    controller.setVisible(this.treeView.visible);
    this.render();
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  private render(): void {
    const state = actionsViewState(this.controller);
    this.treeView.badge = state.badge;
    this.treeView.description = state.description;
    this.treeView.message = state.message;
    this.showProgress(this.controller.store.loading);
    void vscode.commands.executeCommand('setContext', ContextKeys.loading, state.loading);
    void vscode.commands.executeCommand('setContext', ContextKeys.filtered, state.filtered);
    this.statusBar.update(state.statusBar, `${VIEW_ID}.focus`);
    this.provider.refresh();
  }

  /** The view's own progress bar while a list loads (the welcome view says "Loading…" while the tree is empty). */
  private showProgress(loading: boolean): void {
    if (loading && !this.endProgress) {
      const done = new Promise<void>((resolve) => {
        this.endProgress = resolve;
      });
      void vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => done);
    } else if (!loading && this.endProgress) {
      this.endProgress();
      this.endProgress = undefined;
    }
  }
}
