import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import { presentError } from './errorPresentation';
import { isUserCancellation } from '../shared/errors';

/**
 * The one way commands are registered: a failure reaches the log and a notification with buttons that help
 * (Sign In, Retry, Open Settings, Show Log); a user cancellation stays silent; no rejection goes unhandled.
 */
export function registerCommand(
  context: vscode.ExtensionContext,
  log: ExtensionLog,
  id: string,
  failedTo: string,
  handler: (...args: unknown[]) => unknown,
): void {
  const run = async (...args: unknown[]): Promise<void> => {
    try {
      await handler(...args);
    } catch (error) {
      if (isUserCancellation(error)) {
        log.debug(`${id}: cancelled by the user`);
        return;
      }
      const presentation = presentError(error, failedTo);
      log.error(`${id}: ${presentation.message}`);
      const choice = await vscode.window.showErrorMessage(presentation.message, ...presentation.buttons);
      switch (choice) {
        case 'Sign In':
          await vscode.commands.executeCommand(Commands.signIn);
          break;
        case 'Retry':
          await vscode.commands.executeCommand(id, ...args);
          break;
        case 'Open Settings':
          await vscode.commands.executeCommand('workbench.action.openSettings', presentation.setting);
          break;
        case 'Show Log':
          log.show();
          break;
      }
    }
  };
  context.subscriptions.push(vscode.commands.registerCommand(id, run));
}
