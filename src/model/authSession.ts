// ActionsSession over the sign-in controller: one DefenderClient per (account, API base), all sharing one rate
// limiter so the budget holds across sign-ins and region changes. Pure (no vscode): AuthController fits AuthSource.
import type { Cloud } from '../config';
import { DefenderClient } from '../defender/client';
import { RateLimiter, type RateStateStore } from '../defender/rateLimiter';
import { rememberSecret } from '../shared/redact';
import type { RateBudget } from './autoRefresh';
import type { ActionsSession, SessionAccount } from './session';
import type { Disposable, Logger } from '../shared/logger';

/** What src/authController.ts exposes. */
export interface AuthSource {
  readonly configured: boolean;
  /** The setting to fix before sign-in can work, if one is wrong (not merely unset). */
  readonly configurationProblem: { message: string } | undefined;
  readonly restoring: boolean;
  readonly account: { username: string; tenantId: string } | undefined;
  /** undefined while not configured. */
  readonly endpoints: { apiBaseUrl: string } | undefined;
  readonly cloud: Cloud;
  getAccessToken(options: { forceRefresh: boolean; claims?: string }): Promise<string>;
  onDidChange(listener: () => void): Disposable;
}

export class AuthSession implements ActionsSession {
  private readonly limiter: RateLimiter;
  private current: { key: string; client: DefenderClient } | undefined;

  /** `rateState` shares the rate budget with other windows (a FileRateStateStore); without it, this window only. */
  constructor(private readonly auth: AuthSource, private readonly logger: Logger, rateState?: RateStateStore) {
    this.limiter = new RateLimiter({ store: rateState });
  }

  configured(): boolean {
    return this.auth.configured;
  }

  configurationProblem(): string | undefined {
    return this.auth.configurationProblem?.message;
  }

  restoring(): boolean {
    return this.auth.restoring;
  }

  account(): SessionAccount | undefined {
    const account = this.auth.account;
    return account ? { upn: account.username, tenantId: account.tenantId } : undefined;
  }

  /** The same client while the account and the API base stay the same: a new one means a new list. */
  client(): DefenderClient | undefined {
    const account = this.auth.account;
    const endpoints = this.auth.endpoints;
    if (!account || !endpoints) {
      this.current = undefined;
      return undefined;
    }
    const key = JSON.stringify([account.tenantId, account.username.toLowerCase(), endpoints.apiBaseUrl]);
    if (this.current?.key !== key) {
      const client = new DefenderClient({
        apiBaseUrl: endpoints.apiBaseUrl,
        getAccessToken: async (options) => {
          // Redacted by value from now on, in the log and on screen, whatever shape the token has.
          const token = await this.auth.getAccessToken(options);
          rememberSecret(token);
          return token;
        },
        logger: this.logger,
        rateLimiter: this.limiter,
      });
      this.current = { key, client };
    }
    return this.current.client;
  }

  rateBudget(): RateBudget | undefined {
    return this.auth.account ? this.limiter : undefined;
  }

  cloud(): Cloud {
    return this.auth.cloud;
  }

  onDidChange(listener: () => void): Disposable {
    return this.auth.onDidChange(listener);
  }
}
