// What the view and the commands need from sign-in, as one small interface: the sign-in controller
// (authController/) implements it, and tests can hand in their own.
import type { Cloud } from '../config';
import type { DefenderClient } from '../defender/client';
import type { Disposable } from '../shared/logger';
import type { RateBudget } from './autoRefresh';

/** The signed-in account. */
export interface SessionAccount {
  /** The UPN, e.g. analyst@contoso.com (what `requestor eq` compares with). */
  username: string;
  tenantId: string;
  /** "<object id>.<home tenant id>": the tenant the account belongs to, which a guest's tenantId is not. */
  homeAccountId?: string;
}

/** Sign-in as the model and the commands see it: state, a client for the account, and a change event. */
export interface Session {
  /** Whether the settings are complete enough to sign in (mdeActions.configured). */
  readonly configured: boolean;
  /** Why sign-in cannot work when a setting is wrong (not merely unset): the view says it. */
  readonly configurationProblem: { message: string } | undefined;
  /** True while the cached sign-in is still being read: neither signed in nor signed out yet. */
  readonly restoring: boolean;
  readonly account: SessionAccount | undefined;
  /** The configured cloud, for the portal link. */
  readonly cloud: Cloud;
  /** A client for the signed-in account; undefined when signed out or not configured. */
  client(): DefenderClient | undefined;
  /** The budget the client's requests are counted against; undefined when signed out. */
  rateBudget(): RateBudget | undefined;
  /** Fires when any of the above may have changed (sign-in, sign-out, another account, settings). */
  onDidChange(listener: () => void): Disposable;
}
