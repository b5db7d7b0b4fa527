// mdeActions.copyActionId: the id (or, for a multi-selection, the ids one per line) to the clipboard.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import { requireTargets } from './commandArgs';
import { registerCommand } from './registerCommand';

export function registerCopyActionIdCommand(context: vscode.ExtensionContext, log: ExtensionLog): void {
  registerCommand(context, log, Commands.copyActionId, 'Could not copy the action ID', async (...args: unknown[]) => {
    const ids = requireTargets(args);
    await vscode.env.clipboard.writeText(ids.join('\n'));
    vscode.window.setStatusBarMessage(`$(copy) Copied ${ids.length === 1 ? `action ID ${ids[0]}` : `${ids.length} action IDs`}`, 4000);
  });
}
