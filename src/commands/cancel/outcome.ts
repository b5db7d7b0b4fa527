// What a cancel came to (SPEC §3 "Cancel" 5), in words an engineer can act on, and the one-line summary of a bulk
// cancel.
import { isConditionalAccess, isRetryableSignInError } from '../../auth/errors';
import { isDefenderApiError } from '../../defender/errors';
import {
  commandsThatRan, completedDespiteCancellation, describeLiveResponseCommand, isFinal, MachineAction, ranBeforeCancellation,
} from '../../defender/machineAction';
import { statusLabel } from '../../views/presentation';
import { ErrorButton, presentError } from '../errorPresentation';
import { errorDetail, isSignInRequired } from '../../shared/errors';
import { plainNotificationText, SHOWN_LENGTH, shownText } from '../../shared/userText';

export type CancelOutcome =
  /** The service answered with the action in Cancelled state. */
  | { kind: 'cancelled'; action: MachineAction }
  /** Accepted, but the action (returned, or read back) is not final yet. */
  | { kind: 'requested'; action: MachineAction }
  /** Accepted (a 2xx without a usable entity of this id), and reading it back failed: its state is not known. */
  | { kind: 'accepted'; rereadError: unknown }
  /**
   * Nothing to cancel any more: the service refused with 400 (`refused`), said Cancelled although every live-response
   * command had completed (`completedAnyway`), or showed a final status other than Cancelled (`finished`).
   */
  | { kind: 'alreadyFinished'; how: 'refused' | 'completedAnyway' | 'finished'; action?: MachineAction; error?: unknown }
  /** 401 after the client's one silent token refresh, or no session at all. */
  | { kind: 'sessionExpired'; error: unknown }
  | { kind: 'forbidden'; error: unknown }
  /**
   * 404. For an action that was listed (or just looked up) it may be the service's lag after creation, not "gone":
   * the row stays and the next list decides. `pasted`: an id the list did not know, looked up first.
   */
  | { kind: 'notFound'; error: unknown; pasted?: boolean }
  /**
   * A 400 the re-read cannot explain: the re-read failed (`rereadError`), so whether the action had already finished
   * is not known, or it shows a status neither cancellable nor final (`current`, e.g. Queued).
   */
  | { kind: 'refused'; error: unknown; rereadError?: unknown; current?: MachineAction }
  /** Still 429 after the one retry the client makes after Retry-After. */
  | { kind: 'throttled'; error: unknown; retryAfterSeconds?: number }
  /**
   * No answer (network failure, time-out) or a 5xx: the cancel may or may not have happened. `current` is the
   * action as re-read afterwards (still cancellable), or absent when the re-read failed too (`rereadError`).
   */
  | { kind: 'unconfirmed'; error: unknown; current?: MachineAction; rereadError?: unknown }
  | { kind: 'failed'; error: unknown };

/** The permissions any one of which allows a cancel (SPEC §1 "Cancel a machine action"). */
export const CANCEL_PERMISSIONS = [
  'Machine.CollectForensics', 'Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.Offboard',
  'Machine.StopAndQuarantine', 'Machine.LiveResponse',
] as const;

/** A 400 about our request itself (not about the action's state) is not the "already finished" race. */
const REQUEST_PROBLEM_CODES = new Set(['invalidinput', 'invalidrequestbody', 'odataerror']);

/**
 * The outcome of a 200 answer (or of the re-read after an accepted one): its entity says what happened. Cancelled
 * after some live-response commands had run is still `cancelled`; the presentation names what ran.
 */
export function classifyCancelResult(action: MachineAction): CancelOutcome {
  if (completedDespiteCancellation(action)) {
    return { kind: 'alreadyFinished', how: 'completedAnyway', action };
  }
  if (action.status.toLowerCase() === 'cancelled') {
    return { kind: 'cancelled', action };
  }
  // Not final (Pending, InProgress, or a status such as Queued that is neither): the cancel is not through yet.
  if (!isFinal(action.status)) {
    return { kind: 'requested', action };
  }
  return { kind: 'alreadyFinished', how: 'finished', action };
}

/** The outcome of a failed cancel request, before any re-read. */
export function classifyCancelError(error: unknown): CancelOutcome {
  if (isSignInRequired(error)) {
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

/** After an unconfirmed cancel, the action as re-read decides: it was cancelled, it finished, or it is not final yet. */
export function classifyAfterReread(unconfirmed: Extract<CancelOutcome, { kind: 'unconfirmed' }>, current: MachineAction): CancelOutcome {
  return isFinal(current.status) ? classifyCancelResult(current) : { ...unconfirmed, current };
}

/** The action as the outcome knows it, to put in the tree without a reload; undefined when there is none. */
export function outcomeEntity(outcome: CancelOutcome): MachineAction | undefined {
  switch (outcome.kind) {
    case 'cancelled':
    case 'requested':
    case 'alreadyFinished':
      return outcome.action;
    case 'unconfirmed':
    case 'refused':
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
  if ('rereadError' in outcome && outcome.rereadError !== undefined) {
    parts.push(`re-read failed: ${errorDetail(outcome.rereadError)}`);
  }
  return parts.join('; ');
}

/**
 * Whether the Retry button may be offered: only where the service certainly did not cancel, or a re-read decides first.
 * A 404 always is: a just-created action can answer 404 for a while (a pasted id is looked up again before anything).
 * So is a failure to get a token for a passing reason (e.g. windows renewing at once): the cancel was not sent.
 */
export function isRetryable(outcome: CancelOutcome): boolean {
  return outcome.kind === 'throttled' || outcome.kind === 'unconfirmed' || outcome.kind === 'refused' || outcome.kind === 'notFound'
    || (outcome.kind === 'failed' && isRetryableSignInError(outcome.error));
}

export interface OutcomePresentation {
  severity: 'info' | 'warning' | 'error';
  /** Safe for a notification: server text cannot form a link. */
  message: string;
  buttons: ErrorButton[];
  /** The full text behind 'Show Details' (plain text for a document, one line per action). */
  details?: string;
}

/** " Already ran on the device: RunScript a.ps1, GetFile C:\x.log." or "" when nothing ran. */
function ranSentence(action: MachineAction | undefined): string {
  const ran = action && ranBeforeCancellation(action);
  return ran ? ` Already ran on the device: ${ran}.` : '';
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
    case 'cancelled': {
      const ran = ranSentence(outcome.action);
      return ran ? warning(`${subject} cancelled, but part of it had already run.${ran}`) : info(`${subject} cancelled.`);
    }
    case 'requested':
      return info(`Defender accepted the cancel of ${subject}; the action still shows ${statusLabel(outcome.action.status)}.`);
    case 'accepted':
      return warning(`Defender accepted the cancel of ${subject}, but answered without the action, and its current state could not be read `
        + `(${errorDetail(outcome.rereadError)}). Refresh shows whether it is cancelled yet.`);
    case 'refused': {
      const state = outcome.current
        ? `It now shows ${statusLabel(outcome.current.status)}, which is neither cancellable nor finished.`
        : `Its current state could not be read (${errorDetail(outcome.rereadError)}), so whether it had already finished is not known.`;
      return error(`Defender refused the cancel of ${subject}.${serverSaid(outcome.error) || ` (${errorDetail(outcome.error)})`} ${state} Retry reads its state first.`, ['Retry', 'Show Log']);
    }
    case 'alreadyFinished':
      return warning(alreadyFinishedMessage(outcome, subject));
    case 'sessionExpired':
      return error(isConditionalAccess(outcome.error)
        ? `${errorDetail(outcome.error)} Nothing was cancelled: cancel ${subject} again after signing in.`
        : `Session expired — Sign In, then cancel ${subject} again. Nothing was cancelled.`, ['Sign In', 'Show Log']);
    case 'forbidden':
      return error(`Your account lacks permission to cancel ${subject}: the app registration needs one of the API permissions `
        + `${CANCEL_PERMISSIONS.join(', ')} (with admin consent), and your account the matching Defender for Endpoint role.${serverSaid(outcome.error)}`, ['Show Log']);
    case 'notFound':
      return outcome.pasted
        ? warning(`${subject} was not found: check the ID, and that you are signed in to the tenant it belongs to. An action created `
          + 'moments ago can be missing for a while: Retry looks it up again.', ['Retry', 'Show Log'])
        : warning(`Defender could not find ${subject} right now (404). An action created moments ago can be missing for a while: `
          + 'the row stays until the next refresh decides. Retry reads it again before sending.', ['Retry', 'Show Log']);
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
      return { severity: 'error', message: presentation.message, buttons: presentation.buttons.filter((b) => b !== 'Retry' || isRetryable(outcome)) };
    }
  }
}

function alreadyFinishedMessage(outcome: Extract<CancelOutcome, { kind: 'alreadyFinished' }>, subject: string): string {
  switch (outcome.how) {
    case 'refused':
      return `${subject} had already finished: Defender refused the cancel.${serverSaid(outcome.error)}`;
    case 'completedAnyway':
      return `${subject} is marked Cancelled, but its live response commands had already completed: the work was done anyway.${ranSentence(outcome.action)}`;
    case 'finished':
      return `${subject} had already finished (${statusLabel(outcome.action?.status ?? 'Unknown')}); nothing was cancelled.`;
  }
}

/** A result of a bulk cancel: an outcome, or not sent because the user stopped the bulk before its turn. */
export type BulkEntry = ({ outcome: CancelOutcome } | { notSent: true }) & {
  /** How the action is named, e.g. "Isolate (Full) on ws-fin-0142". */
  subject: string;
};

const SUMMARY_BUCKETS = ['cancelled', 'cancellation requested', 'already finished', 'not found right now', 'failed', 'not sent'] as const;
type SummaryBucket = (typeof SUMMARY_BUCKETS)[number];

/** Actions named per bucket in the notification; the rest are counted, and all of them are behind Show Details. */
const NAMED_PER_BUCKET = 3;

function bucketOf(entry: BulkEntry): SummaryBucket {
  if ('notSent' in entry) {
    return 'not sent';
  }
  switch (entry.outcome.kind) {
    case 'cancelled':
      return 'cancelled';
    case 'requested':
    case 'accepted':
      return 'cancellation requested';
    case 'alreadyFinished':
      return 'already finished';
    case 'notFound':
      return 'not found right now';
    default:
      return 'failed';
  }
}

/** Live-response commands named per action in the bulk notification; Show Details names all of them. */
const RAN_NAMED = 3;

/** The live-response commands that ran on the device although the action ended Cancelled; [] when none did. */
function ranCommands(outcome: CancelOutcome): string[] {
  const entity = outcomeEntity(outcome);
  return entity && ranBeforeCancellation(entity) ? commandsThatRan(entity).map(describeLiveResponseCommand) : [];
}

/**
 * An action of the bulk, named in the notification (`short`) and in Show Details (`full`: the subject, then what had
 * already run, each one gated line), with whether anything had run.
 */
function bulkLabel(entry: BulkEntry): { short: string; full: string; ran: boolean } {
  const ran = 'outcome' in entry ? ranCommands(entry.outcome) : [];
  const line = (text: string) => shownText(text, SHOWN_LENGTH.tooltipField);
  if (ran.length === 0) {
    return { short: entry.subject, full: `  ${line(entry.subject)}`, ran: false };
  }
  const more = ran.length > RAN_NAMED ? ` and ${ran.length - RAN_NAMED} more` : '';
  return {
    short: `${entry.subject} (already ran on the device: ${ran.slice(0, RAN_NAMED).join(', ')}${more})`,
    full: `  ${line(entry.subject)}\n    ${line(`Already ran on the device: ${ran.join(', ')}`)}`,
    ran: true,
  };
}

function bucketText(bucket: SummaryBucket, subjects: readonly string[], limit: number): string {
  const named = subjects.slice(0, limit).join(', ');
  const more = subjects.length > limit ? ` and ${subjects.length - limit} more` : '';
  return `${subjects.length} ${bucket}: ${named}${more}`;
}

/**
 * "2 cancelled: Isolate on ws-fin-0142, Scan on srv-sql-02; 1 already finished: …" — the one notification of a bulk
 * cancel. A live response whose commands had partly run names them, as the single cancel does (a warning). Long lists
 * name the first few per kind; Show Details has every action and every command that ran (each line through the text gate).
 */
export function summarizeBulk(entries: readonly BulkEntry[]): OutcomePresentation {
  const buckets = entries.map(bucketOf);
  const labels = entries.map(bulkLabel);
  const groups = SUMMARY_BUCKETS
    .map((bucket) => [bucket, labels.filter((_, i) => buckets[i] === bucket)] as const)
    .filter(([, named]) => named.length > 0);
  const failed = entries.flatMap((e, i) => ('outcome' in e && buckets[i] === 'failed' ? [e.outcome] : []));
  const anyRan = labels.some((l) => l.ran);
  const buttons: ErrorButton[] = [];
  if (failed.some((o) => o.kind === 'sessionExpired')) {
    buttons.push('Sign In');
  }
  if (entries.some((e) => 'outcome' in e && isRetryable(e.outcome))) {
    buttons.push('Retry');
  }
  const withDetails = anyRan || groups.some(([, named]) => named.length > NAMED_PER_BUCKET);
  if (withDetails) {
    buttons.push('Show Details');
  }
  const clean = buckets.every((b) => b === 'cancelled') && !anyRan;
  if (!clean) {
    buttons.push('Show Log');
  }
  const severity = failed.length > 0 ? 'error' : clean ? 'info' : 'warning';
  const message = plainNotificationText(`${groups.map(([bucket, named]) => bucketText(bucket, named.map((l) => l.short), NAMED_PER_BUCKET)).join('; ')}.`);
  const details = withDetails
    ? groups.map(([bucket, named]) => `${named.length} ${bucket}:\n${named.map((l) => l.full).join('\n')}`).join('\n\n')
    : undefined;
  return { severity, message, buttons, ...(details ? { details } : {}) };
}
