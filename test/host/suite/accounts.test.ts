// The Accounts menu in a real extension host: the extension's AuthenticationProvider, registered with VS Code, serves
// the signed-in account the way the menu asks for it (getSessions with no scopes), VS Code relays its session changes
// to every listener, and removing the session (the menu's Sign Out) signs the view out. The menu itself is clicked in
// test/ui/accounts.test.ts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { AUTH_PROVIDER_ID } from '../../../src/constants';
import { ANALYST_UPN } from '../../simulators/seedActions';
import { waitFor } from '../../support/waitFor';
import { approveDeviceCode, readTree, signInToSimulatedCloud, type SignedIn } from './signedIn';

suite('The Accounts menu in a real host', () => {
  let session: SignedIn;
  /** How many session changes VS Code relayed for the provider, as the Accounts menu hears them. */
  let relayed = 0;
  let listener: vscode.Disposable;

  suiteSetup(async function () {
    this.timeout(60_000);
    listener = vscode.authentication.onDidChangeSessions((event) => {
      if (event.provider.id === AUTH_PROVIDER_ID) {
        relayed++;
      }
    });
    session = await signInToSimulatedCloud();
  });

  suiteTeardown(async () => {
    listener.dispose();
    await session?.dispose();
  });

  test('after Sign In the provider lists the account (what the Accounts menu shows) with the sign-in\'s access token', async () => {
    await waitFor(() => relayed > 0, 'VS Code to relay the new session');
    const sessions = await session.api.accounts.getSessions(undefined, {});
    assert.equal(sessions.length, 1, 'one session while signed in');
    assert.equal(sessions[0].account.label, ANALYST_UPN);
    assert.deepEqual(sessions[0].scopes, [session.api.auth.endpoints?.scope]);
    assert.equal(sessions[0].accessToken, await session.api.auth.getAccessToken({ forceRefresh: false }), 'the short-lived access token');
    assert.deepEqual(await session.api.accounts.getSessions(['https://graph.microsoft.com/.default'], {}), [], 'no token for another resource');
  });

  test('no extension, this one included, gets the token silently: VS Code asks the user to allow it first', async () => {
    const scope = session.api.auth.endpoints?.scope ?? '';
    assert.equal(await vscode.authentication.getSession(AUTH_PROVIDER_ID, [scope], { silent: true }), undefined);
  });

  test('removing the session (Sign Out in the Accounts menu) signs the view out, and VS Code relays the change', async () => {
    const [signedIn] = await session.api.accounts.getSessions(undefined, {});
    assert.ok(signedIn);
    const before = relayed;
    // What the Accounts menu's Sign Out runs once confirmed (test/ui/accounts.test.ts clicks it there).
    await session.api.accounts.removeSession(signedIn.id);
    await waitFor(() => relayed > before, 'VS Code to relay the removed session');
    assert.equal(session.api.auth.account, undefined, 'signed out');
    assert.deepEqual(await readTree(session.api), [], 'the view shows the Sign In welcome (no rows)');
    assert.deepEqual(await session.api.accounts.getSessions(undefined, {}), [], 'no session after sign-out');
  });

  test('creating a session (Sign In from the Accounts menu) runs the Sign In flow and fills the view', async function () {
    this.timeout(30_000);
    const before = relayed;
    const scope = session.api.auth.endpoints?.scope ?? '';
    const { result: created } = await approveDeviceCode(session.cloud, () => session.api.accounts.createSession([scope], {}));
    assert.equal(created.account.label, ANALYST_UPN);
    assert.equal(session.api.auth.account?.username, ANALYST_UPN, 'the view\'s sign-in state is the same account');
    await waitFor(() => relayed > before, 'VS Code to relay the new session');
    await waitFor(async () => (await readTree(session.api)).length > 0, 'the list to load');
    await assert.rejects(async () => session.api.accounts.createSession(['https://graph.microsoft.com/.default'], {}), /only gives tokens for/);
  });

  test('another window signing out (the shared token cache leaves SecretStorage) removes the session here too', async () => {
    const before = relayed;
    const key = session.api.auth.tokenCacheKey;
    assert.ok(key);
    await session.api.secrets.delete(key);
    await waitFor(() => relayed > before, 'VS Code to relay the removed session');
    assert.equal(session.api.auth.account, undefined, 'the view is signed out');
    assert.deepEqual(await session.api.accounts.getSessions(undefined, {}), []);
  });
});
