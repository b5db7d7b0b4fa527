import * as vscode from 'vscode';
import { Commands } from './constants';
import { type AuthController, createAuthController } from './authController/authController';
import { registerCommand } from './commands/registerCommand';
import { registerSignIn } from './commands/signIn';
import { registerSignOut } from './commands/signOut';
import { registerAccountsProvider } from './authController/accountsProvider';
import { registerActionCommands } from './commands/actionCommands';
import { MachineActionsView } from './views/machineActionsView';
import { createLog } from './log';
import { FileRateStateStore } from './defender/rateStateFile';

/**
 * What activate() returns while the extension runs under test (ExtensionMode.Test), nothing in a normal run: the
 * sign-in state the context keys and the view show and the SecretStorage behind it; and the view's TreeView and
 * TreeDataProvider, exactly what VS Code renders from (no API lets a test read another extension's tree).
 */
export interface ExtensionTestApi {
  auth: AuthController;
  /** The Accounts menu's provider, registered with VS Code. */
  accounts: vscode.AuthenticationProvider;
  secrets: vscode.SecretStorage;
  treeView: vscode.TreeView<unknown>;
  treeDataProvider: vscode.TreeDataProvider<unknown>;
}

export function activate(context: vscode.ExtensionContext): ExtensionTestApi | undefined {
  const log = createLog(context);

  registerCommand(context, log, Commands.showLog, 'Could not show the log', () => log.show());

  // One rate budget for all windows of this user: they call the API as the same application and tenant.
  const rateState = context.globalStorageUri.scheme === 'file'
    ? new FileRateStateStore(vscode.Uri.joinPath(context.globalStorageUri, 'rate-budget.json').fsPath, (message) => log.warn(message))
    : undefined;
  const auth = createAuthController(context, log, rateState);
  registerSignIn(context, log, auth);
  registerSignOut(context, log, auth);
  const accounts = registerAccountsProvider(context, auth);

  // The view exists from activation on, so its welcome content (driven by the context keys) shows in every state.
  const view = new MachineActionsView(context, log, auth);
  registerActionCommands(context, log, view);
  log.info('Defender Machine Actions activated');
  return context.extensionMode === vscode.ExtensionMode.Test
    ? { auth, accounts, secrets: context.secrets, treeView: view.treeView, treeDataProvider: view.provider }
    : undefined;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
