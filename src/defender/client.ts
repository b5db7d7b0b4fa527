// The Defender for Endpoint machine-actions API over node-fetch: list, get, cancel; a timeout on every
// request, the retry policy of SPEC §3, the shared rate budget, and typed errors. Tokens never reach the log.
import type * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import fetch, { Response } from 'node-fetch';
import {
  correlationIdFrom,
  DEFAULT_RETRY_AFTER_SECONDS,
  DefenderApiError,
  errorFromResponse,
  invalidInputError,
  isDefenderApiError,
  jsonFromSuccess,
  networkError,
  notWaitedError,
  rateLimitedError,
  timeoutError,
} from './errors';
import { Clock, Logger, systemClock } from '../shared/logger';
import { cancelCommentProblem, isGuid, MachineAction, parseMachineAction, parseMachineActionList } from './machineAction';
import { buildListQuery, clampTop } from './query';
import { RateBudgetExhausted, RateLimiter } from './rateLimiter';
import { parseResultLink, ResultRequest, resultLinkCall, resultUnavailableReason, withPermissionNamed } from './resultLinks';

export interface DefenderClientOptions {
  /** `https://api.security.microsoft.com` or the cloud's equivalent; https only. */
  apiBaseUrl: string;
  /** `claims`: a 401's claims challenge (decoded JSON), to be passed to the token request. */
  getAccessToken: (options: { forceRefresh: boolean; claims?: string }) => Promise<string>;
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
}

export interface RequestHooks {
  /** Called before the request waits a second or more (rate budget or a 429's Retry-After), so the UI can say how long. */
  onThrottled?(seconds: number): void;
}

export interface CancelHooks extends RequestHooks {
  /** Called as each attempt goes on the wire: from then on an abort would not undo what the service may have done. */
  onSending?(): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_WAIT_SECONDS = 60;
const GET_THROTTLE_RETRIES = 3;
const POST_THROTTLE_RETRIES = 1;
/** Backoff before each retry of a GET after a 5xx or a dropped connection; its length is the retry count. */
const GET_BACKOFF_MS = [1000, 2000];
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EAI_AGAIN']);
const MACHINE_ACTIONS_PATH = '/api/machineactions';

type Method = 'GET' | 'POST';

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

export class DefenderClient {
  private readonly base: URL;
  private readonly getAccessToken: DefenderClientOptions['getAccessToken'];
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly maxWaitSeconds: number;
  private readonly agent?: https.Agent;

  constructor(options: DefenderClientOptions) {
    this.base = parseApiBase(options.apiBaseUrl);
    this.getAccessToken = options.getAccessToken;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.limiter = options.rateLimiter ?? new RateLimiter({ clock: this.clock });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxWaitSeconds = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
    this.agent = options.agent;
  }

  /** One request for up to 10,000 actions; `@odata.nextLink` is followed only on the API's own origin. */
  async listMachineActions(options: ListOptions, signal?: AbortSignal, hooks?: RequestHooks): Promise<ListResult> {
    const query = buildListQuery({ ...options, now: options.now ?? new Date(this.clock.now()) });
    const top = clampTop(options.top);
    const actions: MachineAction[] = [];
    const warnings: string[] = [];
    let skipped = 0;
    let url: URL | undefined = this.url(`${MACHINE_ACTIONS_PATH}?${query}`);
    const visited = new Set<string>();
    while (url) {
      visited.add(url.href);
      const path = url.pathname + url.search;
      const page = parseMachineActionList(await this.send('GET', url, undefined, signal, hooks), { method: 'GET', path });
      actions.push(...page.actions.slice(0, top - actions.length));
      skipped += page.skipped;
      url = actions.length < top && page.received > 0 ? this.nextPage(page.nextLink, visited, warnings) : undefined;
    }
    if (skipped > 0) {
      const message = `${skipped} machine action${skipped === 1 ? '' : 's'} in the answer could not be read and ${skipped === 1 ? 'is' : 'are'} not shown.`;
      this.logger.warn(message);
      warnings.push(message);
    }
    return { actions, warnings, skipped };
  }

  async getMachineAction(id: string, signal?: AbortSignal, hooks?: RequestHooks): Promise<MachineAction> {
    const url = this.actionUrl(id, '');
    const body = await this.send('GET', url, undefined, signal, hooks);
    return parseMachineAction(body, { method: 'GET', path: url.pathname });
  }

  /**
   * One POST; sent again only after a 401 (with a refreshed token) or a 429 (after Retry-After), which the service
   * did not process, and only when Retry-After is within maxWaitSeconds. Never after a 5xx, a dropped connection or a
   * timeout: the caller re-reads the action instead. POST {base}/api/machineactions/{id}/cancel; one of the
   * Machine.* action permissions. Resolves to the returned entity, or undefined when the service answered 2xx without
   * a usable entity of this id (204, an empty 200/202, HTML, another action's entity): accepted, state unknown.
   */
  async cancelMachineAction(id: string, comment: string, signal?: AbortSignal, hooks?: CancelHooks): Promise<MachineAction | undefined> {
    const url = this.actionUrl(id, '/cancel');
    const problem = cancelCommentProblem(comment);
    if (problem) {
      throw invalidInputError(problem, { method: 'POST', path: url.pathname });
    }
    let action: MachineAction;
    try {
      action = parseMachineAction(await this.send('POST', url, JSON.stringify({ Comment: comment.trim() }), signal, hooks), { method: 'POST', path: url.pathname });
    } catch (error) {
      // A 2xx is accepted whatever its body (204, empty, a gateway's HTML): the caller reads the action back.
      if (isDefenderApiError(error) && error.kind === 'malformed' && (error.status === undefined || (error.status >= 200 && error.status < 300))) {
        this.logger.warn(`POST ${url.pathname}: accepted without a usable entity (${error.message})`);
        return undefined;
      }
      throw error;
    }
    if (action.id.toLowerCase() !== id.toLowerCase()) {
      this.logger.warn(`POST ${url.pathname}: the answer is the entity of another action (${action.id}); not applied`);
      return undefined;
    }
    return action;
  }

  private actionUrl(id: string, suffix: string): URL {
    if (!isGuid(id)) {
      throw invalidInputError(`"${id}" is not a machine action id (a GUID such as 7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33)`);
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
      warnings.push('The server pointed to more results with an invalid link; the list may be incomplete.');
      this.logger.warn(`@odata.nextLink is not a URL; stopped paging`);
      return undefined;
    }
    if (next.protocol !== 'https:' || next.origin !== this.base.origin) {
      warnings.push(`The server pointed to more results at another address (${next.origin}); it was not followed so your token stays with ${this.base.origin}. The list may be incomplete.`);
      this.logger.warn(`@odata.nextLink points to ${next.origin}, not ${this.base.origin}; refused`);
      return undefined;
    }
    if (visited.has(next.href)) {
      this.logger.warn('@odata.nextLink repeats a page already read; stopped paging');
      return undefined;
    }
    return next;
  }

  /** One logical request: rate budget, token, timeout, and the retry policy; returns the JSON of a 2xx answer. */
  private async send(method: Method, url: URL, body: string | undefined, signal?: AbortSignal, hooks?: CancelHooks): Promise<unknown> {
    const path = url.pathname + url.search;
    if (url.protocol !== 'https:' || url.origin !== this.base.origin) {
      throw new DefenderApiError({ kind: 'foreignOrigin', method, path, message: `Refused to send the token to ${url.origin}: only ${this.base.origin} is trusted` });
    }
    let refreshed = false;
    let claims: string | undefined;
    let throttled = 0;
    let transient = 0;
    for (;;) {
      await this.acquire(method, path, signal, hooks);
      const token = await this.getAccessToken(claims ? { forceRefresh: refreshed, claims } : { forceRefresh: refreshed });
      hooks?.onSending?.();
      const started = performance.now();
      const outcome = await this.attempt(method, url, path, token, body, signal);
      const attempt: Attempt = { status: outcome.status, ms: Math.round(performance.now() - started), correlationId: outcome.correlationId };
      if (outcome.ok) {
        this.logger.info(describeAttempt(method, path, attempt));
        return outcome.json;
      }
      const error = outcome.error;
      const line = describeAttempt(method, path, { ...attempt, correlationId: error.correlationId ?? attempt.correlationId }, error);
      // One round only, with the claims when the 401 carried a challenge: a second 401 is the answer, not a loop.
      if (error.status === 401 && !refreshed) {
        refreshed = true;
        claims = error.claims;
        this.logger.warn(`${line}; ${claims ? 'claims challenge (Conditional Access): getting a token with the claims' : 'refreshing the token'} and retrying once`);
        continue;
      }
      if (error.status === 429) {
        const seconds = error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
        // Even when this request gives up, no other request of this tenant goes out before the service allows it.
        this.limiter.pauseFor(seconds);
        if (seconds > this.maxWaitSeconds) {
          const notWaited = notWaitedError(error, this.maxWaitSeconds);
          this.logger.error(`${line}: ${notWaited.message}`);
          throw notWaited;
        }
        if (throttled < (method === 'GET' ? GET_THROTTLE_RETRIES : POST_THROTTLE_RETRIES)) {
          throttled++;
          // The shared limiter does the waiting (and tells the hook), as for any other pause.
          this.logger.warn(`${line}; waiting ${seconds} s (Retry-After) before retry ${throttled}`);
          continue;
        }
      }
      if (method === 'GET' && transient < GET_BACKOFF_MS.length && isTransient(error)) {
        const delay = GET_BACKOFF_MS[transient++];
        this.logger.warn(`${line}; retrying in ${delay / 1000} s (${transient} of ${GET_BACKOFF_MS.length})`);
        await this.clock.sleep(delay, signal);
        continue;
      }
      this.logger.error(`${line}: ${error.message}`);
      throw error;
    }
  }

  /** A slot in the shared budget, or at once a typed 429 when it would take longer than maxWaitSeconds. */
  private async acquire(method: Method, path: string, signal: AbortSignal | undefined, hooks: RequestHooks | undefined): Promise<void> {
    try {
      await this.limiter.acquire(signal, {
        maxWaitMs: this.maxWaitSeconds * 1000,
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

  /** One HTTP exchange with its own timeout; a caller's abort rejects with the caller's reason. */
  private async attempt(
    method: Method, url: URL, path: string, token: string, body: string | undefined, signal?: AbortSignal,
  ): Promise<Outcome> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const response: Response = await fetch(url.href, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body,
        agent: this.agent,
        redirect: 'manual',
        signal: controller.signal,
      });
      const text = await response.text();
      return outcomeOf(response, text, method, path);
    } catch (error) {
      if (signal?.aborted) {
        throw signal.reason;
      }
      return { ok: false, error: timedOut ? timeoutError(this.timeoutMs, method, path) : networkError(error, method, path) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
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
      return parseResultLink(await this.send('GET', url, undefined, signal, hooks), { method: 'GET', path: url.pathname });
    } catch (error) {
      throw withPermissionNamed(error, permission);
    }
  }
}

type Outcome =
  | { ok: true; status: number; json: unknown; correlationId?: string }
  | { ok: false; status?: number; error: DefenderApiError; correlationId?: string };

function outcomeOf(response: Response, text: string, method: Method, path: string): Outcome {
  const { status, headers } = response;
  const correlationId = correlationIdFrom(headers);
  if (status < 200 || status >= 300) {
    return { ok: false, status, error: errorFromResponse(status, headers, text, method, path), correlationId };
  }
  try {
    return { ok: true, status, json: jsonFromSuccess(status, headers, text, method, path), correlationId };
  } catch (error) {
    if (!isDefenderApiError(error)) {
      throw error;
    }
    return { ok: false, status, error, correlationId };
  }
}

function isTransient(error: DefenderApiError): boolean {
  return (error.status !== undefined && error.status >= 500) || (error.kind === 'network' && TRANSIENT_NETWORK_CODES.has(error.code ?? ''));
}

function parseApiBase(apiBaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiBaseUrl.trim());
  } catch {
    throw invalidInputError(`The API base URL "${apiBaseUrl}" is not a valid URL`);
  }
  if (url.protocol !== 'https:') {
    throw invalidInputError(`The API base URL must start with https:// (got "${url.protocol}//${url.host}")`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw invalidInputError('The API base URL must not carry a query, a fragment or credentials');
  }
  return url;
}
