// An engineer with the VSIX installed and the user settings at the Custom cloud (the simulators, started in this test
// process) signs in from the Defender view with the device code — code-server is a remote host — and out again.
// The simulator approves only the code the notification shows, so the test reads it from the screen as a person would.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { startSimulatedCloud, type SimulatedCloud } from '../simulators/simulatedCloud';
import { clickCopyAndOpen, readDeviceCode } from './simulatedSession';
import { Workbench } from './workbench';

const vsix = process.env.MDE_TEST_VSIX;
const skip = vsix ? false : 'MDE_TEST_VSIX is not set: run `npm test`, which packages the VSIX first';
const SIGNED_OUT_WELCOME = 'Sign in with your Entra ID account';

let cloud: SimulatedCloud;
let workbench: Workbench;
let userCode: string;

before(async () => {
  if (vsix) {
    cloud = await startSimulatedCloud({ entra: { deviceCodeApproval: 'manual', deviceCodeIntervalSeconds: 0.5 } });
    workbench = await Workbench.open('sign-in', vsix, cloud.settings);
  }
});

after(async () => {
  await workbench?.close();
  await cloud?.close();
});

function sidebar() {
  return workbench.page.locator('.part.sidebar');
}

/** Every notification toast that shows `text`. */
function toastsWith(text: string) {
  return workbench.page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

test('the Defender view, configured but signed out, offers Sign In', { skip }, async () => {
  await workbench.openActivity('Defender');
  await sidebar().locator('.welcome-view-content', { hasText: SIGNED_OUT_WELCOME }).waitFor();
  await sidebar().locator('.welcome-view-content').getByRole('button', { name: 'Sign In' }).waitFor();
  await workbench.screenshot('signed-out');
});

test('Sign In shows the device code in one notification whose Copy & Open copies it and opens the sign-in page', { skip }, async () => {
  await sidebar().locator('.welcome-view-content').getByRole('button', { name: 'Sign In' }).click();
  userCode = await readDeviceCode(workbench, cloud);
  assert.equal(await toastsWith(userCode).count(), 1, 'the code is in one notification');
  assert.equal(await workbench.page.locator('.monaco-dialog-box').count(), 0, 'no dialog');
  await workbench.screenshot('device-code');
  await workbench.readmeScreenshot('device-code-notification', [toastsWith(userCode)]);
  await clickCopyAndOpen(workbench, cloud, userCode);
  // Copy & Open does not end the wait: the notification keeps the code (and its Cancel) while MSAL polls.
  await toastsWith(userCode).waitFor();
});

test('once the simulator approves that code, the engineer is signed in and the … menu offers Sign Out', { skip }, async () => {
  assert.equal(cloud.entra.approveDeviceCodes(userCode), 1, 'the code on screen is the one pending at the simulator');
  const { upn, tid } = cloud.entra.switches.user;
  await workbench.toast(`Signed in to Microsoft Defender as ${upn} (tenant ${tid}).`).waitFor();
  await toastsWith(userCode).waitFor({ state: 'detached' });
  await sidebar().locator('.welcome-view-content', { hasText: SIGNED_OUT_WELCOME }).waitFor({ state: 'detached' });
  await workbench.screenshot('signed-in');
  await workbench.openViewMenu();
  await workbench.page.locator('.context-view').getByRole('menuitem', { name: 'Sign Out', exact: true }).waitFor();
  await workbench.screenshot('view-menu-sign-out');
});

test('after a reload of the page the engineer is still signed in, from the token cache in SecretStorage', { skip }, async () => {
  await workbench.page.keyboard.press('Escape');
  const signIns = cloud.entra.requests.filter((r) => r.path.endsWith('/devicecode')).length;
  await workbench.reload();
  await workbench.openActivity('Defender');
  // The view's title shows Refresh only while signed in; its menu is built when it opens, so wait for that first.
  await sidebar().locator('.composite.title a[aria-label="Refresh Machine Actions"]').waitFor();
  await workbench.openViewMenu();
  await workbench.page.locator('.context-view').getByRole('menuitem', { name: 'Sign Out', exact: true }).waitFor();
  assert.equal(await sidebar().locator('.welcome-view-content', { hasText: SIGNED_OUT_WELCOME }).count(), 0);
  assert.equal(cloud.entra.requests.filter((r) => r.path.endsWith('/devicecode')).length, signIns, 'no new sign-in');
  await workbench.screenshot('reloaded-still-signed-in');
});

test('Sign Out from the … menu brings back the Sign In welcome', { skip }, async () => {
  await workbench.clickMenuItem('Sign Out');
  await workbench.toast(`Signed out ${cloud.entra.switches.user.upn} from Microsoft Defender.`).waitFor();
  await sidebar().locator('.welcome-view-content', { hasText: SIGNED_OUT_WELCOME }).waitFor();
  await workbench.screenshot('signed-out-again');
});

test('a sign-in cancelled from its notification leaves no code on screen and stays signed out', { skip }, async () => {
  await sidebar().locator('.welcome-view-content').getByRole('button', { name: 'Sign In' }).click();
  const code = await readDeviceCode(workbench, cloud);
  await toastsWith(code).getByRole('button', { name: 'Cancel' }).click();
  await toastsWith(code).waitFor({ state: 'detached' });
  assert.equal(cloud.entra.approveDeviceCodes(code), 1, 'the code was still pending: nothing signed in');
  await workbench.page.waitForTimeout(1500);
  await sidebar().locator('.welcome-view-content', { hasText: SIGNED_OUT_WELCOME }).waitFor();
  assert.equal(await toastsWith(code).count(), 0);
  await workbench.screenshot('sign-in-cancelled');
});
