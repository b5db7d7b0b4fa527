// Sign-in failures, recognised by shape (`kind`, see shared/errors.ts): 'signInRequired' offers
// Sign In, 'userCancelled' stays silent, 'network' and 'timeout' offer Retry.

export type SignInErrorKind = 'signInRequired' | 'userCancelled' | 'timeout' | 'network' | 'signInFailed';

/** A sign-in failure of a `kind` (see SignInErrorKind); recognised by shape, so a copy from another bundle counts too. */
export class SignInError extends Error {
  constructor(readonly kind: SignInErrorKind, message: string) {
    super(message);
    this.name = 'SignInError';
  }
}
