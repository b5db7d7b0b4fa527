import * as vscode from 'vscode';
import { Commands, VIEW_ID } from './constants';
import { type AuthController, createAuthController } from './authController';
import { registerCommand } from './commands/registerCommand';
import { registerSignIn } from './commands/signIn';
import { registerSignOut } from './commands/signOut';
import { createLog } from './log';

/**
 * What activate() returns while the extension runs under test (ExtensionMode.Test): the sign-in state the context
 * keys and the view show, and the SecretStorage behind it, for the host tests. Nothing in a normal run.
 */
export interface ExtensionTestApi {
  auth: AuthController;
  secrets: vscode.SecretStorage;
}

export function activate(context: vscode.ExtensionContext): ExtensionTestApi | undefined {
  const log = createLog(context);

  // The view exists from the start so its welcome content (driven by the context keys) shows in every state.
  const emptyTree: vscode.TreeDataProvider<never> = { getTreeItem: (item) => item, getChildren: () => [] };
  context.subscriptions.push(vscode.window.createTreeView(VIEW_ID, { treeDataProvider: emptyTree, canSelectMany: true }));

  registerCommand(context, log, Commands.showLog, 'Could not show the log', () => log.show());

  const auth = createAuthController(context, log);
  registerSignIn(context, log, auth);
  registerSignOut(context, log, auth);

  // Filled in by the view/cancel work (see CHANGELOG): registered now so the contract is whole.
  const comingLater = [Commands.refresh, Commands.cancelAction, Commands.showDetails,
    Commands.copyActionId, Commands.openInPortal, Commands.filter];
  for (const id of comingLater) {
    registerCommand(context, log, id, 'Command failed', () =>
      vscode.window.showInformationMessage(`${id} is not available yet in this preview build.`));
  }
  log.info('Defender Machine Actions activated');
  return context.extensionMode === vscode.ExtensionMode.Test ? { auth, secrets: context.secrets } : undefined;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
