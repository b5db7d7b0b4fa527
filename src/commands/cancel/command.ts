// mdeActions.cancelAction (SPEC §3 "Cancel"): from an item, a multi-selection or the palette; the comment prompt; a
// progress notification and a "Cancelling…" row; one POST per action; the tree updated from the returned entity;
// the outcome notification; every cancel and outcome in the log.
//
// Programmatic use: executeCommand('mdeActions.cancelAction', { actionId | actionIds, comment?, verifyFirst? }).
// The comment is validated like a typed one; see askCancelComment for when it skips the input box.
import type * as vscode from 'vscode';
import { Commands } from '../../constants';
import { isCancellable, type MachineAction } from '../../defender/machineAction';
import type { ExtensionLog } from '../../log';
import { notify } from '../../notify';
import { actionSubject, deviceLabel } from '../../views/presentation';
import type { ActionsController } from '../../views/actionsController';
import { commandOptions, targetActionIds } from '../commandArgs';
import { registerCommand } from '../registerCommand';
import { InFlight } from './bulk';
import { askCancelComment } from './commentPrompt';
import type { CancelOutcome } from './outcome';
import { pickActionToCancel } from './picker';
import { type CancelContext, partition, resolveTargets, sendCancels } from './run';
import { nothingToCancelMessage } from './text';

/** Subjects named in a bulk prompt before "…". */
const SUBJECTS_IN_PROMPT = 3;

/** The comment prompt's subject: the one action, or how many with the first few, and how many are left out. */
function promptSubject(toSend: readonly MachineAction[], skipped: number): string {
  return toSend.length === 1
    ? actionSubject(toSend[0])
    : `${toSend.length} machine actions (${toSend.slice(0, SUBJECTS_IN_PROMPT).map(actionSubject).join('; ')}${toSend.length > SUBJECTS_IN_PROMPT ? '; …' : ''})`
      + (skipped ? `; ${skipped} selected one${skipped === 1 ? ' is' : 's are'} left out (finished or already being cancelled)` : '');
}

/** mdeActions.cancelAction: the targets (given, or picked), the comment, then the cancels (see run.ts). */
export function registerCancelCommand(context: vscode.ExtensionContext, log: ExtensionLog, controller: ActionsController): void {
  const ctx: CancelContext = { log, controller, inFlight: new InFlight<CancelOutcome>() };
  registerCommand(context, log, Commands.cancelAction, 'Could not cancel the machine action', async (...args: unknown[]) => {
    const client = controller.requireClient('cancel machine actions');
    const options = commandOptions(args);
    const given = targetActionIds(args);
    const ids = given.length ? given : await pickActionToCancel(controller, ctx.inFlight);
    const targets = ids && await resolveTargets(ctx, client, ids, options.comment);
    if (!targets?.length) {
      return;
    }
    const { finished, busy, ready: toSend } = partition(ctx, targets);
    for (const action of finished) {
      log.info(`Cancel skipped: action ${action.id} on ${deviceLabel(action)} is ${action.status}, not cancellable`);
    }
    if (toSend.length === 0) {
      void notify.info(nothingToCancelMessage(targets, busy.length));
      return;
    }
    const subject = promptSubject(toSend, finished.length + busy.length);
    const comment = await askCancelComment(subject, options.comment, context.extensionMode);
    if (comment === undefined) {
      log.info(`Cancel of ${toSend.map((a) => a.id).join(', ')} abandoned at the comment prompt: nothing sent`);
      return;
    }
    // The prompt may have been open while another cancel of the same action ran or finished: never a second POST.
    const afterPrompt = partition(ctx, toSend);
    for (const action of [...afterPrompt.finished, ...afterPrompt.busy]) {
      log.info(`Cancel of action ${action.id} on ${deviceLabel(action)} not sent: while the comment prompt was open it ${isCancellable(action.status) ? 'started being cancelled' : `became ${action.status}`}`);
    }
    if (afterPrompt.ready.length === 0) {
      void notify.info(nothingToCancelMessage(afterPrompt.current, afterPrompt.busy.length));
      return;
    }
    await sendCancels(ctx, client, afterPrompt.ready, comment, options.verifyFirst);
  });
}
