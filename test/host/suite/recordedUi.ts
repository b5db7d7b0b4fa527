// What the engineer would see or have opened, recorded inside the extension host: the tests run in the same host as
// the extension and share its `vscode` API object, so replacing a function here replaces it for the extension too.
import * as vscode from 'vscode';

export interface RecordedUi {
  /** Texts of information messages, in order. */
  info: string[];
  warnings: string[];
  errors: string[];
  /** URIs the extension asked to open in the browser. */
  opened: string[];
  /** Puts the real functions back. */
  restore(): void;
}

/** Messages answer as if dismissed (no button chosen); openExternal opens nothing and says it did not. */
export function recordUi(): RecordedUi {
  const recorded: RecordedUi = { info: [], warnings: [], errors: [], opened: [], restore: () => undefined };
  const restores = [
    replace(vscode.window, 'showInformationMessage', async (message: string) => {
      recorded.info.push(message);
      return undefined;
    }),
    replace(vscode.window, 'showWarningMessage', async (message: string) => {
      recorded.warnings.push(message);
      return undefined;
    }),
    replace(vscode.window, 'showErrorMessage', async (message: string) => {
      recorded.errors.push(message);
      return undefined;
    }),
    replace(vscode.env, 'openExternal', async (uri: vscode.Uri) => {
      recorded.opened.push(uri.toString(true));
      return false;
    }),
  ];
  recorded.restore = () => restores.forEach((restoreOne) => restoreOne());
  return recorded;
}

function replace<T extends object>(target: T, name: keyof T, stand: (...args: any[]) => unknown): () => void {
  const original = target[name];
  (target as Record<keyof T, unknown>)[name] = stand;
  return () => {
    (target as Record<keyof T, unknown>)[name] = original;
  };
}
