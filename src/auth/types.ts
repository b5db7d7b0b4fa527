// The small interfaces src/auth needs from its host. VS Code's SecretStorage, Memento and a few window/env calls
// satisfy them; plain-Node tests pass in-memory versions. Nothing here imports vscode.

import type { Disposable } from '../shared/logger';

export type { Disposable };

/** A SecretStorage-like store: vscode.ExtensionContext.secrets fits as is. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
  /** Fires for changes from this window and from every other window. */
  onDidChange(listener: (event: { key: string }) => unknown): Disposable;
}

/** A Memento-like store for non-secret state: vscode.ExtensionContext.globalState fits. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
}

/** Everything the sign-in flows show or open. */
export interface AuthUi {
  /** Opens the URL in the user's browser; false when it was not opened. */
  openExternal(url: string): PromiseLike<boolean>;
  copyToClipboard(text: string): PromiseLike<void>;
  /**
   * Runs `task` under a cancellable progress notification titled `title`: `cancelled` aborts when the user presses
   * Cancel, `report` updates the message under the title.
   */
  withProgress<T>(title: string, task: (cancelled: AbortSignal, report: (message: string) => void) => Promise<T>): PromiseLike<T>;
  /**
   * Shows the device code in a dialog (not a notification: the progress notification is the one that shows it until
   * sign-in ends); true when the user chose "Copy & Open" (the caller then copies the code and opens the page).
   * Dismissing it does not cancel the sign-in.
   */
  showDeviceCode(prompt: DeviceCodePrompt): PromiseLike<boolean>;
}

/** The signed-in account as the rest of the extension sees it. */
export interface AccountSummary {
  /** The UPN (preferred_username), e.g. analyst@contoso.com; `onlyMine` filters on it. */
  username: string;
  tenantId: string;
  name?: string;
  homeAccountId: string;
}
