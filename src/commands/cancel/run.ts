// The run of a cancel over one context: one cancel (a second for the same action joins the first), a single cancel
// with its progress and Stop Waiting, a bulk with its paced progress, and the outcome notification.
import * as vscode from 'vscode';
import { Commands } from '../../constants';
import type { DefenderClient } from '../../defender/client';
import { notAnActionIdError } from '../../defender/errors';
import { isCancellable, type MachineAction } from '../../defender/machineAction';
import type { ExtensionLog } from '../../log';
import { showNotification, withNotificationProgress } from '../../notify';
import { errorDetail, isUserCancellation } from '../../shared/errors';
import { actionLabel, actionSubject, deviceLabel } from '../../views/presentation';
import type { ActionsController } from '../../views/actionsController';
import { invalidIds } from '../commandArgs';
import { failureButtons } from '../registerCommand';
import { bulkPacingNote, InFlight, MAX_BULK_CONCURRENCY, runPaced } from './bulk';
import { CancelRequest, runCancel } from './flow';
import {
  BulkEntry, CancelOutcome, classifyCancelError, isRetryable, OutcomePresentation, outcomeEntity, outcomeLogText,
  presentCancelOutcome, summarizeBulk,
} from './outcome';
import { StopWaitingNotice } from './waitNotice';

/** What every step of a cancel works with: the log, the actions controller (its store and session) and the cancels in flight. */
export interface CancelContext {
  log: ExtensionLog;
  controller: ActionsController;
  inFlight: InFlight<CancelOutcome>;
}

/** A wait for Retry-After or for the 100/min, 1,500/h budget: both are the API's rate limit to the engineer. */
const rateLimitWait = (seconds: number): string => `Waiting ${seconds} s for the Defender API rate limit…`;

type CancelHooks = Pick<CancelRequest, 'onThrottled' | 'signal' | 'onTooLateToStop' | 'onSending'>;

/** One cancel; a second call for the same action while the first runs joins it (one request). */
function cancelOne(ctx: CancelContext, client: DefenderClient, action: MachineAction, comment: string, verifyFirst: boolean, hooks: CancelHooks): Promise<CancelOutcome> {
  const { log, controller: { store } } = ctx;
  const { promise, joined } = ctx.inFlight.run(action.id, async () => {
    log.info(`Cancel requested: action ${action.id} (${actionLabel(action)}) on ${deviceLabel(action)}, comment "${comment}"${verifyFirst ? ', state re-read first' : ''}`);
    store.setCancelling(action.id, true);
    // Taken before the request: a refresh that started earlier cannot undo this answer, nor can it reach a later session.
    const ticket = store.begin();
    try {
      const outcome = await runCancel(client, { id: action.id, comment, verifyFirst, ...hooks });
      const entity = outcomeEntity(outcome);
      // A 404 keeps the row: right after creation the service can miss an action for a while; the next list decides.
      if (entity && !store.upsert(entity, ticket)) {
        log.info(`Cancel of action ${action.id}: its answer is older than what the view shows, or from before a sign-out; not applied`);
      }
      const line = `Cancel outcome: action ${action.id} on ${deviceLabel(action)}: ${outcomeLogText(outcome)}`;
      if (outcome.kind === 'cancelled' || outcome.kind === 'requested') {
        log.info(line);
      } else {
        log.warn(line);
      }
      return outcome;
    } finally {
      store.setCancelling(action.id, false);
    }
  });
  if (joined) {
    log.info(`Cancel of action ${action.id} is already in flight: joined it, no second request`);
  }
  return promise;
}

/**
 * Not awaited by the command: a notification left open must not keep the command (or a test) waiting. `comment`
 * undefined: Retry asks for it (nothing was asked yet).
 */
function notifyOutcome(ctx: CancelContext, presentation: OutcomePresentation, retryIds: string[], comment: string | undefined): void {
  // A retry goes through the command again (and its wrapper), reading each action's state before it sends.
  const retry = () => vscode.commands.executeCommand(Commands.cancelAction, { actionIds: retryIds, comment, verifyFirst: true });
  const buttons = failureButtons(ctx.log, presentation.buttons, { retry, details: presentation.details ?? presentation.message });
  showNotification(presentation.severity, presentation.message, buttons, (error) => ctx.log.error(`Cancel notification: ${errorDetail(error)}`));
}

/** `request`: the command's ids and comment, which Retry runs again after a 404 (a just-created action can answer 404). */
async function lookUp(ctx: CancelContext, client: DefenderClient, id: string, request: { ids: string[]; comment?: string }): Promise<MachineAction | undefined> {
  try {
    return await withNotificationProgress(`Looking up machine action ${id}…`, {}, () => client.getMachineAction(id));
  } catch (error) {
    const outcome = classifyCancelError(error);
    // A 403 here is about reading, not cancelling: it goes to the wrapper with the service's own words.
    if (outcome.kind === 'notFound' || outcome.kind === 'sessionExpired') {
      const looked: CancelOutcome = outcome.kind === 'notFound' ? { ...outcome, pasted: true } : outcome;
      ctx.log.warn(`Cancel: looking up action ${id}: ${outcomeLogText(looked)}`);
      notifyOutcome(ctx, presentCancelOutcome(looked, `Machine action ${id}`), isRetryable(looked) ? request.ids : [], request.comment);
      return undefined;
    }
    throw error;
  }
}

/** The actions behind the ids: listed ones from the store, a pasted one fetched first. */
export async function resolveTargets(ctx: CancelContext, client: DefenderClient, ids: string[], comment: string | undefined): Promise<MachineAction[] | undefined> {
  const bad = invalidIds(ids);
  if (bad.length) {
    throw notAnActionIdError(bad);
  }
  const actions: MachineAction[] = [];
  for (const id of ids) {
    const action = ctx.controller.store.get(id) ?? await lookUp(ctx, client, id, { ids, comment });
    if (!action) {
      return undefined;
    }
    actions.push(action);
  }
  return actions;
}

/** One action: a progress notification, Stop Waiting while a rate-limit wait can still be stopped, the outcome. */
async function cancelSingle(ctx: CancelContext, client: DefenderClient, action: MachineAction, comment: string, verifyFirst: boolean): Promise<void> {
  const { log } = ctx;
  const subject = actionSubject(action);
  let outcome: CancelOutcome;
  // The progress has no Cancel button (a sent cancel cannot be taken back); only a wait before sending can be stopped.
  const waiting = new StopWaitingNotice(subject);
  try {
    outcome = await withNotificationProgress(`Cancelling ${subject}`, {}, (progress) =>
      cancelOne(ctx, client, action, comment, verifyFirst, {
        signal: waiting.signal,
        onThrottled: (seconds) => {
          progress.report({ message: rateLimitWait(seconds) });
          waiting.show(seconds);
        },
        onSending: () => waiting.end(),
        onTooLateToStop: () => log.info(`Cancel of action ${action.id}: Stop Waiting pressed as the request was sent; it cannot be taken back, waiting for the answer`),
      }));
  } catch (error) {
    if (isUserCancellation(error)) {
      log.info(`Cancel of action ${action.id} stopped before the request was sent: nothing sent`);
      return;
    }
    throw error;
  } finally {
    waiting.end();
  }
  if (outcomeEntity(outcome)) {
    // The row may have moved into a collapsed group: keep it in sight.
    void ctx.controller.revealAction(action.id).catch((error) => log.warn(`Could not reveal action ${action.id}: ${errorDetail(error)}`));
  }
  notifyOutcome(ctx, presentCancelOutcome(outcome, subject), isRetryable(outcome) ? [action.id] : [], comment);
}

/** Several actions, paced; the progress's Cancel stops those not sent yet; one summary notification. */
async function cancelBulk(ctx: CancelContext, client: DefenderClient, actions: MachineAction[], comment: string, verifyFirst: boolean): Promise<void> {
  const total = actions.length;
  // Its Cancel stops the cancels not sent yet; the ones on the wire cannot be taken back (the title says so).
  const entries = await withNotificationProgress(`Cancelling ${total} machine actions (Cancel stops those not sent yet)`, { cancellable: true },
    async (progress, signal): Promise<BulkEntry[]> => {
      progress.report({ message: bulkPacingNote(total, ctx.controller.session.rateBudget()) ?? `0 of ${total}` });
      const results = await runPaced(actions,
        (action) => cancelOne(ctx, client, action, comment, verifyFirst,
          { onThrottled: (seconds) => progress.report({ message: rateLimitWait(seconds) }) }),
        { concurrency: MAX_BULK_CONCURRENCY, signal, onSettled: (done) => progress.report({ increment: 100 / total, message: `${done} of ${total}` }) });
      return results.map((r, i): BulkEntry => ({ subject: actionSubject(actions[i]), ...('result' in r ? { outcome: r.result } : { notSent: true as const }) }));
    },
  );
  const summary = summarizeBulk(entries);
  const notSent = actions.filter((_, i) => 'notSent' in entries[i]).map((a) => a.id);
  ctx.log.info(`Bulk cancel of ${total}: ${summary.message}${notSent.length ? ` Stopped before sending: ${notSent.join(', ')}` : ''}`);
  const retryIds = actions.filter((_, i) => { const e = entries[i]; return 'outcome' in e && isRetryable(e.outcome); }).map((a) => a.id);
  notifyOutcome(ctx, summary, retryIds, comment);
}

/** The targets as the store knows them now: finished, already being cancelled (busy), or ready to send. */
export function partition(ctx: CancelContext, targets: readonly MachineAction[]) {
  const current = targets.map((a) => ctx.controller.store.get(a.id) ?? a);
  return {
    current,
    finished: current.filter((a) => !isCancellable(a.status)),
    busy: current.filter((a) => isCancellable(a.status) && ctx.inFlight.has(a.id)),
    ready: current.filter((a) => isCancellable(a.status) && !ctx.inFlight.has(a.id)),
  };
}

/** Sends the cancels: one action with its own progress, several as a paced bulk. */
export function sendCancels(ctx: CancelContext, client: DefenderClient, actions: MachineAction[], comment: string, verifyFirst: boolean): Promise<void> {
  return actions.length === 1
    ? cancelSingle(ctx, client, actions[0], comment, verifyFirst)
    : cancelBulk(ctx, client, actions, comment, verifyFirst);
}
