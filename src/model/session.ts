// What the view and the commands need from sign-in, as a small interface: they never reach into the auth internals,
// and tests can hand in their own. extension.ts adapts the AuthController to it.
import type { Cloud } from '../config';
import type { DefenderClient } from '../defender/client';
import type { RateBudget } from './autoRefresh';
import { type Disposable } from '../shared/logger';

export interface SessionAccount {
  /** The UPN, e.g. analyst@contoso.com (what `requestor eq` compares with). */
  upn: string;
  tenantId: string;
}

export interface ActionsSession {
  /** Whether the settings are complete enough to sign in (mdeActions.configured). */
  configured(): boolean;
  /** Why sign-in cannot work when a setting is wrong (not merely unset): the view says it. */
  configurationProblem(): string | undefined;
  /** True while the cached sign-in is still being read: neither signed in nor signed out yet. */
  restoring(): boolean;
  /** A client for the signed-in account; undefined when signed out or not configured. */
  client(): DefenderClient | undefined;
  account(): SessionAccount | undefined;
  /** The budget the client's requests are counted against; undefined when there is no client. */
  rateBudget(): RateBudget | undefined;
  /** The configured cloud, for the portal link. */
  cloud(): Cloud;
  /** Fires when any of the above may have changed (sign-in, sign-out, another account, settings). */
  onDidChange(listener: () => void): Disposable;
}
