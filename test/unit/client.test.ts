// DefenderClient against the HTTPS Defender simulator on 127.0.0.1, its CA trusted explicitly.
// Waits (Retry-After, backoff, rate budget) go through a clock that records them and returns at once.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DefenderClient, DefenderClientOptions, MAX_BODY_BYTES } from '../../src/defender/client';
import { DefenderApiError, isDefenderApiError } from '../../src/defender/errors';
import { completedDespiteCancellation, isCancellable } from '../../src/defender/machineAction';
import { RateLimiter } from '../../src/defender/rateLimiter';
import { CancelAnswerMode, DefenderSimulator, RecordedRequest, startDefenderSimulator } from '../simulators/defenderSimulator';
import { bulkActions } from '../simulators/seedActions';
import { ensureTlsMaterial } from '../simulators/tls';
import { ManualClock } from '../support/manualClock';
import { LogLine, RecordingLogger } from '../support/recordingLogger';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

interface Harness {
  client: DefenderClient;
  clock: ManualClock;
  logs: LogLine[];
  /** The forceRefresh flag of every token request. */
  tokenRequests: boolean[];
}

let sim: DefenderSimulator;
let agent: https.Agent;
/** Every token handed out in this file: none may appear in a log line. */
const issuedTokens: string[] = [];
/** The log lines of the running test, from all its clients. */
const testLog = new RecordingLogger();

function issue(token: string): string {
  issuedTokens.push(token);
  return token;
}

/**
 * A client on the simulator. `tokens` are returned in turn (the last one repeats): the default is one
 * valid token; `[revoked, fresh]` models an expired session that a forced refresh repairs.
 */
function harness(options: { tokens?: string[]; clock?: ManualClock } & Partial<Omit<DefenderClientOptions, 'clock'>> = {}): Harness {
  const clock = options.clock ?? new ManualClock({ sleeps: 'instant' });
  const log = new RecordingLogger([testLog]);
  const tokens = options.tokens ?? [issue(sim.createToken())];
  const tokenRequests: boolean[] = [];
  const client = new DefenderClient({
    apiBaseUrl: sim.url,
    agent,
    clock,
    logger: log,
    getAccessToken: async ({ forceRefresh }) => {
      tokenRequests.push(forceRefresh);
      return tokens[Math.min(tokenRequests.length - 1, tokens.length - 1)];
    },
    ...options,
  });
  return { client, clock, logs: log.lines, tokenRequests };
}

/** A token the simulator no longer accepts (an expired session). */
function revokedToken(): string {
  const token = issue(sim.createToken());
  sim.revokeToken(token);
  return token;
}

async function rejectsWith(promise: Promise<unknown>, check: (error: DefenderApiError) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isDefenderApiError(error), `expected a DefenderApiError, got ${String(error)}`);
    check(error);
    return true;
  });
}

function idWhere(predicate: (action: Record<string, unknown>) => boolean): string {
  const action = sim.actions.find(predicate);
  assert.ok(action, 'the seed has such an action');
  return action.id;
}

const pendingId = () => idWhere((a) => a.status === 'Pending');
const liveResponseInProgressId = () => idWhere((a) => a.status === 'InProgress' && Array.isArray(a.commands));

function decodedQuery(request: RecordedRequest): Record<string, string> {
  return Object.fromEntries(new URL(request.path, sim.url).searchParams);
}

before(async () => {
  sim = await startDefenderSimulator();
  agent = new https.Agent({ ca: sim.caPem });
});

after(async () => {
  agent.destroy();
  await sim.close();
});

beforeEach(() => {
  sim.reset();
  testLog.clear();
});

afterEach(() => {
  for (const line of testLog.lines) {
    for (const token of issuedTokens) {
      assert.ok(!line.message.includes(token), `a log line contains a token: ${line.message}`);
    }
    assert.doesNotMatch(line.message, /Bearer|simtoken/, `a log line carries a credential: ${line.message}`);
  }
});

describe('DefenderClient construction', () => {
  it('refuses an API base that is not https, naming the problem', () => {
    for (const apiBaseUrl of ['http://127.0.0.1:8443', 'ftp://api.example', 'not a url', 'https://api.example/?x=1']) {
      assert.throws(() => harness({ apiBaseUrl }), (error: unknown) => isDefenderApiError(error) && error.kind === 'invalidInput' && /API base URL/.test(error.message), apiBaseUrl);
    }
  });

  it('accepts a trailing slash on the base', async () => {
    const { client } = harness({ apiBaseUrl: `${sim.url}/` });
    await client.getMachineAction(pendingId());
    assert.equal(sim.requests[0].path, `/api/machineactions/${pendingId()}`);
  });
});

describe('listMachineActions', () => {
  it('sends the look-back filter, newest first and $top, with the bearer token, and parses the answer', async () => {
    const { client } = harness({ tokens: [issue(sim.createToken())] });
    const now = new Date();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 1000, now });
    assert.equal(sim.requests.length, 1);
    const request = sim.requests[0];
    assert.equal(request.method, 'GET');
    assert.ok(request.path.startsWith('/api/machineactions?'));
    const since = new Date(now.getTime() - 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    assert.deepEqual(decodedQuery(request), { $filter: `creationDateTimeUtc ge ${since}`, $orderby: 'creationDateTimeUtc desc', $top: '1000' });
    assert.match(String(request.headers.authorization), /^Bearer simtoken\./);
    assert.equal(request.headers.accept, 'application/json');
    assert.equal(request.headers['content-type'], undefined);

    const expected = sim.actions
      .filter((a) => Date.parse(String(a.creationDateTimeUtc)) >= Date.parse(since))
      .sort((a, b) => Date.parse(String(b.creationDateTimeUtc)) - Date.parse(String(a.creationDateTimeUtc)))
      .map((a) => a.id);
    assert.ok(expected.length > 0 && expected.length < sim.actions.length, 'the window leaves some actions out');
    assert.deepEqual(result.actions.map((a) => a.id), expected);
    assert.deepEqual(result.warnings, []);
    assert.equal(result.skipped, 0);
    // Both spellings of the renamed fields arrive normalised; unknown statuses are kept.
    assert.ok(result.actions.every((a) => a.lastUpdateDateTimeUtc !== null));
    assert.ok(result.actions.some((a) => a.status === 'Queued'));
  });

  it('asks only for my actions, escaping an apostrophe in the UPN', async () => {
    const upn = "o'brien@contoso.com";
    const now = Date.now();
    sim.setActions([
      ...bulkActions(3, new Date(now)),
      { ...bulkActions(1, new Date(now))[0], id: '11111111-2222-4333-8444-555555555555', requestor: upn },
    ]);
    const { client } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 100, requestorUpn: upn, now: new Date(now) });
    assert.match(decodedQuery(sim.requests[0]).$filter, / and requestor eq 'o''brien@contoso.com'$/);
    assert.deepEqual(result.actions.map((a) => a.id), ['11111111-2222-4333-8444-555555555555']);
  });

  it('follows @odata.nextLink on the same origin until the list is complete', async () => {
    sim.setActions(bulkActions(35, new Date()));
    sim.switches.pageSize = 10;
    const { client } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 1000 });
    assert.equal(result.actions.length, 35);
    assert.equal(new Set(result.actions.map((a) => a.id)).size, 35);
    assert.equal(sim.requests.length, 4);
    assert.ok(sim.requests.every((r) => r.status === 200 && /^Bearer /.test(String(r.headers.authorization))));
    assert.deepEqual(result.warnings, []);
  });

  it('stops after top actions in total', async () => {
    sim.setActions(bulkActions(35, new Date()));
    sim.switches.pageSize = 10;
    const { client } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 25 });
    assert.equal(result.actions.length, 25);
    assert.equal(sim.requests.length, 3);
  });

  it('refuses a nextLink to another origin: nothing reaches it, the partial list comes with a warning', async () => {
    const other = await startDefenderSimulator();
    try {
      sim.setActions(bulkActions(12, new Date()));
      sim.switches.pageSize = 5;
      for (const foreign of [other.origin, `http://127.0.0.1:${sim.port}`]) {
        sim.clearRequests();
        sim.switches.nextLinkOrigin = foreign;
        const { client, logs } = harness();
        const result = await client.listMachineActions({ lookbackDays: 7, top: 1000 });
        assert.equal(result.actions.length, 5, foreign);
        assert.equal(sim.requests.length, 1, foreign);
        assert.equal(result.warnings.length, 1);
        assert.match(result.warnings[0], /another address \(.*\).*not followed.*may be incomplete/);
        assert.ok(result.warnings[0].includes(foreign));
        assert.ok(logs.some((l) => l.level === 'warn' && l.message.includes(`points to ${foreign}`)));
      }
      assert.equal(other.requests.length, 0, 'no request (and so no token) reached the other origin');
    } finally {
      await other.close();
    }
  });

  it('skips unreadable elements, counts them and says so', async () => {
    const good = bulkActions(2, new Date());
    sim.setActions([good[0], { ...good[1], id: '' }]);
    const { client } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 10 });
    assert.deepEqual(result.actions.map((a) => a.id), [good[0].id]);
    assert.equal(result.skipped, 1);
    assert.deepEqual(result.warnings, ['1 machine action in the answer could not be read and is not shown.']);
  });

  it('logs each request with method, decoded path, status, duration and correlation id', async () => {
    const { client, logs } = harness();
    await client.listMachineActions({ lookbackDays: 7, top: 1000 });
    const info = logs.filter((l) => l.level === 'info');
    assert.equal(info.length, 1);
    assert.match(info[0].message,
      /^GET \/api\/machineactions\?\$filter=creationDateTimeUtc ge \S+Z&\$orderby=creationDateTimeUtc desc&\$top=1000 → 200 in \d+ ms \(correlation [0-9a-f-]{36}\)$/);
    assert.ok(info[0].message.includes(sim.requests[0].correlationId));
  });
});

describe('getMachineAction', () => {
  it('reads one action', async () => {
    const id = liveResponseInProgressId();
    const { client } = harness();
    const action = await client.getMachineAction(id);
    assert.equal(action.id, id);
    assert.equal(action.type, 'LiveResponse');
    assert.ok(action.commands.length > 0);
    assert.equal(action.raw['@odata.context'], `${sim.origin}/api/$metadata#MachineActions/$entity`);
    assert.equal(sim.requests[0].path, `/api/machineactions/${id}`);
  });

  it('refuses an answer that is another action (ids compared without case): a typed error, logged, nothing returned', async () => {
    const id = pendingId();
    const { client, logs } = harness();
    assert.equal((await client.getMachineAction(id.toUpperCase())).id, id, 'the same id in other case is the action');
    sim.failNext({ kind: 'otherAction' }, { method: 'GET' });
    await rejectsWith(client.getMachineAction(id), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.equal(error.code, 'OtherAction');
      assert.match(error.message, new RegExp(`^The Defender API answered with machine action ".+" instead of ${id} — a proxy or gateway`));
    });
    assert.ok(logs.some((l) => l.level === 'error' && l.message.includes(`instead of ${id}`)), JSON.stringify(logs));
  });

  it('maps 404 to a typed error with the server message and the correlation id', async () => {
    const { client, logs } = harness();
    await rejectsWith(client.getMachineAction(UNKNOWN_ID), (error) => {
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 404);
      assert.equal(error.code, 'ResourceNotFound');
      assert.equal(error.serverMessage, `Machine action with id '${UNKNOWN_ID}' was not found.`);
      assert.equal(error.message, `Defender API answered 404 Not Found (ResourceNotFound): Machine action with id '${UNKNOWN_ID}' was not found.`);
      assert.equal(error.correlationId, sim.requests[0].correlationId);
      assert.equal(error.method, 'GET');
      assert.equal(error.path, `/api/machineactions/${UNKNOWN_ID}`);
    });
    assert.equal(sim.requests.length, 1);
    assert.ok(logs.some((l) => l.level === 'error' && l.message.includes('→ 404 ResourceNotFound') && l.message.includes(sim.requests[0].correlationId)));
  });
});

describe('cancelMachineAction', () => {
  it('posts exactly {"Comment": …} with the right headers and returns the updated action', async () => {
    const id = pendingId();
    const { client } = harness();
    const action = await client.cancelMachineAction(id, '  Wrong device, "quoted" ünïcode  ');
    assert.ok(action, 'the answer carries the entity');
    assert.equal(sim.requests.length, 1);
    const request = sim.requests[0];
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/api/machineactions/${id}/cancel`);
    assert.equal(request.body, '{"Comment":"Wrong device, \\"quoted\\" ünïcode"}');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.accept, 'application/json');
    assert.match(String(request.headers.authorization), /^Bearer simtoken\./);
    assert.equal(action.id, id);
    assert.equal(action.status, 'Cancelled');
    assert.equal(action.cancellationComment, 'Wrong device, "quoted" ünïcode');
    assert.equal(action.cancellationRequestor, 'analyst@contoso.com');
  });

  it('maps the cancel of a finished action to a typed 400', async () => {
    const id = pendingId();
    sim.finishBeforeCancel(id, 'succeeded');
    const { client } = harness();
    await rejectsWith(client.cancelMachineAction(id, 'too late'), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.code, 'BadRequest');
      assert.equal(error.serverMessage, 'Action is already in a final state (Succeeded) and cannot be cancelled.');
    });
    assert.equal(sim.requests.length, 1);
  });

  it('returns the completed-anyway form for the UI to recognise', async () => {
    const id = liveResponseInProgressId();
    sim.finishBeforeCancel(id, 'completedAnyway');
    const { client } = harness();
    const action = await client.cancelMachineAction(id, 'stop it');
    assert.ok(action, 'the answer carries the entity');
    assert.equal(action.status, 'Cancelled');
    assert.equal(completedDespiteCancellation(action), true);
  });

  it('maps 404 and 403 to typed errors with message and correlation id, sent once', async () => {
    const { client } = harness();
    await rejectsWith(client.cancelMachineAction(UNKNOWN_ID, 'x'), (error) => assert.equal(error.status, 404));
    const id = pendingId();
    sim.failCancel(id);
    await rejectsWith(client.cancelMachineAction(id, 'x'), (error) => {
      assert.equal(error.status, 403);
      assert.equal(error.code, 'Forbidden');
      assert.equal(error.serverMessage, 'The user does not have the Defender role required to perform this action on this device.');
      assert.ok(error.message.endsWith(error.serverMessage!));
      assert.equal(error.correlationId, sim.requests[1].correlationId);
    });
    assert.equal(sim.requests.length, 2);
    assert.ok(isCancellable(String(sim.getAction(id)?.status)));
  });

  it('refuses an invalid id or an empty comment without sending anything or asking for a token', async () => {
    const { client, tokenRequests } = harness();
    const notAnId = (id: string) => new RegExp(`^Not a machine action ID: ${id.replace(/[./]/g, '\\$&')}\\. An action ID is a GUID such as `);
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['get', () => client.getMachineAction('not-a-guid'), notAnId('not-a-guid')],
      ['get traversal', () => client.getMachineAction('../machines'), notAnId('../machines')],
      ['cancel', () => client.cancelMachineAction(`${UNKNOWN_ID}/../x`, 'comment'), notAnId(`${UNKNOWN_ID}/../x`)],
      ['blank comment', () => client.cancelMachineAction(pendingId(), '  \t '), /comment/i],
      ['long comment', () => client.cancelMachineAction(pendingId(), 'x'.repeat(1001)), /at most 1000 are allowed/],
    ];
    for (const [name, call, message] of cases) {
      await rejectsWith(call(), (error) => {
        assert.equal(error.kind, 'invalidInput', name);
        assert.match(error.message, message, name);
      });
    }
    assert.equal(sim.requests.length, 0);
    assert.deepEqual(tokenRequests, []);
  });
});

describe('401: one forced token refresh and one retry', () => {
  it('retries a GET once with a refreshed token', async () => {
    const fresh = issue(sim.createToken());
    const { client, tokenRequests } = harness({ tokens: [revokedToken(), fresh] });
    await client.getMachineAction(pendingId());
    assert.deepEqual(tokenRequests, [false, true]);
    assert.deepEqual(sim.requests.map((r) => r.status), [401, 200]);
    assert.equal(sim.requests[1].headers.authorization, `Bearer ${fresh}`);
  });

  it('retries a POST once with a refreshed token (a 401 was not processed)', async () => {
    const id = pendingId();
    const { client, tokenRequests } = harness({ tokens: [revokedToken(), issue(sim.createToken())] });
    const action = await client.cancelMachineAction(id, 'refresh me');
    assert.equal(action?.status, 'Cancelled');
    assert.deepEqual(tokenRequests, [false, true]);
    assert.deepEqual(sim.requests.map((r) => r.status), [401, 200]);
  });

  it('gives up with the typed 401 after the second one', async () => {
    const { client, tokenRequests } = harness({ tokens: [revokedToken()] });
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.status, 401);
      assert.equal(error.serverMessage, 'Authorization has been denied for this request.');
    });
    assert.deepEqual(tokenRequests, [false, true]);
    assert.equal(sim.requests.length, 2);
  });
});

describe('429: Retry-After', () => {
  it('waits Retry-After on a GET through the shared limiter and retries, up to three times', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 }, { times: 3 });
    const { client, clock } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 1000 });
    assert.ok(result.actions.length > 0);
    assert.deepEqual(sim.requests.map((r) => r.status), [429, 429, 429, 200]);
    assert.deepEqual(clock.sleeps, [7000, 7000, 7000]);
  });

  it('gives up after the third retry with the typed 429 and its Retry-After', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { times: 4 });
    const { client, clock } = harness();
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 2);
    });
    assert.equal(sim.requests.length, 4);
    assert.deepEqual(clock.sleeps, [2000, 2000, 2000]);
  });

  it('waits 10 s when Retry-After is missing', async () => {
    sim.failNext({ kind: 'status', status: 429 });
    const { client, clock } = harness();
    await client.getMachineAction(pendingId());
    assert.deepEqual(clock.sleeps, [10_000]);
  });

  it('on a POST: tells the caller, waits, and retries once only', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 3 }, { method: 'POST' });
    const { client, clock } = harness();
    const throttled: number[] = [];
    const action = await client.cancelMachineAction(id, 'later', undefined, { onThrottled: (s) => throttled.push(s) });
    assert.equal(action?.status, 'Cancelled');
    assert.deepEqual(throttled, [3]);
    assert.deepEqual(clock.sleeps, [3000]);
    assert.deepEqual(sim.requests.map((r) => r.status), [429, 200]);

    sim.reset();
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 3 }, { method: 'POST', times: 2 });
    await rejectsWith(client.cancelMachineAction(pendingId(), 'later', undefined, { onThrottled: (s) => throttled.push(s) }),
      (error) => assert.equal(error.status, 429));
    assert.equal(sim.requests.length, 2);
    assert.deepEqual(throttled, [3, 3]);
  });

  it('does not wait out a Retry-After beyond maxWaitSeconds: one request, the typed 429 at once, the limiter paused for all of it', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 240 });
    const clock = new ManualClock({ sleeps: 'instant' });
    const rateLimiter = new RateLimiter({ clock });
    const { client } = harness({ clock, rateLimiter });
    const throttled: number[] = [];
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }, undefined, { onThrottled: (s) => throttled.push(s) }), (error) => {
      assert.equal(error.kind, 'http');
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 240);
      assert.match(error.message, /the service asks to wait 4 min, longer than the 60 s a request waits/);
    });
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
    assert.deepEqual(throttled, [], 'nothing is waited for');
    assert.equal(rateLimiter.hasBudgetFor(1), false);

    // Any next request, of any client on the limiter, is refused without reaching the service until the pause is over.
    await rejectsWith(harness({ clock, rateLimiter }).client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.kind, 'rateLimited');
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 240);
      assert.equal(error.message, 'Not sent: the Defender API asked this client to pause (Retry-After); the next call is allowed in 4 min');
    });
    assert.equal(sim.requests.length, 1);
    await clock.sleep(240_000);
    await client.getMachineAction(pendingId());
    assert.equal(sim.requests.length, 2);
  });

  it('clamps an absurd Retry-After: refuses at once, says when to try again, and holds the limiter no longer than the clamp', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 31_536_000 });
    const clock = new ManualClock({ sleeps: 'instant' });
    const rateLimiter = new RateLimiter({ clock });
    const { client } = harness({ clock, rateLimiter });
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 300);
      assert.match(error.message, /the service asks to wait longer than 5 min, the most this client holds off; try again in 5 min$/);
    });
    assert.deepEqual(clock.sleeps, [], 'refused at once');
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.kind, 'rateLimited');
      assert.equal(error.retryAfterSeconds, 300, 'the limiter holds for the clamp, not a year');
    });
    await clock.sleep(300_000);
    await client.getMachineAction(pendingId());
    assert.deepEqual(sim.requests.map((r) => r.status), [429, 200]);
  });

  it('fails a cancel at once when the Retry-After is beyond the cap: one POST', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 61 }, { method: 'POST' });
    const { client, clock } = harness();
    await rejectsWith(client.cancelMachineAction(pendingId(), 'later'), (error) => {
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 61);
    });
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('waits a Retry-After up to a maxWaitSeconds of its own', async () => {
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 5 }, { times: 2 });
    const { client, clock } = harness({ maxWaitSeconds: 5 });
    const throttled: number[] = [];
    await client.getMachineAction(pendingId(), undefined, { onThrottled: (s) => throttled.push(s) });
    assert.deepEqual(sim.requests.map((r) => r.status), [429, 429, 200]);
    assert.deepEqual(clock.sleeps, [5000, 5000]);
    assert.deepEqual(throttled, [5, 5]);

    sim.reset();
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 6 });
    await rejectsWith(harness({ maxWaitSeconds: 5 }).client.getMachineAction(pendingId()), (error) => assert.equal(error.retryAfterSeconds, 6));
    assert.equal(sim.requests.length, 1);
  });

  it('answers the simulator’s own rate limit with the wait it asks for', async () => {
    let simTime = Date.now();
    const limited = await startDefenderSimulator({ now: () => simTime, rateLimitPerMinute: 1 });
    try {
      // The simulator's clock moves with the client's, as both would in real time.
      const clock = new ManualClock({ sleeps: 'instant', onSleep: (ms) => { simTime += ms; } });
      const { client } = harness({ apiBaseUrl: limited.url, clock, tokens: [issue(limited.createToken())] });
      const id = limited.actions[0].id;
      await client.getMachineAction(id);
      await client.getMachineAction(id);
      assert.deepEqual(limited.requests.map((r) => r.status), [200, 429, 200]);
      assert.deepEqual(clock.sleeps, [60_000]);
    } finally {
      await limited.close();
    }
  });
});

describe('5xx and dropped connections', () => {
  it('retries a GET at most twice with backoff', async () => {
    sim.failNext({ kind: 'status', status: 503 }, { times: 2 });
    const { client, clock } = harness();
    await client.getMachineAction(pendingId());
    assert.deepEqual(sim.requests.map((r) => r.status), [503, 503, 200]);
    assert.deepEqual(clock.sleeps, [1000, 2000]);

    sim.reset();
    sim.failNext({ kind: 'status', status: 500 }, { times: 3 });
    await rejectsWith(client.getMachineAction(pendingId()), (error) => assert.equal(error.status, 500));
    assert.equal(sim.requests.length, 3);
  });

  it('retries a GET after a connection reset', async () => {
    sim.failNext({ kind: 'reset' });
    const { client } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 10 });
    assert.equal(result.actions.length, 10);
    assert.deepEqual(sim.requests.map((r) => r.status), [0, 200]);
  });

  it('waits a 503’s Retry-After before retrying a GET, instead of the backoff; beyond the wait limit it refuses at once', async () => {
    sim.failNext({ kind: 'status', status: 503, retryAfterSeconds: 20 });
    const clock = new ManualClock({ sleeps: 'instant' });
    const { client } = harness({ clock, rateLimiter: new RateLimiter({ clock }) });
    await client.getMachineAction(pendingId());
    assert.deepEqual(clock.sleeps, [20_000]);
    assert.deepEqual(sim.requests.map((r) => r.status), [503, 200]);
    sim.failNext({ kind: 'status', status: 503, retryAfterSeconds: 240 });
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.status, 503);
      assert.match(error.message, /asks to wait 4 min, longer than the 60 s a request waits/);
    });
    assert.deepEqual(clock.sleeps, [20_000], 'refused at once');
    assert.deepEqual(sim.requests.map((r) => r.status), [503, 200, 503]);
  });

  it('never retries a POST on 5xx', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'status', status: 500 }, { method: 'POST' });
    const { client, clock } = harness();
    await rejectsWith(client.cancelMachineAction(id, 'x'), (error) => {
      assert.equal(error.status, 500);
      assert.equal(error.correlationId, sim.requests[0].correlationId);
    });
    assert.equal(sim.requests.length, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it('never retries a POST whose connection dropped, even though the cancel took effect', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'reset', afterHandling: true }, { method: 'POST' });
    const { client } = harness();
    await rejectsWith(client.cancelMachineAction(id, 'x'), (error) => {
      assert.equal(error.kind, 'network');
      assert.equal(error.code, 'ECONNRESET');
      assert.match(error.message, /^Could not reach the Defender API \(ECONNRESET\)/);
    });
    assert.equal(sim.requests.length, 1);
    assert.equal(sim.getAction(id)?.status, 'Cancelled', 'which is why the UI re-reads the state instead');
  });
});

describe('timeouts and connection failures', () => {
  it('times out a GET that hangs, without retrying it', async () => {
    sim.switches.delayMs = 1000;
    const { client } = harness({ timeoutMs: 100 });
    const started = Date.now();
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.kind, 'timeout');
      assert.equal(error.message, 'The Defender API did not answer within 0.1 s');
    });
    assert.ok(Date.now() - started < 900, 'the client did not wait for the answer');
    assert.equal(sim.requests.length, 1);
  });

  it('times out a slow POST and does not send it again', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'slow', delayMs: 1000 }, { method: 'POST' });
    const { client } = harness({ timeoutMs: 100 });
    await rejectsWith(client.cancelMachineAction(id, 'x'), (error) => assert.equal(error.kind, 'timeout'));
    assert.equal(sim.requests.length, 1);
  });

  it('rejects with the caller’s reason when the caller aborts', async () => {
    sim.switches.delayMs = 1000;
    const { client } = harness();
    const controller = new AbortController();
    const reason = new Error('refresh superseded');
    const pending = client.listMachineActions({ lookbackDays: 7, top: 10 }, controller.signal);
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(pending, (error) => error === reason);
  });

  it('names a refused connection', async () => {
    const closed = await startDefenderSimulator();
    const url = closed.url;
    await closed.close();
    const { client } = harness({ apiBaseUrl: url });
    await rejectsWith(client.getMachineAction(UNKNOWN_ID), (error) => {
      assert.equal(error.kind, 'network');
      assert.equal(error.code, 'ECONNREFUSED');
    });
  });

  it('explains a certificate that is not trusted, and sends nothing over it', async () => {
    const strangerCa = ensureTlsMaterial(path.join(os.tmpdir(), 'mde-client-test-untrusted-ca')).caPem;
    const { client } = harness({ agent: new https.Agent({ ca: strangerCa }) });
    await rejectsWith(client.getMachineAction(UNKNOWN_ID), (error) => {
      assert.equal(error.kind, 'network');
      assert.match(error.message, /certificate is not trusted/);
    });
    assert.equal(sim.requests.length, 0);
  });
});

describe('odd bodies', () => {
  it('explains an HTML gateway page without quoting it', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'html' }, { method: 'POST' });
    const { client } = harness();
    await rejectsWith(client.cancelMachineAction(id, 'x'), (error) => {
      assert.equal(error.status, 502);
      assert.equal(error.message, 'The server answered with an HTML page (status 502) — a proxy or gateway may be in the way');
      assert.equal(error.correlationId, sim.requests[0].correlationId);
    });
  });

  it('explains an empty error body (after the GET retries)', async () => {
    sim.failNext({ kind: 'empty' }, { times: 3 });
    const { client } = harness();
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.message, 'Defender API answered 503 Service Unavailable with an empty body');
    });
    assert.equal(sim.requests.length, 3);
  });

  it('calls a 200 that is not JSON malformed, without retrying', async () => {
    sim.failNext({ kind: 'malformed' });
    const { client } = harness();
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.equal(error.status, 200);
      assert.match(error.message, /200 OK with text that is not JSON/);
    });
    assert.equal(sim.requests.length, 1);
  });
});

describe('rate budget', () => {
  it('sends every request, retries included, through the shared limiter', async () => {
    const clock = new ManualClock({ sleeps: 'instant' });
    const rateLimiter = new RateLimiter({ perMinute: 3, perHour: 100, clock });
    const { client } = harness({ clock, rateLimiter });
    const other = harness({ clock, rateLimiter }).client;
    sim.failNext({ kind: 'status', status: 503 });
    await client.getMachineAction(pendingId());
    assert.deepEqual(rateLimiter.remaining(), { minute: 1, hour: 98 });
    await other.getMachineAction(pendingId());
    assert.deepEqual(clock.sleeps, [1000], 'the backoff only; the third call fitted');
    await client.getMachineAction(pendingId());
    assert.deepEqual(clock.sleeps, [1000, 59_000], 'the fourth call waited for the first to leave the minute');
    assert.equal(sim.requests.length, 4);
  });

  it('fails at once, sending nothing, when the hour budget is used up, saying when the next call is allowed', async () => {
    const clock = new ManualClock({ sleeps: 'instant' });
    const rateLimiter = new RateLimiter({ perMinute: 100, perHour: 2, clock });
    const { client, logs } = harness({ clock, rateLimiter });
    await client.getMachineAction(pendingId());
    await clock.sleep(15 * 60_000);
    await client.getMachineAction(pendingId());
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.kind, 'rateLimited');
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 45 * 60);
      assert.equal(error.method, 'GET');
      assert.equal(error.message, 'Not sent: the budget of 2 Defender API calls per hour is used up; the next call is allowed in 45 min');
    });
    assert.equal(sim.requests.length, 2);
    assert.deepEqual(clock.sleeps, [15 * 60_000], 'only the test’s own step');
    assert.ok(logs.some((l) => l.level === 'warn' && /^GET \/api\/machineactions\?.*: Not sent: the budget of 2/.test(l.message)));
  });

  it('tells the caller when the budget holds a GET or a POST, with the seconds', async () => {
    const clock = new ManualClock({ sleeps: 'instant' });
    const rateLimiter = new RateLimiter({ perMinute: 1, perHour: 100, clock });
    const { client } = harness({ clock, rateLimiter });
    const waits: number[] = [];
    const onThrottled = (s: number): number => waits.push(s);
    await client.listMachineActions({ lookbackDays: 7, top: 10 }, undefined, { onThrottled });
    assert.deepEqual(waits, [], 'a call that fits is not announced');
    await clock.sleep(20_000);
    await client.getMachineAction(pendingId(), undefined, { onThrottled });
    assert.deepEqual(waits, [40]);
    await client.cancelMachineAction(pendingId(), 'later', undefined, { onThrottled });
    assert.deepEqual(waits, [40, 60]);
    assert.equal(sim.requests.length, 3);
  });

  it('rejects promptly with the caller’s reason when the caller aborts during a budget wait, sending nothing', async () => {
    const clock = new ManualClock({ sleeps: 'stall' });
    const rateLimiter = new RateLimiter({ perMinute: 1, perHour: 100, clock });
    const { client } = harness({ clock, rateLimiter });
    await client.getMachineAction(pendingId());
    const controller = new AbortController();
    const reason = new Error('refresh superseded');
    const pending = client.listMachineActions({ lookbackDays: 7, top: 10 }, controller.signal);
    while (clock.sleeps.length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const started = Date.now();
    controller.abort(reason);
    await assert.rejects(pending, (error) => error === reason);
    assert.ok(Date.now() - started < 500);
    assert.deepEqual(clock.sleeps, [60_000]);
    assert.equal(sim.requests.length, 1);
  });

  it('counts nextLink pages against the budget', async () => {
    sim.setActions(bulkActions(12, new Date()));
    sim.switches.pageSize = 5;
    const clock = new ManualClock({ sleeps: 'instant' });
    const rateLimiter = new RateLimiter({ clock });
    const { client } = harness({ clock, rateLimiter });
    await client.listMachineActions({ lookbackDays: 7, top: 1000 });
    assert.deepEqual(rateLimiter.remaining(), { minute: 97, hour: 1497 });
  });
});

describe('pages that overlap or repeat (issue 8 item 3)', () => {
  it('merges overlapping pages by id: no duplicate rows, and says how many copies were dropped', async () => {
    sim.setActions(bulkActions(23, new Date()));
    sim.switches.pageSize = 10;
    sim.switches.pageOverlap = 3;
    const { client, logs } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 1000 });
    assert.deepEqual(result.actions.map((a) => a.id), sim.actions.map((a) => a.id), 'each action once, newest first');
    assert.equal(sim.requests.length, 3, 'pages start at 0, 7 and 14');
    assert.equal(result.duplicates, 6);
    assert.deepEqual(result.warnings, ['The server sent 6 actions twice in overlapping pages; each is shown once, in its latest state.']);
    assert.ok(logs.some((l) => l.level === 'warn' && l.message === result.warnings[0]));
  });

  for (const elements of ['none', 'unreadable'] as const) {
    it(`follows the next link of a page with ${elements === 'none' ? 'no elements' : 'only unreadable elements'}, not calling it a repeat`, async () => {
      sim.setActions(bulkActions(30, new Date()));
      sim.switches.pageSize = 10;
      sim.failNext({ kind: 'hollowPage', elements }, { pathIncludes: '$skip=10' });
      const { client } = harness();
      const result = await client.listMachineActions({ lookbackDays: 7, top: 1000 });
      assert.equal(sim.requests.length, 3, 'the third page is read');
      assert.deepEqual(result.actions.map((a) => a.id), [...sim.actions.slice(0, 10), ...sim.actions.slice(20)].map((a) => a.id));
      assert.deepEqual(result.warnings, elements === 'none' ? [] : ['3 machine actions in the answer could not be read and are not shown.']);
    });
  }

  it('stops when a page under a new link adds nothing new, and says so', async () => {
    sim.setActions(bulkActions(23, new Date()));
    sim.switches.pageSize = 10;
    sim.switches.pageOverlap = 10;
    const { client } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 1000 });
    assert.equal(result.actions.length, 10);
    assert.equal(new Set(result.actions.map((a) => a.id)).size, 10);
    assert.equal(sim.requests.length, 2, 'the repeated page is the last one read');
    assert.match(sim.requests[1].path, /repeat=1/);
    assert.deepEqual(result.warnings, [
      'Page 2 of the list repeated only actions already read; paging stopped there. The list may be incomplete.',
      'The server sent 10 actions twice in overlapping pages; each is shown once, in its latest state.',
    ]);
  });

  it('reads at most 20 pages of a server paging one action at a time, and a cancel still goes out at once', async () => {
    sim.setActions(bulkActions(5000, new Date()));
    sim.switches.pageSize = 1;
    const clock = new ManualClock({ sleeps: 'instant' });
    const { client } = harness({ clock, rateLimiter: new RateLimiter({ clock }) });
    const result = await client.listMachineActions({ lookbackDays: 7, top: 10_000 });
    assert.equal(sim.requests.length, 20);
    assert.equal(result.actions.length, 20);
    assert.deepEqual(result.warnings, ['The server split the list into more than 20 pages; only those were read, to keep the rate budget for cancels. The list may be incomplete.']);
    const id = pendingId();
    assert.equal((await client.cancelMachineAction(id, 'wrong device'))?.status, 'Cancelled');
    assert.deepEqual(clock.sleeps, [], 'nothing waited');
    assert.equal(sim.requests.length, 21);
  });

  it('keeps a reserve of the budget that refreshes cannot spend: after they used theirs, a cancel goes out at once', async () => {
    sim.setActions(bulkActions(5000, new Date()));
    sim.switches.pageSize = 1;
    const clock = new ManualClock({ sleeps: 'instant' });
    // A budget of 40 calls an hour (a fifteenth, 3, kept for cancels) stands for the API's 1500 (100 kept), to keep the test short.
    const { client } = harness({ clock, rateLimiter: new RateLimiter({ clock, perHour: 40 }) });
    let refused: DefenderApiError | undefined;
    for (let refresh = 0; refresh < 5 && !refused; refresh++) {
      await client.listMachineActions({ lookbackDays: 7, top: 10_000 }).catch((error: DefenderApiError) => { refused = error; });
    }
    assert.equal(refused?.kind, 'rateLimited');
    assert.match(refused?.message ?? '', /^Not sent: the 37 of the 40 Defender API calls per hour that a refresh may use are used up \(3 are kept for cancels\)/);
    assert.equal(sim.requests.length, 37);
    assert.equal((await client.cancelMachineAction(pendingId(), 'wrong device'))?.status, 'Cancelled');
    assert.deepEqual(clock.sleeps, [], 'neither the refreshes nor the cancel waited');
    assert.equal(sim.requests.length, 38);
  });
});

describe('a 2xx answer without the entity (issue 8 item 4, issue 11 item 10)', () => {
  const modes: CancelAnswerMode[] = ['noContent', 'empty200', 'empty202', 'html200', 'notAnAction', 'otherId', 'idOnly', 'idAndStatus', 'partialEntity'];
  for (const mode of modes) {
    it(`cancel answered ${mode}: accepted, resolves undefined so the caller reads the action back, and logs why`, async () => {
      const id = pendingId();
      const others = sim.actions.filter((a) => a.id !== id).map((a) => structuredClone(a));
      sim.cancelAnswer(id, mode);
      const { client, logs } = harness();
      assert.equal(await client.cancelMachineAction(id, 'wrong device'), undefined);
      assert.equal(sim.requests.length, 1, 'one POST, not sent again');
      assert.equal(sim.getAction(id)?.status, 'Cancelled', 'the service did cancel it');
      assert.deepEqual(sim.actions.filter((a) => a.id !== id), others, 'no other action changed');
      const warning = logs.find((l) => l.level === 'warn' && l.message.startsWith(`POST /api/machineactions/${id}/cancel → 20`));
      assert.ok(warning, `a warning names the answer: ${JSON.stringify(logs)}`);
      assert.match(warning.message, mode === 'otherId' ? new RegExp(`answer is action .*, not ${id}; not applied, ${id} is read back`) : /accepted without the action \(.+; the body starts: ".*"\); it is read back$/);
      assert.equal(logs.some((l) => l.level === 'error'), false, 'not called a failure');
    });
  }

  it('a list answered 200 with an HTML page is a typed error naming a proxy or gateway; the log has the first line', async () => {
    sim.failNext({ kind: 'html', status: 200 });
    const { client, logs } = harness();
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.equal(error.status, 200);
      assert.match(error.message, /HTML page \(status 200\) — a proxy or gateway/);
    });
    assert.equal(sim.requests.length, 1);
    assert.ok(logs.some((l) => l.level === 'error' && l.message.endsWith('the body starts: "<!DOCTYPE html>"')), JSON.stringify(logs));
  });

  it('a list answered 200 with JSON that is not a list is a typed error naming a proxy or gateway', async () => {
    sim.failNext({ kind: 'status', status: 200, message: 'Welcome to the portal' });
    const { client } = harness();
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.match(error.message, /without a "value" array of machine actions — a proxy or gateway between VS Code and the Defender API may have answered instead$/);
    });
    assert.equal(sim.requests.length, 1, 'not retried');
  });

  it('a get answered 200 empty or with JSON that is not an action is a typed error, the body bounded in the log', async () => {
    sim.failNext({ kind: 'empty', status: 200 });
    const { client, logs } = harness();
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.match(error.message, /empty body where JSON was expected — a proxy or gateway/);
    });
    sim.failNext({ kind: 'status', status: 200, message: 'x'.repeat(5000) });
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.equal(error.status, 200);
      assert.match(error.message, /^The Defender API sent a machine action without an id — a proxy or gateway/);
    });
    const line = logs.filter((l) => l.level === 'error').at(-1)?.message ?? '';
    assert.match(line, /the body starts: "\{\\"error\\":\{\\"code\\":\\"Error\\",\\"message\\":\\"x+…"$/);
    assert.ok(line.length < 600, 'the body is bounded in the log');
  });
});

describe('Retry-After as an HTTP-date (issue 8 item 5)', () => {
  it('waits until the date and retries; a date beyond the wait limit is refused at once, saying how long', async () => {
    const clock = new ManualClock({ sleeps: 'instant' });
    const dated = await startDefenderSimulator({ now: () => clock.now() });
    try {
      dated.switches.retryAfterForm = 'date';
      dated.failNext({ kind: 'status', status: 429, retryAfterSeconds: 30 });
      const options = { apiBaseUrl: dated.url, agent: new https.Agent({ ca: dated.caPem }), tokens: [issue(dated.createToken())], clock };
      const { client } = harness({ ...options, rateLimiter: new RateLimiter({ clock }) });
      await client.getMachineAction(idWhere((a) => a.status === 'Pending'));
      assert.match(String(dated.requests[0].status), /429/);
      assert.deepEqual(clock.sleeps, [30_000], 'waited until the date, not the 10 s default');
      assert.deepEqual(dated.requests.map((r) => r.status), [429, 200]);

      dated.failNext({ kind: 'status', status: 503, retryAfterSeconds: 20 });
      await client.getMachineAction(idWhere((a) => a.status === 'Pending'));
      assert.deepEqual(clock.sleeps, [30_000, 20_000], 'a 503 dated Retry-After is waited too');
      clock.sleeps.length = 0;
      clock.sleeps.push(30_000);

      dated.failNext({ kind: 'status', status: 429, retryAfterSeconds: 240 });
      await rejectsWith(harness({ ...options, rateLimiter: new RateLimiter({ clock }) }).client.getMachineAction(idWhere((a) => a.status === 'Pending')), (error) => {
        assert.equal(error.retryAfterSeconds, 240);
        assert.match(error.message, /asks to wait 4 min, longer than the 60 s a request waits/);
      });
      assert.deepEqual(clock.sleeps, [30_000]);
    } finally {
      await dated.close();
    }
  });
});

describe('bodies too large or cut off (issue 11 items 4 and 9)', () => {
  it('stops reading a gzip body that inflates past 32 MiB, naming the cap, without retrying', async () => {
    sim.failNext({ kind: 'gzipBomb', inflatedBytes: MAX_BODY_BYTES + 1024 * 1024 });
    const { client } = harness();
    await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
      assert.equal(error.code, 'ResponseTooLarge');
      assert.match(error.message, /larger than the 32 MiB this extension reads/);
    });
    assert.equal(sim.requests.length, 1);
    // A 5xx is a 5xx whatever its body: retried like any, each read stopped at the cap.
    sim.failNext({ kind: 'gzipBomb', inflatedBytes: MAX_BODY_BYTES + 1024 * 1024, status: 500 });
    assert.deepEqual((await client.listMachineActions({ lookbackDays: 7, top: 10 })).actions.length, 10);
    assert.deepEqual(sim.requests.slice(1).map((r) => r.status), [500, 200], 'the 500 retried');
    sim.failNext({ kind: 'gzipBomb', inflatedBytes: 1024 * 1024 });
    assert.deepEqual((await client.listMachineActions({ lookbackDays: 7, top: 10 })).actions, [], 'a large body under the cap is read');
  });

  it('drops an answer past 32 MiB instead of reading it to its end: the host stops sending', async () => {
    const bytes = MAX_BODY_BYTES + 64 * 1024 * 1024;
    for (const status of [200, 500]) {
      sim.reset();
      sim.failNext({ kind: 'largeBody', bytes, status }, { times: 5 });
      // A 200 so large is refused; a 500 is a 500 whatever its body (retried, then reported by its status).
      await rejectsWith(harness().client.listMachineActions({ lookbackDays: 7, top: 10 }),
        (error) => assert.ok(status === 200 ? error.code === 'ResponseTooLarge' : error.status === 500, `${status}: ${error.message}`));
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const request of sim.requests) {
        assert.ok(request.sentBytes < MAX_BODY_BYTES + 16 * 1024 * 1024, `${status}: the host went on to send ${request.sentBytes} of ${bytes} bytes`);
      }
    }
  });

  it('takes a cancel answered 2xx with a body past 32 MiB as accepted: the caller reads the action back', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'gzipBomb', inflatedBytes: MAX_BODY_BYTES + 1024 * 1024, afterHandling: true }, { method: 'POST' });
    const { client, logs } = harness();
    assert.equal(await client.cancelMachineAction(id, 'wrong device'), undefined);
    assert.equal(sim.requests.length, 1, 'one POST, not sent again');
    assert.equal(sim.getAction(id)?.status, 'Cancelled', 'the service did cancel it');
    assert.ok(logs.some((l) => l.level === 'warn' && l.message.endsWith('accepted without the action (its body is larger than the 32 MiB this extension reads); it is read back')), JSON.stringify(logs));
    assert.equal(logs.some((l) => l.level === 'error'), false, 'not called a failure');
  });

  it('retries a GET whose body was cut off mid-way, and logs it as a dropped connection', async () => {
    sim.failNext({ kind: 'truncate' });
    const { client, logs } = harness({ timeoutMs: 5000 });
    const result = await client.listMachineActions({ lookbackDays: 7, top: 10 });
    assert.equal(result.actions.length, 10);
    assert.deepEqual(sim.requests.map((r) => r.status), [200, 200]);
    assert.ok(logs.some((l) => l.level === 'warn' && /→ network ERR_STREAM_PREMATURE_CLOSE .*; retrying in 1 s/.test(l.message)), JSON.stringify(logs));
  });

  it('retries a GET whose gzip body ends early (Content-Length matching), as a dropped connection', async () => {
    sim.failNext({ kind: 'gzipCut' });
    const { client, logs } = harness();
    const result = await client.listMachineActions({ lookbackDays: 7, top: 10 });
    assert.equal(result.actions.length, 10);
    assert.deepEqual(sim.requests.map((r) => r.status), [200, 200]);
    assert.ok(logs.some((l) => l.level === 'warn' && /→ 200 ERR_STREAM_PREMATURE_CLOSE .*; retrying in 1 s/.test(l.message)), JSON.stringify(logs));
  });

  it('a cancel answered 2xx whose body ends early or is cut off was accepted: not sent again, the caller reads it back', async () => {
    for (const fault of [{ kind: 'gzipCut' }, { kind: 'truncate' }] as const) {
      sim.reset();
      const id = pendingId();
      sim.failNext(fault, { method: 'POST' });
      const { client, logs } = harness();
      assert.equal(await client.cancelMachineAction(id, 'x'), undefined, fault.kind);
      assert.equal(sim.requests.length, 1, `${fault.kind}: one POST`);
      assert.equal(sim.getAction(id)?.status, 'Cancelled', 'the service did cancel it');
      assert.ok(logs.some((l) => l.level === 'warn' && l.message.endsWith('accepted without the action (its body was cut off on the way); it is read back')), JSON.stringify(logs));
    }
  });

  it('an error answer whose body is too large or corrupt is acted on by its status: a 429 waits, a 403 is a 403', async () => {
    sim.failNext({ kind: 'gzipCorrupt', of: { kind: 'status', status: 429, retryAfterSeconds: 120 } });
    const { client } = harness();
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterSeconds, 120);
      assert.match(error.message, /^Defender API answered 429 Too Many Requests; its message could not be decoded/);
    });
    assert.equal(sim.requests.length, 1, 'not retried at once against its Retry-After');
    sim.reset();
    sim.failNext({ kind: 'largeBody', bytes: MAX_BODY_BYTES + 1024 * 1024, status: 403 });
    await rejectsWith(harness().client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.status, 403);
      assert.match(error.message, /its message is larger than the 32 MiB this extension reads/);
      assert.doesNotMatch(error.message, /Max Actions|Lookback/, 'no advice to load less for a refusal');
    });
  });

  it('a corrupt gzip body names a proxy or gateway, not "Could not reach"; not retried', async () => {
    sim.failNext({ kind: 'gzipCorrupt' });
    const { client } = harness();
    await rejectsWith(client.getMachineAction(pendingId()), (error) => {
      assert.equal(error.kind, 'malformed');
      assert.equal(error.code, 'CorruptBody');
      assert.equal(error.message, 'The answer of the Defender API (status 200) could not be decompressed: its data is corrupt — a proxy or gateway between VS Code and the Defender API may have answered instead');
    });
    assert.equal(sim.requests.length, 1);
    const id = pendingId();
    sim.failNext({ kind: 'gzipCorrupt' }, { method: 'POST' });
    assert.equal(await client.cancelMachineAction(id, 'x'), undefined, 'a cancel accepted with a corrupt body is read back');
  });

  it('acts on the status and headers of an error answer whose body was cut off: a 429 waits its Retry-After', async () => {
    for (const cut of ['truncate', 'gzipCut'] as const) {
      sim.reset();
      sim.failNext({ kind: cut, of: { kind: 'status', status: 429, retryAfterSeconds: 120 } });
      const { client, clock, tokenRequests } = harness({ timeoutMs: 5000 });
      await rejectsWith(client.listMachineActions({ lookbackDays: 7, top: 10 }), (error) => {
        assert.equal(error.kind, 'http', cut);
        assert.equal(error.status, 429);
        assert.equal(error.retryAfterSeconds, 120);
        assert.equal(error.message, 'Defender API answered 429 Too Many Requests; its message was cut off on the way — the service asks to wait 2 min, longer than the 60 s a request waits; try again then');
      });
      assert.deepEqual(clock.sleeps, [], `${cut}: no 1 s retry against a Retry-After of 2 min`);
      await rejectsWith(client.getMachineAction(pendingId()), (error) => assert.equal(error.kind, 'rateLimited', 'the budget holds for the Retry-After'));
      assert.equal(sim.requests.length, 1, 'nothing more was sent');
      assert.deepEqual(tokenRequests, [false]);
    }
  });

  it('refreshes the token after a 401 whose body was cut off, and waits a cut 503\'s Retry-After before retrying', async () => {
    sim.failNext({ kind: 'truncate', of: { kind: 'status', status: 401 } });
    const first = harness({ timeoutMs: 5000 });
    assert.equal((await first.client.listMachineActions({ lookbackDays: 7, top: 10 })).actions.length, 10);
    assert.deepEqual(first.tokenRequests, [false, true], 'the second request with a refreshed token');
    assert.deepEqual(first.clock.sleeps, []);
    sim.reset();
    sim.failNext({ kind: 'truncate', of: { kind: 'status', status: 503, retryAfterSeconds: 30 } });
    const second = harness({ timeoutMs: 5000 });
    assert.equal((await second.client.listMachineActions({ lookbackDays: 7, top: 10 })).actions.length, 10);
    assert.deepEqual(second.clock.sleeps, [30_000], 'the Retry-After, not the 1 s backoff');
    assert.deepEqual(sim.requests.map((r) => r.status), [503, 200]);
  });

  it('acts on an error answer whose body stalls until the time-out, as on a cut one', async () => {
    sim.failNext({ kind: 'truncate', hold: true, of: { kind: 'status', status: 503, retryAfterSeconds: 5 } });
    const { client, clock } = harness({ timeoutMs: 300 });
    assert.equal((await client.listMachineActions({ lookbackDays: 7, top: 10 })).actions.length, 10);
    assert.deepEqual(clock.sleeps, [5000]);
  });

  it('sends a cancel again after a 429 whose body was cut off: the service did not take it', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'truncate', of: { kind: 'status', status: 429, retryAfterSeconds: 2 } }, { method: 'POST' });
    const { client, clock } = harness({ timeoutMs: 5000 });
    assert.equal((await client.cancelMachineAction(id, 'wrong device'))?.status, 'Cancelled');
    assert.deepEqual(sim.requests.map((r) => `${r.method} ${r.status}`), ['POST 429', 'POST 200']);
    assert.deepEqual(clock.sleeps, [2000]);
  });
});
