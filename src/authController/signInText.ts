// Sign-in notifications that carry what the identity platform sent (a verification URI and user code, id-token
// claims), through userText.
import type { AccountSummary, DeviceCodePrompt } from '../auth/types';
import { userText } from '../shared/userText';

/** "Open https://…/devicelogin and enter the code ABCD1234 within 15 minutes.", under the sign-in's progress title. */
export function deviceCodeMessage({ userCode, verificationUri, expiresInSeconds }: DeviceCodePrompt): string {
  return userText(`Open ${verificationUri} and enter the code ${userCode} within ${Math.round(expiresInSeconds / 60)} minutes.`);
}

/** "Signed in to Microsoft Defender as … (tenant …).", through the gate: both come from the id token. */
export function signedInMessage(account: Pick<AccountSummary, 'username' | 'tenantId'>): string {
  return userText(`Signed in to Microsoft Defender as ${account.username} (tenant ${account.tenantId}).`);
}
