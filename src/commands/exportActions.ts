// mdeActions.exportActions: the rows the view shows now (after its filter) as CSV or JSON, in an untitled editor or
// a chosen file. The text is made by model/exportActions.ts (every field, ISO 8601 UTC, CSV safe in a spreadsheet).
//
// Programmatic use: executeCommand('mdeActions.exportActions', { format?: 'csv' | 'json', to?: 'editor' | 'file' });
// what is not given is asked.
import * as vscode from 'vscode';
import { exportActions, type ExportFormat, exportFileName } from '../model/exportActions';
import { Commands } from '../constants';
import { notify } from '../notify';
import { countOf } from '../shared/userText';
import { registerCommand } from './registerCommand';
import { type ActionsAccess, askSaveLocation } from './resultTransfer';

type Destination = 'editor' | 'file';

interface ExportArgs {
  format?: ExportFormat;
  to?: Destination;
}

function exportArgs(args: readonly unknown[]): ExportArgs {
  const o = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as Record<string, unknown>;
  return {
    format: o.format === 'csv' || o.format === 'json' ? o.format : undefined,
    to: o.to === 'editor' || o.to === 'file' ? o.to : undefined,
  };
}

async function askFormat(count: number): Promise<ExportFormat | undefined> {
  const picked = await vscode.window.showQuickPick([
    { label: 'CSV', description: 'for a spreadsheet: one row per action, formulas neutralised', format: 'csv' as const },
    { label: 'JSON', description: 'every field of each action, as an array', format: 'json' as const },
  ], { title: `Export ${countOf(count, 'machine action')}`, placeHolder: 'Format' });
  return picked?.format;
}

async function askDestination(): Promise<Destination | undefined> {
  const picked = await vscode.window.showQuickPick([
    { label: '$(new-file) Untitled editor', to: 'editor' as const },
    { label: '$(save-as) File…', to: 'file' as const },
  ], { title: 'Export to', placeHolder: 'Where to put the export' });
  return picked?.to;
}

export function registerExportActionsCommand(context: vscode.ExtensionContext, access: ActionsAccess): void {
  registerCommand(context, access.log, Commands.exportActions, 'Could not export the machine actions', async (...args: unknown[]) => {
    const actions = access.visibleActions();
    if (actions.length === 0) {
      await notify.info('The view shows no machine actions to export: refresh it, or change or clear the filter.');
      return;
    }
    const given = exportArgs(args);
    const format = given.format ?? await askFormat(actions.length);
    const to = format && (given.to ?? await askDestination());
    if (!format || !to) {
      return;
    }
    const text = exportActions(actions, format);
    if (to === 'editor') {
      const document = await vscode.workspace.openTextDocument({ content: text, language: format === 'json' ? 'json' : 'plaintext' });
      await vscode.window.showTextDocument(document, { preview: false });
      access.log.info(`Exported ${actions.length} machine actions as ${format.toUpperCase()} to an untitled editor`);
      return;
    }
    const uri = await askSaveLocation(exportFileName(new Date(), format), format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] });
    if (!uri) {
      return;
    }
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    access.log.info(`Exported ${actions.length} machine actions as ${format.toUpperCase()} to ${uri.toString(true)}`);
    await notify.info(`Exported ${countOf(actions.length, 'machine action')} to ${uri.scheme === 'file' ? uri.fsPath : uri.toString(true)}.`);
  });
}
