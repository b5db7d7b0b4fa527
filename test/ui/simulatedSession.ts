// A workbench on the packaged VSIX, pointed at a fresh simulated Custom cloud (manual device-code approval, no auto
// refresh, so only the steps cause requests), and the sign-in an engineer does there. For UI test files that start
// signed in; the VSIX comes from `npm test` (MDE_TEST_VSIX).
import * as assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Locator } from 'playwright-core';
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

/**
 * Starts the simulators and a workbench named `name` (its profile and screenshot prefix) set to them; `settings` go
 * into the user settings too.
 */
export async function openSimulatedSession(name: string, vsix: string, settings: Record<string, unknown> = {}): Promise<SimulatedSession> {
  // Manual approval: the code must come from the notification the engineer reads.
  const cloud = await startSimulatedCloud({ entra: { deviceCodeApproval: 'manual', deviceCodeIntervalSeconds: 0.5 } });
  const workbench = await Workbench.open(name, vsix, { ...cloud.settings, 'mdeActions.autoRefreshSeconds': 0, ...settings }).catch(async (error) => {
    await cloud.close();
    throw error;
  });
  const close = async (): Promise<void> => {
    await workbench.close();
    await cloud.close();
  };
  return { cloud, workbench, close };
}

/**
 * One simulated session for a test file: opened before its tests (when a VSIX is there to test) and closed after
 * them. Returns a getter, as the session exists only once `before` has run.
 */
export function useSimulatedSession(name: string): () => SimulatedSession {
  let session: SimulatedSession | undefined;
  before(async () => {
    if (vsixOrSkip.vsix) {
      session = await openSimulatedSession(name, vsixOrSkip.vsix);
    }
  });
  after(async () => {
    await session?.close();
  });
  return () => {
    assert.ok(session, 'the simulated session is open');
    return session;
  };
}

/** The sign-in's one notification while it waits: its progress, the device code and the Copy & Open link. */
export function deviceCodeToast(workbench: Workbench): Locator {
  return workbench.toast(/enter the code [A-Z0-9]{8} within/);
}

/** Reads the code from the sign-in's notification, as a person reads it. */
export async function readDeviceCode(workbench: Workbench, cloud: SimulatedCloud): Promise<string> {
  const text = await deviceCodeToast(workbench).innerText();
  const code = new RegExp(`Open ${cloud.entra.url}/devicelogin and enter the code ([A-Z0-9]{8}) within 15 minutes`).exec(text)?.[1];
  assert.ok(code, text);
  return code;
}

/**
 * Clicks Copy & Open in the sign-in's notification: the code lands on the clipboard and the browser opens the
 * verification page in a new tab (closed again here: only which page it opened matters).
 */
export async function clickCopyAndOpen(workbench: Workbench, cloud: SimulatedCloud, code: string): Promise<void> {
  const context = workbench.page.context();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const opened = context.waitForEvent('page');
  await deviceCodeToast(workbench).locator('a', { hasText: 'Copy & Open' }).click();
  const page = await opened;
  await page.waitForURL((url) => url.href !== 'about:blank', { waitUntil: 'commit' });
  const url = page.url();
  await page.close();
  // On a remote host code-server opens a 127.0.0.1 page through its port forwarding, /proxy/<port>/ (once seen with a
  // port other than the simulator's, as a forwarding may map it).
  const verificationPage = new URL(`${cloud.entra.url}/devicelogin`);
  assert.ok(url === verificationPage.href || /\/proxy\/\d+\//.test(url), `the verification page ${verificationPage.href} opened: ${url}`);
  assert.equal(await workbench.page.evaluate('navigator.clipboard.readText()'), code, 'the code is on the clipboard');
}

/**
 * Shows the Defender view, clicks its Sign In, reads the code from the notification and clicks its Copy & Open,
 * approves that code at the simulator, and waits for the "Signed in" notification.
 */
export async function signInWithDeviceCode({ cloud, workbench }: SimulatedSession): Promise<void> {
  await workbench.openActivity('Defender');
  await workbench.page.locator('.part.sidebar .welcome-view-content').getByRole('button', { name: 'Sign In' }).click();
  const code = await readDeviceCode(workbench, cloud);
  await clickCopyAndOpen(workbench, cloud, code);
  assert.equal(cloud.entra.approveDeviceCodes(code), 1);
  await workbench.toast(`Signed in to Microsoft Defender as ${ANALYST_UPN}`).waitFor();
}

/** How many actions of the default time window the simulator holds in `status` (of `requestor`, if given). */
export function simulatorCount(cloud: SimulatedCloud, status: string, requestor?: string): number {
  const since = Date.now() - LOOKBACK_DAYS * 86_400_000;
  return cloud.defender.actions.filter((a) => a.status === status && Date.parse(String(a.creationDateTimeUtc)) >= since
    && (requestor === undefined || a.requestor === requestor)).length;
}
