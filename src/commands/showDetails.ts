// mdeActions.showDetails: a read-only virtual document (`mde-action:` scheme) with a readable summary and the raw
// JSON; it follows the store, so an open document shows the action's latest state.
import * as vscode from 'vscode';
import type { ActionsStore } from '../model/actionsStore';
import { Commands } from '../constants';
import type { MachineAction } from '../defender/machineAction';
import type { ExtensionLog } from '../log';
import { detailsDocumentName, detailsText, missingDetailsText } from '../views/detailsText';
import type { ActionsController } from '../views/actionsController';
import { requireTargets } from './commandArgs';
import { registerCommand } from './registerCommand';

const DETAILS_SCHEME = 'mde-action';
/** A multi-selection opens at most this many documents. */
const MAX_DOCUMENTS = 10;

/** `mde-action:/<id>/<subject>.jsonc`: the tab reads as the action, the id is the first segment. */
function detailsUri(id: string, action: MachineAction | undefined): vscode.Uri {
  return vscode.Uri.from({ scheme: DETAILS_SCHEME, path: `/${id.toLowerCase()}/${detailsDocumentName(id, action)}.jsonc` });
}

class DetailsProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: { dispose(): void };

  constructor(private readonly store: ActionsStore) {
    this.subscription = store.onDidChange(() => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme === DETAILS_SCHEME) {
          this.changed.fire(document.uri);
        }
      }
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = uri.path.split('/')[1] ?? '';
    const action = this.store.get(id);
    return action ? detailsText(action, Date.now()) : missingDetailsText(id);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function registerShowDetailsCommand(context: vscode.ExtensionContext, log: ExtensionLog, controller: ActionsController): void {
  const provider = new DetailsProvider(controller.store);
  context.subscriptions.push(provider, vscode.workspace.registerTextDocumentContentProvider(DETAILS_SCHEME, provider));
  registerCommand(context, log, Commands.showDetails, 'Could not show the machine action details', async (...args: unknown[]) => {
    const ids = requireTargets(args).slice(0, MAX_DOCUMENTS);
    for (const id of ids) {
      const document = await vscode.workspace.openTextDocument(detailsUri(id, controller.store.get(id)));
      // A single click previews without taking focus from the tree, so the engineer can keep browsing.
      await vscode.window.showTextDocument(document, { preview: ids.length === 1, preserveFocus: ids.length === 1 });
    }
  });
}
