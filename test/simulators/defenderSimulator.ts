// A Microsoft Defender for Endpoint API simulator (SPEC §1) over real HTTPS on 127.0.0.1, for the
// client's unit tests, the host and UI tests, and benchmarks.
//
// Start it in-process:
//   const sim = await startDefenderSimulator({ pageSize: 50 });
//   const token = sim.createToken();                       // analyst@contoso.com, all permissions
//   fetch(`${sim.url}/api/machineactions?$top=10`, { headers: { authorization: `Bearer ${token}` }, agent: new https.Agent({ ca: sim.caPem }) });
//   await sim.close();
// or as a process: `node out/test/simulators/defenderSimulator.js --port 0 [--tls-dir D] [--page-size N]
//   [--enum-spelling variant] [--time-format zoneless]` (the seed's field shapes, see SeedOptions)
// prints {"url","caPath","token"} as one JSON line once listening and runs until SIGINT/SIGTERM.
//
// Endpoints (paths case-insensitive, trailing slash tolerated; API base = origin):
//   GET  /api/machineactions              $filter (eq ne gt ge lt le and or not ( ) in; on id, status, machineId,
//                                         type, requestor, creationDateTimeUtc), $top 1..10000, $skip, $orderby.
//                                         Unknown $-options and other properties → 400 ODataError.
//   GET  /api/machineactions/{id}         → entity with @odata.context …/$entity, or 404 ResourceNotFound.
//   POST /api/machineactions/{id}/cancel  Content-Type application/json (else 415), body {"Comment": "<non-empty>"}
//                                         (else 400 InvalidRequestBody), 404 unknown id, 400 BadRequest in a final
//                                         state (or an unknown one), else Cancelled in place and 200 with the entity.
//   GET  /api/machineactions/{id}/GetLiveResponseResultDownloadLink(index={i})   permission Machine.LiveResponse;
//                                         400 unless a LiveResponse action whose command i has Completed.
//   GET  /api/machineactions/{id}/getPackageUri   permission Machine.CollectForensics; 400 unless a Succeeded
//                                         CollectInvestigationPackage action. Both → {"@odata.context": …#Edm.String,
//                                         "value": options.resultLink(action, i | undefined)} (a fresh link on the
//                                         download simulator when wired by simulatedCloud; else an unreachable one).
// Every request is checked in this order: injected fault (failNext) → bearer token (401) → rate limit (429)
// → route (404/405) → permission (403) → the endpoint. Every response carries a fresh `request-id`
// header; every error body is {"error":{"code","message","target":<that id>}}.
//
// Tokens: `createToken({ upn?, scopes? })` makes an opaque token (default upn analyst@contoso.com and
// DEFAULT_SCOPES); `options.verifyToken` can accept more (e.g. the Entra ID simulator's JWTs).
// `revokeToken(token)` makes it answer 401 from then on. Tokens survive reset().
// Rate limit: rateLimitPerMinute (100) and rateLimitPerHour (1500) admitted calls per user (upn) in
// sliding windows on the injectable clock `now`; refused calls answer 429 with Retry-After in seconds (or as a
// date: switches.retryAfterForm).
//
// Switches for tests:
//   sim.switches.pageSize        at most this many items per page, plus @odata.nextLink when more remain
//   sim.switches.nextLinkOrigin  make @odata.nextLink point at another origin (the client must refuse it)
//   sim.switches.delayMs         delay every response; the request is handled first (a cancel still applies)
//   sim.switches.pageOverlap     each next page repeats the last n items of the previous page, as when the window
//                                moves between two requests; n ≥ the page size: the same page again under a new link
//   sim.switches.retryAfterForm  'seconds' (default) or 'date': every Retry-After as an HTTP-date (RFC 9110 IMF-fixdate)
//   sim.switches.rateLimitPerMinute / rateLimitPerHour
//   sim.requireClaims(claimsJson, error?)  a Conditional Access claims challenge: every request whose token does not
//                                 carry each `access_token` claim value of claimsJson (as the Entra simulator puts them
//                                 into a token requested with those claims) answers 401 with `WWW-Authenticate: Bearer
//                                 error="insufficient_claims"` (or 'invalid_token', the CAE form), claims="<base64>"
//   sim.failNext(fault, { times?, pathIncludes?, method? })   the next `times` (1) matching requests get `fault`:
//     { kind: 'status', status, code?, message?, retryAfterSeconds? }  standard error body (429 → TooManyRequests …)
//     { kind: 'html', status? = 502 }       an HTML error page, as a gateway sends
//     { kind: 'empty', status? = 503 }      no body at all
//     { kind: 'malformed', status? = 200, body? }  `{"value": [` (or `body`, cut-off JSON) as application/json
//     { kind: 'reset', afterHandling? }     drop the connection (afterHandling: the request takes effect first)
//     { kind: 'slow', delayMs }             answer normally, but late
//     { kind: 'truncate', of?, hold? }      handle the request, send the headers (full Content-Length) and half the
//                                           body, then close the connection: a body cut off mid-way; hold: keep the
//                                           connection open and send nothing more (a stalled body)
//     { kind: 'gzipBomb', inflatedBytes, status? = 200, afterHandling? }  a gzip body (Content-Encoding: gzip) of
//                                           valid JSON that inflates to inflatedBytes (whitespace inside {"value":[ … ]});
//                                           afterHandling: the request takes effect first (a cancel applies)
//     { kind: 'gzipCut', of? }             handle the request, answer it gzip-encoded without the stream's last 12 bytes,
//                                           Content-Length matching what is sent: a compressed body that ends early
//     { kind: 'gzipCorrupt', of? }         handle the request, answer it gzip-encoded with 20 bytes of the data
//                                           overwritten (Z_DATA_ERROR), as a proxy that alters bodies would
//                                           `of` (these three): damage the answer of that fault instead, e.g. an error
//                                           answer cut off: { kind: 'truncate', of: { kind: 'status', status: 429,
//                                           retryAfterSeconds: 120 } } sends its status and headers whole, half its body
//     { kind: 'largeBody', bytes, status? = 200 }  an uncompressed JSON list (of nothing, padded with spaces) of
//                                           `bytes` bytes, written as fast as the client reads it; the request's
//                                           sentBytes counts what went out, so a test sees a body read to its end
//     { kind: 'otherAction' }              200 with the entity of another action than the path names, unchanged
//     { kind: 'hollowPage', elements }     a list page whose `value` is replaced, its @odata.nextLink kept:
//                                           'none' → `[]`, 'unreadable' → elements that are no machine action
//   sim.failCancel(id, fault?)        every cancel of that action gets `fault` (a string: 403 Forbidden with that
//                                     message; default: 403 Forbidden, RBAC wording)
//                                     once the request passed validation and the id exists
//   sim.finishBeforeCancel(id, 'succeeded')       the action is Succeeded now, so a cancel gets 400
//   sim.finishBeforeCancel(id, 'completedAnyway') a cancel answers 200 Cancelled while every
//                                     commands[*].commandStatus is Completed (live response actions only)
//   sim.finishBeforeCancel(id, 'partlyRun')       a cancel answers 200 Cancelled with the first command Completed
//                                     and the others Cancelled (live response actions with 2+ commands)
//   sim.cancelAnswer(id, answer, effect?)  a cancel of that action is accepted (2xx) but answered without its
//                                     entity: 'noContent' (204), 'empty200', 'empty202' (empty bodies), 'html200'
//                                     (a gateway's HTML page), 'notAnAction' (200 {"value":[]}), 'otherId' (200 with
//                                     another action's entity, unchanged), 'idOnly' (200 {"id"}), 'idAndStatus'
//                                     (200 {"id","status"}: hollow, no machine action), 'partialEntity' (200 with
//                                     id, type, status, machineId and creationDateTimeUtc only); effect 'cancelled' (default)
//                                     applies the cancel, 'stillPending' leaves the action as it was, 'finished'
//                                     makes it Succeeded (it finished as the cancel arrived)
//   sim.notFoundFirst(id, n)          the next n GETs of that action answer 404 ResourceNotFound (just created)
//   sim.reset()   restores the initial actions, clears switches, faults, rate-limit windows and the request log
// Data: sim.actions (the live array), getAction(id), setActions(list), addAction(action);
// sim.requests (every request: method, path with query, lower-case headers, body, status — 0 for a
// dropped connection — correlationId, at) and clearRequests().
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import type * as http from 'node:http';
import type * as https from 'node:https';
import { announceAndRunUntilSignal, cliOption, closeServer, htmlReply, listenHttps, readBody, type Reply, writeReply } from './http';
import { evaluateFilter, type FilterExpr, type ODataSchema, ODataQueryError, orderByComparator, type OrderByClause, parseFilter, parseOrderBy } from './odata';
import { ANALYST_UPN, isoTicks, type RawAction, type SeedOptions, seedActions, spellingKey } from './seedActions';
import { ensureTlsMaterial, type TlsMaterial } from './tls';
import { damagedGzip } from '../support/gzip';

export type { RawAction } from './seedActions';

export const READ_PERMISSIONS = ['Machine.Read', 'Machine.ReadWrite', 'Machine.Read.All', 'Machine.ReadWrite.All'] as const;
export const CANCEL_PERMISSIONS = [
  'Machine.CollectForensics', 'Machine.Isolate', 'Machine.RestrictExecution', 'Machine.Scan',
  'Machine.Offboard', 'Machine.StopAndQuarantine', 'Machine.LiveResponse',
] as const;
export const DEFAULT_SCOPES: readonly string[] = ['Machine.Read', ...CANCEL_PERMISSIONS];
export const MAX_TOP = 10_000;
export const FINAL_STATUSES = ['Succeeded', 'Cancelled', 'Failed', 'TimeOut'] as const;
export const CANCELLABLE_STATUSES = ['Pending', 'InProgress'] as const;

export interface TokenIdentity {
  upn: string;
  scopes: string[];
  /** The token's own claims (a JWT's payload), for requireClaims(); createToken's tokens have none. */
  claims?: Record<string, unknown>;
}

/** The `error` of a claims challenge: Conditional Access, or continuous access evaluation revoking a token. */
export type ClaimsChallengeError = 'insufficient_claims' | 'invalid_token';

export interface DefenderSimulatorOptions {
  /** 0 (default) = any free port. */
  port?: number;
  host?: '127.0.0.1';
  /** Default: ensureTlsMaterial(). */
  tls?: TlsMaterial;
  /** Initial dataset (kept for reset()); default seedActions(now, seed). */
  actions?: RawAction[];
  /** Field shapes of the default seed (other enum spellings, zoneless times); ignored when `actions` is given. */
  seed?: SeedOptions;
  /** Clock in epoch ms for rate limiting, cancellation times and the default seed. */
  now?: () => number;
  /** Accepts tokens beyond those createToken made. */
  verifyToken?: (token: string) => TokenIdentity | undefined;
  pageSize?: number;
  /** A fresh download link to a result: command `index` of a live response action, or (undefined) its package. */
  resultLink?: (action: RawAction, index: number | undefined) => string;
  rateLimitPerMinute?: number;
  rateLimitPerHour?: number;
}

export interface Switches {
  pageSize: number | undefined;
  nextLinkOrigin: string | undefined;
  delayMs: number;
  rateLimitPerMinute: number;
  rateLimitPerHour: number;
  /** Set by requireClaims(). */
  claimsChallenge: { claims: string; error: ClaimsChallengeError } | undefined;
  pageOverlap: number;
  retryAfterForm: 'seconds' | 'date';
}

export type CancelAnswerMode = 'noContent' | 'empty200' | 'empty202' | 'html200' | 'notAnAction' | 'otherId' | 'idOnly' | 'idAndStatus' | 'partialEntity';

export type Fault =
  | { kind: 'status'; status: number; code?: string; message?: string; retryAfterSeconds?: number }
  | { kind: 'html'; status?: number }
  | { kind: 'empty'; status?: number }
  | { kind: 'malformed'; status?: number; body?: string }
  | { kind: 'reset'; afterHandling?: boolean }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'truncate'; of?: Fault; hold?: boolean }
  | { kind: 'gzipBomb'; inflatedBytes: number; status?: number; afterHandling?: boolean }
  | { kind: 'largeBody'; bytes: number; status?: number }
  | { kind: 'hollowPage'; elements: 'none' | 'unreadable' }
  | { kind: 'otherAction' }
  | { kind: 'gzipCut'; of?: Fault }
  | { kind: 'gzipCorrupt'; of?: Fault };

export interface FaultMatch {
  /** How many matching requests get the fault; default 1. */
  times?: number;
  /** Case-insensitive substring of the path (with query). */
  pathIncludes?: string;
  method?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path with query, as sent. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** 0 when the connection was dropped on purpose. */
  status: number;
  /** Body bytes of a 'largeBody' answer handed to the connection so far. */
  sentBytes: number;
  correlationId: string;
  /** Arrival time on the simulator's clock (epoch ms). */
  at: number;
}

export type FinishMode = 'succeeded' | 'completedAnyway' | 'partlyRun';
export type CancelEffect = 'cancelled' | 'stillPending' | 'finished';

const ODATA_JSON = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
const LIST_OPTIONS = ['$filter', '$top', '$skip', '$orderby'];
const SCHEMA: ODataSchema = {
  fields: { id: 'string', status: 'string', machineId: 'string', type: 'string', requestor: 'string', creationDateTimeUtc: 'datetime' },
  properties: [
    'id', 'type', 'scope', 'title', 'requestor', 'requestorComment', 'status', 'machineId', 'computerDnsName',
    'creationDateTimeUtc', 'lastUpdateDateTimeUtc', 'cancellationRequestor', 'cancellationComment',
    'cancellationDateTimeUtc', 'externalId', 'requestSource', 'errorHResult', 'relatedFileInfo', 'commands', 'troubleshootInfo',
  ],
  typeName: 'microsoft.windowsDefenderATP.api.PublicMachineActionDto',
};
const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 429: 'TooManyRequests',
  500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout',
};
const RBAC_DENIED = 'The user does not have the Defender role required to perform this action on this device.';
const GATEWAY_HTML = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>Bad Gateway</h1><p>The upstream server returned an invalid response.</p></body></html>\n';

/**
 * 'reset' drops the connection before any answer; `truncated` sends the headers and half the body, then drops it (or,
 * with `hold`, keeps it open and silent).
 */
type Outcome = Reply | 'reset' | { truncated: Reply; hold?: boolean } | { large: { status: number; bytes: number } };

interface RequestContext {
  record: RecordedRequest;
  url: URL;
  correlationId: string;
  /** Extra delay a 'slow' fault adds to switches.delayMs. */
  delayMs: number;
}

export class DefenderSimulator {
  readonly url: string;
  readonly origin: string;
  readonly caPath: string;
  readonly caPem: string;
  readonly requests: RecordedRequest[] = [];
  switches: Switches;

  private store: RawAction[];
  private readonly initialActions: RawAction[];
  private readonly tokens = new Map<string, TokenIdentity>();
  private readonly callTimes = new Map<string, number[]>();
  private faults: Array<{ fault: Fault; match: FaultMatch; remaining: number }> = [];
  private readonly cancelFaults = new Map<string, Fault>();
  private readonly completedAnyway = new Set<string>();
  private readonly partlyRun = new Set<string>();
  private readonly cancelAnswers = new Map<string, { answer: CancelAnswerMode; effect: CancelEffect }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Use startDefenderSimulator(); the constructor does not listen. */
  constructor(
    private readonly server: https.Server,
    readonly port: number,
    tls: TlsMaterial,
    private readonly options: DefenderSimulatorOptions,
    readonly now: () => number,
  ) {
    this.origin = `https://127.0.0.1:${port}`;
    this.url = this.origin;
    this.caPath = tls.caPath;
    this.caPem = tls.caPem;
    this.initialActions = structuredClone(options.actions ?? seedActions(new Date(now()), options.seed));
    this.store = structuredClone(this.initialActions);
    this.switches = this.defaultSwitches();
  }

  /** The live dataset: changes show in the next response. */
  get actions(): RawAction[] {
    return this.store;
  }

  getAction(id: string): RawAction | undefined {
    const wanted = id.toLowerCase();
    return this.store.find((action) => action.id.toLowerCase() === wanted);
  }

  setActions(actions: RawAction[]): void {
    this.store = actions;
  }

  addAction(action: RawAction): void {
    this.store.push(action);
  }

  createToken(identity: Partial<TokenIdentity> = {}): string {
    const token = `simtoken.${crypto.randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { upn: identity.upn ?? ANALYST_UPN, scopes: [...(identity.scopes ?? DEFAULT_SCOPES)] });
    return token;
  }

  /** Until reset(), tokens without the claims of `claims` (JSON: {"access_token":{…}}) get a claims challenge (401). */
  requireClaims(claims: string, error: ClaimsChallengeError = 'insufficient_claims'): void {
    this.switches.claimsChallenge = { claims, error };
  }

  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  failNext(fault: Fault, match: FaultMatch = {}): void {
    this.faults.push({ fault, match, remaining: match.times ?? 1 });
  }

  /** A string is the message of a 403 Forbidden. */
  failCancel(id: string, fault: Fault | string = RBAC_DENIED): void {
    this.cancelFaults.set(id.toLowerCase(), typeof fault === 'string' ? { kind: 'status', status: 403, code: 'Forbidden', message: fault } : fault);
  }

  finishBeforeCancel(id: string, mode: FinishMode): void {
    const action = this.getAction(id);
    if (!action) {
      throw new Error(`no action ${id} in the simulator`);
    }
    if (mode === 'succeeded') {
      action.status = 'Succeeded';
      action[lastUpdateKey(action)] = isoTicks(this.now());
    } else if (!Array.isArray(action.commands) || (mode === 'partlyRun' && action.commands.length < 2)) {
      throw new Error(`action ${id} has too few commands: '${mode}' applies to live response actions`);
    } else {
      (mode === 'partlyRun' ? this.partlyRun : this.completedAnyway).add(action.id.toLowerCase());
    }
  }

  /** A cancel of `id` answers 2xx without its entity (see the header); `effect` decides whether it applies. */
  cancelAnswer(id: string, answer: CancelAnswerMode, effect: CancelEffect = 'cancelled'): void {
    this.cancelAnswers.set(id.toLowerCase(), { answer, effect });
  }

  /** The next `times` GETs of `id` answer 404, as for an action created seconds ago. */
  notFoundFirst(id: string, times: number): void {
    this.failNext({ kind: 'status', status: 404, code: 'ResourceNotFound', message: `Machine action with id '${id}' was not found.` },
      { times, method: 'GET', pathIncludes: `/api/machineactions/${id}` });
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  reset(): void {
    this.store = structuredClone(this.initialActions);
    this.switches = this.defaultSwitches();
    this.faults = [];
    this.cancelFaults.clear();
    this.completedAnyway.clear();
    this.partlyRun.clear();
    this.cancelAnswers.clear();
    this.callTimes.clear();
    this.clearRequests();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    await closeServer(this.server);
  }

  /** The request handler; public only so startDefenderSimulator can wire it before the instance exists. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const correlationId = crypto.randomUUID();
    const record: RecordedRequest = {
      method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body: '', status: 0, sentBytes: 0, correlationId, at: this.now(),
    };
    this.requests.push(record);
    try {
      record.body = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    const context: RequestContext = { record, url: new URL(record.path, this.origin), correlationId, delayMs: 0 };
    const outcome = this.decide(context);
    record.status = outcome === 'reset' ? 0 : 'truncated' in outcome ? outcome.truncated.status : 'large' in outcome ? outcome.large.status : outcome.status;
    const write = () => {
      if (outcome === 'reset') {
        req.socket.destroy();
      } else if ('large' in outcome) {
        writeLarge(res, { ...outcome.large, correlationId }, record);
      } else if ('truncated' in outcome) {
        writeTruncated(req, res, { ...outcome.truncated, headers: { ...outcome.truncated.headers, 'request-id': correlationId } }, outcome.hold);
      } else {
        writeReply(res, { ...outcome, headers: { ...outcome.headers, 'request-id': correlationId } });
      }
    };
    const delay = this.switches.delayMs + context.delayMs;
    if (delay <= 0) {
      write();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      write();
    }, delay);
    this.timers.add(timer);
  }

  /** A simulator bug answers 500 naming it, rather than crashing the test process. */
  private decide(context: RequestContext): Outcome {
    try {
      const fault = this.takeFault(context.record);
      return fault ? this.applyFault(fault, context, () => this.route(context)) : this.route(context);
    } catch (error) {
      return this.error(context, 500, 'InternalServerError', `Simulator error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private defaultSwitches(): Switches {
    return {
      pageSize: this.options.pageSize,
      nextLinkOrigin: undefined,
      delayMs: 0,
      rateLimitPerMinute: this.options.rateLimitPerMinute ?? 100,
      rateLimitPerHour: this.options.rateLimitPerHour ?? 1500,
      claimsChallenge: undefined,
      pageOverlap: 0,
      retryAfterForm: 'seconds',
    };
  }

  /** Retry-After in the form switches.retryAfterForm asks for; a date is to the second, as toUTCString writes it. */
  private retryAfter(seconds: number): Record<string, string> {
    const value = this.switches.retryAfterForm === 'date' ? new Date(this.now() + seconds * 1000).toUTCString() : String(seconds);
    return { 'retry-after': value };
  }

  private takeFault(record: RecordedRequest): Fault | undefined {
    const index = this.faults.findIndex(({ match }) =>
      (!match.method || match.method.toUpperCase() === record.method.toUpperCase())
      && (!match.pathIncludes || record.path.toLowerCase().includes(match.pathIncludes.toLowerCase())));
    if (index < 0) {
      return undefined;
    }
    const entry = this.faults[index];
    if (--entry.remaining <= 0) {
      this.faults.splice(index, 1);
    }
    return entry.fault;
  }

  /** The answer a damaging fault works on: the request handled, or the answer of its `of` fault. */
  private damaged(fault: { of?: Fault }, context: RequestContext, handle: () => Outcome): Outcome {
    return fault.of ? this.applyFault(fault.of, context, handle) : handle();
  }

  private applyFault(fault: Fault, context: RequestContext, handle: () => Outcome): Outcome {
    switch (fault.kind) {
      case 'status':
        return this.error(context, fault.status, fault.code ?? DEFAULT_CODES[fault.status] ?? 'Error',
          fault.message ?? `Simulated failure with HTTP ${fault.status}.`,
          fault.retryAfterSeconds === undefined ? {} : this.retryAfter(fault.retryAfterSeconds));
      case 'html':
        return htmlReply(fault.status ?? 502, GATEWAY_HTML);
      case 'empty':
        return { status: fault.status ?? 503, headers: {}, body: '' };
      case 'malformed':
        return { status: fault.status ?? 200, headers: { 'content-type': ODATA_JSON }, body: fault.body ?? '{"value": [' };
      case 'reset':
        if (fault.afterHandling) {
          handle();
        }
        return 'reset';
      case 'slow':
        context.delayMs += fault.delayMs;
        return handle();
      case 'truncate': {
        const outcome = this.damaged(fault, context, handle);
        return isReply(outcome) ? { truncated: outcome, hold: fault.hold } : outcome;
      }
      case 'gzipBomb':
        if (fault.afterHandling) {
          handle();
        }
        return gzipBombReply(fault.inflatedBytes, fault.status ?? 200);
      case 'hollowPage':
        return hollowed(handle(), fault.elements);
      case 'largeBody':
        return { large: { status: fault.status ?? 200, bytes: fault.bytes } };
      case 'gzipCut':
      case 'gzipCorrupt':
        return withDamagedGzip(this.damaged(fault, context, handle), fault.kind);
      case 'otherAction': {
        const asked = context.url.pathname.toLowerCase();
        const other = this.store.find((a) => !asked.includes(a.id.toLowerCase()));
        return this.entity(other ?? { ...this.store[0], id: crypto.randomUUID() });
      }
    }
  }

  private route(context: RequestContext): Outcome {
    const { record, url } = context;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(String(record.headers.authorization ?? ''));
    const identity = bearer ? this.identify(bearer[1]) : undefined;
    if (!identity) {
      return this.error(context, 401, 'Unauthorized', 'Authorization has been denied for this request.', { 'www-authenticate': 'Bearer' });
    }
    const challenge = this.switches.claimsChallenge;
    if (challenge && !carriesClaims(identity, challenge.claims)) {
      const header = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", `
        + `error="${challenge.error}", error_description="A Conditional Access policy requires more claims", `
        + `claims="${Buffer.from(challenge.claims).toString('base64')}"`;
      return this.error(context, 401, 'Unauthorized', 'The token does not satisfy a Conditional Access policy.', { 'www-authenticate': header });
    }
    const retryAfter = this.throttle(identity.upn);
    if (retryAfter > 0) {
      return this.error(context, 429, 'TooManyRequests', `API calls quota exceeded. Try again in ${retryAfter} seconds.`, this.retryAfter(retryAfter));
    }
    const result = this.resultRoute(context, identity);
    if (result) {
      return result;
    }
    const path = /^\/api\/machineactions(?:\/([^/]+)(\/cancel)?)?\/?$/i.exec(url.pathname);
    if (!path) {
      return this.error(context, 404, 'NotFound', `No HTTP resource was found that matches the request URI '${url.pathname}'.`);
    }
    const [, rawId, cancel] = path;
    const method = record.method.toUpperCase();
    const expected = cancel ? 'POST' : 'GET';
    if (method !== expected) {
      return this.error(context, 405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`, { allow: expected });
    }
    const required = cancel ? CANCEL_PERMISSIONS : READ_PERMISSIONS;
    if (!required.some((permission) => identity.scopes.includes(permission))) {
      return this.error(context, 403, 'Forbidden', `Missing permissions: this call requires one of ${required.join(', ')}.`);
    }
    if (rawId === undefined) {
      return this.list(context);
    }
    const id = safeDecode(rawId);
    if (id === undefined) {
      return this.error(context, 400, 'BadRequest', `The request URI '${url.pathname}' is not valid.`);
    }
    return cancel ? this.cancel(context, id, identity) : this.get(context, id);
  }

  /** The two link calls, or undefined for any other path. */
  private resultRoute(context: RequestContext, identity: TokenIdentity): Outcome | undefined {
    const match = RESULT_LINK_PATH.exec(safeDecode(context.url.pathname) ?? '');
    if (!match) {
      return undefined;
    }
    const [, id, indexText, packageCall] = match;
    const method = context.record.method.toUpperCase();
    if (method !== 'GET') {
      return this.error(context, 405, 'MethodNotAllowed', `The requested resource does not support http method '${method}'.`, { allow: 'GET' });
    }
    const permission = packageCall ? 'Machine.CollectForensics' : 'Machine.LiveResponse';
    if (!identity.scopes.includes(permission)) {
      return this.error(context, 403, 'Forbidden', `Missing permissions: this call requires ${permission}.`);
    }
    const action = this.getAction(id);
    if (!action) {
      return this.notFound(context, id);
    }
    const index = packageCall ? undefined : Number(indexText);
    const problem = index === undefined ? packageProblem(action) : commandProblem(action, indexText);
    if (problem) {
      return this.error(context, 400, 'BadRequest', problem);
    }
    const link = this.options.resultLink?.(action, index) ?? `https://storage.invalid/results/${action.id}?sig=unwired`;
    return this.json(200, { '@odata.context': `${this.origin}/api/$metadata#Edm.String`, value: link });
  }

  private identify(token: string): TokenIdentity | undefined {
    return this.tokens.get(token) ?? this.options.verifyToken?.(token);
  }

  /** Sliding windows per user: 0 admits (and counts) the call, else the seconds until one would be admitted. */
  private throttle(user: string): number {
    const now = this.now();
    const windows: Array<[number, number]> = [[60_000, this.switches.rateLimitPerMinute], [3_600_000, this.switches.rateLimitPerHour]];
    const times = (this.callTimes.get(user) ?? []).filter((time) => time > now - 3_600_000);
    let waitMs = 0;
    for (const [length, limit] of windows) {
      const inWindow = times.filter((time) => time > now - length);
      if (inWindow.length >= limit) {
        waitMs = Math.max(waitMs, inWindow[inWindow.length - limit] + length - now);
      }
    }
    if (waitMs > 0) {
      this.callTimes.set(user, times);
      return Math.max(1, Math.ceil(waitMs / 1000));
    }
    times.push(now);
    this.callTimes.set(user, times);
    return 0;
  }

  private list(context: RequestContext): Outcome {
    const params = context.url.searchParams;
    const unsupported = [...params.keys()].find((key) => key.startsWith('$') && !LIST_OPTIONS.includes(key));
    if (unsupported) {
      return this.odataError(context, `The query parameter '${unsupported}' is not supported.`);
    }
    const top = params.get('$top');
    const skipText = params.get('$skip');
    let filter: FilterExpr | undefined;
    let orderBy: OrderByClause[] | undefined;
    try {
      filter = params.has('$filter') ? parseFilter(params.get('$filter') ?? '', SCHEMA) : undefined;
      orderBy = params.has('$orderby') ? parseOrderBy(params.get('$orderby') ?? '', SCHEMA) : undefined;
    } catch (error) {
      if (error instanceof ODataQueryError) {
        return this.odataError(context, `The query specified in the URI is not valid. ${error.message}`);
      }
      throw error;
    }
    if (top !== null && (!/^\d+$/.test(top) || Number(top) < 1)) {
      return this.odataError(context, `Invalid value '${top}' for $top query option found. The $top query option requires a positive integer value.`);
    }
    if (top !== null && Number(top) > MAX_TOP) {
      return this.odataError(context, `The limit of '${MAX_TOP}' for Top query has been exceeded. The value from the incoming request is '${top}'.`);
    }
    if (skipText !== null && !/^\d+$/.test(skipText)) {
      return this.odataError(context, `Invalid value '${skipText}' for $skip query option found. The $skip query option requires a non-negative integer value.`);
    }
    const limit = top === null ? MAX_TOP : Number(top);
    const skip = skipText === null ? 0 : Number(skipText);
    const matching = filter ? this.store.filter((action) => evaluateFilter(filter, action)) : [...this.store];
    if (orderBy) {
      matching.sort(orderByComparator(orderBy));
    }
    const pageLength = Math.min(limit, this.switches.pageSize ?? limit);
    const page = matching.slice(skip, skip + pageLength);
    const body: Record<string, unknown> = { '@odata.context': `${this.origin}/api/$metadata#MachineActions`, value: structuredClone(page) };
    if (page.length < limit && skip + page.length < matching.length) {
      const advance = Math.max(0, page.length - this.switches.pageOverlap);
      body['@odata.nextLink'] = this.nextLink(context.url, skip + advance, top === null ? undefined : limit - advance, advance === 0);
    }
    return this.json(200, body);
  }

  /**
   * Same path and query with $skip advanced and $top reduced, in OData's `$name=value` style. `again`: the same page
   * once more, under a new link (a `repeat` counter), as a proxy that pages differently would send it.
   */
  private nextLink(url: URL, skip: number, top: number | undefined, again: boolean): string {
    const params: Array<[string, string]> = [...url.searchParams].filter(([key]) => key !== '$skip' && key !== '$top' && key !== 'repeat');
    if (top !== undefined) {
      params.push(['$top', String(top)]);
    }
    params.push(['$skip', String(skip)]);
    if (again) {
      params.push(['repeat', String(Number(url.searchParams.get('repeat') ?? 0) + 1)]);
    }
    const query = params.map(([key, value]) => `${encodeURIComponent(key).replace('%24', '$')}=${encodeURIComponent(value)}`).join('&');
    return `${this.switches.nextLinkOrigin ?? this.origin}${url.pathname}?${query}`;
  }

  private get(context: RequestContext, id: string): Outcome {
    const action = this.getAction(id);
    return action ? this.entity(action) : this.notFound(context, id);
  }

  private cancel(context: RequestContext, id: string, identity: TokenIdentity): Outcome {
    const contentType = String(context.record.headers['content-type'] ?? '');
    if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json') {
      return this.error(context, 415, 'UnsupportedMediaType',
        `The request entity's media type '${contentType || '(none)'}' is not supported for this resource. Use 'application/json'.`);
    }
    const comment = parseComment(context.record.body);
    if (comment === undefined) {
      return this.error(context, 400, 'InvalidRequestBody', `Request body is invalid: expected a JSON object with a non-empty string property 'Comment'.`);
    }
    const action = this.getAction(id);
    if (!action) {
      return this.notFound(context, id);
    }
    const fault = this.cancelFaults.get(action.id.toLowerCase());
    const apply = () => this.applyCancel(context, action, comment, identity);
    return fault ? this.applyFault(fault, context, apply) : apply();
  }

  private applyCancel(context: RequestContext, action: RawAction, comment: string, identity: TokenIdentity): Reply {
    const status = String(action.status);
    const inState = (list: readonly string[]) => list.some((s) => spellingKey(s) === spellingKey(status));
    if (inState(FINAL_STATUSES)) {
      return this.error(context, 400, 'BadRequest', `Action is already in a final state (${status}) and cannot be cancelled.`);
    }
    if (!inState(CANCELLABLE_STATUSES)) {
      return this.error(context, 400, 'BadRequest', `Action cannot be cancelled in its current state (${status}). Only Pending and InProgress actions can be cancelled.`);
    }
    const time = isoTicks(this.now());
    const key = action.id.toLowerCase();
    const answer = this.cancelAnswers.get(key);
    if (answer && answer.effect !== 'cancelled') {
      if (answer.effect === 'finished') {
        Object.assign(action, { status: 'Succeeded', [lastUpdateKey(action)]: time });
      }
      return this.answerWithoutEntity(answer.answer, action);
    }
    if (Array.isArray(action.commands) && (this.completedAnyway.has(key) || this.partlyRun.has(key))) {
      (action.commands as Array<Record<string, unknown>>).forEach((command, index) => {
        const ran = this.completedAnyway.has(key) || index === 0;
        command.commandStatus = ran ? 'Completed' : 'Cancelled';
        command.startTime ??= time;
        command.endTime ??= time;
      });
    }
    Object.assign(action, {
      status: 'Cancelled',
      cancellationRequestor: identity.upn,
      cancellationComment: comment,
      cancellationDateTimeUtc: time,
      [lastUpdateKey(action)]: time,
    });
    return answer ? this.answerWithoutEntity(answer.answer, action) : this.entity(action);
  }

  /** A 2xx a gateway or the service may send instead of the entity. */
  private answerWithoutEntity(answer: CancelAnswerMode, action: RawAction): Reply {
    switch (answer) {
      case 'noContent':
        return { status: 204, headers: {}, body: '' };
      case 'empty200':
      case 'empty202':
        return { status: answer === 'empty200' ? 200 : 202, headers: { 'content-type': ODATA_JSON }, body: '' };
      case 'html200':
        return htmlReply(200, GATEWAY_HTML.replace(/502 Bad Gateway|Bad Gateway/g, 'Request accepted'));
      case 'notAnAction':
        return this.json(200, { value: [] });
      case 'idOnly':
        return this.json(200, { id: action.id });
      case 'idAndStatus':
        return this.json(200, { id: action.id, status: action.status });
      case 'partialEntity':
        return this.json(200, { id: action.id, type: action.type, status: action.status, machineId: action.machineId, creationDateTimeUtc: action.creationDateTimeUtc });
      case 'otherId': {
        const other = this.store.find((a) => a.id.toLowerCase() !== action.id.toLowerCase());
        return this.entity(other ?? { ...action, id: crypto.randomUUID() });
      }
    }
  }

  private entity(action: RawAction): Reply {
    return this.json(200, { '@odata.context': `${this.origin}/api/$metadata#MachineActions/$entity`, ...structuredClone(action) });
  }

  private notFound(context: RequestContext, id: string): Reply {
    return this.error(context, 404, 'ResourceNotFound', `Machine action with id '${id}' was not found.`);
  }

  private odataError(context: RequestContext, message: string): Reply {
    return this.error(context, 400, 'ODataError', message);
  }

  private error(context: RequestContext, status: number, code: string, message: string, headers: Record<string, string> = {}): Reply {
    return this.json(status, { error: { code, message, target: context.correlationId } }, headers);
  }

  private json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
    return { status, headers: { 'content-type': ODATA_JSON, 'odata-version': '4.0', ...headers }, body: JSON.stringify(value) };
  }
}

const RESULT_LINK_PATH = /^\/api\/machineactions\/([^/]+)\/(?:GetLiveResponseResultDownloadLink\(index=([^)]*)\)|(getPackageUri))\/?$/i;

function packageProblem(action: RawAction): string | undefined {
  if (action.type !== 'CollectInvestigationPackage') {
    return `Action '${action.id}' is not a CollectInvestigationPackage action.`;
  }
  return action.status === 'Succeeded' ? undefined : `The investigation package of action '${action.id}' is not available (status ${String(action.status)}).`;
}

function commandProblem(action: RawAction, indexText: string): string | undefined {
  const commands = Array.isArray(action.commands) ? action.commands as Array<Record<string, unknown>> : [];
  if (action.type !== 'LiveResponse' || commands.length === 0) {
    return `Action '${action.id}' is not a live response action.`;
  }
  if (!/^\d+$/.test(indexText) || Number(indexText) >= commands.length) {
    return `Invalid command index '${indexText}': the action has ${commands.length} commands.`;
  }
  const status = commands[Number(indexText)].commandStatus;
  return status === 'Completed' ? undefined : `Command ${indexText} has no result: its status is ${String(status)}.`;
}

/** Valid JSON (a list of nothing, padded with spaces) that inflates to `inflatedBytes`, gzip-encoded. */
function gzipBombReply(inflatedBytes: number, status: number): Reply {
  const envelope = ['{"value":[', ']}'];
  const padding = Math.max(0, inflatedBytes - envelope.join('').length);
  const body = zlib.gzipSync(Buffer.from(envelope.join(' '.repeat(padding))));
  return { status, headers: { 'content-type': ODATA_JSON, 'content-encoding': 'gzip' }, body };
}

/** An answer written whole, not dropped, cut or streamed. */
function isReply(outcome: Outcome): outcome is Reply {
  return outcome !== 'reset' && !('truncated' in outcome) && !('large' in outcome);
}

/**
 * A JSON list of nothing padded with spaces to `bytes` bytes, in 64 KiB chunks each written when the connection took
 * the last ('drain'), counted into `record.sentBytes`; it stops when the client closes the connection.
 */
function writeLarge(res: http.ServerResponse, answer: { status: number; bytes: number; correlationId: string }, record: RecordedRequest): void {
  res.writeHead(answer.status, { 'content-type': ODATA_JSON, 'content-length': String(answer.bytes), 'request-id': answer.correlationId });
  const head = Buffer.from('{"value":[');
  const tail = Buffer.from(']}');
  const padding = Buffer.alloc(64 * 1024, 0x20);
  const next = (): void => {
    while (!res.destroyed) {
      const left = answer.bytes - record.sentBytes;
      const chunk = record.sentBytes === 0 ? head : left <= tail.length ? tail.subarray(tail.length - left) : padding.subarray(0, Math.min(padding.length, left - tail.length));
      record.sentBytes += chunk.length;
      if (record.sentBytes >= answer.bytes) {
        res.end(chunk);
        return;
      }
      if (!res.write(chunk)) {
        res.once('drain', next);
        return;
      }
    }
  };
  next();
}

/** `outcome` gzip-encoded, then cut short or corrupted (see 'gzipCut', 'gzipCorrupt'); a dropped answer unchanged. */
function withDamagedGzip(outcome: Outcome, damage: 'gzipCut' | 'gzipCorrupt'): Outcome {
  if (!isReply(outcome)) {
    return outcome;
  }
  const body = damagedGzip(Buffer.from(outcome.body), damage === 'gzipCut' ? 'cut' : 'corrupt');
  return { ...outcome, headers: { ...outcome.headers, 'content-encoding': 'gzip' }, body };
}

/** A list page answered by `outcome` with its elements replaced (see 'hollowPage'); other answers unchanged. */
function hollowed(outcome: Outcome, elements: 'none' | 'unreadable'): Outcome {
  if (!isReply(outcome) || outcome.status !== 200) {
    return outcome;
  }
  const page = JSON.parse(String(outcome.body)) as Record<string, unknown>;
  page.value = elements === 'none' ? [] : [{ noId: true }, 42, 'text'];
  return { ...outcome, body: JSON.stringify(page) };
}

/**
 * Headers with the full Content-Length and half the body, then the connection closes: a body cut off mid-way; `hold`:
 * it stays open and silent instead (a stalled body).
 */
function writeTruncated(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, hold = false): void {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
    if (!hold) {
      req.socket.destroy();
    }
  });
}

/** Whether the token carries every value of each `access_token` claim that `claims` asks for. */
function carriesClaims(identity: TokenIdentity, claims: string): boolean {
  const wanted = (JSON.parse(claims) as { access_token?: Record<string, { value?: unknown; values?: unknown[] }> }).access_token ?? {};
  return Object.entries(wanted).every(([name, spec]) => {
    const has = identity.claims?.[name];
    const present = (Array.isArray(has) ? has : has === undefined ? [] : [has]).map(String);
    const values = spec.values ?? (spec.value === undefined ? [] : [spec.value]);
    return values.every((value) => present.includes(String(value)));
  });
}

/** Keeps the spelling the action already uses. */
function lastUpdateKey(action: RawAction): string {
  return 'lastUpdateTimeUtc' in action && !('lastUpdateDateTimeUtc' in action) ? 'lastUpdateTimeUtc' : 'lastUpdateDateTimeUtc';
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseComment(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    const comment = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).Comment : undefined;
    return typeof comment === 'string' && comment.trim() !== '' ? comment : undefined;
  } catch {
    return undefined;
  }
}

export async function startDefenderSimulator(options: DefenderSimulatorOptions = {}): Promise<DefenderSimulator> {
  const tls = options.tls ?? ensureTlsMaterial();
  let simulator: DefenderSimulator | undefined;
  const { server, port } = await listenHttps(tls, (req, res) => {
    void simulator?.handle(req, res);
  }, options.port ?? 0, options.host ?? '127.0.0.1');
  simulator = new DefenderSimulator(server, port, tls, options, options.now ?? Date.now);
  return simulator;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const pageSize = cliOption(args, 'page-size');
  const tlsDir = cliOption(args, 'tls-dir');
  const enumSpelling = cliOption(args, 'enum-spelling') === 'variant' ? 'variant' : 'canonical';
  const timeFormat = cliOption(args, 'time-format') === 'zoneless' ? 'zoneless' : 'ticks';
  void startDefenderSimulator({
    seed: { enumSpelling, timeFormat },
    port: Number(cliOption(args, 'port') ?? 0),
    tls: tlsDir ? ensureTlsMaterial(tlsDir) : undefined,
    pageSize: pageSize ? Number(pageSize) : undefined,
  }).then((sim) => announceAndRunUntilSignal({ url: sim.url, caPath: sim.caPath, token: sim.createToken() }, () => sim.close()));
}
