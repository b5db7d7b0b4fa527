// VS Code's Accounts menu on the packaged VSIX: after Sign In in the Defender view the account is listed there under
// "Microsoft Defender for Endpoint", and its Sign Out there signs the view out (the view offers Sign In again).
import { test } from 'node:test';
import { ANALYST_UPN } from '../simulators/seedActions';
import { signInWithDeviceCode, useSimulatedSession, vsixOrSkip } from './simulatedSession';

const { skip } = vsixOrSkip;
const session = useSimulatedSession('accounts');

test('the account shows in the Accounts menu after Sign In, and Sign Out there signs the Defender view out', { skip }, async () => {
  const { workbench } = session();
  await signInWithDeviceCode(session());
  await workbench.clearNotifications();
  const accounts = workbench.page.locator('.part.activitybar a.action-label[aria-label^="Accounts"]');
  await accounts.click();
  const menu = workbench.page.locator('.context-view');
  const account = menu.getByRole('menuitem', { name: `${ANALYST_UPN} (Microsoft Defender for Endpoint)` });
  await account.hover();
  const signOut = menu.getByRole('menuitem', { name: 'Sign Out', exact: true });
  await signOut.waitFor();
  await workbench.page.waitForTimeout(300);
  await workbench.screenshot('accounts-menu', { keepHover: true });
  // The Accounts entry, the account and its submenu.
  await workbench.readmeScreenshot('accounts-menu', [accounts, menu.locator('.monaco-menu').first(), menu.locator('.monaco-menu').last()], { keepHover: true });
  await signOut.click();
  // The workbench asks before it signs an account out.
  await workbench.page.locator('.monaco-dialog-box').getByRole('button', { name: 'Sign Out' }).click();
  await workbench.page.locator('.part.sidebar .welcome-view-content').getByRole('button', { name: 'Sign In' }).waitFor();
  await workbench.screenshot('signed-out');
});
