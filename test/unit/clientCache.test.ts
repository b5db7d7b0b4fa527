// The clients of the sign-in: one client per account and API base (a new client means a new list), and one rate
// budget for all of them.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ClientCache } from '../../src/model/clientCache';
import type { SessionAccount } from '../../src/model/session';
import { silentLogger } from '../support/silentLogger';

const API = 'https://api.security.microsoft.com';

describe('clientCache', () => {
  it('signed out or not configured: no client', () => {
    const clients = new ClientCache({ getAccessToken: async () => 'token', requireClaims: () => undefined }, silentLogger);
    assert.equal(clients.clientFor(undefined, API), undefined);
    assert.equal(clients.clientFor({ username: 'analyst@contoso.com', tenantId: 'tenant-a' }, undefined), undefined);
  });

  it('signed in: the same client until the account or the API base changes, and one budget throughout', () => {
    const clients = new ClientCache({ getAccessToken: async () => 'token', requireClaims: () => undefined }, silentLogger);
    let account: SessionAccount = { username: 'analyst@contoso.com', tenantId: 'tenant-a' };
    const first = clients.clientFor(account, API);
    assert.ok(first);
    assert.equal(clients.clientFor({ ...account, username: 'Analyst@Contoso.com' }, API), first, 'a UPN in another case');
    const budget = clients.limiter;
    assert.ok(budget.hasBudgetFor(1));
    const second = clients.clientFor(account, 'https://eu.api.security.microsoft.com');
    assert.notEqual(second, first, 'another region: another client');
    account = { username: 'ir-lead@contoso.com', tenantId: 'tenant-a' };
    assert.notEqual(clients.clientFor(account, 'https://eu.api.security.microsoft.com'), second, 'another account: another client');
    assert.equal(clients.limiter, budget, 'one budget throughout');
  });
});
