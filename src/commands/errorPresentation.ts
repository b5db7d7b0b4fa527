// Turns any failure into the words and buttons of one notification. Errors are recognised by shape (shared/errors).
import { errorDetail, errorShape, isSignInRequired } from '../shared/errors';
import { plainNotificationText } from '../shared/userText';

/** The buttons a failure may offer; 'Show Details' opens the full text (a bulk cancel's per-action outcomes). */
export type ErrorButton = 'Sign In' | 'Retry' | 'Open Settings' | 'Show Log' | 'Show Details';

export interface ErrorPresentation {
  message: string;
  buttons: ErrorButton[];
  /** The setting to open for 'Open Settings'. */
  setting?: string;
}

const RETRYABLE_KINDS = new Set(['network', 'timeout', 'renewalRace']);

/**
 * The notification for a failed command: "<failedTo>: <detail>" (no link can form) and its buttons — Sign In for a
 * missing or refused session, Open Settings for a settings error, Retry for a network, time-out, 429 or 5xx — and
 * always Show Log.
 */
export function presentError(error: unknown, failedTo: string): ErrorPresentation {
  const e = errorShape(error);
  const detail = errorDetail(error);
  const buttons: ErrorButton[] = [];
  let setting: string | undefined;
  if (isSignInRequired(error) || e.status === 401) {
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
