// mdeActions.downloadInvestigationPackage: on a succeeded Collect Investigation Package row, or from the palette (pick
// one): asks where to save (`{device}-{date}-investigation-package.zip`), downloads with progress and cancel, then
// offers Reveal in File Explorer / Open Folder. A collection that has not succeeded is named, without any request.
//
// Programmatic use: executeCommand('mdeActions.downloadInvestigationPackage', { actionId }).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { availableResults, resultUnavailableReason, suggestedFileName } from '../defender/resultLinks';
import { actionSubject } from '../views/presentation';
import { notify } from '../notify';
import { registerCommand } from './registerCommand';
import { type ActionsAccess, askSaveLocation, downloadWithProgress, requireLocalFile, targetAction } from './resultTransfer';
import { formatBytes } from './transferText';

const REVEAL = 'Reveal in File Explorer';
const OPEN_FOLDER = 'Open Folder';

export function registerDownloadInvestigationPackageCommand(context: vscode.ExtensionContext, access: ActionsAccess): void {
  const { log } = access;
  registerCommand(context, log, Commands.downloadInvestigationPackage, 'Could not download the investigation package', async (...args: unknown[]) => {
    const action = await targetAction(args, access, (a) => availableResults(a).investigationPackage,
      'No succeeded Collect Investigation Package action is shown in the view.');
    if (!action) {
      return;
    }
    const request = { kind: 'investigationPackage' } as const;
    const reason = resultUnavailableReason(action, request);
    if (reason) {
      await notify.info(reason);
      return;
    }
    const uri = await askSaveLocation(suggestedFileName(action, request), { 'Zip archive': ['zip'] });
    if (!uri) {
      return;
    }
    const client = access.requireClient('download the investigation package');
    const result = await downloadWithProgress(`Downloading the investigation package of ${actionSubject(action)}`, log, {
      getLink: (signal) => client.getResultLink(action, request, signal),
      sink: { kind: 'file', path: requireLocalFile(uri) },
    });
    log.info(`Saved the investigation package of action ${action.id} to ${uri.fsPath} (${result.bytes} bytes)`);
    const choice = await notify.info(`Saved the investigation package of ${actionSubject(action)} to ${uri.fsPath} (${formatBytes(result.bytes)}).`, REVEAL, OPEN_FOLDER);
    if (choice === REVEAL) {
      await vscode.commands.executeCommand('revealFileInOS', uri);
    } else if (choice === OPEN_FOLDER) {
      await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(path.dirname(uri.fsPath)), { forceNewWindow: true });
    }
  });
}
