// Sign-in failures, recognised by shape (`kind`, see shared/errors.ts): 'signInRequired' offers Sign In,
// 'userCancelled' stays silent, 'network', 'timeout' and 'renewalRace' (other windows renewing the session at the same
// moment) offer Retry.
import { errorShape } from '../shared/errors';

export type SignInErrorKind = 'signInRequired' | 'userCancelled' | 'timeout' | 'network' | 'renewalRace' | 'signInFailed';

/** A sign-in failure of a `kind` (see SignInErrorKind); recognised by shape, so a copy from another bundle counts too. */
export class SignInError extends Error {
  /** `claims`: the claims a Conditional Access policy asked for, which the next interactive sign-in passes. */
  constructor(readonly kind: SignInErrorKind, message: string, readonly claims?: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Kinds where trying again can help: the sign-in service did not answer, or other windows were renewing at once. */
const RETRYABLE_SIGN_IN_KINDS: ReadonlySet<unknown> = new Set<SignInErrorKind>(['network', 'timeout', 'renewalRace']);

/**
 * No access token could be had for a passing reason (a SignInError of a retryable kind, by shape). No request went out
 * with it, so a cancel that failed this way was certainly not sent and may be tried again.
 */
export function isRetryableSignInError(error: unknown): boolean {
  const e = errorShape(error);
  return e.name === 'SignInError' && RETRYABLE_SIGN_IN_KINDS.has(e.kind);
}

/**
 * A Conditional Access policy asks for an interactive sign-in: the error carries the claims of its challenge (a
 * SignInError from MSAL, or the API's 401 whose claims a renewed token did not satisfy). Its message says so.
 */
export function isConditionalAccess(error: unknown): boolean {
  return typeof errorShape(error).claims === 'string';
}
