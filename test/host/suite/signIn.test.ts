// Sign-in in a real extension host, against the Entra ID and Defender API simulators started inside that host and
// set as the Custom cloud in the user settings. code-server is a remote extension host, so sign-in uses the device
// code there. What the engineer sees comes from the recorded notifications; the sign-in state (what the context keys
// and the view show) and the SecretStorage come from the extension's test API.
import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { isSignInRequired } from '../../../src/shared/errors';
import { Commands, EXTENSION_ID } from '../../../src/constants';
import type { ExtensionTestApi } from '../../../src/extension';
import { startSimulatedCloud, type SimulatedCloud } from '../../simulators/simulatedCloud';
import { extensionLogText } from './extensionLog';
import { recordUi, type RecordedUi } from './recordedUi';

suite('Sign-in in a real host', () => {
  let cloud: SimulatedCloud;
  let api: ExtensionTestApi;
  let ui: RecordedUi;
  let logLevel: string;

  /** Sets (or with undefined, removes) the user settings; application-scoped ones only count there. */
  async function setUserSettings(settings: Record<string, string | undefined>): Promise<void> {
    const configuration = vscode.workspace.getConfiguration();
    for (const [id, value] of Object.entries(settings)) {
      await configuration.update(id, value, vscode.ConfigurationTarget.Global);
    }
  }

  async function listActions(token: string): Promise<number> {
    const response = await fetch(`${cloud.defender.url}/api/machineactions?$top=1`, {
      headers: { authorization: `Bearer ${token}` },
      agent: new https.Agent({ ca: cloud.defender.caPem }),
    });
    return response.status;
  }

  function tokenRequests(grantType: string): number {
    return cloud.entra.requests.filter((r) => r.grantType === grantType && r.status === 200).length;
  }

  function deviceCodeRequests(): number {
    return cloud.entra.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/devicecode')).length;
  }

  async function signIn(): Promise<void> {
    await vscode.commands.executeCommand(Commands.signIn);
    assert.deepEqual(ui.errors, [], 'no error notification');
    assert.equal(api.auth.account?.username, cloud.entra.switches.user.upn);
  }

  suiteSetup(async () => {
    // The most verbose log, so the check that no token reaches it covers every line MSAL writes.
    logLevel = await vscode.commands.executeCommand<string>('_extensionTests.getLogLevel');
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    cloud = await startSimulatedCloud({ entra: { deviceCodeIntervalSeconds: 0.1 } });
    const exported = await vscode.extensions.getExtension<ExtensionTestApi | undefined>(EXTENSION_ID)?.activate();
    assert.ok(exported, 'activate() returns the test API under test');
    api = exported;
    await setUserSettings(cloud.settings);
    // The extension hears of the change through an event that may come after update() resolved.
    for (const deadline = Date.now() + 5000; api.auth.endpoints?.apiOrigin !== cloud.defender.url && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await api.auth.whenLoaded();
  });

  suiteTeardown(async () => {
    ui = recordUi();
    try {
      await vscode.commands.executeCommand(Commands.signOut);
    } finally {
      ui.restore();
    }
    await setUserSettings(Object.fromEntries(Object.keys(cloud.settings).map((id) => [id, undefined])));
    await cloud.close();
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', logLevel);
  });

  setup(() => {
    ui = recordUi();
  });

  teardown(() => {
    ui.restore();
  });

  test('user settings at the simulators configure sign-in; the workspace settings that point elsewhere are ignored', () => {
    // test/host/workspace/.vscode/settings.json names attacker.example hosts for the same settings.
    assert.equal(api.auth.configured, true);
    assert.equal(api.auth.endpoints?.authority, `${cloud.entra.url}/${cloud.entra.switches.user.tid}`);
    assert.equal(api.auth.endpoints?.apiOrigin, cloud.defender.url);
    assert.equal(api.auth.account, undefined, 'a fresh profile starts signed out');
  });

  test('Sign In shows the device code; once the simulator approves it, the engineer is signed in as its user', async () => {
    await signIn();
    const { upn, tid } = cloud.entra.switches.user;
    const codeMessage = ui.info.find((message) => message.includes('enter the code'));
    assert.match(codeMessage ?? '', new RegExp(`open ${cloud.entra.url}/devicelogin and enter the code [A-Z0-9]{8} within 15 minutes`));
    const withCode = ui.notifications.filter((notification) => notification.message.includes('enter the code'));
    assert.deepEqual(withCode.map(({ buttons }) => buttons), [['Copy & Open']]);
    assert.deepEqual(ui.dialogs, withCode, 'the code in one dialog, not in a notification that would outlive the sign-in');
    assert.ok(ui.progress.some((message) => /^Enter the code [A-Z0-9]{8} at /.test(message)), 'the progress notification shows the code until sign-in ends');
    assert.ok(ui.info.includes(`Signed in to Microsoft Defender as ${upn} (tenant ${tid}).`), ui.info.join('\n'));
    assert.equal(api.auth.account?.tenantId, tid);
    assert.deepEqual(ui.opened, [], 'nothing opened unless the engineer chooses Copy & Open');
    assert.equal(await listActions(await api.auth.getAccessToken({ forceRefresh: false })), 200, 'the Defender API accepts the token');
  });

  test('Copy & Open in the device-code dialog opens the sign-in page', async () => {
    if (api.auth.account) {
      await vscode.commands.executeCommand(Commands.signOut);
    }
    ui.answer = (notification) => (ui.dialogs.includes(notification) ? 'Copy & Open' : undefined);
    await signIn();
    // The dialog's answer is handled beside the polling, which may finish first.
    for (const deadline = Date.now() + 5000; ui.opened.length === 0 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(ui.opened, [`${cloud.entra.url}/devicelogin`]);
  });

  test('the token cache is in SecretStorage, under the key of this authority and client', async () => {
    if (!api.auth.account) {
      await signIn();
    }
    const key = api.auth.tokenCacheKey;
    assert.ok(key);
    const cache = JSON.parse((await api.secrets.get(key)) ?? '{}') as { Account?: Record<string, { username: string }> };
    assert.deepEqual(Object.values(cache.Account ?? {}).map((account) => account.username), [cloud.entra.switches.user.upn]);
  });

  test('after the access token expires, the next token call refreshes it silently', async () => {
    if (!api.auth.account) {
      await signIn();
    }
    const old = await api.auth.getAccessToken({ forceRefresh: false });
    cloud.entra.expireTokensNow();
    assert.equal(await listActions(old), 401, 'the API refuses the expired token');
    const refreshes = tokenRequests('refresh_token');
    // What the API client does after a 401.
    const renewed = await api.auth.getAccessToken({ forceRefresh: true });
    assert.equal(tokenRequests('refresh_token'), refreshes + 1, 'one refresh_token grant');
    assert.equal(await listActions(renewed), 200);
    assert.equal(api.auth.account?.username, cloud.entra.switches.user.upn, 'still signed in');
    assert.deepEqual({ info: ui.info, opened: ui.opened }, { info: [], opened: [] }, 'no prompt, nothing opened');
  });

  test('a revoked session ends in the signed-out state, without opening a browser or asking for a code', async () => {
    if (!api.auth.account) {
      await signIn();
    }
    const key = api.auth.tokenCacheKey!;
    const deviceCodes = deviceCodeRequests();
    cloud.entra.revokeRefreshTokens();
    cloud.entra.expireTokensNow();
    await assert.rejects(api.auth.getAccessToken({ forceRefresh: true }), (error) => isSignInRequired(error));
    assert.equal(api.auth.account, undefined, 'signed out');
    assert.equal(await api.secrets.get(key), undefined, 'the cache entry is gone');
    assert.deepEqual({ opened: ui.opened, info: ui.info }, { opened: [], info: [] }, 'no browser, no code');
    assert.equal(deviceCodeRequests(), deviceCodes, 'no new device code requested');
  });

  test('Sign Out removes the account and its SecretStorage entry', async () => {
    if (!api.auth.account) {
      await signIn();
    }
    const key = api.auth.tokenCacheKey!;
    assert.ok(await api.secrets.get(key), 'signed in: the cache entry exists');
    ui.info.length = 0;
    await vscode.commands.executeCommand(Commands.signOut);
    assert.deepEqual(ui.info, [`Signed out ${cloud.entra.switches.user.upn} from Microsoft Defender.`]);
    assert.equal(api.auth.account, undefined);
    assert.equal(await api.secrets.get(key), undefined);
    await assert.rejects(api.auth.getAccessToken({ forceRefresh: false }), (error) => isSignInRequired(error));
  });

  test('a refused consent ends the sign-in with an error notification in the service\'s words, still signed out', async () => {
    if (api.auth.account) {
      await vscode.commands.executeCommand(Commands.signOut);
    }
    cloud.entra.switches.denyConsent = true;
    try {
      await vscode.commands.executeCommand(Commands.signIn);
    } finally {
      cloud.entra.switches.denyConsent = false;
    }
    assert.equal(ui.errors.length, 1, ui.errors.join('\n'));
    assert.match(ui.errors[0], /^Sign-in failed: .*consent_required/);
    assert.doesNotMatch(ui.errors[0], /Sign-in failed.*Sign-in failed/is, 'says once what failed');
    assert.equal(api.auth.account, undefined);
  });

  test('the log tells the sign-in story at trace level but holds no token or code the simulator issued', async () => {
    const log = await extensionLogText('Signed out.');
    assert.match(log, /Signing in with a device code at https:\/\/127\.0\.0\.1:\d+\//);
    assert.match(log, /\[trace\] MSAL /, 'MSAL\'s most verbose lines reached the log');
    const secrets = cloud.entra.issuedSecrets();
    assert.ok(secrets.length >= 6, `the suite got tokens and codes (${secrets.length})`);
    const leaked = secrets.filter((secret) => log.includes(secret));
    assert.equal(leaked.length, 0, `${leaked.length} of ${secrets.length} issued secrets appear in the log`);
  });
});
