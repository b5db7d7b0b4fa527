// One DefenderClient per (account, API base), all sharing one rate limiter so the budget holds across sign-ins and
// region changes; every token a client gets is redacted by value from then on.
import type * as https from 'node:https';
import { DefenderClient } from '../defender/client';
import { RateLimiter, type RateStateStore } from '../defender/rateLimiter';
import type { Logger } from '../shared/logger';
import { rememberSecret } from '../shared/redact';
import type { SessionAccount } from './session';

/** Where a client's tokens come from (the sign-in controller). */
export interface TokenSource {
  /** Silent (with a claims challenge's `claims` when given); a 'signInRequired' error when only a sign-in can help. */
  getAccessToken(options: { forceRefresh: boolean; claims?: string }): Promise<string>;
  /** A claims challenge that a renewed token did not satisfy: the next interactive sign-in passes its claims. */
  requireClaims(claims: string): void;
}

/** The Defender client of the signed-in account, made once per (tenant, user, API base), all on one rate budget. */
export class ClientCache {
  /** The one rate budget of every client of this cache. */
  readonly limiter: RateLimiter;
  private current: { key: string; client: DefenderClient } | undefined;

  /**
   * `rateState` shares the rate budget with other windows (a FileRateStateStore); without it, this window only.
   * `agent` goes to every client, for a CA that must be trusted explicitly (tests, TLS-inspecting proxies).
   */
  constructor(
    private readonly tokens: TokenSource, private readonly logger: Logger, rateState?: RateStateStore, private readonly agent?: https.Agent,
  ) {
    this.limiter = new RateLimiter({ store: rateState });
  }

  /**
   * The same client while the account and the API base stay the same (a new one means a new list); undefined when
   * signed out or not configured.
   */
  clientFor(account: SessionAccount | undefined, apiBaseUrl: string | undefined): DefenderClient | undefined {
    if (!account || !apiBaseUrl) {
      this.current = undefined;
      return undefined;
    }
    const key = JSON.stringify([account.tenantId, account.username.toLowerCase(), apiBaseUrl]);
    if (this.current?.key !== key) {
      const client = new DefenderClient({
        apiBaseUrl,
        getAccessToken: async (options) => {
          const token = await this.tokens.getAccessToken(options);
          rememberSecret(token);
          return token;
        },
        onClaimsUnmet: (claims) => this.tokens.requireClaims(claims),
        logger: this.logger,
        rateLimiter: this.limiter,
        agent: this.agent,
      });
      this.current = { key, client };
    }
    return this.current.client;
  }
}
