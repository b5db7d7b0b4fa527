// The palette's quick pick of the action to cancel: the cancellable actions of the list, or a pasted action id.
import * as vscode from 'vscode';
import { notAnActionIdMessage } from '../../defender/errors';
import { isCancellable, type MachineAction } from '../../defender/machineAction';
import { relativeAge } from '../../shared/time';
import { quickPickText } from '../../shared/userText';
import { actionLabel, actionSubject, deviceLabel, requestorLabel, statusIcon, statusLabel } from '../../views/presentation';
import type { ActionsController } from '../../views/actionsController';
import { normalizeActionId } from '../commandArgs';
import type { InFlight } from './bulk';
import type { CancelOutcome } from './outcome';

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
function typedItem(value: string, controller: ActionsController, inFlight: InFlight<CancelOutcome>, accepted: boolean): ActionPick | undefined {
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
  const listed = controller.store.get(id);
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
export async function pickActionToCancel(controller: ActionsController, inFlight: InFlight<CancelOutcome>): Promise<string[] | undefined> {
  const now = Date.now();
  const listed = controller.store.actions.filter((a) => isCancellable(a.status) && !inFlight.has(a.id)).map((a) => pickItem(a, now));
  const pick = vscode.window.createQuickPick<ActionPick>();
  pick.title = 'Cancel Machine Action';
  pick.placeholder = listed.length
    ? 'Pick the action to cancel, or paste an action ID'
    : 'No cancellable actions in the list: paste an action ID';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.items = listed;
  const offer = (value: string, accepted: boolean): void => {
    const typed = typedItem(value, controller, inFlight, accepted);
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
