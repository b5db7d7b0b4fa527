// mdeActions.cancelAction (SPEC §3 "Cancel"): from an item, a multi-selection or the palette; the comment prompt; a
// progress notification and a "Cancelling…" row; one POST per action; the tree updated from the returned entity;
// the outcome notification; every cancel and outcome in the log.
//
// Programmatic use: executeCommand('mdeActions.cancelAction', { actionId | actionIds, comment?, verifyFirst? }).
// The comment is validated like a typed one; see askCancelComment for when it skips the input box.
import * as vscode from 'vscode';
import { Commands } from '../../constants';
import type { DefenderClient } from '../../defender/client';
import { invalidInputError } from '../../defender/errors';
import { isCancellable, MachineAction } from '../../defender/machineAction';
import type { ExtensionLog } from '../../log';
import { actionLabel, actionSubject, deviceLabel, requestorLabel, statusIcon, statusLabel } from '../../views/presentation';
import type { MachineActionsView } from '../../views/machineActionsView';
import { bulkPacingNote, InFlight, MAX_BULK_CONCURRENCY, runPaced } from './bulk';
import { CancelRequest, runCancel } from './flow';
import {
  BulkEntry, CancelOutcome, classifyCancelError, isRetryable, OutcomePresentation, outcomeEntity, outcomeLogText,
  presentCancelOutcome, summarizeBulk,
} from './outcome';
import { commandOptions, invalidIds, normalizeActionId, targetActionIds } from '../commandArgs';
import { nothingToCancelMessage, notAnActionIdMessage } from './text';
import { StopWaitingNotice } from './waitNotice';
import { askCancelComment } from './commentPrompt';
import { notify, showNotification, withNotificationProgress } from '../../notify';
import { failureButtons, registerCommand } from '../registerCommand';
import { errorDetail, isUserCancellation } from '../../shared/errors';
import { relativeAge } from '../../shared/time';
import { quickPickText } from '../../shared/userText';

/** A wait for Retry-After or for the 100/min, 1,500/h budget: both are the API's rate limit to the engineer. */
const rateLimitWait = (seconds: number): string => `Waiting ${seconds} s for the Defender API rate limit…`;

/** Subjects named in a bulk prompt before "…". */
const SUBJECTS_IN_PROMPT = 3;

export function registerCancelCommand(context: vscode.ExtensionContext, log: ExtensionLog, view: MachineActionsView): void {
  const inFlight = new InFlight<CancelOutcome>();
  const { store } = view;

  /** One cancel; a second call for the same action while the first runs joins it (one request). */
  const cancelOne = (
    client: DefenderClient, action: MachineAction, comment: string, verifyFirst: boolean,
    hooks: Pick<CancelRequest, 'onThrottled' | 'signal' | 'onTooLateToStop' | 'onSending'>,
  ): Promise<CancelOutcome> => {
    const { promise, joined } = inFlight.run(action.id, async () => {
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
  };

  /** Not awaited by the command: a notification left open must not keep the command (or a test) waiting. */
  const notifyOutcome = (presentation: OutcomePresentation, retryIds: string[], comment: string): void => {
    // A retry goes through the command again (and its wrapper), reading each action's state before it sends.
    const retry = () => vscode.commands.executeCommand(Commands.cancelAction, { actionIds: retryIds, comment, verifyFirst: true });
    const buttons = failureButtons(log, presentation.buttons, { retry, details: presentation.details ?? presentation.message });
    showNotification(presentation.severity, presentation.message, buttons, (error) => log.error(`Cancel notification: ${errorDetail(error)}`));
  };

  const lookUp = async (client: DefenderClient, id: string): Promise<MachineAction | undefined> => {
    try {
      return await withNotificationProgress(`Looking up machine action ${id}…`, {}, () => client.getMachineAction(id));
    } catch (error) {
      const outcome = classifyCancelError(error);
      // A 403 here is about reading, not cancelling: it goes to the wrapper with the service's own words.
      if (outcome.kind === 'notFound' || outcome.kind === 'sessionExpired') {
        const looked: CancelOutcome = outcome.kind === 'notFound' ? { ...outcome, pasted: true } : outcome;
        log.warn(`Cancel: looking up action ${id}: ${outcomeLogText(looked)}`);
        notifyOutcome(presentCancelOutcome(looked, `Machine action ${id}`), [], '');
        return undefined;
      }
      throw error;
    }
  };

  /** The actions behind the ids: listed ones from the store, a pasted one fetched first. */
  const resolve = async (client: DefenderClient, ids: string[]): Promise<MachineAction[] | undefined> => {
    const bad = invalidIds(ids);
    if (bad.length) {
      throw invalidInputError(notAnActionIdMessage(bad));
    }
    const actions: MachineAction[] = [];
    for (const id of ids) {
      const action = store.get(id) ?? await lookUp(client, id);
      if (!action) {
        return undefined;
      }
      actions.push(action);
    }
    return actions;
  };

  const cancelSingle = async (client: DefenderClient, action: MachineAction, comment: string, verifyFirst: boolean): Promise<void> => {
    const subject = actionSubject(action);
    let outcome: CancelOutcome;
    // The progress has no Cancel button (a sent cancel cannot be taken back); only a wait before sending can be stopped.
    const waiting = new StopWaitingNotice(subject);
    try {
      outcome = await withNotificationProgress(`Cancelling ${subject}`, {}, (progress) =>
        cancelOne(client, action, comment, verifyFirst, {
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
      void view.revealAction(action.id).catch((error) => log.warn(`Could not reveal action ${action.id}: ${errorDetail(error)}`));
    }
    notifyOutcome(presentCancelOutcome(outcome, subject), isRetryable(outcome) ? [action.id] : [], comment);
  };

  const cancelBulk = async (client: DefenderClient, actions: MachineAction[], comment: string, verifyFirst: boolean): Promise<void> => {
    const total = actions.length;
    // Its Cancel stops the cancels not sent yet; the ones on the wire cannot be taken back (the title says so).
    const entries = await withNotificationProgress(`Cancelling ${total} machine actions (Cancel stops those not sent yet)`, { cancellable: true },
      async (progress, signal): Promise<BulkEntry[]> => {
        progress.report({ message: bulkPacingNote(total, view.session.rateBudget()) ?? `0 of ${total}` });
        const results = await runPaced(actions,
          (action) => cancelOne(client, action, comment, verifyFirst,
            { onThrottled: (seconds) => progress.report({ message: rateLimitWait(seconds) }) }),
          { concurrency: MAX_BULK_CONCURRENCY, signal, onSettled: (done) => progress.report({ increment: 100 / total, message: `${done} of ${total}` }) });
        return results.map((r, i): BulkEntry => ({ subject: actionSubject(actions[i]), ...('result' in r ? { outcome: r.result } : { notSent: true as const }) }));
      },
    );
    const summary = summarizeBulk(entries);
    const notSent = actions.filter((_, i) => 'notSent' in entries[i]).map((a) => a.id);
    log.info(`Bulk cancel of ${total}: ${summary.message}${notSent.length ? ` Stopped before sending: ${notSent.join(', ')}` : ''}`);
    const retryIds = actions.filter((_, i) => { const e = entries[i]; return 'outcome' in e && isRetryable(e.outcome); }).map((a) => a.id);
    notifyOutcome(summary, retryIds, comment);
  };

  /** The targets as the store knows them now: finished, already being cancelled (busy), or ready to send. */
  const partition = (targets: readonly MachineAction[]) => {
    const current = targets.map((a) => store.get(a.id) ?? a);
    return {
      current,
      finished: current.filter((a) => !isCancellable(a.status)),
      busy: current.filter((a) => isCancellable(a.status) && inFlight.has(a.id)),
      ready: current.filter((a) => isCancellable(a.status) && !inFlight.has(a.id)),
    };
  };

  registerCommand(context, log, Commands.cancelAction, 'Could not cancel the machine action', async (...args: unknown[]) => {
    const client = view.requireClient('cancel machine actions');
    const options = commandOptions(args);
    const given = targetActionIds(args);
    const ids = given.length ? given : await pickActionToCancel(view, inFlight);
    const targets = ids && await resolve(client, ids);
    if (!targets?.length) {
      return;
    }
    const { finished, busy, ready: toSend } = partition(targets);
    for (const action of finished) {
      log.info(`Cancel skipped: action ${action.id} on ${deviceLabel(action)} is ${action.status}, not cancellable`);
    }
    if (toSend.length === 0) {
      void notify.info(nothingToCancelMessage(targets, busy.length));
      return;
    }
    const skipped = finished.length + busy.length;
    const subject = toSend.length === 1
      ? actionSubject(toSend[0])
      : `${toSend.length} machine actions (${toSend.slice(0, SUBJECTS_IN_PROMPT).map(actionSubject).join('; ')}${toSend.length > SUBJECTS_IN_PROMPT ? '; …' : ''})`
        + (skipped ? `; ${skipped} selected one${skipped === 1 ? ' is' : 's are'} left out (finished or already being cancelled)` : '');
    const comment = await askCancelComment(subject, options.comment, context.extensionMode);
    if (comment === undefined) {
      log.info(`Cancel of ${toSend.map((a) => a.id).join(', ')} abandoned at the comment prompt: nothing sent`);
      return;
    }
    // The prompt may have been open while another cancel of the same action ran or finished: never a second POST.
    const afterPrompt = partition(toSend);
    for (const action of [...afterPrompt.finished, ...afterPrompt.busy]) {
      log.info(`Cancel of action ${action.id} on ${deviceLabel(action)} not sent: while the comment prompt was open it ${isCancellable(action.status) ? 'started being cancelled' : `became ${action.status}`}`);
    }
    if (afterPrompt.ready.length === 0) {
      void notify.info(nothingToCancelMessage(afterPrompt.current, afterPrompt.busy.length));
      return;
    }
    await (afterPrompt.ready.length === 1
      ? cancelSingle(client, afterPrompt.ready[0], comment, options.verifyFirst)
      : cancelBulk(client, afterPrompt.ready, comment, options.verifyFirst));
  });
}

interface ActionPick extends vscode.QuickPickItem {
  /** A listed action's id, or a pasted one (looked up before anything else when it is not listed); '' = not an action to pick. */
  id: string;
}

function pickItem(action: MachineAction, now: number): ActionPick {
  const comment = action.requestorComment ? ` — ${action.requestorComment}` : '';
  return {
    label: `$(${statusIcon(action.status).id}) ${quickPickText(actionLabel(action))}`,
    description: quickPickText(`${deviceLabel(action)} · ${relativeAge(action.creationDateTimeUtc, now)}`),
    detail: quickPickText(`${statusLabel(action.status)}, requested by ${requestorLabel(action.requestor)}${comment}`),
    id: action.id,
  };
}

/** Text of 32+ hex digits, dashes, braces or spaces only: a mistyped id, not a filter over the list. */
const LOOKS_LIKE_AN_ID = /^(?=(?:[^0-9a-f]*[0-9a-f]){32})[\s{}"'0-9a-f-]+$/i;

/**
 * What typed text offers above the list: a pasted id to look up, or why it cannot be picked (not an id, final, already
 * being cancelled) — QuickPick has no validation message, so the reason is an item that keeps the picker open.
 */
function typedItem(value: string, view: MachineActionsView, inFlight: InFlight<CancelOutcome>, accepted: boolean): ActionPick | undefined {
  const typed = value.trim();
  if (!typed) {
    return undefined;
  }
  const id = normalizeActionId(typed);
  const reason = (label: string, detail: string): ActionPick => ({ label: `$(error) ${quickPickText(label)}`, detail: quickPickText(detail), alwaysShow: true, id: '' });
  if (!id) {
    // While typing, other text filters the list; once accepted (or when it can only be a mistyped id) it is refused.
    return accepted || LOOKS_LIKE_AN_ID.test(typed) ? reason('Not a machine action ID', notAnActionIdMessage([typed])) : undefined;
  }
  const listed = view.store.get(id);
  if (listed && !isCancellable(listed.status)) {
    return reason(`${actionSubject(listed)} is ${statusLabel(listed.status)}`, 'It is final: only Pending or In Progress actions can be cancelled.');
  }
  if (listed && inFlight.has(id)) {
    return reason(`${actionSubject(listed)} is already being cancelled`, 'Wait for its outcome.');
  }
  return { label: `$(search) Action ${id}`, description: listed ? quickPickText(actionSubject(listed)) : 'look it up in Defender', alwaysShow: true, id };
}

/**
 * The palette's quick pick: the cancellable actions of the list, or a pasted action id (braces, spaces, any case).
 * Resolves to the chosen id; text that cannot be picked keeps the picker open with the reason as its first item.
 */
async function pickActionToCancel(view: MachineActionsView, inFlight: InFlight<CancelOutcome>): Promise<string[] | undefined> {
  const now = Date.now();
  const listed = view.store.actions.filter((a) => isCancellable(a.status) && !inFlight.has(a.id)).map((a) => pickItem(a, now));
  const pick = vscode.window.createQuickPick<ActionPick>();
  pick.title = 'Cancel Machine Action';
  pick.placeholder = listed.length
    ? 'Pick the action to cancel, or paste an action ID'
    : 'No cancellable actions in the list: paste an action ID';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.items = listed;
  const offer = (value: string, accepted: boolean): void => {
    const typed = typedItem(value, view, inFlight, accepted);
    pick.items = typed ? [typed, ...listed] : listed;
  };
  const chosen = await new Promise<ActionPick | undefined>((resolve) => {
    pick.onDidChangeValue((value) => offer(value, false));
    pick.onDidAccept(() => {
      const [selected] = pick.selectedItems;
      if (selected?.id) {
        resolve(selected);
      } else if (pick.value.trim()) {
        offer(pick.value, true);
      }
    });
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  return chosen ? [chosen.id] : undefined;
}
