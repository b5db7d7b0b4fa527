// What the engineer would see or have opened, recorded inside the extension host: the tests run in the same host as
// the extension and share its `vscode` API object, so replacing a function here replaces it for the extension too.
import * as vscode from 'vscode';

export interface Notification {
  severity: 'info' | 'warning' | 'error';
  message: string;
  buttons: string[];
}

export interface RecordedUi {
  /** Texts of information messages, in order. */
  info: string[];
  warnings: string[];
  errors: string[];
  /** Every notification with its buttons, in order; dialogs (modal messages) too. */
  notifications: Notification[];
  /** Those of `notifications` that were dialogs (MessageOptions.modal), not notifications. */
  dialogs: Notification[];
  /** The options of every input box, in order. */
  inputBoxes: vscode.InputBoxOptions[];
  /** Titles and reported messages of progress notifications, in order. */
  progress: string[];
  /** URIs the extension asked to open in the browser. */
  opened: string[];
  /** The button the engineer picks in a notification; by default none, as if dismissed. */
  answer: (notification: Notification) => string | undefined;
  /** What the engineer types into an input box; by default undefined, as if Escape was pressed. */
  type: (options: vscode.InputBoxOptions) => string | undefined;
  /** Puts the real functions back. */
  restore(): void;
}

/** openExternal opens nothing and says it did not; withProgress still shows the progress, and records it. */
export function recordUi(): RecordedUi {
  const recorded: RecordedUi = {
    info: [], warnings: [], errors: [], notifications: [], dialogs: [], inputBoxes: [], progress: [], opened: [],
    answer: () => undefined, type: () => undefined, restore: () => undefined,
  };
  const notify = (severity: Notification['severity'], texts: string[]) => async (message: string, ...items: unknown[]) => {
    texts.push(message);
    // The extension's buttons are strings; a MessageOptions object may come first.
    const notification: Notification = { severity, message, buttons: items.filter((item): item is string => typeof item === 'string') };
    recorded.notifications.push(notification);
    if (typeof items[0] === 'object' && items[0] !== null && (items[0] as vscode.MessageOptions).modal === true) {
      recorded.dialogs.push(notification);
    }
    return recorded.answer(notification);
  };
  const withProgress = vscode.window.withProgress;
  const restores = [
    replace(vscode.window, 'showInformationMessage', notify('info', recorded.info)),
    replace(vscode.window, 'showWarningMessage', notify('warning', recorded.warnings)),
    replace(vscode.window, 'showErrorMessage', notify('error', recorded.errors)),
    replace(vscode.window, 'showInputBox', async (options: vscode.InputBoxOptions = {}) => {
      recorded.inputBoxes.push(options);
      return recorded.type(options);
    }),
    replace(vscode.window, 'withProgress', <R>(options: vscode.ProgressOptions, task: Parameters<typeof withProgress<R>>[1]) =>
      withProgress(options, (progress, token) => {
        if (options.location === vscode.ProgressLocation.Notification && options.title) {
          recorded.progress.push(options.title);
        }
        return task({
          report: (value) => {
            if (value.message) {
              recorded.progress.push(value.message);
            }
            progress.report(value);
          },
        }, token);
      })),
    replace(vscode.env, 'openExternal', async (uri: vscode.Uri) => {
      recorded.opened.push(uri.toString(true));
      return false;
    }),
  ];
  recorded.restore = () => restores.forEach((restoreOne) => restoreOne());
  return recorded;
}

function replace<T extends object>(target: T, name: keyof T, stand: (...args: never[]) => unknown): () => void {
  const original = target[name];
  (target as Record<keyof T, unknown>)[name] = stand;
  return () => {
    (target as Record<keyof T, unknown>)[name] = original;
  };
}
