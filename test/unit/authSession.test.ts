// The view's session over the sign-in controller: the account as the view sees it, one client per account and API
// base (a new client means a new list), and one rate budget for all of them.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AuthSession, AuthSource } from '../../src/model/authSession';

function fakeAuth(): AuthSource & { listeners: Array<() => void> } {
  const listeners: Array<() => void> = [];
  return {
    listeners,
    configured: true,
    configurationProblem: undefined,
    restoring: false,
    account: undefined,
    endpoints: { apiBaseUrl: 'https://api.security.microsoft.com' },
    cloud: 'GCCHigh',
    getAccessToken: async () => 'token',
    onDidChange: (listener) => {
      listeners.push(listener);
      return { dispose: () => listeners.splice(listeners.indexOf(listener), 1) };
    },
  };
}

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('signed out: no client, no account, no budget', () => {
  const session = new AuthSession(fakeAuth(), quiet);
  assert.deepEqual([session.client(), session.account(), session.rateBudget()], [undefined, undefined, undefined]);
  assert.equal(session.configured(), true);
  assert.equal(session.configurationProblem(), undefined);
  assert.equal(session.cloud(), 'GCCHigh');
});

test('while the cached sign-in is read, the session says so (the view shows Loading, not Sign In)', () => {
  const auth = fakeAuth();
  const session = new AuthSession(auth, quiet);
  assert.equal(session.restoring(), false);
  (auth as { restoring: boolean }).restoring = true;
  assert.equal(session.restoring(), true);
});

test('a wrong setting is passed on in the words of the sign-in controller', () => {
  const auth = fakeAuth();
  (auth as { configurationProblem: AuthSource['configurationProblem'] }).configurationProblem = { message: 'mdeActions.custom.apiBaseUrl must use https://' };
  assert.equal(new AuthSession(auth, quiet).configurationProblem(), 'mdeActions.custom.apiBaseUrl must use https://');
});

test('signed in: the account as UPN and tenant, the same client until the account or the API base changes', () => {
  const auth = fakeAuth();
  const mutable = auth as { account: AuthSource['account']; endpoints: AuthSource['endpoints'] };
  const session = new AuthSession(auth, quiet);
  mutable.account = { username: 'analyst@contoso.com', tenantId: 'tenant-a' };
  assert.deepEqual(session.account(), { upn: 'analyst@contoso.com', tenantId: 'tenant-a' });
  const first = session.client();
  assert.ok(first);
  assert.equal(session.client(), first);
  const budget = session.rateBudget();
  assert.ok(budget?.hasBudgetFor(1));
  mutable.endpoints = { apiBaseUrl: 'https://eu.api.security.microsoft.com' };
  const second = session.client();
  assert.notEqual(second, first, 'another region: another client');
  mutable.account = { username: 'ir-lead@contoso.com', tenantId: 'tenant-a' };
  assert.notEqual(session.client(), second, 'another account: another client');
  assert.equal(session.rateBudget(), budget, 'one budget throughout');
});

test('changes of the sign-in reach the view', () => {
  const auth = fakeAuth();
  const session = new AuthSession(auth, quiet);
  let fired = 0;
  const subscription = session.onDidChange(() => fired++);
  auth.listeners.forEach((l) => l());
  subscription.dispose();
  auth.listeners.forEach((l) => l());
  assert.equal(fired, 1);
});
