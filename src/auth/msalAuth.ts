// Sign-in with @azure/msal-node: one PublicClientApplication per (authority, clientId), the browser and device-code
// flows, silent tokens, sign-out. msal-node itself is loaded on first use, so activation does not pay for it.
import type * as http from 'node:http';
import type { AccountInfo, AuthenticationResult, DeviceCodeRequest, PublicClientApplication } from '@azure/msal-node';
import type { Endpoints, SignInMethod } from '../config';
import { errorDetail } from '../shared/errors';
import type { Logger } from '../shared/logger';
import { SignInError } from './errors';
import type { MsalQueue } from './msalQueue';
import type { NetworkClientOptions } from './networkClient';
import { SecretCachePlugin } from './secretCachePlugin';
import type { AccountSummary, AuthUi, Disposable, SecretStore, StateStore } from './types';

export interface MsalAuthOptions {
  clientId: string;
  endpoints: Pick<Endpoints, 'authority' | 'knownAuthorities' | 'scope'>;
  secrets: SecretStore;
  /** Holds the chosen account's homeAccountId, nothing else. */
  state: StateStore;
  ui: AuthUi;
  log: Logger;
  /** Shared by every MsalAuth of the extension host. */
  queue: MsalQueue;
  /** For createNetworkClient (a CA to trust, the time-out); default: the host trust store, 30 s. */
  network?: Omit<NetworkClientOptions, 'onFailure'>;
  /** How long the browser flow waits for the user; default 5 minutes. */
  browserTimeoutMs?: number;
}

const DEFAULT_BROWSER_TIMEOUT_MS = 5 * 60_000;
const NOT_SIGNED_IN = 'You are not signed in to Microsoft Defender. Sign in to continue.';
const SESSION_ENDED = 'Your Microsoft Defender session has expired or was revoked. Sign in again.';
const CONDITIONAL_ACCESS = 'A Conditional Access policy of your organization asks you to sign in again to use Microsoft Defender. Sign in to continue.';
/** Declared so Entra ID sends claims challenges (continuous access evaluation) instead of only rejecting tokens. */
const CLIENT_CAPABILITIES = ['CP1'];
/** Retries with a refresh token another window rotated in meanwhile, before giving up (see retryRotated). */
const ROTATION_RETRIES = 3;
/** MSAL error codes after which only an interactive sign-in helps (besides InteractionRequiredAuthError itself). */
const INTERACTION_CODES = new Set(['invalid_grant', 'no_tokens_found', 'refresh_token_expired', 'no_account_found']);

/**
 * Sign-in with msal-node for one (client, authority, scope): browser or device-code flows, silent tokens, the token
 * cache in a SecretStore; every MSAL call through the MsalQueue. Failures are SignInErrors by `kind`.
 */
export class MsalAuth implements Disposable {
  private readonly plugin: SecretCachePlugin;
  private readonly accountKey: string;
  private readonly subscription: Disposable;
  private readonly listeners = new Set<(account: AccountSummary | undefined) => void>();
  private client: Promise<PublicClientApplication> | undefined;
  private current: AccountInfo | undefined;
  /** Why the current MSAL call's last network request failed: MSAL hides it behind 'endpoints_resolution_error'. */
  private networkFailure: string | undefined;
  /** The claims of a challenge that only an interactive sign-in can satisfy: the next signIn() passes them. */
  private pendingClaims: string | undefined;

  constructor(private readonly options: MsalAuthOptions) {
    const id = `${options.clientId}@${options.endpoints.authority}`;
    this.plugin = new SecretCachePlugin(options.secrets, `msalTokenCache:${id}`);
    this.accountKey = `mdeActions.account:${id}`;
    this.subscription = options.secrets.onDidChange((event) => {
      if (event.key === this.plugin.key) {
        // Another window signed in or out (or this one wrote): follow what the cache now holds.
        this.loadAccount().catch((error) => options.log.warn(`Could not reload the sign-in state: ${errorDetail(error)}`));
      }
    });
  }

  /** The SecretStorage key of this (authority, clientId)'s token cache. */
  get cacheKey(): string {
    return this.plugin.key;
  }

  get account(): AccountSummary | undefined {
    return this.current && summary(this.current);
  }

  onDidChangeAccount(listener: (account: AccountSummary | undefined) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Reads the cached accounts and picks the chosen one (or the only one): signed in without any prompt when possible. */
  async loadAccount(): Promise<AccountSummary | undefined> {
    const accounts = await this.msal(cachedAccounts);
    const chosen = this.options.state.get<string>(this.accountKey);
    this.setAccount(accounts.find((account) => account.homeAccountId === chosen) ?? accounts[0]);
    return this.account;
  }

  /**
   * The claims of a challenge that a silently renewed token did not satisfy (the API still refused it): the next
   * signIn() passes them.
   */
  requireClaims(claims: string): void {
    this.options.log.warn('The Defender API still asks for claims a renewed token did not satisfy; the next sign-in passes them.');
    this.pendingClaims = claims;
  }

  /** Signs in interactively; the new account replaces any other one cached for this authority and client. */
  async signIn(method: SignInMethod): Promise<AccountSummary> {
    const claims = this.pendingClaims;
    this.options.log.info(`Signing in with ${method === 'browser' ? 'the browser' : 'a device code'} at ${this.options.endpoints.authority}`
      + `${claims ? ', with the claims a Conditional Access policy asked for' : ''}.`);
    let result: AuthenticationResult | null;
    try {
      result = method === 'browser' ? await this.signInWithBrowser(claims) : await this.signInWithDeviceCode(claims);
    } catch (error) {
      throw this.signInFailure(error);
    }
    const account = result?.account;
    if (!account) {
      throw new SignInError('signInFailed', 'the sign-in service returned no account.');
    }
    await this.options.state.update(this.accountKey, account.homeAccountId);
    await this.msal(async (client) => {
      for (const other of await cachedAccounts(client)) {
        if (other.homeAccountId !== account.homeAccountId) {
          await client.signOut({ account: other });
        }
      }
    });
    this.pendingClaims = undefined;
    this.setAccount(account);
    this.options.log.info(`Signed in (tenant ${account.tenantId}).`);
    return summary(account);
  }

  /**
   * An access token for the API scope: from the cache, refreshed silently when close to expiry or when `forceRefresh`
   * (after a 401). `claims` (decoded JSON of a 401's claims challenge) goes with the silent request; when only an
   * interactive sign-in can satisfy them, a 'signInRequired' error says a Conditional Access policy asks for it and the
   * next signIn() passes them. When the session is over (revoked, expired), the account is removed (signed-out state)
   * and a 'signInRequired' error is thrown — a browser never opens by surprise. 'renewalRace' (retryable) when other
   * windows kept rotating the refresh token through every retry; another 'signInFailed'/'network' error otherwise.
   */
  async getAccessToken(options: { forceRefresh: boolean; claims?: string }): Promise<string> {
    const account = this.current;
    if (!account) {
      throw new SignInError('signInRequired', NOT_SIGNED_IN);
    }
    const attempt = await this.silentToken(account, options);
    if (!attempt.failed) {
      return attempt.token;
    }
    if (!needsInteraction(attempt.error)) {
      throw this.signInFailure(attempt.error, 'Could not get an access token');
    }
    if (options.claims) {
      this.options.log.warn(`A claims challenge needs an interactive sign-in (${errorDetail(attempt.error)}).`);
      this.pendingClaims = options.claims;
      throw new SignInError('signInRequired', CONDITIONAL_ACCESS, options.claims);
    }
    const last = await this.retryRotated(account, options, attempt);
    if (!last.failed) {
      return last.token;
    }
    if (!(await this.endSession(account, last.refreshToken))) {
      throw new SignInError('renewalRace', 'Could not get an access token: other windows kept renewing the session at the same moment. Retry.');
    }
    this.options.log.warn(`The session can no longer be renewed silently (${errorDetail(last.error)}); signed out.`);
    throw new SignInError('signInRequired', SESSION_ENDED);
  }

  /**
   * After a refusal that needs interaction: other windows may have redeemed the same refresh token a moment ago
   * (rotation), so the successor is in the entry. With three or more windows a retry can lose again to one that retried
   * first, so the entry is re-read and the request retried while it keeps moving, at most ROTATION_RETRIES times.
   * Returns the token, or the last failed attempt (whose refresh token endSession compares). Throws a SignInError when
   * a retry fails for a reason other than the session.
   */
  private async retryRotated(account: AccountInfo, options: { forceRefresh: boolean; claims?: string }, first: SilentAttempt): Promise<SilentAttempt> {
    let attempt = first;
    for (let retries = 0; retries < ROTATION_RETRIES && attempt.failed; retries++) {
      const stored = await this.options.queue.run(() => this.plugin.storedRefreshToken(account.homeAccountId));
      if (stored === undefined || stored === attempt.refreshToken) {
        break;
      }
      this.options.log.info('Another window renewed the session meanwhile; retrying with its refresh token.');
      attempt = await this.silentToken(account, options);
      if (attempt.failed && !needsInteraction(attempt.error)) {
        throw this.signInFailure(attempt.error, 'Could not get an access token');
      }
    }
    return attempt;
  }

  /** One silent token request, with the refresh token the entry held just before it (to tell a rotation later). */
  private silentToken(account: AccountInfo, options: { forceRefresh: boolean; claims?: string }): Promise<SilentAttempt> {
    return this.msal(async (client) => {
      const refreshToken = await this.plugin.storedRefreshToken(account.homeAccountId);
      try {
        const result = await client.acquireTokenSilent({
          account, scopes: [this.options.endpoints.scope], forceRefresh: options.forceRefresh, ...(options.claims ? { claims: options.claims } : {}),
        });
        return { failed: false, token: result.accessToken };
      } catch (error) {
        return { failed: true, error, refreshToken };
      }
    });
  }

  /**
   * Removes the account from the entry as stored now — only while the entry still holds `failedRefreshToken` (or no
   * refresh token) for it — and signs this window out of it. false, and nothing removed, when another window has
   * stored a newer refresh token meanwhile.
   */
  private async endSession(account: AccountInfo, failedRefreshToken: string | undefined): Promise<boolean> {
    const removed = await this.msal(async (client) => {
      const current = await this.plugin.storedRefreshToken(account.homeAccountId);
      if (current !== undefined && current !== failedRefreshToken) {
        return false;
      }
      const stored = (await cachedAccounts(client)).find((other) => other.homeAccountId === account.homeAccountId);
      if (stored) {
        await client.signOut({ account: stored });
      }
      return true;
    });
    if (removed && this.current?.homeAccountId === account.homeAccountId) {
      await this.options.state.update(this.accountKey, undefined);
      this.setAccount(undefined);
    }
    return removed;
  }

  /** Removes every cached account of this authority and client; with no account left, the SecretStorage entry goes too. */
  async signOut(): Promise<void> {
    await this.msal(async (client) => {
      for (const account of await cachedAccounts(client)) {
        await client.signOut({ account });
      }
    });
    await this.options.state.update(this.accountKey, undefined);
    this.setAccount(undefined);
    this.options.log.info('Signed out.');
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
  }

  private async signInWithBrowser(claims: string | undefined): Promise<AuthenticationResult> {
    return this.options.ui.withProgress('Signing in to Microsoft Defender in your browser…', (cancelled) => {
      const stopped = new AbortController();
      let loopback: { redirectUri: string; state: string } | undefined;
      const interaction = this.msal((client) => client.acquireTokenInteractive({
        scopes: [this.options.endpoints.scope],
        ...(claims ? { claims } : {}),
        successTemplate: resultPage('Signed in', 'You are signed in to Defender Machine Actions. Close this tab and return to VS Code.'),
        errorTemplate: resultPage('Sign-in failed', 'Sign-in to Defender Machine Actions did not complete. Return to VS Code to see why.'),
        openBrowser: async (url) => {
          if (stopped.signal.aborted) {
            throw new SignInError('userCancelled', 'Sign-in cancelled.');
          }
          const query = new URL(url).searchParams;
          loopback = { redirectUri: query.get('redirect_uri') ?? '', state: query.get('state') ?? '' };
          if (!(await this.options.ui.openExternal(url))) {
            throw new SignInError('userCancelled', 'The browser was not opened.');
          }
        },
      }));
      const timeoutMs = this.options.browserTimeoutMs ?? DEFAULT_BROWSER_TIMEOUT_MS;
      return settleOrStop(interaction, cancelled, timeoutMs, () => {
        stopped.abort();
        // MSAL's loopback listener only stops on a response: answer it ourselves so the listener and the queue are freed.
        if (loopback) {
          endLoopbackWait(loopback.redirectUri, loopback.state);
        }
      });
    });
  }

  /** The code shows in the progress notification, the one that stays, with Cancel and Copy & Open, until sign-in ends. */
  private async signInWithDeviceCode(claims: string | undefined): Promise<AuthenticationResult | null> {
    return this.options.ui.withProgress('Signing in to Microsoft Defender with a device code…', async (cancelled, showDeviceCode) => {
      const request: DeviceCodeRequest = {
        scopes: [this.options.endpoints.scope],
        ...(claims ? { claims } : {}),
        deviceCodeCallback: (response) => {
          if (!request.cancel) {
            showDeviceCode({ userCode: response.userCode, verificationUri: response.verificationUri, expiresInSeconds: response.expiresIn });
          }
        },
      };
      const polling = this.msal((client) => client.acquireTokenByDeviceCode(request));
      // MSAL checks `cancel` before each poll; the code's own expiry ends the wait otherwise.
      return settleOrStop(polling, cancelled, undefined, () => {
        request.cancel = true;
      });
    });
  }

  /** Every MSAL call goes through the shared queue. */
  private msal<T>(call: (client: PublicClientApplication) => Promise<T>): Promise<T> {
    return this.options.queue.run(async () => {
      this.networkFailure = undefined;
      return call(await this.publicClient());
    });
  }

  private publicClient(): Promise<PublicClientApplication> {
    this.client ??= this.createPublicClient();
    return this.client;
  }

  private async createPublicClient(): Promise<PublicClientApplication> {
    const msal = await import('@azure/msal-node');
    const networkClient = (await import('./networkClient')).createNetworkClient({
      ...this.options.network,
      onFailure: (message) => {
        this.networkFailure = message;
        this.options.log.warn(`Sign-in service: ${message}`);
      },
    });
    const log = this.options.log;
    return new msal.PublicClientApplication({
      auth: {
        clientId: this.options.clientId,
        authority: this.options.endpoints.authority,
        knownAuthorities: this.options.endpoints.knownAuthorities,
        clientCapabilities: CLIENT_CAPABILITIES,
      },
      cache: { cachePlugin: this.plugin },
      system: {
        networkClient,
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: msal.LogLevel.Verbose,
          loggerCallback: (level, message, containsPii) => {
            if (containsPii) {
              return;
            }
            // "[date] : [correlation id] : @azure/msal-node@7.2.1 : Info - text" → "MSAL [correlation id] text"
            const line = `MSAL ${message.replace(/^\[[^\]]*\] : \[([^\]]*)\] : \S+ : \w+ - /, (_, id: string) => (id ? `[${id}] ` : ''))}`;
            switch (level) {
              case msal.LogLevel.Error: log.error(line); break;
              case msal.LogLevel.Warning: log.warn(line); break;
              case msal.LogLevel.Info: log.debug(line); break;
              default: log.trace(line);
            }
          },
        },
      },
    });
  }

  private setAccount(account: AccountInfo | undefined): void {
    const before = this.current && summary(this.current);
    this.current = account;
    const after = this.account;
    if (before?.homeAccountId !== after?.homeAccountId || before?.username !== after?.username) {
      for (const listener of [...this.listeners]) {
        listener(after);
      }
    }
  }

  /**
   * The reason alone for a failed sign-in: the Sign In command puts "Sign-in failed: " in front, as every command
   * names what failed. `doing` prefixes it where no command does (token calls).
   */
  private signInFailure(error: unknown, doing?: string): SignInError {
    if (error instanceof SignInError) {
      return error;
    }
    const reason = (text: string) => (doing ? `${doing}: ${text}` : text);
    const code = (error as { errorCode?: unknown } | undefined)?.errorCode;
    switch (code) {
      case 'network_error':
      case 'endpoints_resolution_error':
        return new SignInError('network', reason(`could not reach the sign-in service at ${this.options.endpoints.authority} (${this.networkFailure ?? errorDetail(error)}).`));
      case 'device_code_expired':
      case 'user_timeout_reached':
        return new SignInError('timeout', reason('the device code expired before sign-in finished.'));
      case 'device_code_polling_cancelled':
        return new SignInError('userCancelled', 'Sign-in cancelled.');
      default:
        return new SignInError('signInFailed', reason(errorDetail(error)));
    }
  }
}

type SilentAttempt = { failed: false; token: string } | { failed: true; error: unknown; refreshToken: string | undefined };

function summary(account: AccountInfo): AccountSummary {
  return { username: account.username, tenantId: account.tenantId, name: account.name, homeAccountId: account.homeAccountId };
}

/** The accounts as SecretStorage holds them now: MSAL merges a reload into memory, which would keep removed ones. */
async function cachedAccounts(client: PublicClientApplication): Promise<AccountInfo[]> {
  const cache = client.getTokenCache();
  await cache.overwriteCache();
  return cache.getAllAccounts();
}

function needsInteraction(error: unknown): boolean {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; errorCode?: unknown };
  return shape.name === 'InteractionRequiredAuthError' || INTERACTION_CODES.has(String(shape.errorCode));
}


/**
 * `work`'s outcome, unless the user cancels or `timeoutMs` passes first: then `stop` is called (to end the MSAL call,
 * which keeps the queue until it settles) and the promise rejects at once.
 */
function settleOrStop<T>(work: Promise<T>, cancelled: AbortSignal, timeoutMs: number | undefined, stop: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      cancelled.removeEventListener('abort', onCancel);
    };
    const fail = (error: SignInError): void => {
      finish();
      stop();
      reject(error);
    };
    const onCancel = (): void => fail(new SignInError('userCancelled', 'Sign-in cancelled.'));
    const timer = timeoutMs === undefined ? undefined : setTimeout(() =>
      fail(new SignInError('timeout', `no answer from the browser within ${Math.round(timeoutMs / 1000)} seconds.`)), timeoutMs);
    cancelled.addEventListener('abort', onCancel, { once: true });
    work.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error) => {
        finish();
        reject(error);
      },
    );
    if (cancelled.aborted) {
      onCancel();
    }
  });
}

/** Answers MSAL's loopback listener with an OAuth error, as the authority would, so `acquireTokenInteractive` ends. */
function endLoopbackWait(redirectUri: string, state: string): void {
  const port = Number(new URL(redirectUri).port);
  if (!port || !state) {
    return;
  }
  const body = new URLSearchParams({ error: 'access_denied', error_description: 'Sign-in was cancelled in VS Code.', state }).toString();
  // MSAL listens on 127.0.0.1 (its redirect URI says localhost, which may resolve to ::1 first).
  // node:http on first use: activation does not need it.
  const request = (require('node:http') as typeof http).request({ host: '127.0.0.1', port, path: '/', method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } });
  request.on('error', () => undefined);
  request.end(body);
}

function resultPage(title: string, text: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body style="font-family: system-ui, sans-serif; margin: 3em;"><h1>${title}</h1><p>${text}</p></body></html>`;
}
