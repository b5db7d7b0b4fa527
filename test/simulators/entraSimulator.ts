// A Microsoft Entra ID simulator over real HTTPS on 127.0.0.1: what msal-node 7 uses for a Custom (known)
// authority, for the auth unit tests, the demo, and the host and UI tests.
//
// Start it in-process:
//   const entra = await startEntraSimulator({ clientId });
//   settings: cloud Custom, custom.authorityHost = entra.url, tenantId = entra.user.tid (or organizations)
//   const defender = await startDefenderSimulator({ verifyToken: (t) => entra.verifyAccessToken(t) });
// or as a process: `node out/test/simulators/entraSimulator.js --port 0 [--tls-dir D] [--client-id ID]
// [--device-code next-poll|manual] [--interval S] [--token-lifetime S]` prints {"url","authorityHost","caPath"} as one
// JSON line once listening and runs until SIGINT/SIGTERM; POST /_sim/<switch> flips switches from another process.
//
// Endpoints ({tenant}: organizations, common, a domain, or the user's tenant id; another GUID → 400 invalid_tenant):
//   GET  /{tenant}/v2.0/.well-known/openid-configuration   issuer, authorization/token/device/end-session endpoints, jwks_uri
//   GET  /{tenant}/discovery/v2.0/keys                     {"keys": []} (MSAL does not check id token signatures)
//   GET  /{tenant}/oauth2/v2.0/authorize                   signs the user in at once and answers with an auto-submitting
//                                                          form POST (response_mode=form_post, what MSAL 7 sends) or a
//                                                          302 (query) to the loopback redirect_uri: code, state, client_info
//   POST /{tenant}/oauth2/v2.0/devicecode                  user_code, device_code, verification_uri, expires_in, interval
//   POST /{tenant}/oauth2/v2.0/token                       grant_type authorization_code (PKCE S256 checked), device_code
//                                                          (MSAL's short form and the RFC 8628 URN), refresh_token
//   GET  /{tenant}/oauth2/v2.0/logout, GET|POST /devicelogin (a page that approves a user code)
// Tokens: HS256 JWTs signed with a per-instance key. The access token's aud is the API origin of the requested
// `{origin}/.default` scope and its scp lists the granted Machine.* permissions; the id token carries iss, aud, tid,
// oid, sub, preferred_username, name, nonce, iat, exp; every token response carries client_info.
// Claims: a token request's `claims` parameter (JSON, as MSAL sends it) is recorded in `requests` and honoured: each
// `access_token` claim asked for with `value`/`values` (e.g. `acrs` of a Conditional Access authentication context,
// `xms_cc` from the client capabilities) is put into the access token as an array, unless the token has that claim
// anyway; verifyAccessToken returns them in `claims`, which the Defender simulator's requireClaims() checks.
// Switches: expireTokensNow(), revokeRefreshTokens(), switches.denyConsent, switches.deviceCodeApproval
// ('nextPoll' | 'manual' + approveDeviceCodes()), switches.deviceCodeApprovalDelaySeconds, switches.permissions,
// switches.accessTokenLifetimeSeconds, switches.user, switches.claimsNeedInteraction (a refresh_token grant whose
// claims ask for more than the client capabilities answers interaction_required, AADSTS50076), switches.rotateRefreshTokens (a redeemed refresh token answers
// invalid_grant from then on, as a rotated one does), switches.redirectTo (every endpoint answers 307 to that origin
// plus the same path: the client must not follow).
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import type * as https from 'node:https';
import { Agent } from 'node:https';
import fetch from 'node-fetch';
import { DEFAULT_SCOPES, type TokenIdentity } from './defenderSimulator';
import { announceAndRunUntilSignal, cliOption, closeServer, htmlReply, jsonReply, listenHttps, readBody, type Reply, writeReply } from './http';
import { ANALYST_UPN } from './seedActions';
import { ensureTlsMaterial, type TlsMaterial } from './tls';

export interface EntraUser {
  upn: string;
  name: string;
  /** Object id: `oid`, `sub` and client_info's uid. */
  oid: string;
  /** Tenant id: `tid` and client_info's utid. */
  tid: string;
}

export const DEFAULT_USER: Readonly<EntraUser> = {
  upn: ANALYST_UPN,
  name: 'Alex Analyst',
  oid: '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
  tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
};

export type DeviceCodeApproval = 'nextPoll' | 'manual';

export interface EntraSimulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  /** Default: ensureTlsMaterial(). */
  tls?: TlsMaterial;
  /** The only client id accepted (AADSTS700016 otherwise); default: any. */
  clientId?: string;
  user?: Partial<EntraUser>;
  /** Granted delegated permissions (the access token's scp); default the Defender simulator's DEFAULT_SCOPES. */
  permissions?: readonly string[];
  accessTokenLifetimeSeconds?: number;
  /** The polling interval told to MSAL; fractions are fine (MSAL multiplies by 1000). Default 1. */
  deviceCodeIntervalSeconds?: number;
  deviceCodeApproval?: DeviceCodeApproval;
  /** With 'nextPoll': a poll approves a code only once it is this old (MSAL polls at once); default 0. */
  deviceCodeApprovalDelaySeconds?: number;
}

export interface EntraSwitches {
  user: EntraUser;
  permissions: string[];
  accessTokenLifetimeSeconds: number;
  deviceCodeApproval: DeviceCodeApproval;
  deviceCodeApprovalDelaySeconds: number;
  /** Authorize and device-code sign-ins end in AADSTS65001 (no consent). */
  denyConsent: boolean;
  /** Claims beyond `xms_cc` can only be satisfied interactively (MFA): refresh_token grants with them are refused. */
  claimsNeedInteraction: boolean;
  /** Each refresh token works once: redeeming it revokes it (the new one comes with the answer). */
  rotateRefreshTokens: boolean;
  /** When set (an origin such as http://127.0.0.1:9), every endpoint answers 307 to it with the same path and query. */
  redirectTo?: string;
}

export interface EntraRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** For token requests. */
  grantType?: string;
  /** The `claims` parameter of a token request, as sent (JSON). */
  claims?: string;
  status: number;
}

interface Grant {
  clientId: string;
  user: EntraUser;
  /** Requested scopes, space separated, as sent. */
  scope: string;
  /** The token request's `claims` parameter (JSON), if any. */
  claims?: string;
}

interface AuthCode extends Grant {
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  expiresAt: number;
}

interface DeviceCode extends Grant {
  userCode: string;
  issuedAt: number;
  expiresAt: number;
  approved: boolean;
}

interface RefreshToken extends Grant {
  revoked: boolean;
}

const CODE_LIFETIME_MS = 10 * 60_000;
const DEVICE_CODE_LIFETIME_S = 900;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_CONSENT = 'AADSTS65001: The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.';

export class EntraSimulator {
  readonly url: string;
  readonly switches: EntraSwitches;
  readonly requests: EntraRequest[] = [];
  private readonly signingKey = crypto.randomBytes(32);
  private readonly codes = new Map<string, AuthCode>();
  private readonly deviceCodes = new Map<string, DeviceCode>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  /** jti of every access token that still counts as valid (expireTokensNow empties it). */
  private readonly liveAccessTokens = new Set<string>();
  private readonly issued: string[] = [];

  constructor(private readonly server: https.Server, readonly port: number, private readonly tls: TlsMaterial, private readonly options: EntraSimulatorOptions) {
    this.url = `https://127.0.0.1:${port}`;
    this.switches = {
      user: { ...DEFAULT_USER, ...options.user },
      permissions: [...(options.permissions ?? DEFAULT_SCOPES)],
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
      deviceCodeApproval: options.deviceCodeApproval ?? 'nextPoll',
      deviceCodeApprovalDelaySeconds: options.deviceCodeApprovalDelaySeconds ?? 0,
      denyConsent: false,
      rotateRefreshTokens: false,
      claimsNeedInteraction: false,
    };
  }

  /** What mdeActions.custom.authorityHost is set to. */
  get authorityHost(): string {
    return this.url;
  }

  get caPath(): string {
    return this.tls.caPath;
  }

  get caPem(): string {
    return this.tls.caPem;
  }

  /** Every access token issued so far is rejected by verifyAccessToken from now on (MSAL's cache still holds them). */
  expireTokensNow(): void {
    this.liveAccessTokens.clear();
  }

  /** Every refresh token issued so far answers invalid_grant (bad_token) from now on. */
  revokeRefreshTokens(): void {
    for (const token of this.refreshTokens.values()) {
      token.revoked = true;
    }
  }

  /** Approves the pending device codes (all, or the one with this user code); returns how many. */
  approveDeviceCodes(userCode?: string): number {
    let approved = 0;
    for (const code of this.deviceCodes.values()) {
      if (!code.approved && (userCode === undefined || code.userCode === userCode.toUpperCase())) {
        code.approved = true;
        approved++;
      }
    }
    return approved;
  }

  /** The identity behind an access token this simulator issued, while it is valid; for startDefenderSimulator's verifyToken. */
  verifyAccessToken(token: string): TokenIdentity | undefined {
    const claims = this.verifyJwt(token);
    if (!claims || typeof claims.jti !== 'string' || !this.liveAccessTokens.has(claims.jti)
      || typeof claims.exp !== 'number' || claims.exp <= nowSeconds() || typeof claims.scp !== 'string') {
      return undefined;
    }
    return { upn: String(claims.upn), scopes: claims.scp.split(' ').filter(Boolean), claims };
  }

  /** Every token and code handed out (access, refresh and id tokens, authorization and device codes): none may be logged. */
  issuedSecrets(): readonly string[] {
    return this.issued;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    const reply = this.redirect(url) ?? this.route(method, url, body);
    this.requests.push({
      method, path: url.pathname, grantType: body.get('grant_type') ?? undefined, claims: body.get('claims') ?? undefined, status: reply.status,
    });
    writeReply(res, reply);
  }

  private redirect(url: URL): Reply | undefined {
    const target = this.switches.redirectTo;
    if (!target || url.pathname.startsWith('/_sim/')) {
      return undefined;
    }
    return { status: 307, headers: { location: new URL(url.pathname + url.search, target).toString() }, body: '' };
  }

  private route(method: string, url: URL, body: URLSearchParams): Reply {
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/devicelogin') {
      return this.deviceLogin(method, body);
    }
    const control = /^\/_sim\/([a-z-]+)$/.exec(path);
    if (control && method === 'POST') {
      return this.control(control[1]);
    }
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/(?:authorize|token|devicecode|logout))$/.exec(path);
    if (!match) {
      return jsonReply(404, { error: 'not_found', error_description: `No such endpoint: ${method} ${path}` });
    }
    const [, tenant, endpoint] = match;
    if (GUID.test(tenant) && tenant.toLowerCase() !== this.switches.user.tid.toLowerCase()) {
      return jsonReply(400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
    }
    const base = `${this.url}/${tenant}`;
    switch (`${method} ${endpoint}`) {
      case 'GET v2.0/.well-known/openid-configuration':
        return jsonReply(200, {
          issuer: `${this.url}/${this.switches.user.tid}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          response_types_supported: ['code'],
          scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['HS256'],
          token_endpoint_auth_methods_supported: ['none'],
          code_challenge_methods_supported: ['S256'],
          tenant_region_scope: 'NA',
        });
      case 'GET discovery/v2.0/keys':
        return jsonReply(200, { keys: [] });
      case 'GET oauth2/v2.0/authorize':
        return this.authorize(url.searchParams);
      case 'POST oauth2/v2.0/devicecode':
        return this.deviceCode(body);
      case 'POST oauth2/v2.0/token':
        return this.token(body);
      case 'GET oauth2/v2.0/logout':
        return htmlReply(200, page('Signed out', 'You have signed out of the Entra ID simulator.'));
      default:
        return jsonReply(405, { error: 'invalid_request', error_description: `${method} is not supported on ${path}` });
    }
  }

  private authorize(query: URLSearchParams): Reply {
    const clientProblem = this.checkClient(query.get('client_id'));
    if (clientProblem) {
      return htmlReply(400, page('Sign-in error', clientProblem.error_description));
    }
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!isLoopback(redirectUri)) {
      return htmlReply(400, page('Sign-in error', `AADSTS50011: The redirect URI '${redirectUri}' does not match a redirect URI of the application.`));
    }
    const state = query.get('state') ?? '';
    const fields: Record<string, string> = { state };
    if (query.get('response_type') !== 'code') {
      Object.assign(fields, { error: 'unsupported_response_type', error_description: 'AADSTS70005: response_type must be code.' });
    } else if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
      Object.assign(fields, { error: 'invalid_request', error_description: 'AADSTS9002325: Proof Key for Code Exchange (S256) is required.' });
    } else if (!resourceOf(query.get('scope') ?? '')) {
      Object.assign(fields, { error: 'invalid_scope', error_description: 'AADSTS70011: The scope must include a resource\'s /.default scope.' });
    } else if (this.switches.denyConsent) {
      Object.assign(fields, { error: 'consent_required', error_description: NO_CONSENT });
    } else {
      const code = this.secret('code', 48);
      const user = { ...this.switches.user };
      this.codes.set(code, {
        clientId: query.get('client_id') ?? '', user, scope: query.get('scope') ?? '', redirectUri,
        codeChallenge: query.get('code_challenge') ?? '', nonce: query.get('nonce') || undefined, expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      Object.assign(fields, { code, client_info: clientInfo(user), session_state: crypto.randomUUID() });
    }
    if (query.get('response_mode') === 'form_post') {
      const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
      return htmlReply(200, '<!DOCTYPE html><html><head><title>Working…</title></head><body>'
        + `<form method="POST" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form>`
        + '<script>document.forms[0].submit();</script></body></html>');
    }
    const location = new URL(redirectUri);
    for (const [name, value] of Object.entries(fields)) {
      location.searchParams.set(name, value);
    }
    return { status: 302, headers: { location: location.toString() }, body: '' };
  }

  private deviceCode(body: URLSearchParams): Reply {
    const clientProblem = this.checkClient(body.get('client_id'));
    if (clientProblem) {
      return jsonReply(400, clientProblem);
    }
    const scope = body.get('scope') ?? '';
    if (!resourceOf(scope)) {
      return jsonReply(400, { error: 'invalid_scope', error_description: 'AADSTS70011: The scope must include a resource\'s /.default scope.' });
    }
    const deviceCode = this.secret('device', 48);
    const userCode = crypto.randomBytes(6).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, 'X').slice(0, 8);
    this.deviceCodes.set(deviceCode, {
      clientId: body.get('client_id') ?? '', user: { ...this.switches.user }, scope, userCode,
      issuedAt: Date.now(), expiresAt: Date.now() + DEVICE_CODE_LIFETIME_S * 1000, approved: false,
    });
    const verificationUri = `${this.url}/devicelogin`;
    return jsonReply(200, {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: DEVICE_CODE_LIFETIME_S,
      interval: this.options.deviceCodeIntervalSeconds ?? 1,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  private token(body: URLSearchParams): Reply {
    const clientId = body.get('client_id');
    const clientProblem = this.checkClient(clientId);
    if (clientProblem) {
      return jsonReply(400, clientProblem);
    }
    const scope = body.get('scope') ?? '';
    switch (body.get('grant_type')) {
      case 'authorization_code': {
        const code = this.codes.get(body.get('code') ?? '');
        this.codes.delete(body.get('code') ?? '');
        if (!code || code.expiresAt < Date.now() || code.clientId !== clientId) {
          return invalidGrant('AADSTS70008: The provided authorization code or refresh token has expired or was already used.');
        }
        if (body.get('redirect_uri') !== code.redirectUri) {
          return invalidGrant('AADSTS70000: The redirect_uri does not match the one of the authorization request.');
        }
        const verifier = body.get('code_verifier') ?? '';
        if (crypto.createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge) {
          return invalidGrant('AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.');
        }
        return this.issueTokens({ ...code, scope: scope || code.scope, claims: body.get('claims') ?? undefined }, code.nonce);
      }
      case 'device_code':
      case 'urn:ietf:params:oauth:grant-type:device_code': {
        const code = this.deviceCodes.get(body.get('device_code') ?? '');
        if (!code || code.clientId !== clientId) {
          return invalidGrant('AADSTS70000: The provided device code is not valid.');
        }
        if (code.expiresAt < Date.now()) {
          return jsonReply(400, { error: 'expired_token', error_description: 'AADSTS70020: The provided value for the input parameter \'device_code\' is not valid. This device code has expired.' });
        }
        if (!code.approved && this.switches.deviceCodeApproval === 'nextPoll'
          && Date.now() - code.issuedAt >= this.switches.deviceCodeApprovalDelaySeconds * 1000) {
          code.approved = true;
        }
        if (!code.approved) {
          return jsonReply(400, { error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.' });
        }
        this.deviceCodes.delete(body.get('device_code') ?? '');
        if (this.switches.denyConsent) {
          return jsonReply(400, { error: 'consent_required', error_description: NO_CONSENT, suberror: 'consent_required' });
        }
        return this.issueTokens({ ...code, scope: scope || code.scope, claims: body.get('claims') ?? undefined });
      }
      case 'refresh_token': {
        const grant = this.refreshTokens.get(body.get('refresh_token') ?? '');
        if (!grant || grant.revoked || grant.clientId !== clientId) {
          return jsonReply(400, {
            error: 'invalid_grant', suberror: 'bad_token', error_codes: [50173],
            error_description: 'AADSTS50173: The provided grant has expired due to it being revoked, a fresh auth token is needed.',
          });
        }
        const claims = body.get('claims') ?? undefined;
        if (this.switches.claimsNeedInteraction && Object.keys(requestedClaims(claims)).some((name) => name !== 'xms_cc')) {
          return jsonReply(400, {
            error: 'interaction_required', suberror: 'basic_action', error_codes: [50076],
            error_description: 'AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.',
          });
        }
        grant.revoked = this.switches.rotateRefreshTokens;
        return this.issueTokens({ ...grant, scope: scope || grant.scope, claims });
      }
      default:
        return jsonReply(400, { error: 'unsupported_grant_type', error_description: `AADSTS70003: The grant type '${body.get('grant_type')}' is not supported.` });
    }
  }

  private issueTokens(grant: Grant, nonce?: string): Reply {
    const resource = resourceOf(grant.scope);
    if (!resource) {
      return jsonReply(400, { error: 'invalid_scope', error_description: 'AADSTS70011: The scope must include a resource\'s /.default scope.' });
    }
    const { user, clientId } = grant;
    const now = nowSeconds();
    const lifetime = this.switches.accessTokenLifetimeSeconds;
    const permissions = this.switches.permissions;
    const jti = crypto.randomUUID();
    const accessToken = this.jwt({
      ...requestedClaims(grant.claims),
      aud: resource, iss: `https://sts.windows.net/${user.tid}/`, iat: now, nbf: now, exp: now + lifetime,
      appid: clientId, name: user.name, oid: user.oid, sub: user.oid, tid: user.tid, upn: user.upn, scp: permissions.join(' '), jti, ver: '1.0',
    });
    this.liveAccessTokens.add(jti);
    const idToken = this.jwt({
      iss: `${this.url}/${user.tid}/v2.0`, aud: clientId, iat: now, nbf: now, exp: now + 3600,
      tid: user.tid, oid: user.oid, sub: user.oid, preferred_username: user.upn, name: user.name, ver: '2.0', ...(nonce ? { nonce } : {}),
    });
    const refreshToken = this.secret('0.refresh', 96);
    // The claims are not kept with the refresh token: a later request without them gets a token without them.
    this.refreshTokens.set(refreshToken, { clientId, user, scope: grant.scope, revoked: false });
    this.issued.push(accessToken, idToken);
    return jsonReply(200, {
      token_type: 'Bearer',
      // With `.default` itself in the answer, MSAL's cache matches the next request for the same scope.
      scope: [...permissions.map((permission) => `${resource}/${permission}`), `${resource}/.default`].join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: clientInfo(user),
    }, { 'cache-control': 'no-store' });
  }

  private deviceLogin(method: string, body: URLSearchParams): Reply {
    if (method === 'POST') {
      const approved = this.approveDeviceCodes(body.get('user_code')?.trim() ?? '');
      return htmlReply(approved ? 200 : 400, page(approved ? 'Signed in' : 'Unknown code',
        approved ? 'You have signed in. Return to your application.' : 'That code is not pending: check it and try again.'));
    }
    return htmlReply(200, page('Enter code', 'Enter the code shown by your application.',
      '<form method="POST"><input name="user_code" autofocus> <button type="submit">Next</button></form>'));
  }

  private control(name: string): Reply {
    switch (name) {
      case 'expire-tokens':
        this.expireTokensNow();
        break;
      case 'revoke-refresh-tokens':
        this.revokeRefreshTokens();
        break;
      case 'deny-consent':
      case 'allow-consent':
        this.switches.denyConsent = name === 'deny-consent';
        break;
      case 'rotate-refresh-tokens':
        this.switches.rotateRefreshTokens = true;
        break;
      case 'claims-need-interaction':
        this.switches.claimsNeedInteraction = true;
        break;
      case 'approve-device-codes':
        return jsonReply(200, { approved: this.approveDeviceCodes() });
      default:
        return jsonReply(404, { error: 'not_found', error_description: `No switch ${name}` });
    }
    return jsonReply(200, { ok: true });
  }

  private checkClient(clientId: string | null): { error: string; error_description: string } | undefined {
    if (!clientId || (this.options.clientId !== undefined && clientId !== this.options.clientId)) {
      return { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory.` };
    }
    return undefined;
  }

  private secret(prefix: string, bytes: number): string {
    const value = `${prefix}.${crypto.randomBytes(bytes).toString('base64url')}`;
    this.issued.push(value);
    return value;
  }

  private jwt(claims: Record<string, unknown>): string {
    const header = base64urlJson({ alg: 'HS256', typ: 'JWT', kid: 'entra-simulator' });
    const payload = base64urlJson(claims);
    const signature = crypto.createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  private verifyJwt(token: string): Record<string, unknown> | undefined {
    const [header, payload, signature, extra] = token.split('.');
    if (!header || !payload || !signature || extra !== undefined) {
      return undefined;
    }
    const expected = crypto.createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
      return undefined;
    }
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}

/**
 * The access-token claims a `claims` request parameter asks for, each as an array of its `value`/`values`:
 * `{"access_token":{"acrs":{"essential":true,"value":"c1"},"xms_cc":{"values":["CP1"]}}}` → `{acrs:["c1"], xms_cc:["CP1"]}`.
 * Unreadable JSON asks for nothing (Entra answers invalid_request; the tests here need the token, not that error).
 */
function requestedClaims(claims: string | undefined): Record<string, string[]> {
  let accessToken: unknown;
  try {
    accessToken = claims ? (JSON.parse(claims) as { access_token?: unknown }).access_token : undefined;
  } catch {
    return {};
  }
  const result: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(typeof accessToken === 'object' && accessToken !== null ? accessToken : {})) {
    const { value, values } = (spec ?? {}) as { value?: unknown; values?: unknown };
    const list = (Array.isArray(values) ? values : value === undefined ? [] : [value]).map(String);
    if (list.length) {
      result[name] = list;
    }
  }
  return result;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function clientInfo(user: EntraUser): string {
  return base64urlJson({ uid: user.oid, utid: user.tid });
}

/** The resource of the first `{resource}/.default` scope, e.g. https://127.0.0.1:8443. */
function resourceOf(scope: string): string | undefined {
  const entry = scope.split(' ').find((s) => s.endsWith('/.default'));
  return entry?.slice(0, -'/.default'.length);
}

function isLoopback(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

function invalidGrant(description: string): Reply {
  return jsonReply(400, { error: 'invalid_grant', error_description: description });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, text: string, extra = ''): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${extra}</body></html>`;
}

export async function startEntraSimulator(options: EntraSimulatorOptions = {}): Promise<EntraSimulator> {
  const tls = options.tls ?? ensureTlsMaterial();
  let simulator: EntraSimulator | undefined;
  const { server, port } = await listenHttps(tls, (req, res) => {
    simulator?.handle(req, res).catch(() => {
      res.destroy();
    });
  }, options.port ?? 0, '127.0.0.1');
  simulator = new EntraSimulator(server, port, tls, options);
  return simulator;
}

/**
 * Plays the browser's part of the authorization-code flow: opens the authorize URL, then submits the auto-posting
 * form (or follows the redirect) to MSAL's loopback listener. Resolves with the loopback's answer.
 */
export async function completeBrowserSignIn(authorizeUrl: string, caPem: string): Promise<{ status: number; body: string }> {
  const authorize = await fetch(authorizeUrl, { agent: new Agent({ ca: caPem }), redirect: 'manual' });
  const html = await authorize.text();
  const location = authorize.headers.get('location');
  const form = /<form method="POST" action="([^"]+)">(.*?)<\/form>/s.exec(html);
  if (!location && !form) {
    throw new Error(`the authorize endpoint answered ${authorize.status} without a form or redirect: ${html.slice(0, 200)}`);
  }
  // MSAL listens on 127.0.0.1 while its redirect URI says localhost (which may resolve to ::1 first).
  const target = new URL(location ?? unescapeHtml(form?.[1] ?? ''));
  target.hostname = '127.0.0.1';
  const fields = new URLSearchParams();
  for (const [, name, value] of (form?.[2] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(unescapeHtml(name), unescapeHtml(value));
  }
  const loopback = await fetch(target.toString(), location ? {} : { method: 'POST', body: fields });
  return { status: loopback.status, body: await loopback.text() };
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const tlsDir = cliOption(args, 'tls-dir');
  const interval = cliOption(args, 'interval');
  const lifetime = cliOption(args, 'token-lifetime');
  void startEntraSimulator({
    port: Number(cliOption(args, 'port') ?? 0),
    tls: tlsDir ? ensureTlsMaterial(tlsDir) : undefined,
    clientId: cliOption(args, 'client-id'),
    deviceCodeApproval: cliOption(args, 'device-code') === 'manual' ? 'manual' : 'nextPoll',
    deviceCodeIntervalSeconds: interval ? Number(interval) : undefined,
    accessTokenLifetimeSeconds: lifetime ? Number(lifetime) : undefined,
  }).then((sim) => announceAndRunUntilSignal({ url: sim.url, authorityHost: sim.authorityHost, caPath: sim.caPath }, () => sim.close()));
}
