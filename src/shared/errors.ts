// Errors recognised by shape, not instanceof: errors from any layer (or a second copy of a module in a bundle or a
// test) are still recognised.

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  kind?: unknown;
}

/** The fields of `error` that classify it; {} for anything that is not an object. */
export function errorShape(error: unknown): ErrorShape & Record<string, unknown> {
  return typeof error === 'object' && error !== null ? (error as ErrorShape & Record<string, unknown>) : {};
}

/**
 * The user pressed Escape or Cancel: stay silent. An AbortError only comes from a caller's abort (the client
 * turns its own time-outs into typed errors), and callers abort when the user cancels.
 */
export function isUserCancellation(error: unknown): boolean {
  const e = errorShape(error);
  return e.kind === 'userCancelled' || e.name === 'Canceled' || e.name === 'CancellationError' || e.name === 'AbortError';
}

/**
 * What went wrong, in the error's own words: its message, or the value as text. Throws nothing: a value String()
 * cannot convert (`Object.create(null)`, a throwing `toString` or `message` getter) is described by its type.
 */
export function errorDetail(error: unknown): string {
  try {
    const { message } = errorShape(error);
    return typeof message === 'string' && message ? message : String(error);
  } catch {
    return `a thrown ${typeof error} that cannot be shown as text`;
  }
}

/**
 * The error for "no usable session: the user has to sign in" (a notification then offers Sign In). `message` says
 * what needs the sign-in, e.g. "Sign in to Microsoft Defender to see the machine actions.".
 */
export function signInRequired(message: string): Error & { kind: 'signInRequired' } {
  return Object.assign(new Error(message), { name: 'SignInError', kind: 'signInRequired' as const });
}

/** Whether `error` says that only a sign-in can help (see signInRequired; auth's SignInError of that kind too). */
export function isSignInRequired(error: unknown): boolean {
  return errorShape(error).kind === 'signInRequired';
}
