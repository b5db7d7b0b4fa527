// Turns any failure into the words and buttons of one notification. Pure (no vscode) for plain-Node tests.
// Errors are recognised by shape, not instanceof, so errors from any layer (or a second copy of a module) work.

export type ErrorButton = 'Sign In' | 'Retry' | 'Open Settings' | 'Show Log';

export interface ErrorPresentation {
  message: string;
  buttons: ErrorButton[];
  /** The setting to open for 'Open Settings'. */
  setting?: string;
}

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  kind?: unknown;
  status?: unknown;
  setting?: unknown;
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/**
 * The user pressed Escape or Cancel: stay silent. An AbortError only comes from a caller's abort (the client
 * turns its own time-outs into typed errors), and callers abort when the user cancels.
 */
export function isUserCancellation(error: unknown): boolean {
  const e = shape(error);
  return e.kind === 'userCancelled' || e.name === 'Canceled' || e.name === 'CancellationError' || e.name === 'AbortError';
}

const RETRYABLE_KINDS = new Set(['network', 'timeout', 'renewalRace']);

/** What went wrong, in the error's own words. */
export function errorDetail(error: unknown): string {
  const e = shape(error);
  return typeof e.message === 'string' && e.message ? e.message : String(error);
}

export function presentError(error: unknown, failedTo: string): ErrorPresentation {
  const e = shape(error);
  const detail = errorDetail(error);
  const buttons: ErrorButton[] = [];
  let setting: string | undefined;
  if (e.kind === 'signInRequired' || e.status === 401) {
    buttons.push('Sign In');
  } else if (typeof e.setting === 'string') {
    setting = e.setting;
    buttons.push('Open Settings');
  } else if (RETRYABLE_KINDS.has(String(e.kind)) || (typeof e.status === 'number' && (e.status === 429 || e.status >= 500))) {
    buttons.push('Retry');
  }
  buttons.push('Show Log');
  return { message: `${failedTo}: ${plainNotificationText(detail)}`, buttons, ...(setting ? { setting } : {}) };
}

/**
 * Notifications render `[label](target)` as a clickable link (including command: links), so server text
 * could plant a button. A zero-width space between `]` and `(` keeps the text readable but never a link.
 */
export function plainNotificationText(text: string): string {
  return text.replace(/\]\s*\(/g, ']\u200b(');
}
