// VS Code's Accounts menu over the msal-node sign-in: an AuthenticationProvider that shows the signed-in account
// there (with Sign Out) and hands out the short-lived access token, never the refresh token. msal-node stays the
// engine; the AuthController is the one sign-in state, so the menu, the view and the context keys always agree.
import * as vscode from 'vscode';
import type { AuthController } from './authController';
import { SignInError } from '../auth/errors';
import type { AccountSummary } from '../auth/types';
import { AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL } from '../constants';
import { isSignInRequired } from '../shared/errors';
import { rememberSecret } from '../shared/redact';

/**
 * Whether a request for `scopes` is one this provider can serve: none (the Accounts menu asks for every session), or
 * only the API scope `apiScope` (`<api origin>/.default`). Tokens for other resources are not this extension's.
 */
function servesScopes(scopes: readonly string[] | undefined, apiScope: string): boolean {
  return (scopes ?? []).every((scope) => scope === apiScope);
}

/**
 * The provider `mdeActions` ("Microsoft Defender for Endpoint"): at most one session, the signed-in account (session
 * and account id: MSAL's homeAccountId; label: the UPN; scopes: the API scope). Sessions change when the
 * AuthController's account does, whichever place signed in or out.
 */
export class AccountsProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  /** The session the menu was last told of; undefined while signed out. */
  private shown: vscode.AuthenticationSession | undefined;

  readonly onDidChangeSessions = this.changed.event;

  constructor(private readonly auth: AuthController) {
    // The controller follows this window's Sign In/Out and other windows' (SecretStorage.onDidChange).
    this.disposables.push(auth.onDidChange(() => this.announce()));
  }

  /**
   * The signed-in account as one session (id: MSAL's homeAccountId) with a fresh access token from the silent
   * acquisition; none while signed out, not configured, or for scopes other than the API's (see servesScopes).
   * Throws what the token acquisition throws except 'signInRequired' (then the session is over: none).
   */
  async getSessions(scopes: readonly string[] | undefined): Promise<vscode.AuthenticationSession[]> {
    await this.auth.whenLoaded();
    const account = this.auth.account;
    const apiScope = this.auth.endpoints?.scope;
    if (!account || !apiScope || !servesScopes(scopes, apiScope)) {
      return [];
    }
    try {
      return [await this.session(account, apiScope)];
    } catch (error) {
      if (isSignInRequired(error)) {
        return [];
      }
      throw error;
    }
  }

  /**
   * Runs the Sign In flow (browser or device code, as Defender: Sign In does) and returns the new session. Throws
   * the sign-in's errors, and a SignInError for scopes other than the API scope.
   */
  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const apiScope = this.auth.endpoints?.scope;
    if (apiScope && !servesScopes(scopes, apiScope)) {
      throw new SignInError('signInFailed', `Microsoft Defender for Endpoint sign-in only gives tokens for ${apiScope}.`);
    }
    const account = await this.auth.signIn();
    return this.session(account, this.auth.endpoints?.scope ?? '');
  }

  /** Signs out (as Defender: Sign Out does) when `sessionId` is the signed-in account's. */
  async removeSession(sessionId: string): Promise<void> {
    if (this.auth.account?.homeAccountId === sessionId) {
      await this.auth.signOut();
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }

  private async session(account: AccountSummary, apiScope: string): Promise<vscode.AuthenticationSession> {
    const accessToken = await this.auth.getAccessToken({ forceRefresh: false });
    // Redacted by value from now on, in the log and on screen, like every token the client uses.
    rememberSecret(accessToken);
    return sessionOf(account, accessToken, apiScope);
  }

  /** Tells the Accounts menu when the signed-in account changed (signed in, out, or another account). */
  private announce(): void {
    const before = this.shown;
    const account = this.auth.account;
    if (before?.id === account?.homeAccountId) {
      return;
    }
    // The event carries no token: a listener that needs one asks getSessions, which acquires a fresh one.
    this.shown = account && sessionOf(account, '', this.auth.endpoints?.scope ?? '');
    this.changed.fire({ added: this.shown ? [this.shown] : [], removed: before ? [before] : [], changed: [] });
  }
}

function sessionOf(account: AccountSummary, accessToken: string, apiScope: string): vscode.AuthenticationSession {
  return { id: account.homeAccountId, accessToken, account: { id: account.homeAccountId, label: account.username }, scopes: [apiScope] };
}

/**
 * Registers the provider (id AUTH_PROVIDER_ID, declared in package.json `contributes.authentication`): the Accounts
 * menu asks it for its sessions when it registers, and hears of every change through onDidChangeSessions.
 */
export function registerAccountsProvider(context: vscode.ExtensionContext, auth: AuthController): AccountsProvider {
  const provider = new AccountsProvider(auth);
  context.subscriptions.push(provider, vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, provider));
  return provider;
}
