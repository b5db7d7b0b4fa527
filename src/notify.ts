// Notifications and progress notifications with every shown string through userText, so no call site can forget it.
import * as vscode from 'vscode';
import { userText } from './shared/userText';

export const notify = {
  info: <T extends string>(message: string, ...buttons: T[]) => vscode.window.showInformationMessage(userText(message), ...buttons),
  warn: <T extends string>(message: string, ...buttons: T[]) => vscode.window.showWarningMessage(userText(message), ...buttons),
  error: <T extends string>(message: string, ...buttons: T[]) => vscode.window.showErrorMessage(userText(message), ...buttons),
};

export interface SafeProgress {
  report(update: { message?: string; increment?: number }): void;
}

/**
 * A progress notification; its title and every message pass through userText. Its Cancel button aborts `signal`,
 * which is what the client and the sign-in take.
 */
export function withNotificationProgress<R>(
  title: string,
  options: { cancellable?: boolean },
  task: (progress: SafeProgress, signal: AbortSignal) => Thenable<R>,
): Thenable<R> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: userText(title), cancellable: options.cancellable ?? false },
    async (progress, token) => {
      const cancelled = new AbortController();
      const subscription = token.onCancellationRequested(() => cancelled.abort());
      try {
        return await task({
          report: ({ message, increment }) => progress.report({ increment, message: message === undefined ? undefined : userText(message) }),
        }, cancelled.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
}
