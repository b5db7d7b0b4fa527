// The Defender for Endpoint machine-actions API over node-fetch: list, get, cancel; a timeout on every
// request, the retry policy of SPEC §3, the shared rate budget, and typed errors. Tokens never reach the log.
import type * as https from 'node:https';
import type { Response } from 'node-fetch';
import {
  BODY_CUT_CODE,
  DROPPED_CONNECTION_CODES,
  bodyTooLargeError,
  claimsUnmetError,
  correlationIdFrom,
  corruptBodyError,
  DEFAULT_RETRY_AFTER_SECONDS,
  DefenderApiError,
  droppedConnectionError,
  errorFromCutResponse,
  errorFromResponse,
  firstLineOf,
  HeaderLookup,
  invalidInputError,
  isDefenderApiError,
  jsonFromSuccess,
  networkError,
  notAnActionIdError,
  notWaitedError,
  otherActionError,
  rateLimitedError,
  RequestContext,
  timeoutError,
  unexpectedJsonError,
} from './errors';
import { REQUEST_TIMEOUT_MS } from '../config';
import { reportingCutBodies } from './cutBodies';
import { ACCEPTED_ENCODINGS, decodeBody, UndecodableBodyError } from './decodeBody';
import { MergedPages, pageLimit } from './listPages';
import { byteSize } from '../shared/byteSize';
import { hasCredentialsOrQuery, isHttps, isSameHttpsOrigin, schemeAndHost } from '../shared/httpsUrl';
import { Clock, Logger, systemClock } from '../shared/logger';
import type { TimeOrder } from '../shared/time';
import { cancelCommentProblem, isGuid, ListEnvelope, listEnvelope, MachineAction, parseMachineAction } from './machineAction';
import { buildListQuery, clampTop } from './query';
import { RateBudgetExhausted, RateLimiter } from './rateLimiter';
import { parseResultLink, ResultRequest, resultLinkCall, resultUnavailableReason, withPermissionNamed } from './resultLinks';

export interface DefenderClientOptions {
  /** `https://api.security.microsoft.com` or the cloud's equivalent; https only. */
  apiBaseUrl: string;
  /** `claims`: a 401's claims challenge (decoded JSON), to be passed to the token request. */
  getAccessToken: (options: { forceRefresh: boolean; claims?: string }) => Promise<string>;
  /**
   * Called when a 401's claims challenge stays unmet after a token requested with those claims: only an interactive
   * sign-in that passes them can help, so the next Sign In should.
   */
  onClaimsUnmet?: (claims: string) => void;
  logger: Logger;
  clock?: Clock;
  /** Share one limiter between clients of the same application and tenant. */
  rateLimiter?: RateLimiter;
  timeoutMs?: number;
  /**
   * The longest a request waits for the rate budget or a 429's Retry-After (default 60). Beyond it, the request
   * fails at once with a typed 429 that says how long, instead of leaving a refresh or a cancel hanging.
   */
  maxWaitSeconds?: number;
  /** For a CA that must be trusted explicitly (tests, TLS-inspecting proxies). */
  agent?: https.Agent;
}

export interface ListOptions {
  lookbackDays: number;
  /** At most this many actions in total (1…10,000). */
  top: number;
  requestorUpn?: string;
  now?: Date;
}

export interface ListResult {
  actions: MachineAction[];
  /** Sentences for the user: why the list may be incomplete. */
  warnings: string[];
  /** Elements of the answer that were not readable machine actions. */
  skipped: number;
  /** Copies of an action that overlapping or repeated pages carried again, dropped (the newest copy is kept). */
  duplicates: number;
  /** How the creation times of `actions` stand, in their order (grouping need not read them again). */
  creationOrder: TimeOrder;
}

export interface RequestHooks {
  /** Called before the request waits about a second or more (rate budget or a 429's Retry-After), so the UI can say how long. */
  onThrottled?(seconds: number): void;
}

/** RequestHooks for a cancel, which must know when its POST left (see onSending). */
export interface CancelHooks extends RequestHooks {
  /** Called as each attempt goes on the wire: from then on an abort would not undo what the service may have done. */
  onSending?(): void;
}

const DEFAULT_MAX_WAIT_SECONDS = 60;
const GET_THROTTLE_RETRIES = 3;
const POST_THROTTLE_RETRIES = 1;
/** Backoff before each retry of a GET after a 5xx or a dropped connection; its length is the retry count. */
const GET_BACKOFF_MS = [1000, 2000];
/** A dropped connection, and failures that a moment later may not repeat: worth a GET's retry. */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([...DROPPED_CONNECTION_CODES, 'ECONNABORTED', 'ETIMEDOUT', 'EAI_AGAIN']);
/**
 * The largest decoded answer read, in bytes (issue 11 item 4). 10,000 actions, the API's maximum, measured 5.9 MiB
 * with the simulator's bulk actions; 32 MiB leaves room for longer fields, and a gzip bomb stops there.
 */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MACHINE_ACTIONS_PATH = '/api/machineactions';

type Method = 'GET' | 'POST';

/** A 2xx answer as received; the caller decides what its body must be. */
interface Answer {
  status: number;
  headers: HeaderLookup;
  text: string;
  /** Why the body was not read (then `text` is ''): a cancel's 2xx is accepted whatever its body. */
  unread?: string;
}

interface Attempt {
  status?: number;
  ms: number;
  correlationId?: string;
}

function describeAttempt(method: Method, path: string, attempt: Attempt, failure?: DefenderApiError): string {
  const outcome = attempt.status !== undefined ? String(attempt.status) : failure?.kind ?? '?';
  const code = failure?.code ? ` ${failure.code}` : '';
  const correlation = attempt.correlationId ? ` (correlation ${attempt.correlationId})` : '';
  return `${method} ${readablePath(path)} → ${outcome}${code} in ${attempt.ms} ms${correlation}`;
}

/** Query strings are logged decoded so an engineer can read the filter. */
function readablePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The machine-actions API of one API base for one account (see the file comment): list (paged), get and cancel,
 * each through the shared rate budget with a time-out (REQUEST_TIMEOUT_MS unless given) and typed DefenderApiErrors.
 */
export class DefenderClient {
  private readonly base: URL;
  private readonly getAccessToken: DefenderClientOptions['getAccessToken'];
  private readonly onClaimsUnmet: DefenderClientOptions['onClaimsUnmet'];
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly maxWaitSeconds: number;
  private readonly agent?: https.Agent;

  constructor(options: DefenderClientOptions) {
    this.base = parseApiBase(options.apiBaseUrl);
    this.getAccessToken = options.getAccessToken;
    this.onClaimsUnmet = options.onClaimsUnmet;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.limiter = options.rateLimiter ?? new RateLimiter({ clock: this.clock });
    this.timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    this.maxWaitSeconds = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
    this.agent = options.agent;
  }

  /**
   * GET /api/machineactions (Machine.Read or Machine.ReadWrite): one request for up to 10,000 actions;
   * `@odata.nextLink` is followed only on the API's own origin, for at most pageLimit() pages. Pages are merged by id
   * (newest copy kept) and paging stops when a page of readable actions adds nothing new (a page without any is passed
   * over); the warnings say what was dropped or left.
   * Throws DefenderApiError (also 'malformed' when the answer is not the list's JSON).
   */
  async listMachineActions(options: ListOptions, signal?: AbortSignal, hooks?: RequestHooks): Promise<ListResult> {
    const query = buildListQuery({ ...options, now: options.now ?? new Date(this.clock.now()) });
    const top = clampTop(options.top);
    const merged = new MergedPages(top);
    const warnings: string[] = [];
    let url: URL | undefined = this.url(`${MACHINE_ACTIONS_PATH}?${query}`);
    const visited = new Set<string>();
    let maxPages = 1;
    for (let pages = 1; url; pages++) {
      visited.add(url.href);
      const page = await this.readPage(url, signal, hooks);
      const { received, readable, added } = merged.add(page);
      maxPages = pages === 1 ? pageLimit(top, received) : maxPages;
      url = merged.full ? undefined : this.nextPage(page.nextLink, visited, warnings);
      // A page without readable actions (empty, or only unreadable elements) repeats nothing: paging goes on, within
      // the page cap, and the unreadable elements are counted in the warnings.
      if (url && added === 0 && readable > 0) {
        url = undefined;
        this.warn(warnings, `Page ${pages} of the list repeated only actions already read; paging stopped there. The list may be incomplete.`);
      } else if (url && pages >= maxPages) {
        url = undefined;
        this.warn(warnings, `The server split the list into more than ${maxPages} pages; only those were read, to keep the rate budget for cancels. The list may be incomplete.`);
      }
    }
    this.reportDropped(merged, warnings);
    return { actions: merged.actions, warnings, skipped: merged.skipped, duplicates: merged.duplicates, creationOrder: merged.creationOrder };
  }

  private async readPage(url: URL, signal?: AbortSignal, hooks?: RequestHooks): Promise<ListEnvelope> {
    const answer = await this.send('GET', url, undefined, signal, hooks);
    return this.decode(answer, { method: 'GET', path: url.pathname + url.search }, listEnvelope);
  }

  private reportDropped(merged: MergedPages, warnings: string[]): void {
    const { skipped, duplicates } = merged;
    if (duplicates > 0) {
      this.warn(warnings, `The server sent ${duplicates} action${duplicates === 1 ? '' : 's'} twice in overlapping pages; each is shown once, in its latest state.`);
    }
    if (skipped > 0) {
      this.warn(warnings, `${skipped} machine action${skipped === 1 ? '' : 's'} in the answer could not be read and ${skipped === 1 ? 'is' : 'are'} not shown.`);
    }
  }

  private warn(warnings: string[], message: string): void {
    this.logger.warn(message);
    warnings.push(message);
  }

  /**
   * GET /api/machineactions/{id} (Machine.Read or Machine.ReadWrite): action `id`, also as every read-back of a
   * cancel. Throws DefenderApiError; 'malformed' with code 'OtherAction' (logged) when the answer is another action
   * (ids compared without case), which must never be applied to `id`.
   */
  async getMachineAction(id: string, signal?: AbortSignal, hooks?: RequestHooks): Promise<MachineAction> {
    const url = this.actionUrl(id, '');
    const answer = await this.send('GET', url, undefined, signal, hooks);
    const action = this.decode(answer, { method: 'GET', path: url.pathname }, parseMachineAction);
    if (action.id.toLowerCase() !== id.toLowerCase()) {
      const error = otherActionError(id, action.id, answer.status, 'GET', url.pathname);
      this.logger.error(`GET ${url.pathname}: ${error.message}`);
      throw error;
    }
    return action;
  }

  /**
   * POST /api/machineactions/{id}/cancel (one of the Machine.* action permissions). One POST; sent again only after
   * a 401 (with a refreshed token) or a 429 (after Retry-After), which the service did not process, and only when
   * Retry-After is within maxWaitSeconds. Never after a 5xx, a dropped connection or a timeout: the caller re-reads
   * the action instead. Resolves with the action as answered, or undefined when the service accepted (2xx) but sent
   * no usable entity of THIS id (204, an empty, HTML or non-JSON body, JSON that is no machine action — such as a
   * bare `{"id"}` without type, status, machineId and creation time —, another id, a body over MAX_BODY_BYTES):
   * the caller then reads the action back with one GET. Throws DefenderApiError.
   */
  async cancelMachineAction(id: string, comment: string, signal?: AbortSignal, hooks?: CancelHooks): Promise<MachineAction | undefined> {
    const url = this.actionUrl(id, '/cancel');
    const problem = cancelCommentProblem(comment);
    if (problem) {
      throw invalidInputError(problem, { method: 'POST', path: url.pathname });
    }
    const answer = await this.send('POST', url, JSON.stringify({ Comment: comment.trim() }), signal, hooks);
    return this.acceptedEntity(answer, id, { method: 'POST', path: url.pathname });
  }

  /**
   * The expected JSON of a 2xx answer, as `parse` reads it; anything else is logged and thrown (parseAnswer).
   * `quoteBody: false` keeps the body out of the log, for answers that carry a signed link.
   */
  private decode<T>(answer: Answer, context: RequestContext, parse: (json: unknown, context: RequestContext) => T, quoteBody = true): T {
    const parsed = parseAnswer(answer, context, parse, quoteBody);
    if (!parsed.ok) {
      this.logger.error(`${context.method} ${readablePath(context.path)}: ${parsed.logText}`);
      throw parsed.error;
    }
    return parsed.value;
  }

  /** The entity of an accepted cancel, or undefined (logged) when the answer does not carry action `id`. */
  private acceptedEntity(answer: Answer, id: string, context: RequestContext): MachineAction | undefined {
    const where = `${context.method} ${context.path} → ${answer.status}`;
    if (answer.unread) {
      this.logger.warn(`${where}: accepted without the action (${answer.unread}); it is read back`);
      return undefined;
    }
    const parsed = parseAnswer(answer, context, parseAcceptedEntity);
    if (!parsed.ok) {
      this.logger.warn(`${where}: accepted without the action (${parsed.logText}); it is read back`);
      return undefined;
    }
    const action = parsed.value;
    if (action.id.toLowerCase() !== id.toLowerCase()) {
      this.logger.warn(`${where}: accepted, but the answer is action ${JSON.stringify(firstLineOf(action.id))}, not ${id}; not applied, ${id} is read back`);
      return undefined;
    }
    return action;
  }

  private actionUrl(id: string, suffix: string): URL {
    if (!isGuid(id)) {
      throw notAnActionIdError([id]);
    }
    return this.url(`${MACHINE_ACTIONS_PATH}/${id}${suffix}`);
  }

  /** Keeps any path prefix of the base (`https://proxy.example/mde` → `/mde/api/…`). */
  private url(pathAndQuery: string): URL {
    return new URL(this.base.pathname.replace(/\/$/, '') + pathAndQuery, this.base.origin);
  }

  private nextPage(nextLink: string | null, visited: Set<string>, warnings: string[]): URL | undefined {
    if (!nextLink) {
      return undefined;
    }
    let next: URL;
    try {
      next = new URL(nextLink, this.base);
    } catch {
      this.warn(warnings, 'The server pointed to more results with an invalid link (@odata.nextLink); the list may be incomplete.');
      return undefined;
    }
    if (!isSameHttpsOrigin(next, this.base)) {
      warnings.push(`The server pointed to more results at another address (${next.origin}); it was not followed so your token stays with ${this.base.origin}. The list may be incomplete.`);
      this.logger.warn(`@odata.nextLink points to ${next.origin}, not ${this.base.origin}; refused`);
      return undefined;
    }
    if (visited.has(next.href)) {
      this.warn(warnings, 'The server pointed back to a page already read; paging stopped there. The list may be incomplete.');
      return undefined;
    }
    return next;
  }

  /** One logical request: rate budget, token, timeout, and the retry policy; returns the 2xx answer. */
  private async send(method: Method, url: URL, body: string | undefined, signal?: AbortSignal, hooks?: CancelHooks): Promise<Answer> {
    const path = url.pathname + url.search;
    if (!isSameHttpsOrigin(url, this.base)) {
      throw new DefenderApiError({ kind: 'foreignOrigin', method, path, message: `Refused to send the token to ${url.origin}: only ${this.base.origin} is trusted` });
    }
    let round: TokenRound = { forceRefresh: false, claimsTried: false };
    let throttled = 0;
    let transient = 0;
    for (;;) {
      await this.acquire(method, path, signal, hooks);
      const token = await this.getAccessToken(round.claims ? { forceRefresh: true, claims: round.claims } : { forceRefresh: round.forceRefresh });
      hooks?.onSending?.();
      const started = performance.now();
      const outcome = await this.attempt(method, url, path, token, body, signal);
      const attempt: Attempt = { status: outcome.status, ms: Math.round(performance.now() - started), correlationId: outcome.correlationId };
      if (outcome.ok) {
        this.logger.info(describeAttempt(method, path, attempt));
        return outcome.answer;
      }
      const error = outcome.error;
      const line = describeAttempt(method, path, { ...attempt, correlationId: error.correlationId ?? attempt.correlationId }, error);
      if (error.status === 401) {
        const next = nextTokenRound(error, round);
        if (next) {
          round = next;
          this.logger.warn(`${line}; ${next.claims ? 'claims challenge (Conditional Access): getting a token with the claims' : 'refreshing the token'} and retrying once`);
          continue;
        }
        if (error.claims) {
          this.onClaimsUnmet?.(error.claims);
          const unmet = claimsUnmetError(error);
          this.logger.error(`${line}: ${unmet.message}`);
          throw unmet;
        }
      }
      if (error.status === 429 && this.retriesAfterThrottle(error, line, method, throttled)) {
        throttled++;
        continue;
      }
      if (method === 'GET' && transient < GET_BACKOFF_MS.length && isTransient(error)) {
        await this.waitBeforeTransientRetry(error, line, ++transient, signal);
        continue;
      }
      this.logger.error(`${line}: ${error.message}`);
      throw error;
    }
  }

  /**
   * A 429: pauses the shared budget for its Retry-After (s) and says whether this request tries again after it (the
   * `throttled`th retry so far). Throws the typed "not waited" error when the wait is longer than maxWaitSeconds.
   */
  private retriesAfterThrottle(error: DefenderApiError, line: string, method: Method, throttled: number): boolean {
    const seconds = error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    this.holdForRetryAfter(error, seconds, line);
    if (throttled >= (method === 'GET' ? GET_THROTTLE_RETRIES : POST_THROTTLE_RETRIES)) {
      return false;
    }
    // The shared limiter does the waiting (and tells the hook), as for any other pause.
    this.logger.warn(`${line}; waiting ${seconds} s (Retry-After) before retry ${throttled + 1}`);
    return true;
  }

  /**
   * Before retry `retry` (1-based) of a GET after a 5xx or a dropped connection: the answer's Retry-After when it has
   * one (a 503's, under the same clamp and wait limit as a 429's: the limiter waits), else the backoff.
   */
  private async waitBeforeTransientRetry(error: DefenderApiError, line: string, retry: number, signal?: AbortSignal): Promise<void> {
    const of = `${retry} of ${GET_BACKOFF_MS.length}`;
    if (error.retryAfterSeconds !== undefined) {
      this.holdForRetryAfter(error, error.retryAfterSeconds, line);
      this.logger.warn(`${line}; waiting ${error.retryAfterSeconds} s (Retry-After) before retry ${of}`);
      return;
    }
    const delay = GET_BACKOFF_MS[retry - 1];
    this.logger.warn(`${line}; retrying in ${delay / 1000} s (${of})`);
    await this.clock.sleep(delay, signal);
  }

  /**
   * Pauses the shared limiter for a Retry-After of `seconds`, so the retry (and every other request of this tenant)
   * waits for it; the limiter clamps an absurd value. Throws notWaitedError (logged) when it is beyond maxWaitSeconds.
   */
  private holdForRetryAfter(error: DefenderApiError, seconds: number, line: string): void {
    // Even when this request gives up, no other request goes out before the service allows it (or the clamp).
    this.limiter.pauseFor(seconds);
    if (seconds > this.maxWaitSeconds) {
      const notWaited = notWaitedError(error, this.maxWaitSeconds, this.limiter.maxPauseSeconds);
      this.logger.error(`${line}: ${notWaited.message}`);
      throw notWaited;
    }
  }

  /** A slot in the shared budget, or at once a typed 429 when it would take longer than maxWaitSeconds. */
  private async acquire(method: Method, path: string, signal: AbortSignal | undefined, hooks: RequestHooks | undefined): Promise<void> {
    try {
      await this.limiter.acquire(signal, {
        maxWaitMs: this.maxWaitSeconds * 1000,
        purpose: method === 'GET' ? 'read' : 'write',
        onWait: (ms) => hooks?.onThrottled?.(Math.ceil(ms / 1000)),
      });
    } catch (error) {
      if (!(error instanceof RateBudgetExhausted)) {
        throw error;
      }
      const refused = rateLimitedError(error.reason, error.waitMs / 1000, method, path);
      this.logger.warn(`${method} ${readablePath(path)}: ${refused.message}`);
      throw refused;
    }
  }

  /**
   * One HTTP exchange with its own timeout; a caller's abort rejects with the caller's reason. An error answer whose
   * body is cut off or stalls is still that answer (bodyLostOutcome).
   */
  private async attempt(
    method: Method, url: URL, path: string, token: string, body: string | undefined, signal?: AbortSignal,
  ): Promise<Outcome> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    let cutStatus: number | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    let response: Response | undefined;
    try {
      response = await this.fetchOnce(method, url, token, body, controller.signal, (status) => {
        cutStatus = status;
        controller.abort();
      });
      return await this.readAnswer(response, method, path);
    } catch (error) {
      if (signal?.aborted) {
        throw signal.reason;
      }
      const answered = response && (timedOut || cutStatus !== undefined)
        ? bodyLostOutcome(response, method, path, this.clock.now(), timedOut ? `did not arrive within ${this.timeoutMs / 1000} s` : 'was cut off on the way')
        : undefined;
      return answered ?? { ok: false, error: failureOf(error, { timedOut, timeoutMs: this.timeoutMs, cutStatus }, method, path) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
      // A body not read to its end (over MAX_BODY_BYTES, or given up) is dropped, not drained: the connection closes
      // and the host stops sending. After a whole body this does nothing.
      controller.abort();
    }
  }

  /** The request on the wire, its body undecoded and at most MAX_BODY_BYTES; `onCut` as reportingCutBodies says. */
  private async fetchOnce(
    method: Method, url: URL, token: string, body: string | undefined, signal: AbortSignal, onCut: (status: number) => void,
  ): Promise<Response> {
    // Loaded on the first request, not at activation: node-fetch brings http, https, tls and zlib with it.
    const { default: fetch } = await import('node-fetch');
    return fetch(url.href, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        'Accept-Encoding': ACCEPTED_ENCODINGS,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body,
      agent: reportingCutBodies(this.agent ?? (require('node:https') as typeof https).globalAgent, onCut),
      redirect: 'manual',
      size: MAX_BODY_BYTES,
      // Decoded by readAnswer: node-fetch would pass a gzip stream that ends early as complete.
      compress: false,
      signal,
    });
  }

  /**
   * A fresh, short-lived https link to a result of `action` (never cached: it expires within minutes).
   * `GET {apiBase}/api/machineactions/{id}/GetLiveResponseResultDownloadLink(index={i})` (delegated permission
   * Machine.LiveResponse) or `GET …/{id}/getPackageUri` (Machine.CollectForensics); the answer is
   * `{"value": "<https URL>"}`. Throws DefenderApiError: 'invalidInput' without a request when the result does not
   * exist yet (resultUnavailableReason), 401/403 naming the permission, 404, 429, 5xx, 'malformed' for a missing or
   * non-https link.
   */
  async getResultLink(action: MachineAction, request: ResultRequest, signal?: AbortSignal, hooks?: RequestHooks): Promise<URL> {
    const reason = resultUnavailableReason(action, request);
    if (reason) {
      throw invalidInputError(reason);
    }
    const { suffix, permission } = resultLinkCall(request);
    const url = this.actionUrl(action.id, suffix);
    try {
      const answer = await this.send('GET', url, undefined, signal, hooks);
      return this.decode(answer, { method: 'GET', path: url.pathname }, parseResultLink, false);
    } catch (error) {
      throw withPermissionNamed(error, permission);
    }
  }

  /**
   * The body, decoded and within MAX_BODY_BYTES. A body cut off, too large or corrupt: an error answer is acted on by
   * its status and headers; a cancel's 2xx is accepted whatever its body (the action is read back); on a GET's 2xx it
   * is a dropped connection (cut: retried) or a typed error.
   * Aborts propagate, our own for a time-out or a cut body included.
   */
  private async readAnswer(response: Response, method: Method, path: string): Promise<Outcome> {
    const { status, headers } = response;
    const correlationId = correlationIdFrom(headers);
    let text: string;
    try {
      text = (await decodeBody(await response.buffer(), headers.get('content-encoding'), MAX_BODY_BYTES)).toString('utf8');
    } catch (error) {
      const tooLarge = (error as { type?: unknown }).type === 'max-size' || (error instanceof UndecodableBodyError && error.reason === 'tooLarge');
      if (!tooLarge && !(error instanceof UndecodableBodyError)) {
        throw error;
      }
      const cut = error instanceof UndecodableBodyError && error.reason === 'cut';
      const lost = cut ? 'was cut off on the way' : tooLarge ? `is larger than the ${byteSize(MAX_BODY_BYTES)} this extension reads` : 'could not be decoded';
      const outcome = bodyLostOutcome(response, method, path, this.clock.now(), lost);
      if (outcome) {
        return outcome;
      }
      const failure = cut ? droppedConnectionError(error, status, method, path)
        : tooLarge ? bodyTooLargeError(MAX_BODY_BYTES, status, method, path) : corruptBodyError(error, status, method, path);
      return { ok: false, status, error: failure, correlationId };
    }
    return outcomeOf(response, text, method, path, this.clock.now());
  }
}

/** Why an exchange failed without an answer: our time-out, a body cut off mid-way, or the connection. */
function failureOf(error: unknown, state: { timedOut: boolean; timeoutMs: number; cutStatus?: number }, method: Method, path: string): DefenderApiError {
  if (state.timedOut) {
    return timeoutError(state.timeoutMs, method, path);
  }
  if (state.cutStatus !== undefined || (error as { code?: unknown }).code === BODY_CUT_CODE) {
    return droppedConnectionError(error, state.cutStatus ?? 0, method, path);
  }
  return networkError(error, method, path);
}

/** What Defender sends in every machine action (SPEC §1) and a row is drawn from: strings, never blank. */
const ENTITY_FIELDS = ['type', 'status', 'machineId', 'creationDateTimeUtc'] as const;
/**
 * Fields the entity carries, null or not, in one of their spellings: Defender sends every field of the entity, so a
 * missing one is a partial answer (taken as the entity, it would blank the row's device, requestor or update time).
 */
const ENTITY_KEYS: ReadonlyArray<readonly string[]> = [['computerDnsName'], ['requestor'], ['lastUpdateDateTimeUtc', 'lastUpdateTimeUtc']];

/**
 * The entity of an accepted cancel: a machine action with every ENTITY_FIELDS and ENTITY_KEYS, as Defender sends it.
 * An answer carrying less (`{"id": …}`, id and status, the four fields alone) is JSON that is no machine action, a
 * 'malformed' DefenderApiError: taken as the entity, it would wipe what the row shows.
 */
function parseAcceptedEntity(json: unknown, context: RequestContext): MachineAction {
  const action = parseMachineAction(json, context);
  const { raw } = action;
  const missing = [
    ...ENTITY_FIELDS.filter((field) => typeof raw[field] !== 'string' || !(raw[field] as string).trim()),
    ...ENTITY_KEYS.filter((spellings) => !spellings.some((key) => Object.hasOwn(raw, key))).map(([key]) => key),
  ];
  if (missing.length > 0) {
    throw new DefenderApiError({ kind: 'malformed', ...context, message: `The Defender API sent JSON that is no machine action: it has no ${missing.join(', ')}` });
  }
  return action;
}

/** A 2xx answer read by parseAnswer: the value, or the typed error and what to log about it. */
type Parsed<T> = { ok: true; value: T } | { ok: false; error: DefenderApiError; logText: string };

/**
 * The expected JSON of a 2xx answer, as `parse` reads it, or the typed 'malformed' error why not (naming a proxy or
 * gateway) with the log's text: its message and, unless `quoteBody` is false (an answer that may carry a signed
 * link), the body's first line, bounded and redacted. Throws an error that is no DefenderApiError (a bug) as it is.
 */
function parseAnswer<T>(answer: Answer, context: RequestContext, parse: (json: unknown, context: RequestContext) => T, quoteBody = true): Parsed<T> {
  let parsing = false;
  try {
    const json = jsonFromSuccess(answer.status, answer.headers, answer.text, context.method, context.path);
    parsing = true;
    return { ok: true, value: parse(json, context) };
  } catch (caught) {
    if (!isDefenderApiError(caught)) {
      throw caught;
    }
    // A body that is not JSON is quoted in the message, which for a link call may hold the signed URL.
    const error = parsing ? unexpectedJsonError(caught, answer.status) : quoteBody ? caught : unquotedBodyError(caught, answer.status);
    const body = quoteBody ? `; the body starts: ${JSON.stringify(firstLineOf(answer.text))}` : '';
    return { ok: false, error, logText: `${error.message}${body}` };
  }
}

/** `error` without the body excerpt its message quotes: a 2xx whose body may carry a signed link. */
function unquotedBodyError(error: DefenderApiError, status: number): DefenderApiError {
  return new DefenderApiError({
    kind: 'malformed', method: error.method, path: error.path, status, correlationId: error.correlationId,
    message: `The Defender API answered ${status} with a body that is not the expected JSON (not shown: it may carry a `
      + 'signed link); a proxy or gateway between VS Code and the Defender API may have answered instead.',
  });
}

/** How the next token is asked for: refreshed after a 401, with a challenge's claims after a claims challenge. */
interface TokenRound {
  forceRefresh: boolean;
  claims?: string;
  claimsTried: boolean;
}

/**
 * The token request after a 401, or undefined when there is none left: one refresh, and one request with the claims of
 * a challenge (also when the challenge comes on the refreshed token's 401). So at most three tries, never a loop.
 */
function nextTokenRound(error: DefenderApiError, round: TokenRound): TokenRound | undefined {
  if (error.claims && !round.claimsTried) {
    return { forceRefresh: true, claims: error.claims, claimsTried: true };
  }
  return round.forceRefresh ? undefined : { forceRefresh: true, claimsTried: round.claimsTried };
}

type Outcome =
  | { ok: true; status: number; answer: Answer; correlationId?: string }
  | { ok: false; status?: number; error: DefenderApiError; correlationId?: string };

/** `nowMs` dates a Retry-After given as an HTTP-date. */
function outcomeOf(response: Response, text: string, method: Method, path: string, nowMs: number): Outcome {
  const { status, headers } = response;
  const correlationId = correlationIdFrom(headers);
  if (status < 200 || status >= 300) {
    return { ok: false, status, error: errorFromResponse(status, headers, text, method, path, nowMs), correlationId };
  }
  return { ok: true, status, answer: { status, headers, text }, correlationId };
}

/**
 * An answer whose status and headers arrived but whose body did not, or not readable (`lost` says how, after "its
 * body"/"its message"): an error answer is acted on by its status and headers (the body only held its message); a
 * POST's 2xx was accepted, and the caller reads the action back. Undefined for a GET's 2xx: its body was the point.
 * `nowMs` dates a Retry-After given as an HTTP-date.
 */
function bodyLostOutcome(response: Response, method: Method, path: string, nowMs: number, lost: string): Outcome | undefined {
  const { status, headers } = response;
  const correlationId = correlationIdFrom(headers);
  if (!response.ok) {
    return { ok: false, status, error: errorFromCutResponse(status, headers, method, path, nowMs, lost), correlationId };
  }
  return method === 'POST' ? { ok: true, status, answer: { status, headers, text: '', unread: `its body ${lost}` }, correlationId } : undefined;
}

function isTransient(error: DefenderApiError): boolean {
  // A 5xx's body too large or corrupt ('malformed') would come the same way again: not retried.
  return (error.kind === 'http' && error.status !== undefined && error.status >= 500) || (error.kind === 'network' && TRANSIENT_NETWORK_CODES.has(error.code ?? ''));
}

function parseApiBase(apiBaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiBaseUrl.trim());
  } catch {
    throw invalidInputError(`The API base URL "${apiBaseUrl}" is not a valid URL`);
  }
  if (!isHttps(url)) {
    throw invalidInputError(`The API base URL must start with https:// (got "${schemeAndHost(url)}")`);
  }
  if (hasCredentialsOrQuery(url)) {
    throw invalidInputError('The API base URL must not carry a query, a fragment or credentials');
  }
  return url;
}
