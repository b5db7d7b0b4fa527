// What a cancel came to (SPEC §3 "Cancel" 5), in words an engineer can act on, and the one-line summary of a bulk
// cancel. Pure (no vscode).
import { isSignInRequiredError } from '../auth/errors';
import { isDefenderApiError } from '../defender/errors';
import { completedDespiteCancellation, isCancellable, MachineAction } from '../defender/machineAction';
import { statusLabel } from '../views/presentation';
import { ErrorButton, errorDetail, plainNotificationText, presentError } from './errorPresentation';

export type CancelOutcome =
  /** The service answered with the action in Cancelled state. */
  | { kind: 'cancelled'; action: MachineAction }
  /** Accepted, but the returned action is not final yet. */
  | { kind: 'requested'; action: MachineAction }
  /**
   * Nothing to cancel any more: the service refused with 400 (`refused`), said Cancelled although every live-response
   * command had completed (`completedAnyway`), or showed a final status other than Cancelled (`finished`).
   */
  | { kind: 'alreadyFinished'; how: 'refused' | 'completedAnyway' | 'finished'; action?: MachineAction; error?: unknown }
  /** 401 after the client's one silent token refresh, or no session at all. */
  | { kind: 'sessionExpired'; error: unknown }
  | { kind: 'forbidden'; error: unknown }
  | { kind: 'notFound'; error: unknown }
  /** Still 429 after the one retry the client makes after Retry-After. */
  | { kind: 'throttled'; error: unknown; retryAfterSeconds?: number }
  /**
   * No answer (network failure, time-out) or a 5xx: the cancel may or may not have happened. `current` is the
   * action as re-read afterwards (still cancellable), or absent when the re-read failed too (`rereadError`).
   */
  | { kind: 'unconfirmed'; error: unknown; current?: MachineAction; rereadError?: unknown }
  | { kind: 'failed'; error: unknown };

export type CancelOutcomeKind = CancelOutcome['kind'];

/** The permissions any one of which allows a cancel (SPEC §1 "Cancel a machine action"). */
export const CANCEL_PERMISSIONS = [
  'Machine.CollectForensics', 'Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.Offboard',
  'Machine.StopAndQuarantine', 'Machine.LiveResponse',
] as const;

/** A 400 about our request itself (not about the action's state) is not the "already finished" race. */
const REQUEST_PROBLEM_CODES = new Set(['invalidinput', 'invalidrequestbody', 'odataerror']);

/** The outcome of a 200 answer: its entity says what happened. */
export function classifyCancelResult(action: MachineAction): CancelOutcome {
  if (completedDespiteCancellation(action)) {
    return { kind: 'alreadyFinished', how: 'completedAnyway', action };
  }
  if (action.status.toLowerCase() === 'cancelled') {
    return { kind: 'cancelled', action };
  }
  if (isCancellable(action.status)) {
    return { kind: 'requested', action };
  }
  return { kind: 'alreadyFinished', how: 'finished', action };
}

/** The outcome of a failed cancel request, before any re-read. */
export function classifyCancelError(error: unknown): CancelOutcome {
  if (isSignInRequiredError(error)) {
    return { kind: 'sessionExpired', error };
  }
  if (!isDefenderApiError(error)) {
    return { kind: 'failed', error };
  }
  if (error.kind === 'network' || error.kind === 'timeout') {
    return { kind: 'unconfirmed', error };
  }
  switch (error.status) {
    case 400:
      return REQUEST_PROBLEM_CODES.has((error.code ?? '').toLowerCase()) ? { kind: 'failed', error } : { kind: 'alreadyFinished', how: 'refused', error };
    case 401:
      return { kind: 'sessionExpired', error };
    case 403:
      return { kind: 'forbidden', error };
    case 404:
      return { kind: 'notFound', error };
    case 429:
      return { kind: 'throttled', error, retryAfterSeconds: error.retryAfterSeconds };
  }
  return error.status !== undefined && error.status >= 500 ? { kind: 'unconfirmed', error } : { kind: 'failed', error };
}

/** After an unconfirmed cancel, the action as re-read decides: it was cancelled, it finished, or it still runs. */
export function classifyAfterReread(unconfirmed: Extract<CancelOutcome, { kind: 'unconfirmed' }>, current: MachineAction): CancelOutcome {
  return isCancellable(current.status) ? { ...unconfirmed, current } : classifyCancelResult(current);
}

/** The action as the outcome knows it, to put in the tree without a reload; undefined when there is none. */
export function outcomeEntity(outcome: CancelOutcome): MachineAction | undefined {
  switch (outcome.kind) {
    case 'cancelled':
    case 'requested':
    case 'alreadyFinished':
      return outcome.action;
    case 'unconfirmed':
      return outcome.current;
    default:
      return undefined;
  }
}

/** The log line of an outcome: kind, resulting status, HTTP status and code, correlation id. */
export function outcomeLogText(outcome: CancelOutcome): string {
  const parts: string[] = [outcome.kind === 'alreadyFinished' ? `alreadyFinished (${outcome.how})` : outcome.kind];
  const entity = outcomeEntity(outcome);
  if (entity) {
    parts.push(`status ${entity.status}`);
  }
  const error = 'error' in outcome ? outcome.error : undefined;
  if (isDefenderApiError(error)) {
    parts.push([error.status !== undefined ? `HTTP ${error.status}` : error.kind, error.code].filter((p) => p).join(' '));
    if (error.correlationId) {
      parts.push(`correlation ${error.correlationId}`);
    }
    parts.push(error.message);
  } else if (error !== undefined) {
    parts.push(errorDetail(error));
  }
  if (outcome.kind === 'unconfirmed' && outcome.rereadError !== undefined) {
    parts.push(`re-read failed: ${errorDetail(outcome.rereadError)}`);
  }
  return parts.join('; ');
}

/** Whether the Retry button may be offered: only where the service certainly did not cancel, or a re-read decides first. */
export function isRetryable(outcome: CancelOutcome): boolean {
  return outcome.kind === 'throttled' || outcome.kind === 'unconfirmed';
}

export interface OutcomePresentation {
  severity: 'info' | 'warning' | 'error';
  /** Safe for a notification: server text cannot form a link. */
  message: string;
  buttons: ErrorButton[];
}

function serverSaid(error: unknown): string {
  const message = isDefenderApiError(error) ? error.serverMessage : undefined;
  return message ? ` Defender said: ${message}` : '';
}

/** The notification for one cancel; `subject` is e.g. "Isolate (Full) on ws-fin-0142.contoso.local". */
export function presentCancelOutcome(outcome: CancelOutcome, subject: string): OutcomePresentation {
  const info = (message: string, buttons: ErrorButton[] = []): OutcomePresentation => ({ severity: 'info', message: plainNotificationText(message), buttons });
  const warning = (message: string, buttons: ErrorButton[] = ['Show Log']): OutcomePresentation => ({ severity: 'warning', message: plainNotificationText(message), buttons });
  const error = (message: string, buttons: ErrorButton[]): OutcomePresentation => ({ severity: 'error', message: plainNotificationText(message), buttons });
  switch (outcome.kind) {
    case 'cancelled':
      return info(`Cancelled ${subject}.`);
    case 'requested':
      return info(`Cancellation of ${subject} requested; Defender still reports it as ${statusLabel(outcome.action.status)}.`);
    case 'alreadyFinished':
      return warning(alreadyFinishedMessage(outcome, subject));
    case 'sessionExpired':
      return error(`Session expired — Sign In, then cancel ${subject} again. Nothing was cancelled.`, ['Sign In', 'Show Log']);
    case 'forbidden':
      return error(`Your account lacks permission to cancel ${subject}: the app registration needs one of the API permissions `
        + `${CANCEL_PERMISSIONS.join(', ')} (with admin consent), and your account the matching Defender for Endpoint role.${serverSaid(outcome.error)}`, ['Show Log']);
    case 'notFound':
      return warning(`${subject} no longer exists, or it belongs to another tenant than the one you are signed in to.`);
    case 'throttled': {
      const wait = outcome.retryAfterSeconds !== undefined ? ` Retry-After: ${outcome.retryAfterSeconds} s.` : '';
      return warning(`Defender is throttling requests (rate limit); ${subject} was not cancelled.${wait}`, ['Retry', 'Show Log']);
    }
    case 'unconfirmed': {
      const why = `The cancel request for ${subject} got no clear answer (${errorDetail(outcome.error)}).`;
      return outcome.current
        ? error(`${why} Defender still reports it as ${statusLabel(outcome.current.status)}. Retry reads its state again before sending another cancel.`, ['Retry', 'Show Log'])
        : error(`${why} Its state could not be read back either (${errorDetail(outcome.rereadError)}), so it may or may not be cancelled. Retry reads its state again before sending another cancel.`, ['Retry', 'Show Log']);
    }
    case 'failed': {
      const presentation = presentError(outcome.error, `Could not cancel ${subject}`);
      return { severity: 'error', message: presentation.message, buttons: presentation.buttons.filter((b) => b !== 'Retry') };
    }
  }
}

function alreadyFinishedMessage(outcome: Extract<CancelOutcome, { kind: 'alreadyFinished' }>, subject: string): string {
  switch (outcome.how) {
    case 'refused':
      return `${subject} had already finished: Defender refused the cancel.${serverSaid(outcome.error)}`;
    case 'completedAnyway':
      return `${subject} is marked Cancelled, but its live response commands had already completed: the work was done anyway.`;
    case 'finished':
      return `${subject} had already finished (${statusLabel(outcome.action?.status ?? 'Unknown')}); nothing was cancelled.`;
  }
}

/** A result of a bulk cancel: an outcome, or not sent because the user stopped the bulk before its turn. */
export type BulkEntry = { outcome: CancelOutcome } | { notSent: true };

const SUMMARY_BUCKETS = ['cancelled', 'cancellation requested', 'already finished', 'no longer found', 'failed', 'not sent'] as const;
type SummaryBucket = (typeof SUMMARY_BUCKETS)[number];

function bucketOf(entry: BulkEntry): SummaryBucket {
  if ('notSent' in entry) {
    return 'not sent';
  }
  switch (entry.outcome.kind) {
    case 'cancelled':
      return 'cancelled';
    case 'requested':
      return 'cancellation requested';
    case 'alreadyFinished':
      return 'already finished';
    case 'notFound':
      return 'no longer found';
    default:
      return 'failed';
  }
}

/** "3 cancelled, 1 already finished" — the one notification of a bulk cancel. */
export function summarizeBulk(entries: readonly BulkEntry[]): OutcomePresentation {
  const buckets = entries.map(bucketOf);
  const parts = SUMMARY_BUCKETS
    .map((bucket) => [bucket, buckets.filter((b) => b === bucket).length] as const)
    .filter(([, n]) => n > 0)
    .map(([bucket, n]) => `${n} ${bucket}`);
  const failed = entries.flatMap((e, i) => ('outcome' in e && buckets[i] === 'failed' ? [e.outcome] : []));
  const buttons: ErrorButton[] = [];
  if (failed.some((o) => o.kind === 'sessionExpired')) {
    buttons.push('Sign In');
  }
  if (failed.some(isRetryable)) {
    buttons.push('Retry');
  }
  const allCancelled = buckets.every((b) => b === 'cancelled');
  if (!allCancelled) {
    buttons.push('Show Log');
  }
  const severity = failed.length > 0 ? 'error' : allCancelled ? 'info' : 'warning';
  return { severity, message: `${parts.join(', ')}.`, buttons };
}
