// mdeActions.openCommandOutput: on a live response row with a completed command, or from the palette (pick the
// action, then the command; each command listed with its status). A completed command's output opens in a
// read-only editor tab; a GetFile result, or output too large for an editor, is offered Save As… instead. A command
// that has not completed is named with its state, without any request.
//
// Programmatic use: executeCommand('mdeActions.openCommandOutput', { actionId, commandIndex }).
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { isDownloadError } from '../defender/download';
import type { MachineAction } from '../defender/machineAction';
import type { DefenderClient } from '../defender/client';
import { availableResults, commandAt, commandIndexes, type ResultRequest, resultUnavailableReason } from '../defender/resultLinks';
import type { CommandOutputDocuments } from '../views/commandOutputDocument';
import { actionSubject } from '../views/presentation';
import { quickPickText } from '../shared/userText';
import { notify } from '../notify';
import { registerCommand } from './registerCommand';
import { type ActionsAccess, downloadWithProgress, resultClient, saveResult, targetAction } from './resultTransfer';

/** `{ commandIndex }` in any argument, as a caller may pass it. */
function commandIndexArg(args: readonly unknown[]): number | undefined {
  for (const arg of args) {
    const value = typeof arg === 'object' && arg !== null ? (arg as { commandIndex?: unknown }).commandIndex : undefined;
    if (typeof value === 'number') {
      return value;
    }
  }
  return undefined;
}

function isGetFile(action: MachineAction, index: number): boolean {
  return commandAt(action, index)?.command.type?.toLowerCase() === 'getfile';
}

/**
 * The command to open: the only one, or the engineer's pick among all of them with their status; undefined after
 * Escape, or after an information notification says why the action has none to pick (not live response, no commands).
 */
async function pickCommand(action: MachineAction): Promise<number | undefined> {
  const indexes = commandIndexes(action);
  if (indexes.length === 1) {
    return indexes[0];
  }
  // Index 0 stands for "any command": the reason names the type, or that there are none, before any picker.
  const none = indexes.length === 0 || action.type !== 'LiveResponse' ? resultUnavailableReason(action, { kind: 'commandOutput', index: 0 }) : undefined;
  if (none) {
    await notify.info(none);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(indexes.map((index) => {
    const command = commandAt(action, index);
    const ready = !resultUnavailableReason(action, { kind: 'commandOutput', index });
    return {
      index,
      label: `${ready ? '$(output)' : '$(circle-slash)'} ${index}: ${quickPickText(command?.command.type ?? 'unknown')}`,
      description: quickPickText([command?.commandStatus ?? 'unknown state', ...(command?.command.params.map((p) => `${p.key}=${p.value}`) ?? [])].join(' · ')),
    };
  }), { title: `Commands of ${quickPickText(actionSubject(action))}`, placeHolder: 'Pick a command whose output to open' });
  return picked?.index;
}

export function registerOpenCommandOutputCommand(context: vscode.ExtensionContext, access: ActionsAccess, documents: CommandOutputDocuments): void {
  const { log } = access;
  const saveAs = async (client: DefenderClient, action: MachineAction, request: ResultRequest & { kind: 'commandOutput' }): Promise<void> => {
    const saved = await saveResult(client, log, {
      action, request, name: (of) => `the output of command ${request.index} of ${of}`, filters: { 'All files': ['*'] },
    }, 'Open');
    if (saved?.choice === 'Open') {
      await vscode.commands.executeCommand('vscode.open', saved.uri);
    }
  };

  registerCommand(context, log, Commands.openCommandOutput, 'Could not open the command output', async (...args: unknown[]) => {
    const action = await targetAction(args, access, 'open command output', (a) => availableResults(a).commandOutput,
      'No live response action shown in the view has a completed command.');
    const index = action ? commandIndexArg(args) ?? await pickCommand(action) : undefined;
    if (!action || index === undefined) {
      return;
    }
    const request = { kind: 'commandOutput', index } as const;
    const client = await resultClient(access, action, request, 'open command output');
    if (!client) {
      return;
    }
    if (isGetFile(action, index)) {
      await saveAs(client, action, request);
      return;
    }
    try {
      const result = await downloadWithProgress(`Downloading the output of command ${index} of ${actionSubject(action)}`, log, {
        getLink: (signal) => client.getResultLink(action, request, signal),
        sink: { kind: 'text' },
      });
      log.info(`Opened the output of command ${index} of action ${action.id} (${result.bytes} bytes)`);
      await documents.show(action, index, result.text ?? '', Date.now());
    } catch (error) {
      if (!isDownloadError(error) || error.kind !== 'tooLarge') {
        throw error;
      }
      if (await notify.warn(error.message, 'Save As…') === 'Save As…') {
        await saveAs(client, action, request);
      }
    }
  });
}
