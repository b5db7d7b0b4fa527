// A workbench on the packaged VSIX, pointed at a fresh simulated Custom cloud (manual device-code approval, no auto
// refresh, so only the steps cause requests), and the sign-in an engineer does there. For UI test files that start
// signed in; the VSIX comes from `npm test` (MDE_TEST_VSIX).
import * as assert from 'node:assert/strict';
import { ANALYST_UPN } from '../simulators/seedActions';
import { startSimulatedCloud, type SimulatedCloud } from '../simulators/simulatedCloud';
import { Workbench } from './workbench';

/** The packaged VSIX, or the reason the UI tests are skipped (the `skip` option of node:test). */
export const vsixOrSkip: { vsix: string; skip: false } | { vsix: undefined; skip: string } = process.env.MDE_TEST_VSIX
  ? { vsix: process.env.MDE_TEST_VSIX, skip: false }
  : { vsix: undefined, skip: 'MDE_TEST_VSIX is not set: run `npm test`, which packages the VSIX first' };

/** The default of mdeActions.lookbackDays. */
export const LOOKBACK_DAYS = 7;

export interface SimulatedSession {
  cloud: SimulatedCloud;
  workbench: Workbench;
  close(): Promise<void>;
}

/** Starts the simulators and a workbench named `name` (its profile and screenshot prefix) set to them. */
export async function openSimulatedSession(name: string, vsix: string): Promise<SimulatedSession> {
  // Manual approval: the code must come from the notification the engineer reads.
  const cloud = await startSimulatedCloud({ entra: { deviceCodeApproval: 'manual', deviceCodeIntervalSeconds: 0.5 } });
  const workbench = await Workbench.open(name, vsix, { ...cloud.settings, 'mdeActions.autoRefreshSeconds': 0 }).catch(async (error) => {
    await cloud.close();
    throw error;
  });
  const close = async (): Promise<void> => {
    await workbench.close();
    await cloud.close();
  };
  return { cloud, workbench, close };
}

/** Shows the Defender view, clicks its Sign In, approves the code the notification shows, and waits for the welcome. */
export async function signInWithDeviceCode({ cloud, workbench }: SimulatedSession): Promise<void> {
  await workbench.openActivity('Defender');
  await workbench.page.locator('.part.sidebar .welcome-view-content').getByRole('button', { name: 'Sign In' }).click();
  // The code shows in a dialog (which stays until closed) or a notification.
  const shown = workbench.page.locator('.monaco-dialog-box, .notifications-toasts .notification-toast', { hasText: 'To sign in to Microsoft Defender, open' }).first();
  const code = /enter the code (\S+) within/.exec(await shown.innerText())?.[1];
  assert.ok(code, 'the dialog or notification shows the code');
  assert.equal(cloud.entra.approveDeviceCodes(code), 1);
  const dialog = workbench.page.locator('.monaco-dialog-box');
  if (await dialog.count() > 0) {
    await workbench.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  }
  await workbench.toast(`Signed in to Microsoft Defender as ${ANALYST_UPN}`).waitFor();
}

/** How many actions of the default time window the simulator holds in `status` (of `requestor`, if given). */
export function simulatorCount(cloud: SimulatedCloud, status: string, requestor?: string): number {
  const since = Date.now() - LOOKBACK_DAYS * 86_400_000;
  return cloud.defender.actions.filter((a) => a.status === status && Date.parse(String(a.creationDateTimeUtc)) >= since
    && (requestor === undefined || a.requestor === requestor)).length;
}
