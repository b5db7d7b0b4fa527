import type * as vscode from 'vscode';
import type { AuthController } from '../authController/authController';
import { Commands } from '../constants';
import type { ExtensionLog } from '../log';
import { notify } from '../notify';
import { registerCommand } from './registerCommand';
import { signedInMessage } from '../authController/signInText';

/** mdeActions.signIn: the sign-in flow of the settings (browser or device code), then a notice with the account. */
export function registerSignIn(context: vscode.ExtensionContext, log: ExtensionLog, auth: AuthController): void {
  registerCommand(context, log, Commands.signIn, 'Sign-in failed', async () => {
    const account = await auth.signIn();
    void notify.info(signedInMessage(account));
  });
}
