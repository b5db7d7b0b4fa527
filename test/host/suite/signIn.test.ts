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
import { waitFor } from '../../support/waitFor';

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
    await waitFor(() => api.auth.endpoints?.apiOrigin === cloud.defender.url, 'the settings to reach the extension', 5000);
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

  /** The progress notification's device-code message: the code and a Copy & Open link to a command. */
  function deviceCodeMessage(): { code: string; command: string } | undefined {
    const pattern = new RegExp(`^Open ${cloud.entra.url}/devicelogin and enter the code ([A-Z0-9]{8}) within 15 minutes\\. \\[Copy & Open\\]\\(command:([\\w.]+)\\)$`);
    const match = ui.progress.map((message) => pattern.exec(message)).find((m) => m);
    return match ? { code: match[1], command: match[2] } : undefined;
  }

  test('Sign In shows the device code in its one progress notification, with Copy & Open; approved, the engineer is signed in', async () => {
    await signIn();
    const { upn, tid } = cloud.entra.switches.user;
    assert.ok(ui.progress.includes('Signing in to Microsoft Defender with a device code…'), ui.progress.join('\n'));
    assert.ok(deviceCodeMessage(), `the code and Copy & Open in the progress notification: ${ui.progress.join('\n')}`);
    assert.deepEqual(ui.notifications.filter((n) => /enter the code/i.test(n.message)), [], 'no other notification or dialog with the code');
    assert.deepEqual(ui.dialogs, [], 'no dialog');
    assert.ok(ui.info.includes(`Signed in to Microsoft Defender as ${upn} (tenant ${tid}).`), ui.info.join('\n'));
    assert.equal(api.auth.account?.tenantId, tid);
    assert.deepEqual(ui.opened, [], 'nothing opened unless the engineer chooses Copy & Open');
    assert.equal(await listActions(await api.auth.getAccessToken({ forceRefresh: false })), 200, 'the Defender API accepts the token');
  });

  test('Copy & Open in the device-code notification copies the code and opens the sign-in page; after sign-in it does nothing', async () => {
    if (api.auth.account) {
      await vscode.commands.executeCommand(Commands.signOut);
    }
    const approval = cloud.entra.switches.deviceCodeApproval;
    cloud.entra.switches.deviceCodeApproval = 'manual';
    try {
      const signingIn = vscode.commands.executeCommand(Commands.signIn);
      await waitFor(() => deviceCodeMessage() !== undefined, 'the device code in the progress notification', 5000);
      const shown = deviceCodeMessage();
      assert.ok(shown, ui.progress.join('\n'));
      await vscode.commands.executeCommand(shown.command);
      assert.equal(await vscode.env.clipboard.readText(), shown.code);
      assert.deepEqual(ui.opened, [`${cloud.entra.url}/devicelogin`]);
      assert.equal(cloud.entra.approveDeviceCodes(shown.code), 1);
      await signingIn;
      assert.equal(api.auth.account?.username, cloud.entra.switches.user.upn);

      await vscode.commands.executeCommand(shown.command);
      assert.equal(ui.opened.length, 1, 'a link clicked after sign-in ended opens nothing');
      assert.ok(ui.info.includes('No sign-in is waiting for a device code. Run Defender: Sign In to get one.'), ui.info.join('\n'));
      assert.deepEqual(ui.errors, []);
    } finally {
      cloud.entra.switches.deviceCodeApproval = approval;
    }
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
