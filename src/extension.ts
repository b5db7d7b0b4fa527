import * as vscode from 'vscode';
import { Commands } from './constants';
import { type AuthController, createAuthController } from './authController/authController';
import { registerCommand } from './commands/registerCommand';
import { registerSignIn } from './commands/signIn';
import { registerSignOut } from './commands/signOut';
import { registerAccountsProvider } from './authController/accountsProvider';
import { registerActionCommands } from './commands/actionCommands';
import { ActionsController } from './views/actionsController';
import { ActionsView } from './views/actionsView';
import { createSettingsService } from './settings';
import { showNotification } from './notify';
import { errorDetail } from './shared/errors';
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

/** Builds the services, the view and the commands; the test API only in the Test extension mode. */
export function activate(context: vscode.ExtensionContext): ExtensionTestApi | undefined {
  const log = createLog(context);
  const settings = createSettingsService(context, log);

  registerCommand(context, log, Commands.showLog, 'Could not show the log', () => log.show());

  // One rate budget for all windows of this user: they call the API as the same application and tenant.
  const rateState = context.globalStorageUri.scheme === 'file'
    ? new FileRateStateStore(vscode.Uri.joinPath(context.globalStorageUri, 'rate-budget.json').fsPath, (message) => log.warn(message))
    : undefined;
  const auth = createAuthController(context, log, settings, rateState);
  registerSignIn(context, log, auth);
  registerSignOut(context, log, auth);
  const accounts = registerAccountsProvider(context, auth);

  // The view exists from activation on, so its welcome content (driven by the context keys) shows in every state.
  const controller = new ActionsController({
    session: auth, settings, state: context.workspaceState, log,
    notice: (message) => showNotification('info', message, [], (error) => log.error(`Could not show a notice: ${errorDetail(error)}`)),
  });
  context.subscriptions.push(controller);
  const view = new ActionsView(context, controller);
  registerActionCommands(context, log, controller);
  log.info('Defender Machine Actions activated');
  return context.extensionMode === vscode.ExtensionMode.Test
    ? { auth, accounts, secrets: context.secrets, treeView: view.treeView, treeDataProvider: view.provider }
    : undefined;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
