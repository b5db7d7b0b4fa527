import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { SecretStore } from './types';

const EMPTY_CACHE = '{}';

/**
 * MSAL's token cache persisted in one SecretStorage entry — never in settings, globalState or files.
 * Before each cache access the entry is re-read (MSAL merges it into memory; MsalAuth has MSAL reset its memory first
 * where another window's sign-out must show). A cache without any account is deleted rather than stored, so signing
 * out leaves no entry behind.
 */
export class SecretCachePlugin implements ICachePlugin {
  constructor(private readonly store: SecretStore, readonly key: string) {}

  /** The refresh token the entry holds now for the account `homeAccountId`, if any (compared, never logged). */
  async storedRefreshToken(homeAccountId: string): Promise<string | undefined> {
    try {
      const entries = (JSON.parse((await this.store.get(this.key)) ?? EMPTY_CACHE) as { RefreshToken?: Record<string, RefreshTokenEntry> }).RefreshToken;
      return Object.values(entries ?? {}).find((entry) => entry.home_account_id === homeAccountId)?.secret;
    } catch {
      return undefined;
    }
  }

  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    // Always deserialize: MSAL rebuilds its in-memory cache from what this call hands it.
    const stored = (await this.store.get(this.key)) ?? EMPTY_CACHE;
    try {
      context.tokenCache.deserialize(stored);
    } catch {
      // An unreadable entry is as good as none: the next write replaces it.
      context.tokenCache.deserialize(EMPTY_CACHE);
    }
  }

  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    if (!context.cacheHasChanged) {
      return;
    }
    const serialized = context.tokenCache.serialize();
    if (hasAccount(serialized)) {
      await this.store.store(this.key, serialized);
    } else {
      await this.store.delete(this.key);
    }
  }
}

interface RefreshTokenEntry {
  home_account_id?: string;
  secret?: string;
}

function hasAccount(serialized: string): boolean {
  const accounts = (JSON.parse(serialized) as { Account?: Record<string, unknown> }).Account;
  return accounts !== undefined && Object.keys(accounts).length > 0;
}
