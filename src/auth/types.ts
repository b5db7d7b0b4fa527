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

/** What the identity platform asks the user to do for a device-code sign-in (expiresInSeconds in s); the page is opened only if https. */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  expiresInSeconds: number;
}

/** Everything the sign-in flows show or open. */
export interface AuthUi {
  /** Opens the URL in the user's browser; false when it was not opened. */
  openExternal(url: string): PromiseLike<boolean>;
  /**
   * Runs `task` under a cancellable progress notification titled `title`, the one notification of a sign-in: it goes
   * when the task ends either way. `cancelled` aborts when the user presses Cancel; `showDeviceCode` puts the code in
   * that notification with a Copy & Open link (which copies the code and opens the page only while the task runs).
   */
  withProgress<T>(title: string, task: (cancelled: AbortSignal, showDeviceCode: (prompt: DeviceCodePrompt) => void) => Promise<T>): PromiseLike<T>;
}

/** The signed-in account as the rest of the extension sees it. */
export interface AccountSummary {
  /** The UPN (preferred_username), e.g. analyst@contoso.com; `onlyMine` filters on it. */
  username: string;
  tenantId: string;
  name?: string;
  homeAccountId: string;
}
