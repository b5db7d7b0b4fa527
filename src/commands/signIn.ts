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
  registerCommand(context, log, Commands.copyDeviceCode, 'Could not copy the code or open the sign-in page', async () => {
    if (!(await auth.copyAndOpenDeviceCode())) {
      void notify.info('No sign-in is waiting for a device code. Run Defender: Sign In to get one.');
    }
  });
}
