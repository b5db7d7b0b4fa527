// Sign-in failures, recognised by shape (`kind`) as src/commands/errorPresentation.ts does: 'signInRequired' offers
// Sign In, 'userCancelled' stays silent, 'network' and 'timeout' offer Retry.

export type SignInErrorKind = 'signInRequired' | 'userCancelled' | 'timeout' | 'network' | 'signInFailed';

export class SignInError extends Error {
  constructor(readonly kind: SignInErrorKind, message: string) {
    super(message);
    this.name = 'SignInError';
  }
}

/** No usable session: the user has to sign in (explicitly — nothing opens a browser by surprise). */
export function isSignInRequiredError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { kind?: unknown }).kind === 'signInRequired';
}
