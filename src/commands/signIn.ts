import * as vscode from 'vscode';
import type { AuthController } from '../authController';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import { registerCommand } from './registerCommand';

export function registerSignIn(context: vscode.ExtensionContext, log: ExtensionLog, auth: AuthController): void {
  registerCommand(context, log, Commands.signIn, 'Sign-in failed', async () => {
    const account = await auth.signIn();
    void vscode.window.showInformationMessage(`Signed in to Microsoft Defender as ${account.username} (tenant ${account.tenantId}).`);
  });
}
