// Notifications and progress notifications with every shown string through userText, so no call site can forget it.
import * as vscode from 'vscode';
import { userText } from './shared/userText';

/**
 * Plain notifications by severity: `message` passes the text gate (userText) and the promise resolves to the button
 * clicked, or undefined when dismissed. For buttons that run something, use showNotification.
 */
export const notify = {
  info: <T extends string>(message: string, ...buttons: T[]) => vscode.window.showInformationMessage(userText(message), ...buttons),
  warn: <T extends string>(message: string, ...buttons: T[]) => vscode.window.showWarningMessage(userText(message), ...buttons),
  error: <T extends string>(message: string, ...buttons: T[]) => vscode.window.showErrorMessage(userText(message), ...buttons),
};

/** A notification button as data: its title, and what a click does. */
export interface NotificationButton {
  title: string;
  run(): unknown;
}

/**
 * Shows `message` (through userText) with `buttons` and runs the one clicked. Returns at once: a notification left
 * open must not keep a command pending. A failure to show it, or of the clicked button, goes to `onError`.
 */
export function showNotification(
  severity: 'info' | 'warning' | 'error',
  message: string,
  buttons: readonly NotificationButton[],
  onError: (error: unknown) => void,
): void {
  const show = severity === 'info' ? notify.info : severity === 'warning' ? notify.warn : notify.error;
  void Promise.resolve(show(message, ...buttons.map((button) => button.title)))
    .then((title) => buttons.find((button) => button.title === title)?.run())
    .catch(onError);
}

/** A progress notification's reporter whose every message passes the text gate. */
export interface SafeProgress {
  /** `link`, our own text, follows the gated message as a clickable `[title](command:id)` (no arguments). */
  report(update: { message?: string; increment?: number; link?: CommandLink }): void;
}

export interface CommandLink {
  title: string;
  /** A registered command id. */
  command: string;
}

/** The message through userText; a link of ours after it, which the gate would have defused. */
function progressMessage(message: string | undefined, link: CommandLink | undefined): string | undefined {
  const text = message === undefined ? undefined : userText(message);
  return link ? `${text ?? ''} [${link.title}](command:${link.command})`.trim() : text;
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
          report: ({ message, increment, link }) => progress.report({ increment, message: progressMessage(message, link) }),
        }, cancelled.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
}
