// What the result commands (Open Command Output, Download Investigation Package…, Export Machine Actions…) share: the
// small view interface they depend on, finding the action they were invoked on (or letting the engineer pick one),
// asking where to save, a download with a progress notification that shows bytes and can be cancelled, and the two
// together: a result saved to a file.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DefenderClient } from '../defender/client';
import { download, type DownloadOptions, type DownloadResult } from '../defender/download';
import { invalidInputError, notAnActionIdError } from '../defender/errors';
import { isGuid, type MachineAction } from '../defender/machineAction';
import { type ResultRequest, resultUnavailableReason, suggestedFileName } from '../defender/resultLinks';
import type { ExtensionLog } from '../log';
import { actionSubject, statusIcon, statusLabel } from '../views/presentation';
import { byteSize } from '../shared/byteSize';
import { relativeAge } from '../shared/time';
import { quickPickText } from '../shared/userText';
import { targetActionIds } from './commandArgs';
import { notify, withNotificationProgress } from '../notify';
import { progressText } from './transferText';

/** What these commands need from the Machine Actions view. */
export interface ActionsAccess {
  /** The signed-in client; throws a "sign in" error (the notification offers Sign In) when there is none. */
  requireClient(what: string): DefenderClient;
  /** The rows the view shows now, after its filter. */
  visibleActions(): readonly MachineAction[];
  /** A loaded action by id (any case), filtered out or not. */
  action(id: string): MachineAction | undefined;
  log: ExtensionLog;
}

/**
 * The action an item command applies to: the clicked row, or the id (string or `{ actionId }`) a caller passed; with
 * none, a quick pick of the shown actions that `offer` accepts (undefined when the engineer presses Escape).
 * Throws an 'invalidInput' DefenderApiError for an id that is not a GUID or not in the loaded list, or when no
 * shown action qualifies (`noneMessage`); while signed out, for no argument or an id not loaded, the "sign in" error
 * of requireClient (`what` names the fetch), as a signed-out view lists nothing.
 */
export async function targetAction(
  args: readonly unknown[], access: ActionsAccess, what: string, offer: (action: MachineAction) => boolean, noneMessage: string,
): Promise<MachineAction | undefined> {
  const [id] = targetActionIds(args);
  if (id !== undefined) {
    if (!isGuid(id)) {
      throw notAnActionIdError([id]);
    }
    const action = access.action(id);
    if (!action) {
      // Signed out, the list is empty: signing in is what helps, not a refresh.
      access.requireClient(what);
      throw invalidInputError(`Machine action ${id} is not in the loaded list: refresh the view, or widen "Lookback Days".`);
    }
    return action;
  }
  access.requireClient(what);
  const candidates = access.visibleActions().filter(offer);
  if (candidates.length === 0) {
    throw invalidInputError(noneMessage);
  }
  const picked = await vscode.window.showQuickPick(candidates.map((action) => ({
    label: `$(${statusIcon(action.status).id}) ${quickPickText(actionSubject(action))}`,
    description: `${statusLabel(action.status)} · ${relativeAge(action.creationDateTimeUtc, Date.now())}`,
    action,
  })), { title: 'Machine action', placeHolder: 'Pick a machine action', matchOnDescription: true });
  return picked?.action;
}

/**
 * The client to fetch the `request` result of `action` with (`what` names the fetch for the sign-in message), or
 * undefined after an information notification says why that result does not exist yet: then nothing is requested.
 * Throws a 'signInRequired' error when signed out.
 */
export async function resultClient(access: ActionsAccess, action: MachineAction, request: ResultRequest, what: string): Promise<DefenderClient | undefined> {
  const reason = resultUnavailableReason(action, request);
  if (reason) {
    await notify.info(reason);
    return undefined;
  }
  return access.requireClient(what);
}

/** Where to save, starting from `suggestedName` in the (first local) workspace folder, else the home folder; undefined after Escape. */
export async function askSaveLocation(suggestedName: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  return vscode.window.showSaveDialog({
    defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : vscode.Uri.file(path.join(os.homedir(), suggestedName)),
    filters,
    saveLabel: 'Save',
  });
}

/** A download writes with Node's file system: a location of another scheme (a remote, a virtual folder) cannot be used. */
function requireLocalFile(uri: vscode.Uri): string {
  if (uri.scheme !== 'file') {
    throw invalidInputError(`Cannot save to ${uri.scheme}: locations; pick a folder on this computer.`);
  }
  return uri.fsPath;
}

/** How often the bytes in the progress notification are updated (ms). */
const PROGRESS_INTERVAL_MS = 200;

/**
 * download() under a cancellable progress notification titled `title` whose message shows the bytes received (and
 * the share of the total when the server announced it). Throws what download() throws; an AbortError when cancelled.
 */
export function downloadWithProgress(
  title: string, log: ExtensionLog, options: Omit<DownloadOptions, 'signal' | 'onProgress' | 'logger'>,
): Thenable<DownloadResult> {
  return withNotificationProgress(title, { cancellable: true }, (progress, signal) => {
    let shownAt = 0;
    let shownPercent = 0;
    return download({
      ...options, logger: log, signal,
      onProgress: (received, total) => {
        const now = Date.now();
        if (now - shownAt < PROGRESS_INTERVAL_MS && received !== total) {
          return;
        }
        shownAt = now;
        // The bar moves by the share gained since the last report; after a fresh link the count restarts (no move).
        const percent = total ? Math.min(100, Math.floor((received / total) * 100)) : 0;
        progress.report({ message: progressText(received, total), increment: Math.max(0, percent - shownPercent) });
        shownPercent = Math.max(shownPercent, percent);
      },
    });
  });
}

/** A result of an action to save to a file, and the words for it. */
export interface ResultToSave {
  action: MachineAction;
  request: ResultRequest;
  /** The result in a sentence, `of` naming the action: `the investigation package of ${of}`. */
  name(of: string): string;
  /** The save dialog's file types, e.g. `{ 'Zip archive': ['zip'] }`. */
  filters: Record<string, string[]>;
}

/**
 * Save As for a result: asks where (suggestedFileName in the workspace folder), downloads it there through a fresh
 * link from `client` with progress and Cancel, logs it, then says "Saved … to {path} ({size})." with `buttons`.
 * Resolves with the file and the button pressed; undefined after Escape in the save dialog. Throws what
 * downloadWithProgress and requireLocalFile throw (an AbortError when cancelled).
 */
export async function saveResult<B extends string>(
  client: DefenderClient, log: ExtensionLog, result: ResultToSave, ...buttons: B[]
): Promise<{ uri: vscode.Uri; choice: B | undefined } | undefined> {
  const { action, request } = result;
  const uri = await askSaveLocation(suggestedFileName(action, request), result.filters);
  if (!uri) {
    return undefined;
  }
  const subject = actionSubject(action);
  const saved = await downloadWithProgress(`Downloading ${result.name(subject)}`, log, {
    getLink: (signal) => client.getResultLink(action, request, signal),
    sink: { kind: 'file', path: requireLocalFile(uri) },
  });
  log.info(`Saved ${result.name(`action ${action.id}`)} to ${uri.fsPath} (${saved.bytes} bytes)`);
  const choice = await notify.info(`Saved ${result.name(subject)} to ${uri.fsPath} (${byteSize(saved.bytes)}).`, ...buttons);
  return { uri, choice };
}
