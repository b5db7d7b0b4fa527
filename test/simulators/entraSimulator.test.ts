// The Entra ID simulator speaks the protocol the way msal-node 7 needs it (auth.test.ts drives it through MSAL);
// here its contract is checked directly over HTTPS, including the switches and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fetch from 'node-fetch';
import { type DefenderSimulator, startDefenderSimulator } from './defenderSimulator';
import { DEFAULT_USER, type EntraSimulator, startEntraSimulator } from './entraSimulator';

const CLIENT_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const REDIRECT_URI = 'http://localhost:53123';

let entra: EntraSimulator;
let defender: DefenderSimulator;
let agent: https.Agent;
let scope: string;

before(async () => {
  entra = await startEntraSimulator({ clientId: CLIENT_ID, deviceCodeIntervalSeconds: 0.1 });
  defender = await startDefenderSimulator({ verifyToken: (token) => entra.verifyAccessToken(token) });
  agent = new https.Agent({ ca: entra.caPem });
  scope = `${defender.url}/.default openid profile offline_access`;
});

after(async () => {
  await Promise.all([entra.close(), defender.close()]);
});

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { agent });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

async function postForm(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(form), agent });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

function claims(jwt: unknown): Record<string, unknown> {
  return JSON.parse(Buffer.from(String(jwt).split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

const tokenUrl = () => `${entra.url}/organizations/oauth2/v2.0/token`;

/** Runs the authorize step like a browser and returns the fields of the auto-submitting form. */
async function authorize(challenge: string, extra: Record<string, string> = {}): Promise<URLSearchParams> {
  const query = new URLSearchParams({
    client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', response_mode: 'form_post', scope,
    state: 'state-123', code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  });
  const response = await fetch(`${entra.url}/organizations/oauth2/v2.0/authorize?${query}`, { agent });
  assert.equal(response.status, 200);
  const html = await response.text();
  assert.match(html, new RegExp(`<form method="POST" action="${REDIRECT_URI}">`));
  assert.match(html, /document\.forms\[0\]\.submit\(\)/, 'the form submits itself');
  return new URLSearchParams([...html.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map(([, name, value]): [string, string] => [name, value]));
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

describe('Entra ID simulator', () => {
  it('publishes the OpenID configuration MSAL needs, on https under its own origin', async () => {
    const { status, body } = await getJson(`${entra.url}/organizations/v2.0/.well-known/openid-configuration`);
    assert.equal(status, 200);
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'device_authorization_endpoint', 'end_session_endpoint', 'jwks_uri']) {
      assert.ok(String(body[field]).startsWith(`${entra.url}/`), `${field}: ${String(body[field])}`);
    }
    const unknownTenant = await getJson(`${entra.url}/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration`);
    assert.equal(unknownTenant.status, 400);
    assert.equal(unknownTenant.body.error, 'invalid_tenant');
  });

  it('authorization code: form_post with code, state and client_info; PKCE checked; the code works once', async () => {
    const wrong = pkce();
    const rejected = await postForm(tokenUrl(), {
      client_id: CLIENT_ID, grant_type: 'authorization_code', code: (await authorize(wrong.challenge)).get('code') ?? '',
      redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier, scope,
    });
    assert.equal(rejected.status, 400);
    assert.equal(rejected.body.error, 'invalid_grant');

    const { verifier, challenge } = pkce();
    const fields = await authorize(challenge, { nonce: 'nonce-42' });
    assert.equal(fields.get('state'), 'state-123');
    assert.deepEqual(JSON.parse(Buffer.from(fields.get('client_info') ?? '', 'base64url').toString()), { uid: DEFAULT_USER.oid, utid: DEFAULT_USER.tid });
    const redeem = { client_id: CLIENT_ID, grant_type: 'authorization_code', code: fields.get('code') ?? '', redirect_uri: REDIRECT_URI, code_verifier: verifier, scope };
    const { status, body } = await postForm(tokenUrl(), redeem);
    assert.equal(status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.ok(String(body.scope).split(' ').includes(`${defender.url}/.default`));
    assert.equal(body.client_info, fields.get('client_info'));
    const id = claims(body.id_token);
    assert.equal(id.aud, CLIENT_ID);
    assert.equal(id.nonce, 'nonce-42');
    assert.equal(id.preferred_username, DEFAULT_USER.upn);
    assert.equal(id.tid, DEFAULT_USER.tid);
    assert.equal(id.oid, DEFAULT_USER.oid);
    for (const claim of ['iss', 'sub', 'name', 'iat', 'exp']) {
      assert.ok(id[claim] !== undefined, claim);
    }
    const access = claims(body.access_token);
    assert.equal(access.aud, defender.url);
    assert.equal(access.upn, DEFAULT_USER.upn);
    assert.match(String(access.scp), /Machine\.Read/);
    assert.equal((await postForm(tokenUrl(), redeem)).body.error, 'invalid_grant', 'a code is single-use');
  });

  it('refuses an unknown client and a non-loopback redirect URI', async () => {
    const token = await postForm(tokenUrl(), { client_id: 'someone-else', grant_type: 'refresh_token', refresh_token: 'x', scope });
    assert.equal(token.body.error, 'unauthorized_client');
    const query = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: 'https://evil.example/cb', response_type: 'code', scope, code_challenge: 'x', code_challenge_method: 'S256' });
    const response = await fetch(`${entra.url}/organizations/oauth2/v2.0/authorize?${query}`, { agent });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /AADSTS50011/);
  });

  it('device code: pending until approved (manual mode, by a switch or on the page), with MSAL\'s short grant type or the RFC URN', async () => {
    entra.switches.deviceCodeApproval = 'manual';
    try {
      for (const grantType of ['device_code', 'urn:ietf:params:oauth:grant-type:device_code']) {
        const code = await postForm(`${entra.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope });
        assert.equal(code.status, 200);
        assert.equal(code.body.interval, 0.1);
        assert.equal(code.body.verification_uri, `${entra.url}/devicelogin`);
        const poll = { client_id: CLIENT_ID, grant_type: grantType, device_code: String(code.body.device_code), scope };
        assert.equal((await postForm(tokenUrl(), poll)).body.error, 'authorization_pending');
        if (grantType === 'device_code') {
          assert.equal(entra.approveDeviceCodes(String(code.body.user_code)), 1);
        } else {
          // The way a person does it: the verification page with the code typed in.
          const page = await fetch(String(code.body.verification_uri), { method: 'POST', body: new URLSearchParams({ user_code: String(code.body.user_code) }), agent });
          assert.equal(page.status, 200);
        }
        const done = await postForm(tokenUrl(), poll);
        assert.equal(done.status, 200, grantType);
        assert.equal(claims(done.body.id_token).preferred_username, DEFAULT_USER.upn);
      }
    } finally {
      entra.switches.deviceCodeApproval = 'nextPoll';
    }
  });

  it('device code: with an approval delay, the automatic approval waits until the code is that old', async () => {
    entra.switches.deviceCodeApprovalDelaySeconds = 0.3;
    try {
      const code = await postForm(`${entra.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope });
      const poll = { client_id: CLIENT_ID, grant_type: 'device_code', device_code: String(code.body.device_code), scope };
      assert.equal((await postForm(tokenUrl(), poll)).body.error, 'authorization_pending');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await postForm(tokenUrl(), poll)).status, 200);
    } finally {
      entra.switches.deviceCodeApprovalDelaySeconds = 0;
    }
  });

  it('refresh tokens work until revoked, then answer invalid_grant with suberror bad_token', async () => {
    const code = await postForm(`${entra.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope });
    const signedIn = await postForm(tokenUrl(), { client_id: CLIENT_ID, grant_type: 'device_code', device_code: String(code.body.device_code), scope });
    const refresh = { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: String(signedIn.body.refresh_token), scope };
    assert.equal((await postForm(tokenUrl(), refresh)).status, 200);
    entra.revokeRefreshTokens();
    const revoked = await postForm(tokenUrl(), refresh);
    assert.equal(revoked.status, 400);
    assert.equal(revoked.body.error, 'invalid_grant');
    assert.equal(revoked.body.suberror, 'bad_token');
  });

  it('rotation: with rotateRefreshTokens each refresh token works once, its successor works', async () => {
    const code = await postForm(`${entra.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope });
    const signedIn = await postForm(tokenUrl(), { client_id: CLIENT_ID, grant_type: 'device_code', device_code: String(code.body.device_code), scope });
    const refresh = (token: unknown) => postForm(tokenUrl(), { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: String(token), scope });
    entra.switches.rotateRefreshTokens = true;
    try {
      const rotated = await refresh(signedIn.body.refresh_token);
      assert.equal(rotated.status, 200);
      assert.equal((await refresh(signedIn.body.refresh_token)).body.error, 'invalid_grant', 'the redeemed one is gone');
      assert.equal((await refresh(rotated.body.refresh_token)).status, 200);
    } finally {
      entra.switches.rotateRefreshTokens = false;
    }
  });

  it('claims: recorded per token request and put into the access token; the Defender simulator\'s requireClaims checks them', async () => {
    const wanted = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' }, xms_cc: { values: ['CP1'] } } });
    const code = await postForm(`${entra.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope });
    const signedIn = await postForm(tokenUrl(), { client_id: CLIENT_ID, grant_type: 'device_code', device_code: String(code.body.device_code), scope });
    const refresh = (extra: Record<string, string>) => postForm(tokenUrl(), {
      client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: String(signedIn.body.refresh_token), scope, ...extra,
    });
    const call = async (token: unknown) => {
      const response = await fetch(`${defender.url}/api/machineactions`, { headers: { authorization: `Bearer ${String(token)}` }, agent: new https.Agent({ ca: defender.caPem }) });
      return { status: response.status, challenge: response.headers.get('www-authenticate') };
    };
    defender.requireClaims(JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } }));
    try {
      const plain = await call(signedIn.body.access_token);
      assert.equal(plain.status, 401);
      assert.match(plain.challenge ?? '', /^Bearer .*error="insufficient_claims", .*claims="[A-Za-z0-9+/=]+"$/);
      const withClaims = await refresh({ claims: wanted });
      assert.equal(entra.requests.at(-1)?.claims, wanted);
      assert.deepEqual([claims(withClaims.body.access_token).acrs, claims(withClaims.body.access_token).xms_cc], [['c1'], ['CP1']]);
      assert.equal((await call(withClaims.body.access_token)).status, 200);

      entra.switches.claimsNeedInteraction = true;
      const refused = await refresh({ claims: wanted });
      assert.equal(refused.body.error, 'interaction_required');
      assert.equal((await refresh({ claims: JSON.stringify({ access_token: { xms_cc: { values: ['CP1'] } } }) })).status, 200, 'CP1 alone needs no interaction');
    } finally {
      entra.switches.claimsNeedInteraction = false;
      defender.reset();
    }
  });

  it('redirectTo: every endpoint answers 307 to that origin with the same path', async () => {
    entra.switches.redirectTo = 'http://127.0.0.1:9';
    try {
      const response = await fetch(`${entra.url}/organizations/v2.0/.well-known/openid-configuration?x=1`, { agent, redirect: 'manual' });
      assert.equal(response.status, 307);
      assert.equal(response.headers.get('location'), 'http://127.0.0.1:9/organizations/v2.0/.well-known/openid-configuration?x=1');
    } finally {
      entra.switches.redirectTo = undefined;
    }
  });

  it('its access tokens open the Defender simulator until expired; forged ones never; too few permissions get 403', async () => {
    const tokenFor = async (): Promise<string> => {
      const code = await postForm(`${entra.url}/organizations/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope });
      const done = await postForm(tokenUrl(), { client_id: CLIENT_ID, grant_type: 'device_code', device_code: String(code.body.device_code), scope });
      return String(done.body.access_token);
    };
    const call = async (token: string, method = 'GET', suffix = '') => (await fetch(`${defender.url}/api/machineactions${suffix}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ Comment: 'test' }) : undefined, agent: new https.Agent({ ca: defender.caPem }),
    })).status;

    const token = await tokenFor();
    assert.deepEqual(entra.verifyAccessToken(token), { upn: DEFAULT_USER.upn, scopes: entra.switches.permissions, claims: claims(token) });
    assert.equal(await call(token), 200);
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims(token), upn: 'mallory@contoso.com' })).toString('base64url')}.${signature}`;
    assert.equal(entra.verifyAccessToken(forged), undefined);
    assert.equal(entra.verifyAccessToken(`${header}.${payload}`), undefined);
    assert.equal(await call(forged), 401);
    entra.expireTokensNow();
    assert.equal(await call(token), 401);

    const granted = entra.switches.permissions;
    entra.switches.permissions = ['Machine.Read'];
    try {
      const readOnly = await tokenFor();
      assert.equal(await call(readOnly), 200);
      const pending = defender.actions.find((action) => action.status === 'Pending');
      assert.ok(pending);
      assert.equal(await call(readOnly, 'POST', `/${pending.id}/cancel`), 403);
    } finally {
      entra.switches.permissions = granted;
    }
  });

  it('deny consent: the authorize form carries consent_required instead of a code', async () => {
    entra.switches.denyConsent = true;
    try {
      const fields = await authorize(pkce().challenge);
      assert.equal(fields.get('code'), null);
      assert.equal(fields.get('error'), 'consent_required');
      assert.match(fields.get('error_description') ?? '', /AADSTS65001/);
      assert.equal(fields.get('state'), 'state-123');
    } finally {
      entra.switches.denyConsent = false;
    }
  });

  it('runs as a CLI: one JSON line when ready, switches over HTTP, exits on SIGTERM', async () => {
    const script = path.join(__dirname, 'entraSimulator.js');
    const child = spawn(process.execPath, [script, '--port', '0', '--device-code', 'manual'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          if (buffered.includes('\n')) {
            resolve(buffered.split('\n')[0]);
          }
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      const ready = JSON.parse(line) as { url: string; authorityHost: string; caPath: string };
      assert.match(ready.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(ready.authorityHost, ready.url);
      const cliAgent = new https.Agent({ ca: fs.readFileSync(ready.caPath, 'utf8') });
      const discovery = await fetch(`${ready.url}/organizations/v2.0/.well-known/openid-configuration`, { agent: cliAgent });
      assert.equal(discovery.status, 200);
      const control = await fetch(`${ready.url}/_sim/approve-device-codes`, { method: 'POST', agent: cliAgent });
      assert.deepEqual(await control.json(), { approved: 0 });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});
