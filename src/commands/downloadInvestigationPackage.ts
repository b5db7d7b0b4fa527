// mdeActions.downloadInvestigationPackage: on a succeeded Collect Investigation Package row, or from the palette (pick
// one): asks where to save (`{device}-{date}-investigation-package.zip`), downloads with progress and cancel, then
// offers Reveal in File Explorer / Open Folder. A collection that has not succeeded is named, without any request.
//
// Programmatic use: executeCommand('mdeActions.downloadInvestigationPackage', { actionId }).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { availableResults } from '../defender/resultLinks';
import { registerCommand } from './registerCommand';
import { type ActionsAccess, resultClient, saveResult, targetAction } from './resultTransfer';

const REVEAL = 'Reveal in File Explorer';
const OPEN_FOLDER = 'Open Folder';

export function registerDownloadInvestigationPackageCommand(context: vscode.ExtensionContext, access: ActionsAccess): void {
  const { log } = access;
  registerCommand(context, log, Commands.downloadInvestigationPackage, 'Could not download the investigation package', async (...args: unknown[]) => {
    const action = await targetAction(args, access, 'download the investigation package', (a) => availableResults(a).investigationPackage,
      'No succeeded Collect Investigation Package action is shown in the view.');
    if (!action) {
      return;
    }
    const request = { kind: 'investigationPackage' } as const;
    const client = await resultClient(access, action, request, 'download the investigation package');
    const saved = client && await saveResult(client, log, {
      action, request, name: (of) => `the investigation package of ${of}`, filters: { 'Zip archive': ['zip'] },
    }, REVEAL, OPEN_FOLDER);
    if (saved?.choice === REVEAL) {
      await vscode.commands.executeCommand('revealFileInOS', saved.uri);
    } else if (saved?.choice === OPEN_FOLDER) {
      await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(path.dirname(saved.uri.fsPath)), { forceNewWindow: true });
    }
  });
}
