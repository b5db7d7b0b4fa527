// The words of the cancel flow that carry server text (device names, types, statuses), each through userText.
import { MachineAction, MAX_COMMENT_LENGTH } from '../../defender/machineAction';
import { actionSubject, statusLabel } from '../../views/presentation';
import { userText } from '../../shared/userText';

/** The comment input box's prompt, naming what is being cancelled. */
export function cancelCommentPrompt(subject: string): string {
  return userText(`Why cancel ${subject}? Defender records the comment with the cancellation (required, up to ${MAX_COMMENT_LENGTH} characters).`);
}

/** Why nothing is sent: every target is finished or already being cancelled (`busy` of them). */
export function nothingToCancelMessage(targets: readonly MachineAction[], busy: number): string {
  const [first] = targets;
  const single = targets.length === 1;
  return userText(busy
    ? `${single ? actionSubject(first) : 'The selected actions'} ${single ? 'is' : 'are'} already being cancelled.`
    : single
      ? `${actionSubject(first)} is ${statusLabel(first.status)}: only Pending or In Progress actions can be cancelled.`
      : 'None of the selected actions can be cancelled: only Pending or In Progress ones can.');
}
