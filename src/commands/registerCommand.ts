import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import { type NotificationButton, showNotification } from '../notify';
import { errorDetail, isUserCancellation } from '../shared/errors';
import { type ErrorButton, presentError } from './errorPresentation';

/**
 * The one way commands are registered: a failure reaches the log and a notification with buttons that help
 * (Sign In, Retry, Open Settings, Show Log); a user cancellation stays silent; no rejection goes unhandled. The
 * command ends once the failure is logged: it does not wait for the notification to be dismissed.
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
      // The error as it is (the log escapes and redacts it), not the notification's text, which defuses links.
      log.error(`${id}: ${failedTo}: ${errorDetail(error)}`);
      const buttons = failureButtons(log, presentation.buttons, {
        retry: () => vscode.commands.executeCommand(id, ...args), setting: presentation.setting,
      });
      showNotification('error', presentation.message, buttons, (e) => log.error(`${id}: notification: ${errorDetail(e)}`));
    }
  };
  context.subscriptions.push(vscode.commands.registerCommand(id, run));
}

/** What the named buttons of a failure act on: the command to retry, the setting to open, the text to show. */
export interface ButtonTargets {
  retry?: () => unknown;
  setting?: string;
  details?: string;
}

/** The named buttons of a failure as notification buttons: one meaning of each name for every command. */
export function failureButtons(log: ExtensionLog, names: readonly ErrorButton[], targets: ButtonTargets): NotificationButton[] {
  const runs: Record<ErrorButton, () => unknown> = {
    'Sign In': () => vscode.commands.executeCommand(Commands.signIn),
    'Retry': () => targets.retry?.(),
    'Open Settings': () => vscode.commands.executeCommand('workbench.action.openSettings', targets.setting),
    'Show Log': () => log.show(),
    'Show Details': async () => vscode.window.showTextDocument(
      await vscode.workspace.openTextDocument({ content: targets.details ?? '', language: 'plaintext' })),
  };
  return names.map((title) => ({ title, run: runs[title] }));
}
