// The status bar item: cancellable actions and, in the tooltip, the account; a click focuses the view.
import * as vscode from 'vscode';
import { statusBarContent, StatusBarState } from './statusBarContent';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mdeActions.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'Defender Machine Actions';
  }

  update(state: StatusBarState, focusCommand: string): void {
    const content = statusBarContent(state);
    this.item.text = content.text;
    this.item.tooltip = content.tooltip;
    this.item.command = focusCommand;
    if (content.visible) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
