// src/auth end to end in plain Node: msal-node against the Entra ID simulator over HTTPS, the token used on the
// Defender simulator, SecretStorage/globalState/UI replaced by in-memory versions behind the same interfaces.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as zlib from 'node:zlib';
import fetch from 'node-fetch';
import { type Endpoints, resolveEndpoints, DEFAULT_SETTINGS } from '../../src/config';
import { isSignInRequired } from '../../src/shared/errors';
import { MsalAuth } from '../../src/auth/msalAuth';
import { MsalQueue } from '../../src/auth/msalQueue';
import { createNetworkClient, MAX_AUTH_BODY_BYTES } from '../../src/auth/networkClient';
import { DefenderClient } from '../../src/defender/client';
import { ClientCache } from '../../src/model/clientCache';
import type { AccountSummary, AuthUi, DeviceCodePrompt, SecretStore, StateStore } from '../../src/auth/types';
import { type DefenderSimulator, startDefenderSimulator } from '../simulators/defenderSimulator';
import { completeBrowserSignIn, type EntraSimulator, startEntraSimulator } from '../simulators/entraSimulator';
import { ensureTlsMaterial } from '../simulators/tls';
import { RecordingLogger } from '../support/recordingLogger';
import { waitFor } from '../support/waitFor';

const CLIENT_ID = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';

/** SecretStorage as VS Code behaves: one store for every window, change events after the write, for all listeners. */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  private readonly listeners = new Set<(event: { key: string }) => unknown>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.fire(key);
  }
  async delete(key: string): Promise<void> {
    if (this.values.delete(key)) {
      this.fire(key);
    }
  }
  onDidChange(listener: (event: { key: string }) => unknown) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  private fire(key: string): void {
    setImmediate(() => this.listeners.forEach((listener) => listener({ key })));
  }
}

class MemoryState implements StateStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      this.values.delete(key);
    } else {
      this.values.set(key, value);
    }
  }
}

/** The UI seam: records what a user would see and lets a test act as the user (browser, Cancel button). */
class TestUi implements AuthUi {
  readonly opened: string[] = [];
  /** Device codes shown in a progress notification, each with the title of that notification. */
  readonly deviceCodes: Array<DeviceCodePrompt & { title: string }> = [];
  readonly progressTitles: string[] = [];
  /** What "the browser" does with an opened URL; default: nothing. */
  onOpen: (url: string) => void = () => undefined;
  /** Titles of progress notifications still showing. */
  readonly showing = new Set<string>();
  private cancel: AbortController | undefined;

  async openExternal(url: string): Promise<boolean> {
    this.opened.push(url);
    this.onOpen(url);
    return true;
  }
  async withProgress<T>(title: string, task: (cancelled: AbortSignal, showDeviceCode: (prompt: DeviceCodePrompt) => void) => Promise<T>): Promise<T> {
    this.progressTitles.push(title);
    this.showing.add(title);
    this.cancel = new AbortController();
    try {
      return await task(this.cancel.signal, (prompt) => this.deviceCodes.push({ ...prompt, title }));
    } finally {
      this.showing.delete(title);
    }
  }
  pressCancel(): void {
    this.cancel?.abort();
  }
}

let entra: EntraSimulator;
let defender: DefenderSimulator;
let endpoints: Endpoints;
let queue: MsalQueue;
/** Every log line of every MsalAuth in this file, checked for token text at the end. */
const allLogs = new RecordingLogger();

before(async () => {
  entra = await startEntraSimulator({ clientId: CLIENT_ID, deviceCodeIntervalSeconds: 0.05 });
  defender = await startDefenderSimulator({ verifyToken: (token) => entra.verifyAccessToken(token) });
  const resolved = resolveEndpoints({ ...DEFAULT_SETTINGS, cloud: 'Custom', clientId: CLIENT_ID, customAuthorityHost: entra.url, customApiBaseUrl: defender.url });
  assert.ok(!(resolved instanceof Error), String(resolved));
  endpoints = resolved;
});

after(async () => {
  await Promise.all([entra.close(), defender.close()]);
});

beforeEach(() => {
  entra.switches.denyConsent = false;
  entra.switches.deviceCodeApproval = 'nextPoll';
  entra.switches.accessTokenLifetimeSeconds = 3600;
  entra.switches.rotateRefreshTokens = false;
  entra.switches.claimsNeedInteraction = false;
  entra.switches.redirectTo = undefined;
  defender.switches.claimsChallenge = undefined;
  queue = new MsalQueue();
});

interface Window {
  auth: MsalAuth;
  ui: TestUi;
  secrets: MemorySecrets;
  state: MemoryState;
  log: RecordingLogger;
}

/**
 * One VS Code window's auth service; pass another window's stores to share them as VS Code does. `ownQueue`: the
 * window runs in its own extension host (as every VS Code window does), so its MSAL calls are not queued behind the others'.
 */
function openWindow(shared?: { secrets: MemorySecrets; state: MemoryState }, browserTimeoutMs?: number, ownQueue?: MsalQueue): Window {
  const ui = new TestUi();
  const secrets = shared?.secrets ?? new MemorySecrets();
  const state = shared?.state ?? new MemoryState();
  const log = new RecordingLogger([allLogs]);
  const auth = new MsalAuth({
    clientId: CLIENT_ID, endpoints, secrets, state, ui, log, queue: ownQueue ?? queue, browserTimeoutMs,
    network: { ca: entra.caPem, timeoutMs: 5000 },
  });
  return { auth, ui, secrets, state, log };
}

async function listActions(token: string): Promise<number> {
  const response = await fetch(`${defender.url}/api/machineactions?$top=1`, {
    headers: { authorization: `Bearer ${token}` }, agent: new https.Agent({ ca: defender.caPem }),
  });
  return response.status;
}

function tokenRequests(grantType: string): number {
  return entra.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token') && r.grantType === grantType).length;
}

/** The next account change of `auth`; fails after 3 s rather than hanging the file. */
function nextAccountChange(auth: MsalAuth): Promise<AccountSummary | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no account change within 3 s')), 3000);
    const subscription = auth.onDidChangeAccount((account) => {
      clearTimeout(timer);
      subscription.dispose();
      resolve(account);
    });
  });
}

async function signInWithDeviceCode(window: Window): Promise<AccountSummary> {
  return window.auth.signIn('deviceCode');
}

describe('device code sign-in', () => {
  it('shows the code in its progress notification, opens nothing by itself, then signs in with a token the Defender API accepts', async () => {
    const window = openWindow();
    const grantsBefore = tokenRequests('device_code');
    const account = await signInWithDeviceCode(window);

    assert.equal(account.username, entra.switches.user.upn);
    assert.equal(account.tenantId, entra.switches.user.tid);
    assert.deepEqual(window.auth.account, account);
    const [prompt] = window.ui.deviceCodes;
    assert.match(prompt.userCode, /^[A-Z0-9]{8}$/);
    assert.equal(prompt.verificationUri, `${entra.url}/devicelogin`);
    assert.equal(prompt.title, 'Signing in to Microsoft Defender with a device code…', 'the code is in the cancellable progress notification');
    assert.deepEqual(window.ui.opened, [], 'the page opens only through Copy & Open');
    // msal-node 7 polls with the short grant type, which the simulator must accept.
    assert.equal(tokenRequests('device_code'), grantsBefore + 1);

    const token = await window.auth.getAccessToken({ forceRefresh: false });
    assert.deepEqual(entra.verifyAccessToken(token)?.upn, entra.switches.user.upn);
    assert.equal(await listActions(token), 200);
  });

  it('the code\'s one notification goes when sign-in ends either way', async () => {
    entra.switches.deviceCodeApproval = 'manual';
    const window = openWindow();
    const signingIn = signInWithDeviceCode(window);
    await waitFor(() => window.ui.deviceCodes.length > 0, 'the device code', 3000, 10);
    assert.equal(window.ui.showing.size, 1, 'one notification while waiting');
    entra.approveDeviceCodes(window.ui.deviceCodes[0].userCode);
    await signingIn;
    assert.equal(window.ui.showing.size, 0, 'gone once signed in');

    const cancelled = signInWithDeviceCode(window);
    await waitFor(() => window.ui.deviceCodes.length > 1, 'the second device code', 3000, 10);
    window.ui.pressCancel();
    await assert.rejects(cancelled, { kind: 'userCancelled' });
    assert.equal(window.ui.showing.size, 0, 'gone once cancelled');
  });

  it('keeps polling until the code is approved', async () => {
    entra.switches.deviceCodeApproval = 'manual';
    const window = openWindow();
    const signingIn = signInWithDeviceCode(window);
    const pendingPolls = () => entra.requests.filter((r) => r.grantType === 'device_code' && r.status === 400).length;
    const pendingBefore = pendingPolls();
    await waitFor(() => pendingPolls() >= pendingBefore + 2, 'two polls answered authorization_pending', 3000, 10);
    assert.equal(window.auth.account, undefined);
    assert.equal(entra.approveDeviceCodes(window.ui.deviceCodes[0].userCode), 1);
    const account = await signingIn;
    assert.equal(account.username, entra.switches.user.upn);
  });

  it('stops polling when the user presses Cancel, and the next sign-in works', async () => {
    entra.switches.deviceCodeApproval = 'manual';
    const window = openWindow();
    const signingIn = signInWithDeviceCode(window);
    await waitFor(() => window.ui.deviceCodes.length > 0, 'the device code', 3000, 10);
    window.ui.pressCancel();
    await assert.rejects(signingIn, { kind: 'userCancelled' });
    assert.equal(window.auth.account, undefined);

    entra.switches.deviceCodeApproval = 'nextPoll';
    assert.equal((await signInWithDeviceCode(window)).username, entra.switches.user.upn);
  });

  it('reports a refused consent with the service\'s words and stays signed out', async () => {
    entra.switches.denyConsent = true;
    const window = openWindow();
    await assert.rejects(signInWithDeviceCode(window), (error: { kind?: string; message?: string }) => {
      assert.equal(error.kind, 'signInFailed');
      assert.match(error.message ?? '', /consent_required/);
      // The reason alone: the Sign In command says "Sign-in failed: " in front of it.
      assert.doesNotMatch(error.message ?? '', /^Sign-in failed/i);
      return true;
    });
    assert.equal(window.auth.account, undefined);
  });
});

describe('browser sign-in', () => {
  it('opens the authorize page and finishes through the form POST to MSAL\'s loopback listener', async () => {
    const window = openWindow();
    let loopbackPage: Promise<{ status: number; body: string }> | undefined;
    window.ui.onOpen = (url) => {
      loopbackPage = completeBrowserSignIn(url, entra.caPem);
    };
    const account = await window.auth.signIn('browser');

    assert.equal(account.username, entra.switches.user.upn);
    const authorize = new URL(window.ui.opened[0]);
    assert.equal(authorize.origin + authorize.pathname, `${entra.url}/organizations/oauth2/v2.0/authorize`);
    assert.equal(authorize.searchParams.get('response_mode'), 'form_post');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+$/);
    assert.equal(authorize.searchParams.get('scope')?.split(' ').includes(endpoints.scope), true);
    const page = await loopbackPage;
    assert.equal(page?.status, 200);
    assert.match(page?.body ?? '', /return to VS Code/);
    assert.equal(await listActions(await window.auth.getAccessToken({ forceRefresh: false })), 200);
  });

  it('Cancel ends the wait at once and frees MSAL\'s loopback listener', async () => {
    const window = openWindow();
    window.ui.onOpen = () => setImmediate(() => window.ui.pressCancel());
    await assert.rejects(window.auth.signIn('browser'), { kind: 'userCancelled' });
    const redirectUri = new URL(window.ui.opened[0]).searchParams.get('redirect_uri') ?? '';
    await waitUntilClosed(Number(new URL(redirectUri).port));
    // The queue is free again: another MSAL call completes.
    window.ui.onOpen = () => undefined;
    assert.equal((await signInWithDeviceCode(window)).username, entra.switches.user.upn);
  });

  it('times out when the browser never comes back', async () => {
    const window = openWindow(undefined, 300);
    await assert.rejects(window.auth.signIn('browser'), { kind: 'timeout' });
    assert.equal(window.auth.account, undefined);
  });

  it('reports a refused consent from the authorize page', async () => {
    entra.switches.denyConsent = true;
    const window = openWindow();
    window.ui.onOpen = (url) => void completeBrowserSignIn(url, entra.caPem);
    await assert.rejects(window.auth.signIn('browser'), (error: { kind?: string; message?: string }) => {
      assert.equal(error.kind, 'signInFailed');
      assert.match(error.message ?? '', /AADSTS65001/);
      return true;
    });
  });
});

describe('tokens', () => {
  it('serves the cached token until it is close to expiry, then refreshes silently', async () => {
    const window = openWindow();
    await signInWithDeviceCode(window);
    const refreshes = tokenRequests('refresh_token');
    const first = await window.auth.getAccessToken({ forceRefresh: false });
    assert.equal(await window.auth.getAccessToken({ forceRefresh: false }), first);
    assert.equal(tokenRequests('refresh_token'), refreshes, 'a fresh cached token costs no request');

    // Tokens living 2 minutes are inside MSAL's 5-minute renewal window: each one is due for a refresh at once.
    entra.switches.accessTokenLifetimeSeconds = 120;
    const renewed = await window.auth.getAccessToken({ forceRefresh: true });
    const again = await window.auth.getAccessToken({ forceRefresh: false });
    assert.notEqual(again, renewed);
    assert.equal(tokenRequests('refresh_token'), refreshes + 2);
    assert.equal(await listActions(again), 200);
    assert.equal(window.ui.opened.length, 0, 'no sign-in page was ever opened');
  });

  it('forceRefresh gets a new token after the API rejected the cached one (401)', async () => {
    const window = openWindow();
    await signInWithDeviceCode(window);
    const cached = await window.auth.getAccessToken({ forceRefresh: false });
    entra.expireTokensNow();
    assert.equal(await listActions(cached), 401);
    assert.equal(await window.auth.getAccessToken({ forceRefresh: false }), cached, 'MSAL still trusts its cache');
    const fresh = await window.auth.getAccessToken({ forceRefresh: true });
    assert.notEqual(fresh, cached);
    assert.equal(await listActions(fresh), 200);
  });

  it('a revoked refresh token ends the session: signed out, cache entry gone, no browser', async () => {
    const window = openWindow();
    await signInWithDeviceCode(window);
    const opened = window.ui.opened.length;
    const signedOut = nextAccountChange(window.auth);
    entra.revokeRefreshTokens();

    await assert.rejects(window.auth.getAccessToken({ forceRefresh: true }), (error) => isSignInRequired(error));
    assert.equal(await signedOut, undefined);
    assert.equal(window.auth.account, undefined);
    assert.equal(window.secrets.values.has(window.auth.cacheKey), false);
    assert.equal(window.ui.opened.length, opened);
    await assert.rejects(window.auth.getAccessToken({ forceRefresh: false }), (error) => isSignInRequired(error));
  });

  it('without an account, asks for sign-in without any request', async () => {
    const window = openWindow();
    const requests = entra.requests.length;
    assert.equal(await window.auth.loadAccount(), undefined);
    await assert.rejects(window.auth.getAccessToken({ forceRefresh: false }), (error) => isSignInRequired(error));
    assert.equal(entra.requests.length, requests);
  });
});

describe('token cache in SecretStorage', () => {
  it('a second window sees the first one\'s account and uses its cached token', async () => {
    const first = openWindow();
    await signInWithDeviceCode(first);
    const token = await first.auth.getAccessToken({ forceRefresh: false });
    assert.deepEqual([...first.secrets.values.keys()], [first.auth.cacheKey], 'one SecretStorage entry, nothing else');
    assert.deepEqual([...first.state.values.values()], [first.auth.account?.homeAccountId], 'globalState holds only the account id');

    const second = openWindow(first);
    const account = await second.auth.loadAccount();
    assert.equal(account?.username, entra.switches.user.upn);
    assert.equal(await second.auth.getAccessToken({ forceRefresh: false }), token);
    assert.equal(second.ui.opened.length, 0);
  });

  it('a window follows a sign-in and a sign-out made in another window', async () => {
    const first = openWindow();
    const second = openWindow(first);
    assert.equal(await second.auth.loadAccount(), undefined);

    const signedInThere = nextAccountChange(second.auth);
    await signInWithDeviceCode(first);
    assert.equal((await signedInThere)?.username, entra.switches.user.upn);

    const signedOutThere = nextAccountChange(second.auth);
    await first.auth.signOut();
    assert.equal(await signedOutThere, undefined);
  });

  it('sign out removes the account, the cache entry and the remembered account id', async () => {
    const window = openWindow();
    await signInWithDeviceCode(window);
    assert.equal(window.secrets.values.has(window.auth.cacheKey), true);
    await window.auth.signOut();
    assert.equal(window.auth.account, undefined);
    assert.equal(window.secrets.values.size, 0);
    assert.equal(window.state.values.size, 0);
    await assert.rejects(window.auth.getAccessToken({ forceRefresh: false }), (error) => isSignInRequired(error));
    assert.equal(await openWindow(window).auth.loadAccount(), undefined, 'a new window finds nobody signed in');
  });

  it('an unreadable cache entry counts as signed out and the next sign-in replaces it', async () => {
    const window = openWindow();
    await window.secrets.store(window.auth.cacheKey, '{"Account": {"broken');
    assert.equal(await window.auth.loadAccount(), undefined);
    await signInWithDeviceCode(window);
    assert.equal((await openWindow(window).auth.loadAccount())?.username, entra.switches.user.upn);
  });

  it('signing in as someone else replaces the cached account', async () => {
    const window = openWindow();
    await signInWithDeviceCode(window);
    const original = { ...entra.switches.user };
    entra.switches.user = { ...original, upn: 'ir-lead@contoso.com', name: 'Ira Lead', oid: '9e8d7c6b-5a49-4382-9160-5f4e3d2c1b0a' };
    try {
      const account = await signInWithDeviceCode(window);
      assert.equal(account.username, 'ir-lead@contoso.com');
      const reloaded = await openWindow(window).auth.loadAccount();
      assert.equal(reloaded?.username, 'ir-lead@contoso.com');
      assert.equal(entra.verifyAccessToken(await window.auth.getAccessToken({ forceRefresh: false }))?.upn, 'ir-lead@contoso.com');
    } finally {
      entra.switches.user = original;
    }
  });
});

describe('claims challenge (Conditional Access, continuous access evaluation)', () => {
  const CLAIMS = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });

  function apiClient(window: Window): DefenderClient {
    return new DefenderClient({
      apiBaseUrl: defender.url, getAccessToken: (options) => window.auth.getAccessToken(options), logger: window.log,
      onClaimsUnmet: (claims) => window.auth.requireClaims(claims), agent: new https.Agent({ ca: defender.caPem }),
    });
  }

  /** The signed-in window's client as the extension gets it: ClientCache over the sign-in, on the simulator's CA. */
  function cachedClient(window: Window): DefenderClient {
    const clients = new ClientCache(window.auth, window.log, undefined, new https.Agent({ ca: defender.caPem }));
    const client = clients.clientFor(window.auth.account, defender.url);
    assert.ok(client, 'signed in and configured: a client');
    return client;
  }

  /** A client wired by hand, and the one the extension's ClientCache makes: the claims must pass through both. */
  const CLIENTS = [['a client', apiClient], ['the ClientCache\'s client', cachedClient]] as const;

  /** The access-token claims the last token request of `grantType` asked for. */
  function claimsSent(grantType: string): Record<string, unknown> | undefined {
    const sent = entra.requests.filter((r) => r.grantType === grantType).at(-1)?.claims;
    return sent ? (JSON.parse(sent) as { access_token?: Record<string, unknown> }).access_token : undefined;
  }

  for (const [made, clientOf] of CLIENTS) {
    for (const error of ['insufficient_claims', 'invalid_token'] as const) {
      it(`${made}: declares CP1, and on a 401 with error="${error}" and claims gets a token carrying them silently: the API accepts it`, async () => {
        const window = openWindow();
        await signInWithDeviceCode(window);
        assert.deepEqual(claimsSent('device_code')?.xms_cc, { values: ['CP1'] }, 'the client capability CP1 is declared');
        defender.requireClaims(CLAIMS, error);
        const before = defender.requests.length;

        const listed = await clientOf(window).listMachineActions({ lookbackDays: 7, top: 5 });
        assert.ok(listed.actions.length > 0);
        assert.deepEqual(defender.requests.slice(before).map((r) => r.status), [401, 200]);
        assert.deepEqual(claimsSent('refresh_token')?.acrs, { essential: true, value: 'c1' }, 'the decoded claims went to the token request');
        assert.equal(window.ui.opened.length, 0, 'no sign-in page opened');
      });
    }

    it(`${made}: a token that still does not satisfy the challenge ends the request after one claims round, says why, and Sign In passes the claims: no loop`, async () => {
      const window = openWindow();
      await signInWithDeviceCode(window);
      // Entra keeps a token's own tid whatever the claims ask: no silent token can satisfy this challenge.
      const tid = '00000000-0000-4000-8000-000000000000';
      defender.requireClaims(JSON.stringify({ access_token: { tid: { essential: true, value: tid } } }));
      const before = defender.requests.length;
      await assert.rejects(clientOf(window).listMachineActions({ lookbackDays: 7, top: 5 }), (error: Error & { status?: number }) => {
        assert.equal(error.status, 401);
        assert.match(error.message, /Conditional Access policy .* asks you to sign in again/);
        return true;
      });
      assert.deepEqual(defender.requests.slice(before).map((r) => r.status), [401, 401]);
      assert.ok(window.log.messages().some((line) => /still asks for claims a renewed token did not satisfy/.test(line)), 'the sign-in heard of the unmet claims');
      await signInWithDeviceCode(window);
      assert.deepEqual(claimsSent('device_code')?.tid, { essential: true, value: tid }, 'Sign In passed the claims the API still asked for');
    });
  }

  it('a claims challenge on the refreshed token\'s 401 (after a plain 401) still gets its claims round', async () => {
    const window = openWindow();
    await signInWithDeviceCode(window);
    defender.failNext({ kind: 'status', status: 401 });
    defender.requireClaims(CLAIMS);
    const before = defender.requests.length;
    const listed = await apiClient(window).listMachineActions({ lookbackDays: 7, top: 5 });
    assert.ok(listed.actions.length > 0);
    assert.deepEqual(defender.requests.slice(before).map((r) => r.status), [401, 401, 200]);
    assert.deepEqual(claimsSent('refresh_token')?.acrs, { essential: true, value: 'c1' }, 'the decoded claims went to the token request');
  });

  it('when only a sign-in can satisfy them, says a Conditional Access policy asks for it, without a loop, and Sign In passes them', async () => {
    entra.switches.claimsNeedInteraction = true;
    const window = openWindow();
    await signInWithDeviceCode(window);
    defender.requireClaims(CLAIMS);
    const client = apiClient(window);
    for (let round = 0; round < 2; round++) {
      const before = defender.requests.length;
      await assert.rejects(client.listMachineActions({ lookbackDays: 7, top: 5 }), (error: Error) => {
        assert.ok(isSignInRequired(error), String(error));
        assert.match(error.message, /Conditional Access policy .* asks you to sign in again/);
        return true;
      });
      assert.equal(defender.requests.length - before, 1, 'the challenge only: no retry without the claims, no loop');
    }
    assert.equal(window.auth.account?.username, entra.switches.user.upn, 'still signed in: the session itself is valid');

    await signInWithDeviceCode(window);
    assert.deepEqual(claimsSent('device_code')?.acrs, { essential: true, value: 'c1' }, 'Sign In passed the claims');
    const before = defender.requests.length;
    await client.listMachineActions({ lookbackDays: 7, top: 5 });
    assert.deepEqual(defender.requests.slice(before).map((r) => r.status), [200]);
  });
});

describe('two windows and one rotated refresh token', () => {
  it('the window that loses the race retries with the rotated token: both keep working, nobody is signed out', async () => {
    entra.switches.rotateRefreshTokens = true;
    const first = openWindow();
    await signInWithDeviceCode(first);
    const second = openWindow(first, undefined, new MsalQueue());
    await second.auth.loadAccount();
    const refreshes = entra.requests.filter((r) => r.grantType === 'refresh_token').length;

    const tokens = await Promise.all([first.auth.getAccessToken({ forceRefresh: true }), second.auth.getAccessToken({ forceRefresh: true })]);
    const raced = entra.requests.filter((r) => r.grantType === 'refresh_token').slice(refreshes).map((r) => r.status);
    assert.deepEqual([...raced].sort(), [200, 200, 400], 'both redeemed the same refresh token; the loser retried with the new one');
    for (const token of tokens) {
      assert.equal(await listActions(token), 200);
    }
    for (const window of [first, second]) {
      assert.equal(window.auth.account?.username, entra.switches.user.upn);
    }
    // The shared entry holds the newest refresh token: each window can still renew.
    assert.notEqual(await second.auth.getAccessToken({ forceRefresh: true }), tokens[1]);
    assert.notEqual(await first.auth.getAccessToken({ forceRefresh: true }), tokens[0]);
  });

  it('three windows renewing at once, round after round: each retry re-reads the entry, every window gets a token', async () => {
    entra.switches.rotateRefreshTokens = true;
    const first = openWindow();
    await signInWithDeviceCode(first);
    const windows = [first];
    for (let i = 0; i < 2; i++) {
      const other = openWindow(first, undefined, new MsalQueue());
      await other.auth.loadAccount();
      windows.push(other);
    }
    for (let round = 1; round <= 3; round++) {
      const tokens = await Promise.all(windows.map((w) => w.auth.getAccessToken({ forceRefresh: true })));
      for (const token of tokens) {
        assert.equal(await listActions(token), 200, `round ${round}`);
      }
      for (const window of windows) {
        assert.equal(window.auth.account?.username, entra.switches.user.upn, `round ${round}: nobody signed out`);
      }
    }
  });

  it('a refresh token that is revoked for good still ends the session, in every window', async () => {
    const first = openWindow();
    await signInWithDeviceCode(first);
    const second = openWindow(first, undefined, new MsalQueue());
    await second.auth.loadAccount();
    const signedOutThere = nextAccountChange(first.auth);
    entra.revokeRefreshTokens();
    await assert.rejects(second.auth.getAccessToken({ forceRefresh: true }), (error) => isSignInRequired(error));
    assert.equal(await signedOutThere, undefined);
    assert.equal(first.secrets.values.has(first.auth.cacheKey), false);
  });
});

describe('MsalQueue', () => {
  it('runs tasks one at a time in order, and a failure does not stop the next', async () => {
    const order: string[] = [];
    const q = new MsalQueue();
    const task = (name: string, ms: number, fail = false) => () => new Promise<string>((resolve, reject) => {
      order.push(`start ${name}`);
      setTimeout(() => {
        order.push(`end ${name}`);
        if (fail) {
          reject(new Error(name));
        } else {
          resolve(name);
        }
      }, ms);
    });
    const results = await Promise.allSettled([q.run(task('a', 30)), q.run(task('b', 5, true)), q.run(task('c', 1))]);
    assert.deepEqual(order, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });
});

describe('network client', () => {
  it('refuses plain http and times out on a silent server', async () => {
    const client = createNetworkClient({ timeoutMs: 200 });
    await assert.rejects(client.sendGetRequestAsync('http://127.0.0.1:1/x'), /https only/);

    const tls = ensureTlsMaterial();
    const silent = https.createServer({ key: tls.keyPem, cert: tls.certPem }, () => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const started = Date.now();
      await assert.rejects(createNetworkClient({ ca: tls.caPem, timeoutMs: 200 }).sendPostRequestAsync(`https://127.0.0.1:${port}/token`), /timed out/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('network client body cap', () => {
  it('stops reading a gzip answer that inflates past 1 MiB, with a clear error; a small one is read', async () => {
    const tls = ensureTlsMaterial();
    const inflated = (bytes: number) => zlib.gzipSync(Buffer.from(`{"x":"${'a'.repeat(bytes)}"}`));
    const bomb = inflated(MAX_AUTH_BODY_BYTES + 1024);
    const small = inflated(1000);
    const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(req.url === '/small' ? small : bomb);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const failures: string[] = [];
      const client = createNetworkClient({ ca: tls.caPem, timeoutMs: 5000, onFailure: (message) => failures.push(message) });
      await assert.rejects(client.sendGetRequestAsync(`${origin}/discovery`), (error: { errorCode?: string; errorMessage?: string }) => {
        assert.equal(error.errorCode, 'network_error');
        assert.match(error.errorMessage ?? '', /^GET https:\/\/127\.0\.0\.1:\d+\/discovery answered HTTP 200 with a body larger than the 1 MiB a sign-in answer may have; not read/);
        return true;
      });
      await assert.rejects(client.sendPostRequestAsync(`${origin}/token`, { body: 'refresh_token=secret' }), /larger than the 1 MiB/);
      assert.equal(failures.length, 2);
      assert.equal((await client.sendGetRequestAsync<{ x: string }>(`${origin}/small`)).body.x.length, 1000);
    } finally {
      server.close();
    }
  });
});

describe('redirects from the sign-in service', () => {
  /** A plain-http server that records every request it receives (it must receive none). */
  async function startRecorder(): Promise<{ url: string; received: string[]; close: () => Promise<void> }> {
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url}`);
      req.resume();
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      received,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  function refusedRedirect(method: 'GET' | 'POST') {
    return (error: { kind?: string; message?: string }) => {
      assert.equal(error.kind, 'network');
      assert.match(error.message ?? '', new RegExp(`${method} https://127\\.0\\.0\\.1:\\d+/\\S+ answered a redirect \\(HTTP 307\\), which is refused`));
      return true;
    };
  }

  it('a token endpoint answering 307 to an http server: the refresh token goes nowhere, the refresh fails clearly', async () => {
    const recorder = await startRecorder();
    try {
      const window = openWindow();
      await signInWithDeviceCode(window);
      entra.switches.redirectTo = recorder.url;
      await assert.rejects(window.auth.getAccessToken({ forceRefresh: true }), refusedRedirect('POST'));
      assert.deepEqual(recorder.received, []);
      assert.equal(window.auth.account?.username, entra.switches.user.upn, 'a refused redirect does not sign out');
    } finally {
      await recorder.close();
    }
  });

  it('discovery (GET) answering 307: sign-in fails clearly and nothing reaches the redirect target', async () => {
    const recorder = await startRecorder();
    try {
      entra.switches.redirectTo = recorder.url;
      const window = openWindow();
      await assert.rejects(signInWithDeviceCode(window), refusedRedirect('GET'));
      assert.deepEqual(recorder.received, []);
      assert.equal(window.auth.account, undefined);
    } finally {
      await recorder.close();
    }
  });

  for (const status of [301, 302, 303, 307, 308]) {
    it(`the network client refuses a ${status} for GET and POST`, async () => {
      const tls = ensureTlsMaterial();
      const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (_req, res) => {
        res.writeHead(status, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
        const client = createNetworkClient({ ca: tls.caPem, timeoutMs: 2000 });
        await assert.rejects(client.sendGetRequestAsync(url), new RegExp(`answered a redirect \\(HTTP ${status}\\), which is refused`));
        await assert.rejects(client.sendPostRequestAsync(url, { body: 'refresh_token=secret' }), /which is refused/);
      } finally {
        server.close();
      }
    });
  }
});

describe('logging', () => {
  it('MSAL logs reach the log without any token or code text, and without PII', () => {
    assert.ok(allLogs.messages().some((line) => line.includes('MSAL')), 'MSAL log lines arrive');
    const secrets = entra.issuedSecrets();
    assert.ok(secrets.length > 10, 'the flows above issued tokens');
    const leaks = allLogs.messages().filter((line) => secrets.some((secret) => line.includes(secret)));
    assert.deepEqual(leaks, []);
    const pii = [entra.switches.user.upn, entra.switches.user.name, 'ir-lead@contoso.com', 'Ira Lead'];
    assert.deepEqual(allLogs.messages().filter((line) => pii.some((text) => line.includes(text))), []);
  });
});

async function waitUntilClosed(port: number): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const request = http.request({ host: '127.0.0.1', port, path: '/', method: 'GET' }, (response) => {
        response.resume();
        resolve(true);
      });
      request.on('error', () => resolve(false));
      request.end();
    });
    if (!open) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`MSAL's loopback listener on port ${port} is still open`);
}
