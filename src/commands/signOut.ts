import type * as vscode from 'vscode';
import type { AuthController } from '../authController/authController';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import { notify } from '../notify';
import { registerCommand } from './registerCommand';

/** mdeActions.signOut: signs out every cached account of the configuration, then says who was signed out. */
export function registerSignOut(context: vscode.ExtensionContext, log: ExtensionLog, auth: AuthController): void {
  registerCommand(context, log, Commands.signOut, 'Sign-out failed', async () => {
    const username = auth.account?.username;
    await auth.signOut();
    void notify.info(username ? `Signed out ${username} from Microsoft Defender.` : 'Signed out of Microsoft Defender.');
  });
}
