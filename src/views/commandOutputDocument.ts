// Read-only documents (`mde-output:` scheme) that hold a live-response command's output as it was downloaded: the
// tab title names the command, the device and the time; `.json` or `.txt` gives the language. The text lives in
// memory only while its document is open.
import * as vscode from 'vscode';
import type { MachineAction } from '../defender/machineAction';
import { outputDocumentContent, outputDocumentName } from './commandOutputText';

const OUTPUT_SCHEME = 'mde-output';

/** The provider of the `mde-output:` documents; dispose it to unregister it and drop every text it holds. */
export class CommandOutputDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor() {
    this.disposables = [
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(OUTPUT_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => this.texts.delete(document.uri.toString())),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This output is no longer held: run Open Command Output again.\n';
  }

  /**
   * Opens the output `text` of command `index` of `action` in an editor tab (fetched at `fetchedAt`, epoch ms). The
   * same command opened again replaces the text of its open tab.
   */
  async show(action: MachineAction, index: number, text: string, fetchedAt: number): Promise<vscode.TextEditor> {
    const content = outputDocumentContent(text);
    const name = `${outputDocumentName(action, index, fetchedAt)}.${content.extension}`;
    const uri = vscode.Uri.from({ scheme: OUTPUT_SCHEME, path: `/${action.id.toLowerCase()}/${index}/${name}` });
    this.texts.set(uri.toString(), content.text);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: false });
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }
}
