// DefenderApiError and the mapping from HTTP answers (SPEC §1 "Errors"): JSON, OData, HTML, empty or plain text.
import type * as http from 'node:http';
import { byteSize } from '../shared/byteSize';
import { redactBounded } from '../shared/redact';

/** 'rateLimited': not sent because the shared rate budget would have held it too long (status 429, as the service would answer). */
export type DefenderErrorKind = 'http' | 'network' | 'timeout' | 'malformed' | 'invalidInput' | 'foreignOrigin' | 'rateLimited';

const KINDS: ReadonlySet<string> = new Set<DefenderErrorKind>(['http', 'network', 'timeout', 'malformed', 'invalidInput', 'foreignOrigin', 'rateLimited']);

export interface DefenderApiErrorInit {
  kind: DefenderErrorKind;
  /** User-facing text; includes the server's message verbatim (the UI escapes it). */
  message: string;
  /** The request, when there was one ('' otherwise). */
  method?: string;
  path?: string;
  status?: number;
  /** The server's error code, or the system error code (ECONNRESET, CERT_HAS_EXPIRED, …) for network failures. */
  code?: string;
  serverMessage?: string;
  correlationId?: string;
  retryAfterSeconds?: number;
  /** A 401's claims challenge, decoded (JSON text for MSAL's `claims`); see claimsChallengeFrom. */
  claims?: string;
  cause?: unknown;
}

/**
 * A failed Defender API call, classified by `kind` (see DefenderErrorKind) with the request (`method`, `path` without
 * the host), the HTTP `status`, the server's or the system's `code`, `retryAfterSeconds` (s) and a 401's `claims`.
 * Its message is for the user; server text in it still goes through the text gate when shown.
 */
export class DefenderApiError extends Error {
  override readonly name = 'DefenderApiError';
  readonly kind: DefenderErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly code?: string;
  readonly serverMessage?: string;
  readonly correlationId?: string;
  readonly retryAfterSeconds?: number;
  readonly claims?: string;

  constructor(init: DefenderApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.method = init.method ?? '';
    this.path = init.path ?? '';
    this.status = init.status;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.correlationId = init.correlationId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.claims = init.claims;
  }
}

/** By shape, not instanceof: a second copy of this module (bundles, tests) must still be recognised. */
export function isDefenderApiError(error: unknown): error is DefenderApiError {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const e = error as { name?: unknown; kind?: unknown; message?: unknown };
  return e.name === 'DefenderApiError' && typeof e.kind === 'string' && KINDS.has(e.kind) && typeof e.message === 'string';
}

/** What the client passes along with a failure so the error names its request. */
export interface RequestContext {
  method: string;
  path: string;
}

export interface HeaderLookup {
  get(name: string): string | null | undefined;
}

export const DEFAULT_RETRY_AFTER_SECONDS = 10;
const CORRELATION_HEADERS = ['request-id', 'client-request-id', 'x-ms-request-id'];
const MAX_QUOTED_TEXT = 300;

export function correlationIdFrom(headers: HeaderLookup): string | undefined {
  for (const name of CORRELATION_HEADERS) {
    const value = headers.get(name)?.trim();
    if (value) {
      return value;
    }
  }
  return undefined;
}

/**
 * Retry-After as RFC 9110 allows it: delay-seconds or an HTTP-date (gateways send the date), as whole seconds from
 * `nowMs` (epoch ms; a date in the past is 0), at most Number.MAX_SAFE_INTEGER. A header sent twice arrives joined
 * by ", " ("5, 5"): the first value is read. Undefined when absent or neither form.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const seconds = /^\s*(\d+(?:\.\d+)?)\s*(?:,|$)/.exec(value ?? '');
  if (seconds) {
    return Math.min(Math.ceil(Number(seconds[1])), Number.MAX_SAFE_INTEGER);
  }
  // IMF-fixdate and the obsolete forms all start with a day name (a comma after it, none inside the rest); Date.parse
  // reads each of them. HTTP dates are always GMT, and asctime's form says so nowhere: without a zone Date.parse
  // would read local time.
  const first = /^\s*([A-Za-z]{3,9},?[^,]*)/.exec(value ?? '')?.[1].trim();
  if (!first) {
    return undefined;
  }
  const date = Date.parse(/\b(GMT|UTC)\b/i.test(first) ? first : `${first} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

const MAX_FIRST_LINE = 200;

/** The first non-blank line of a body, at most 200 characters, for the log when an answer is not what was expected. */
export function firstLineOf(bodyText: string): string {
  const line = bodyText.split(/\r?\n/).find((l) => l.trim() !== '')?.trim() ?? '';
  // Redacted before the cut: a token straddling the cut would no longer be recognisable after it.
  const redacted = redactBounded(line, MAX_FIRST_LINE * 4);
  return redacted.length > MAX_FIRST_LINE ? `${redacted.slice(0, MAX_FIRST_LINE)}…` : redacted;
}

/** The `error` values of a `WWW-Authenticate: Bearer` challenge that carry claims to request a new token with. */
const CLAIMS_CHALLENGE_ERRORS = new Set(['insufficient_claims', 'invalid_token']);

/**
 * The challenges of a `WWW-Authenticate` value, each as its scheme and its parameters (names lower-cased). Several
 * header lines arrive joined by ", " (`PoP …, Bearer …`): a scheme is a token followed by blanks and a parameter,
 * a parameter a token followed by `=`; quoted values are skipped while looking for schemes.
 */
function challengesOf(header: string): Array<{ scheme: string; params: Map<string, string> }> {
  const masked = header.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => '_'.repeat(quoted.length));
  const starts = [...masked.matchAll(/(?:^|,)\s*([A-Za-z][\w.+-]*)(?=\s+[\w-]+\s*=|\s*,|\s*$)/g)];
  return starts.map((start, i) => {
    const text = header.slice(start.index + start[0].length, starts[i + 1]?.index ?? header.length);
    const params = new Map<string, string>();
    for (const [, name, quoted, bare] of text.matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
      params.set(name.toLowerCase(), quoted ?? bare);
    }
    return { scheme: start[1].toLowerCase(), params };
  });
}

/**
 * The claims of a claims challenge, decoded to JSON text: `Bearer error="insufficient_claims", claims="<base64>"`
 * (Conditional Access) or `error="invalid_token", … claims="<base64>"` (continuous access evaluation), wherever the
 * Bearer challenge stands among others. Parameter names and the error are matched case-insensitively; base64 and
 * base64url both decode. undefined when no Bearer challenge carries claims or the claims are not a JSON object.
 */
export function claimsChallengeFrom(header: string | null | undefined): string | undefined {
  const challenge = challengesOf(header ?? '').find(({ scheme, params }) => scheme === 'bearer' && params.get('claims')
    && CLAIMS_CHALLENGE_ERRORS.has((params.get('error') ?? '').toLowerCase()));
  if (!challenge) {
    return undefined;
  }
  const encoded = challenge.params.get('claims') ?? '';
  const decoded = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  try {
    const value: unknown = JSON.parse(decoded);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A 401 whose claims challenge a token requested with those claims did not satisfy: only an interactive sign-in that
 * passes them can (Conditional Access: MFA, a compliant device, a revoked session). Keeps `claims` for that sign-in.
 */
export function claimsUnmetError(error: DefenderApiError): DefenderApiError {
  return new DefenderApiError({
    kind: error.kind, method: error.method, path: error.path, status: 401, code: error.code, serverMessage: error.serverMessage,
    correlationId: error.correlationId, claims: error.claims,
    message: 'A Conditional Access policy of your organization asks you to sign in again to use Microsoft Defender: '
      + 'the Defender API asked for claims that a renewed token did not satisfy. Sign In to continue.',
  });
}

/** The standard reason phrase of an HTTP status ("Not Found"); node:http is loaded on first use, not at activation. */
function statusReason(status: number): string | undefined {
  return (require('node:http') as typeof http).STATUS_CODES[status];
}

function statusLine(status: number): string {
  const reason = statusReason(status);
  return reason ? `${status} ${reason}` : String(status);
}

type BodyShape =
  | { form: 'empty' }
  | { form: 'html' }
  | { form: 'json'; value: unknown }
  | { form: 'text'; excerpt: string };

function classifyBody(headers: HeaderLookup, bodyText: string): BodyShape {
  const trimmed = bodyText.trim();
  if (!trimmed) {
    return { form: 'empty' };
  }
  if (/text\/html/i.test(headers.get('content-type') ?? '') || trimmed.startsWith('<')) {
    return { form: 'html' };
  }
  try {
    return { form: 'json', value: JSON.parse(trimmed) };
  } catch {
    const collapsed = trimmed.replace(/\s+/g, ' ');
    return { form: 'text', excerpt: collapsed.length > MAX_QUOTED_TEXT ? `${collapsed.slice(0, MAX_QUOTED_TEXT)}…` : collapsed };
  }
}

function htmlMessage(status: number): string {
  return `The server answered with an HTML page (status ${status}) — a proxy or gateway may be in the way`;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

interface ServerError {
  code?: string;
  message?: string;
  target?: string;
}

/**
 * `{"error":{"code","message","target"}}`; the OData form with an empty code and a `details` array (their
 * messages carry the specifics); also the looser `{"error":"…","error_description":"…"}` and `{"message":"…"}`
 * that gateways in front of the API produce.
 */
function serverErrorFrom(json: unknown): ServerError {
  if (typeof json !== 'object' || json === null) {
    return {};
  }
  const body = json as Record<string, unknown>;
  const error = body.error;
  if (typeof error === 'string') {
    return { code: nonEmptyString(error), message: nonEmptyString(body.error_description) ?? nonEmptyString(body.message) ?? nonEmptyString(error) };
  }
  if (typeof error !== 'object' || error === null) {
    return { message: nonEmptyString(body.message) ?? nonEmptyString(body.Message) };
  }
  const e = error as Record<string, unknown>;
  const details = Array.isArray(e.details) ? e.details.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null) : [];
  const messages = [nonEmptyString(e.message), ...details.map((d) => nonEmptyString(d.message))].filter((m): m is string => m !== undefined);
  const unique = [...new Set(messages)];
  return {
    code: nonEmptyString(e.code) ?? details.map((d) => nonEmptyString(d.code)).find((c) => c !== undefined),
    message: unique.length ? unique.join(' — ') : undefined,
    target: nonEmptyString(e.target),
  };
}

/** The typed error for a non-2xx answer. */
export function errorFromResponse(
  status: number, headers: HeaderLookup, bodyText: string, method: string, path: string, nowMs: number = Date.now(),
): DefenderApiError {
  const base = {
    kind: 'http' as const,
    method,
    path,
    status,
    retryAfterSeconds: parseRetryAfter(headers.get('retry-after'), nowMs) ?? (status === 429 ? DEFAULT_RETRY_AFTER_SECONDS : undefined),
    claims: status === 401 ? claimsChallengeFrom(headers.get('www-authenticate')) : undefined,
  };
  const headerCorrelation = correlationIdFrom(headers);
  if (status >= 300 && status < 400) {
    // Redirects are not followed: the bearer token goes to the configured API origin only.
    return new DefenderApiError({
      ...base,
      correlationId: headerCorrelation,
      message: `The server answered with a redirect (status ${status}), which is not followed so the token stays with the configured API address`,
    });
  }
  const body = classifyBody(headers, bodyText);
  const line = `Defender API answered ${statusLine(status)}`;
  switch (body.form) {
    case 'empty':
      return new DefenderApiError({ ...base, correlationId: headerCorrelation, message: `${line} with an empty body` });
    case 'html':
      return new DefenderApiError({ ...base, correlationId: headerCorrelation, message: htmlMessage(status) });
    case 'text':
      return new DefenderApiError({ ...base, correlationId: headerCorrelation, serverMessage: body.excerpt, message: `${line}: ${body.excerpt}` });
    case 'json': {
      const server = serverErrorFrom(body.value);
      const codeNote = server.code && server.code.toLowerCase() !== (statusReason(status) ?? '').replace(/\s/g, '').toLowerCase() ? ` (${server.code})` : '';
      return new DefenderApiError({
        ...base,
        code: server.code,
        serverMessage: server.message,
        correlationId: server.target ?? headerCorrelation,
        message: server.message ? `${line}${codeNote}: ${server.message}` : `${line}${codeNote} without an error message`,
      });
    }
  }
}

/**
 * The typed error for a non-2xx answer whose body did not arrive whole or readable (the connection dropped mid-body,
 * the time-out struck while it was read, its compressed data ended early or was corrupt, it was over the size cap);
 * `lost` says which, after "its message". Its status and headers did arrive and stand as they
 * would with the body — Retry-After, a 401's claims challenge, the correlation ID — only the server's message is lost:
 * not a dropped connection, which a client would retry at once, against a 429's Retry-After or without a 401's
 * token refresh.
 */
export function errorFromCutResponse(
  status: number, headers: HeaderLookup, method: string, path: string, nowMs: number = Date.now(), lost = 'was cut off on the way',
): DefenderApiError {
  const error = errorFromResponse(status, headers, '', method, path, nowMs);
  if (status >= 300 && status < 400) {
    return error;
  }
  return new DefenderApiError({
    kind: error.kind, method, path, status, correlationId: error.correlationId, retryAfterSeconds: error.retryAfterSeconds, claims: error.claims,
    message: `Defender API answered ${statusLine(status)}; its message ${lost}`,
  });
}

const IN_BETWEEN = 'a proxy or gateway between VS Code and the Defender API may have answered instead';

/** The JSON of a 2xx answer, or a clear 'malformed' error naming what came instead and the likely cause. */
export function jsonFromSuccess(status: number, headers: HeaderLookup, bodyText: string, method: string, path: string): unknown {
  const body = classifyBody(headers, bodyText);
  const context = { kind: 'malformed' as const, method, path, status, correlationId: correlationIdFrom(headers) };
  const line = `Defender API answered ${statusLine(status)}`;
  switch (body.form) {
    case 'json':
      return body.value;
    case 'empty':
      return throwError({ ...context, message: `${line} with an empty body where JSON was expected — ${IN_BETWEEN}` });
    case 'html':
      return throwError({ ...context, message: htmlMessage(status) });
    case 'text':
      return throwError({ ...context, serverMessage: body.excerpt, message: `${line} with text that is not JSON — ${IN_BETWEEN}: ${body.excerpt}` });
  }
}

/** A 2xx answer whose JSON is not what the request returns (no list envelope, no action): the parser's error, naming the likely cause. */
export function unexpectedJsonError(error: DefenderApiError, status: number): DefenderApiError {
  return new DefenderApiError({
    kind: error.kind,
    method: error.method,
    path: error.path,
    status,
    code: error.code,
    correlationId: error.correlationId,
    message: `${error.message} — ${IN_BETWEEN}`,
  });
}

/**
 * A 2xx answer about another machine action than the one asked for (`answeredId`, bounded here): unusable, never
 * applied to `askedId`. Kind 'malformed', code 'OtherAction'.
 */
export function otherActionError(askedId: string, answeredId: string, status: number, method: string, path: string): DefenderApiError {
  return new DefenderApiError({
    kind: 'malformed',
    method,
    path,
    status,
    code: 'OtherAction',
    message: `The Defender API answered with machine action ${JSON.stringify(firstLineOf(answeredId).slice(0, 80))} instead of ${askedId} — ${IN_BETWEEN}`,
  });
}

function throwError(init: DefenderApiErrorInit): never {
  throw new DefenderApiError(init);
}

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/;

/** A connection that failed before an answer: the system code (ECONNREFUSED, CERT_HAS_EXPIRED, …) is named. */
export function networkError(cause: unknown, method: string, path: string): DefenderApiError {
  const c = (typeof cause === 'object' && cause !== null ? cause : {}) as { code?: unknown; errno?: unknown; message?: unknown };
  const code = nonEmptyString(c.code) ?? nonEmptyString(c.errno);
  const reason = nonEmptyString(c.message)?.replace(/^request to \S+ failed, reason: /, '') ?? String(cause);
  const hint = code && CERTIFICATE_CODES.test(code)
    ? ' — the server\'s certificate is not trusted; if a proxy inspects TLS, its CA must be trusted by VS Code'
    : '';
  return new DefenderApiError({
    kind: 'network',
    method,
    path,
    code,
    cause,
    message: `Could not reach the Defender API${code ? ` (${code})` : ''}: ${reason}${hint}`,
  });
}

/** The code a body cut off mid-way carries, whatever the platform reported; the client retries a GET after it. */
export const BODY_CUT_CODE = 'ERR_STREAM_PREMATURE_CLOSE';
/** Error codes of a connection that dropped: reset, closed under a write, or a body that ended before its end. */
export const DROPPED_CONNECTION_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', BODY_CUT_CODE]);

/**
 * An answer whose headers arrived but whose body stopped before its end (premature close, Content-Length not
 * reached): a dropped connection, as transient as a reset. `status` is the answer's HTTP status.
 */
export function droppedConnectionError(cause: unknown, status: number, method: string, path: string): DefenderApiError {
  return new DefenderApiError({
    kind: 'network',
    method,
    path,
    code: BODY_CUT_CODE,
    cause,
    message: `The connection to the Defender API dropped before the whole answer arrived (status ${status})`,
  });
}

/**
 * A 2xx or error answer whose compressed body no decoder reads (`cause`: the decoder's error): the API sends valid
 * gzip, so something in between most likely altered it. Kind 'malformed', code 'CorruptBody'; never retried.
 */
export function corruptBodyError(cause: unknown, status: number, method: string, path: string): DefenderApiError {
  return new DefenderApiError({
    kind: 'malformed',
    method,
    path,
    status,
    code: 'CorruptBody',
    cause,
    message: `The answer of the Defender API (status ${status}) could not be decompressed: its data is corrupt — ${IN_BETWEEN}`,
  });
}

/** A decoded body over `capBytes` was not read on: a clear error naming the cap, never retried. */
export function bodyTooLargeError(capBytes: number, status: number, method: string, path: string): DefenderApiError {
  return new DefenderApiError({
    kind: 'malformed',
    method,
    path,
    status,
    code: 'ResponseTooLarge',
    message: `The answer of the Defender API is larger than the ${byteSize(capBytes)} this extension reads; not read on. `
      + 'Lower the settings "Max Actions" or "Lookback Days"; if that does not help, something between VS Code and the API sends it',
  });
}

export function timeoutError(timeoutMs: number, method: string, path: string): DefenderApiError {
  return new DefenderApiError({
    kind: 'timeout',
    method,
    path,
    message: `The Defender API did not answer within ${Math.round(timeoutMs / 100) / 10} s`,
  });
}

/** A wait for a sentence: "45 s", "12 min", "1 h 5 min". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  const minutes = Math.ceil(s / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/**
 * A 429 whose Retry-After is longer than the client waits: the same error, saying it was not waited out and when to
 * try again. A wait beyond `maxPauseSeconds` (the limiter's clamp) is reported as "longer than" the clamp, never
 * quoted (it may be hundreds of digits): the client sends again after the clamp rather than believe an absurd value.
 * Status and retryAfterSeconds stay, so the UI still reports throttling.
 */
export function notWaitedError(error: DefenderApiError, maxWaitSeconds: number, maxPauseSeconds = Infinity): DefenderApiError {
  const asked = error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  const seconds = Math.min(asked, maxPauseSeconds);
  const wait = asked > seconds
    ? `the service asks to wait longer than ${formatWait(seconds)}, the most this client holds off; try again in ${formatWait(seconds)}`
    : `the service asks to wait ${formatWait(seconds)}, longer than the ${maxWaitSeconds} s a request waits; try again then`;
  return new DefenderApiError({
    kind: error.kind,
    method: error.method,
    path: error.path,
    status: error.status,
    code: error.code,
    serverMessage: error.serverMessage,
    correlationId: error.correlationId,
    retryAfterSeconds: seconds,
    message: `${error.message} — ${wait}`,
  });
}

/** The shared rate budget would hold a request longer than the client waits, so it was not sent; `reason` says what holds it. */
export function rateLimitedError(reason: string, waitSeconds: number, method: string, path: string): DefenderApiError {
  const seconds = Math.max(1, Math.ceil(waitSeconds));
  return new DefenderApiError({
    kind: 'rateLimited',
    method,
    path,
    status: 429,
    retryAfterSeconds: seconds,
    message: `Not sent: ${reason}; the next call is allowed in ${formatWait(seconds)}`,
  });
}

/** The error for input refused before any request (an id that is no GUID, a comment too long): no Retry. */
export function invalidInputError(message: string, context?: RequestContext): DefenderApiError {
  return new DefenderApiError({ kind: 'invalidInput', message, ...context });
}

/** How much of an id that is no action id is quoted (characters, then `…`), and how many such ids are named. */
const QUOTED_ID_LENGTH = 60;
const QUOTED_IDS = 3;

/**
 * Why `ids` (typed, pasted or passed by a caller) are not machine action ids, with an example: at most 3 of them
 * named, each redacted and cut to 60 characters, so the example always fits on screen. Not gated here (a message
 * of a DefenderApiError never is): the screen takes it through the text gate (notify, quickPickText), the log
 * through logLine, which shows the input as it came.
 */
export function notAnActionIdMessage(ids: readonly string[]): string {
  const named = ids.slice(0, QUOTED_IDS).map((id) => redactBounded(id, QUOTED_ID_LENGTH));
  const more = ids.length > QUOTED_IDS ? ` and ${ids.length - QUOTED_IDS} more` : '';
  return `Not a machine action ID: ${named.join(', ')}${more}. An action ID is a GUID such as 7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33.`;
}

/** The 'invalidInput' error for `ids` that are not machine action ids (notAnActionIdMessage): nothing is sent. */
export function notAnActionIdError(ids: readonly string[]): DefenderApiError {
  return invalidInputError(notAnActionIdMessage(ids));
}
