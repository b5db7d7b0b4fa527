import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as https from 'node:https';
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as zlib from 'node:zlib';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type CancelAnswerMode, type DefenderSimulator, DEFAULT_SCOPES, startDefenderSimulator } from './defenderSimulator';
import { ANALYST_UPN, AUTOMATION_APP_ID, bulkActions, INJECTION_COMMENT, type RawAction, seedActions } from './seedActions';

const START = Date.parse('2026-03-01T12:00:00Z');
const DAY_MS = 24 * 3600 * 1000;
let clock = START;
let sim: DefenderSimulator;
let token: string;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Body;
}

/** A parsed JSON answer: an OData error, a page of actions or one action; every field as optional as the wire makes it. */
interface Body {
  error: { code: string; target: string; message: string };
  value: RawAction[];
  '@odata.context'?: string;
  '@odata.nextLink': string;
  id?: string;
  status?: string;
  requestorComment?: string;
  cancellationRequestor?: string;
  cancellationComment?: string;
  cancellationDateTimeUtc: string;
  lastUpdateDateTimeUtc: string;
  lastUpdateTimeUtc: string;
  commands: Array<{ commandStatus: string; endTime: string | null }>;
}

function call(method: string, target: string, options: { token?: string | null; body?: string; contentType?: string | null; timeoutMs?: number } = {}): Promise<Answer> {
  const url = new URL(target, sim.url);
  const headers: Record<string, string> = {};
  const bearer = options.token === undefined ? token : options.token;
  if (bearer !== null) {
    headers.authorization = `Bearer ${bearer}`;
  }
  if (options.body !== undefined && options.contentType !== null) {
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: sim.caPem, agent: false, timeout: options.timeoutMs ?? 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        // A test that reads the body expects JSON; one that does not may get any text (then the body is undefined).
        let body: Body;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined as unknown as Body;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

const list = (query: string, options?: Parameters<typeof call>[2]) => call('GET', `/api/machineactions${query}`, options);
const cancel = (id: string, body: unknown = { Comment: 'Wrong device' }, options?: Parameters<typeof call>[2]) =>
  call('POST', `/api/machineactions/${id}/cancel`, { body: typeof body === 'string' ? body : JSON.stringify(body), ...options });
const q = (text: string) => encodeURIComponent(text);

function seedWhere(predicate: (action: RawAction) => boolean): RawAction {
  const found = sim.actions.find(predicate);
  assert.ok(found, 'the seed has such an action');
  return found;
}

function assertError(answer: Answer, status: number, code: string, message?: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body.error.code, code);
  assert.equal(answer.body.error.target, answer.headers['request-id'], 'the error target is the correlation id');
  assert.match(answer.body.error.target, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  if (message) {
    assert.match(answer.body.error.message, message);
  }
}

before(async () => {
  sim = await startDefenderSimulator({ now: () => clock });
  token = sim.createToken();
});

after(() => sim.close());

beforeEach(() => {
  clock = START;
  sim.reset();
});

describe('seed', () => {
  it('is deterministic and covers every status, type and payload variation', () => {
    const now = new Date(START);
    const seed = seedActions(now);
    assert.deepEqual(seedActions(now), seed);
    assert.ok(seed.length >= 35 && seed.length <= 45);
    const statuses = new Set(seed.map((a) => a.status));
    for (const status of ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled', 'Queued']) {
      assert.ok(statuses.has(status), status);
    }
    const kinds = new Set(seed.map((a) => `${a.type}/${a.scope}`));
    for (const kind of ['RunAntiVirusScan/Quick', 'RunAntiVirusScan/Full', 'Offboard/null', 'LiveResponse/null', 'CollectInvestigationPackage/null',
      'Isolate/Full', 'Isolate/Selective', 'Unisolate/null', 'StopAndQuarantineFile/null', 'RestrictCodeExecution/null',
      'UnrestrictCodeExecution/null', 'CollectFile/null']) {
      assert.ok(kinds.has(kind), kind);
    }
    assert.equal(new Set(seed.map((a) => a.id)).size, seed.length);
    assert.ok(seed.every((a) => /^[0-9a-f]{40}$/.test(String(a.machineId))));
    assert.ok(seed.some((a) => a.computerDnsName === null));
    assert.ok(seed.some((a) => 'lastUpdateTimeUtc' in a && !('lastUpdateDateTimeUtc' in a)));
    assert.ok(seed.some((a) => 'externalID' in a && !('externalId' in a)));
    assert.ok(seed.some((a) => a.requestor === AUTOMATION_APP_ID));
    assert.ok(seed.some((a) => a.requestor === ANALYST_UPN && a.status === 'Pending'));
    assert.ok(seed.some((a) => a.requestorComment === INJECTION_COMMENT));
    assert.ok(seed.filter((a) => a.status === 'Cancelled').every((a) => a.cancellationRequestor && a.cancellationComment && a.cancellationDateTimeUtc));
    assert.ok(seed.some((a) => a.type === 'StopAndQuarantineFile' && (a.relatedFileInfo as { fileIdentifier?: string })?.fileIdentifier));
    const liveResponse = seed.filter((a) => a.type === 'LiveResponse');
    assert.ok(liveResponse.every((a) => Array.isArray(a.commands) && (a.commands as Array<{ command: { params: unknown[] } }>).every((c) => c.command.params.length > 0)));
    const ages = seed.map((a) => START - Date.parse(String(a.creationDateTimeUtc)));
    assert.ok(Math.min(...ages) < 10 * 60_000 && Math.max(...ages) > 50 * DAY_MS);
    assert.ok(ages.some((age) => age > 7 * DAY_MS) && ages.some((age) => age < 7 * DAY_MS));
  });

  it('bulkActions makes n distinct actions inside the last six days', () => {
    const bulk = bulkActions(10_000, new Date(START));
    assert.equal(bulk.length, 10_000);
    assert.equal(new Set(bulk.map((a) => a.id)).size, 10_000);
    const ages = bulk.map((a) => START - Date.parse(String(a.creationDateTimeUtc)));
    assert.ok(ages.every((age) => age > 0 && age <= 6 * DAY_MS));
    assert.ok(new Set(bulk.map((a) => a.status)).size >= 6);
  });
});

describe('list', () => {
  it('returns every action with the OData context and a request id', async () => {
    const answer = await list('');
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.equal(answer.body['@odata.context'], `${sim.origin}/api/$metadata#MachineActions`);
    assert.deepEqual(answer.body.value, seedActions(new Date(START)));
    assert.equal(answer.body['@odata.nextLink'], undefined);
    assert.match(String(answer.headers['request-id']), /^[0-9a-f-]{36}$/);
  });

  it('the client query: lookback, only mine, newest first, $top', async () => {
    const since = new Date(START - 7 * DAY_MS).toISOString();
    const answer = await list(`?$filter=${q(`creationDateTimeUtc ge ${since} and requestor eq '${ANALYST_UPN}'`)}&$orderby=${q('creationDateTimeUtc desc')}&$top=1000`);
    assert.equal(answer.status, 200, answer.text);
    const expected = sim.actions
      .filter((a) => a.requestor === ANALYST_UPN && Date.parse(String(a.creationDateTimeUtc)) >= START - 7 * DAY_MS)
      .sort((a, b) => Date.parse(String(b.creationDateTimeUtc)) - Date.parse(String(a.creationDateTimeUtc)))
      .map((a) => a.id);
    assert.ok(expected.length > 3);
    assert.deepEqual(answer.body.value.map((a: RawAction) => a.id), expected);
  });

  it('status in, or and not narrow the list', async () => {
    const answer = await list(`?$filter=${q("status in ('Pending','InProgress') and not (type eq 'LiveResponse' or type eq 'Isolate')")}`);
    const got = answer.body.value as RawAction[];
    assert.ok(got.length > 0);
    assert.ok(got.every((a) => ['Pending', 'InProgress'].includes(String(a.status)) && !['LiveResponse', 'Isolate'].includes(String(a.type))));
    assert.equal(got.length, sim.actions.filter((a) => ['Pending', 'InProgress'].includes(String(a.status)) && !['LiveResponse', 'Isolate'].includes(String(a.type))).length);
  });

  it('$skip and $top page through the ordered list', async () => {
    const all = (await list(`?$orderby=${q('creationDateTimeUtc asc')}`)).body.value.map((a: RawAction) => a.id);
    const page = (await list(`?$orderby=${q('creationDateTimeUtc asc')}&$skip=3&$top=4`)).body.value.map((a: RawAction) => a.id);
    assert.deepEqual(page, all.slice(3, 7));
    assert.deepEqual((await list('?$skip=1000')).body.value, []);
  });

  it('bad queries answer 400 ODataError', async () => {
    for (const query of ['?$top=0', '?$top=10001', '?$top=abc', '?$skip=-1', '?$select=id', `?$filter=${q("computerDnsName eq 'ws-fin-0142.contoso.local'")}`,
      `?$filter=${q("status eq 'Pending' and")}`, `?$filter=${q("creationDateTimeUtc ge '2026-01-01'")}`, `?$orderby=${q('lastUpdateDateTimeUtc')}`]) {
      assertError(await list(query), 400, 'ODataError');
    }
    assertError(await list(`?$filter=${q("computerDnsName eq 'x'")}`), 400, 'ODataError', /computerDnsName/);
    assert.equal((await list('?$top=10000')).status, 200);
  });

  it('with a page size, @odata.nextLink carries the rest of $top on the same origin', async () => {
    sim.setActions(bulkActions(25, new Date(START)));
    sim.switches.pageSize = 10;
    const ids: string[] = [];
    const pageLengths: number[] = [];
    let next: string | undefined = `${sim.url}/api/machineactions?$filter=${q("status ne 'Failed'")}&$orderby=${q('creationDateTimeUtc desc')}&$top=15`;
    while (next) {
      assert.ok(next.startsWith(`${sim.origin}/api/machineactions?`), next);
      const answer = await call('GET', next);
      assert.equal(answer.status, 200, answer.text);
      ids.push(...answer.body.value.map((a: RawAction) => a.id));
      pageLengths.push(answer.body.value.length);
      next = answer.body['@odata.nextLink'];
    }
    assert.deepEqual(pageLengths, [10, 5]);
    const expected = sim.actions.filter((a) => a.status !== 'Failed').slice(0, 15).map((a) => a.id);
    assert.deepEqual(ids, expected);
  });

  it('without $top, paging runs to the end', async () => {
    sim.setActions(bulkActions(25, new Date(START)));
    sim.switches.pageSize = 10;
    const first = await list('');
    assert.equal(first.body.value.length, 10);
    const second = await call('GET', first.body['@odata.nextLink']);
    const third = await call('GET', second.body['@odata.nextLink']);
    assert.equal(third.body.value.length, 5);
    assert.equal(third.body['@odata.nextLink'], undefined);
    assert.equal(new Set([...first.body.value, ...second.body.value, ...third.body.value].map((a: RawAction) => a.id)).size, 25);
  });

  it('nextLinkOrigin points the nextLink elsewhere', async () => {
    sim.switches.pageSize = 5;
    sim.switches.nextLinkOrigin = 'https://attacker.example';
    const answer = await list('?$top=20');
    assert.match(answer.body['@odata.nextLink'], /^https:\/\/attacker\.example\/api\/machineactions\?.*\$top=15.*\$skip=5/);
  });
});

describe('get', () => {
  it('returns the entity; the path and id are case-insensitive', async () => {
    const action = sim.actions[0];
    const answer = await call('GET', `/API/MachineActions/${action.id.toUpperCase()}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body['@odata.context'], `${sim.origin}/api/$metadata#MachineActions/$entity`);
    assert.equal(answer.body.id, action.id);
    assert.equal(answer.body.requestorComment, action.requestorComment);
  });

  it('unknown ids, unknown paths and wrong methods', async () => {
    assertError(await call('GET', '/api/machineactions/00000000-0000-4000-a000-000000000000'), 404, 'ResourceNotFound');
    assertError(await call('GET', '/api/machines'), 404, 'NotFound');
    assertError(await call('DELETE', `/api/machineactions/${sim.actions[0].id}`), 405, 'MethodNotAllowed');
    assertError(await call('GET', '/api/machineactions/%E0%A4%A'), 400, 'BadRequest');
  });
});

describe('cancel', () => {
  it('a pending action is cancelled in place with who, why and when', async () => {
    const action = seedWhere((a) => a.status === 'Pending' && 'lastUpdateDateTimeUtc' in a);
    const count = sim.actions.length;
    clock = START + 90_000;
    const answer = await cancel(action.id, { Comment: 'Wrong device' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body['@odata.context'], `${sim.origin}/api/$metadata#MachineActions/$entity`);
    assert.equal(answer.body.id, action.id);
    assert.equal(answer.body.status, 'Cancelled');
    assert.equal(answer.body.cancellationRequestor, ANALYST_UPN);
    assert.equal(answer.body.cancellationComment, 'Wrong device');
    assert.equal(Date.parse(answer.body.cancellationDateTimeUtc), START + 90_000);
    assert.equal(Date.parse(answer.body.lastUpdateDateTimeUtc), START + 90_000);
    assert.equal(sim.actions.length, count);
    assert.equal((await call('GET', `/api/machineactions/${action.id}`)).body.status, 'Cancelled');
  });

  it('an in-progress action keeps its old field spelling and records the caller', async () => {
    const action = seedWhere((a) => ['Pending', 'InProgress'].includes(String(a.status)) && 'lastUpdateTimeUtc' in a);
    const other = sim.createToken({ upn: 'ir-lead@contoso.com' });
    const answer = await cancel(action.id, { Comment: 'Stop' }, { token: other });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.cancellationRequestor, 'ir-lead@contoso.com');
    assert.equal(Date.parse(answer.body.lastUpdateTimeUtc), START);
    assert.equal('lastUpdateDateTimeUtc' in answer.body, false);
    const running = seedWhere((a) => a.status === 'InProgress');
    assert.equal((await cancel(running.id)).body.status, 'Cancelled');
  });

  it('final states answer 400 BadRequest and stay unchanged; unknown states are not cancellable either', async () => {
    for (const status of ['Succeeded', 'Failed', 'TimeOut', 'Cancelled']) {
      const action = seedWhere((a) => a.status === status);
      const before = structuredClone(action);
      assertError(await cancel(action.id), 400, 'BadRequest', new RegExp(`already in a final state.*${status}`));
      assert.deepEqual(sim.getAction(action.id), before);
    }
    assertError(await cancel(seedWhere((a) => a.status === 'Queued').id), 400, 'BadRequest', /Queued/);
  });

  it('the other spellings of the seed toggle (pending, In Progress, Canceled) are the same states for a cancel', async () => {
    sim.setActions(seedActions(new Date(START), { enumSpelling: 'variant' }));
    for (const spelling of ['pending', 'PENDING', 'In Progress', 'inProgress']) {
      assert.equal((await cancel(seedWhere((a) => a.status === spelling).id)).body.status, 'Cancelled', spelling);
    }
    for (const spelling of ['Canceled', 'succeeded', 'Timeout']) {
      assertError(await cancel(seedWhere((a) => a.status === spelling).id), 400, 'BadRequest', /already in a final state/);
    }
  });

  it('unknown id answers 404', async () => {
    assertError(await cancel('00000000-0000-4000-a000-000000000000'), 404, 'ResourceNotFound');
  });

  it('the body needs a non-empty string Comment, spelled exactly so', async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    for (const body of [{ comment: 'lower case' }, { Comment: '' }, { Comment: '   ' }, { Comment: 42 }, {}, '{"Comment": ', '', '[]', 'null']) {
      assertError(await cancel(id, body), 400, 'InvalidRequestBody');
    }
    assert.equal(sim.getAction(id)?.status, 'Pending');
  });

  it('the body must be sent as application/json', async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    assertError(await cancel(id, { Comment: 'x' }, { contentType: 'text/plain' }), 415, 'UnsupportedMediaType');
    assertError(await cancel(id, { Comment: 'x' }, { contentType: null }), 415, 'UnsupportedMediaType');
    assert.equal((await cancel(id, { Comment: 'x' }, { contentType: 'application/json; charset=utf-8' })).status, 200);
  });
});

describe('auth', () => {
  it('a missing, unknown or revoked token answers 401', async () => {
    assertError(await list('', { token: null }), 401, 'Unauthorized');
    assertError(await list('', { token: 'not-a-token' }), 401, 'Unauthorized');
    const revoked = sim.createToken();
    assert.equal((await list('', { token: revoked })).status, 200);
    sim.revokeToken(revoked);
    const answer = await list('', { token: revoked });
    assertError(answer, 401, 'Unauthorized');
    assert.equal(answer.headers['www-authenticate'], 'Bearer');
  });

  it('reading needs Machine.Read(Write); cancelling needs an action permission', async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    const reader = sim.createToken({ scopes: ['Machine.Read'] });
    assert.equal((await list('', { token: reader })).status, 200);
    assertError(await cancel(id, undefined, { token: reader }), 403, 'Forbidden', /Machine\.Isolate.*Machine\.LiveResponse/);
    const isolator = sim.createToken({ scopes: ['Machine.Isolate'] });
    assertError(await list('', { token: isolator }), 403, 'Forbidden', /Machine\.Read/);
    assertError(await call('GET', `/api/machineactions/${id}`, { token: isolator }), 403, 'Forbidden');
    assert.equal((await cancel(id, undefined, { token: isolator })).status, 200);
    const app = sim.createToken({ upn: AUTOMATION_APP_ID, scopes: ['Machine.ReadWrite.All'] });
    assert.equal((await list('', { token: app })).status, 200);
    assert.deepEqual([...DEFAULT_SCOPES].sort(), ['Machine.CollectForensics', 'Machine.Isolate', 'Machine.LiveResponse', 'Machine.Offboard',
      'Machine.Read', 'Machine.RestrictExecution', 'Machine.Scan', 'Machine.StopAndQuarantine']);
  });

  it('verifyToken lets another issuer in', async () => {
    const other = await startDefenderSimulator({ verifyToken: (t) => (t === 'jwt-from-entra' ? { upn: 'jane.doe@contoso.com', scopes: ['Machine.Read', 'Machine.Scan'] } : undefined) });
    try {
      const id = other.actions.find((a) => a.status === 'Pending')?.id;
      const answer = await new Promise<number>((resolve, reject) => {
        https.request(`${other.url}/api/machineactions/${id}/cancel`, {
          method: 'POST', ca: other.caPem, agent: false, headers: { authorization: 'Bearer jwt-from-entra', 'content-type': 'application/json' },
        }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject).end('{"Comment":"via JWT"}');
      });
      assert.equal(answer, 200);
      assert.equal(other.getAction(String(id))?.cancellationRequestor, 'jane.doe@contoso.com');
    } finally {
      await other.close();
    }
  });
});

describe('rate limit', () => {
  it('the 101st call in a minute answers 429 with Retry-After until the window slides', async () => {
    for (let i = 0; i < 100; i++) {
      clock = START + i * 100;
      assert.equal((await list('?$top=1')).status, 200);
    }
    clock = START + 30_000;
    let answer = await list('?$top=1');
    assertError(answer, 429, 'TooManyRequests');
    assert.equal(answer.headers['retry-after'], '30');
    assert.equal((await list('?$top=1', { token: sim.createToken({ upn: 'jane.doe@contoso.com' }) })).status, 200, 'another user has their own budget');
    clock = START + 59_999;
    answer = await list('?$top=1');
    assert.equal(answer.headers['retry-after'], '1');
    clock = START + 60_001;
    assert.equal((await list('?$top=1')).status, 200);
    assert.equal((await list('?$top=1')).status, 429, 'the call made at +100 ms is still inside the window');
  });

  it('the hourly budget applies too', async () => {
    sim.switches.rateLimitPerHour = 3;
    for (let i = 0; i < 3; i++) {
      clock = START + i * 120_000;
      assert.equal((await list('?$top=1')).status, 200);
    }
    clock = START + 10 * 60_000;
    const answer = await list('?$top=1');
    assert.equal(answer.status, 429);
    assert.equal(answer.headers['retry-after'], String(50 * 60));
  });
});

describe('switches', () => {
  it('failNext: forced 429s for a path, then normal answers', async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 }, { times: 2, pathIncludes: '/cancel' });
    assert.equal((await list('')).status, 200);
    for (let i = 0; i < 2; i++) {
      const answer = await cancel(id);
      assertError(answer, 429, 'TooManyRequests');
      assert.equal(answer.headers['retry-after'], '7');
    }
    assert.equal(sim.getAction(id)?.status, 'Pending');
    assert.equal((await cancel(id)).status, 200);
  });

  it('failNext: forced statuses keep the standard error body', async () => {
    sim.failNext({ kind: 'status', status: 500 });
    sim.failNext({ kind: 'status', status: 503, message: 'Service is down for maintenance' });
    assertError(await list(''), 500, 'InternalServerError');
    assertError(await list(''), 503, 'ServiceUnavailable', /^Service is down for maintenance$/);
    assert.equal((await list('')).status, 200);
  });

  it('failNext: HTML page, empty body, malformed JSON', async () => {
    sim.failNext({ kind: 'html' }, { times: 2 });
    for (let i = 0; i < 2; i++) {
      const answer = await list('');
      assert.equal(answer.status, 502);
      assert.match(String(answer.headers['content-type']), /^text\/html/);
      assert.match(answer.text, /<html>/);
      assert.ok(answer.headers['request-id']);
    }
    sim.failNext({ kind: 'empty' });
    const empty = await list('');
    assert.equal(empty.status, 503);
    assert.equal(empty.text, '');
    sim.failNext({ kind: 'malformed' });
    const malformed = await list('');
    assert.equal(malformed.status, 200);
    assert.equal(malformed.text, '{"value": [');
    assert.equal((await list('')).status, 200);
  });

  it('failNext: a dropped connection, before or after the cancel took effect', async () => {
    const [first, second] = sim.actions.filter((a) => a.status === 'Pending');
    sim.failNext({ kind: 'reset' }, { method: 'POST' });
    await assert.rejects(cancel(first.id), /socket hang up|ECONNRESET/);
    assert.equal(sim.getAction(first.id)?.status, 'Pending');
    sim.failNext({ kind: 'reset', afterHandling: true }, { method: 'post' });
    await assert.rejects(cancel(second.id), /socket hang up|ECONNRESET/);
    assert.equal(sim.getAction(second.id)?.status, 'Cancelled');
    assert.deepEqual(sim.requests.map((r) => r.status), [0, 0]);
  });

  it('delayMs and slow faults make a client time out while the cancel still applies', async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    sim.switches.delayMs = 300;
    await assert.rejects(cancel(id, undefined, { timeoutMs: 50 }), /client timeout/);
    assert.equal(sim.getAction(id)?.status, 'Cancelled');
    sim.switches.delayMs = 0;
    sim.failNext({ kind: 'slow', delayMs: 300 });
    await assert.rejects(list('', { timeoutMs: 50 }), /client timeout/);
    assert.equal((await list('', { timeoutMs: 1000 })).status, 200);
  });

  it('failCancel: one action answers 403 with the given message, others cancel', async () => {
    const [denied, allowed] = sim.actions.filter((a) => a.status === 'Pending');
    sim.failCancel(denied.id, 'No RBAC role for device group Finance');
    assertError(await cancel(denied.id), 403, 'Forbidden', /^No RBAC role for device group Finance$/);
    assert.equal(sim.getAction(denied.id)?.status, 'Pending');
    assert.equal((await cancel(allowed.id)).status, 200);
    sim.failCancel(allowed.id);
    assertError(await cancel(allowed.id), 403, 'Forbidden', /role/);
    const third = sim.actions.filter((a) => a.status === 'Pending')[1];
    sim.failCancel(third.id, { kind: 'status', status: 500 });
    assertError(await cancel(third.id), 500, 'InternalServerError');
  });

  it("finishBeforeCancel 'succeeded': the cancel arrives too late and gets 400", async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    sim.finishBeforeCancel(id, 'succeeded');
    assertError(await cancel(id), 400, 'BadRequest', /final state.*Succeeded/);
    assert.equal(sim.getAction(id)?.status, 'Succeeded');
  });

  it("finishBeforeCancel 'completedAnyway': 200 Cancelled while the commands say Completed", async () => {
    const liveResponse = seedWhere((a) => a.type === 'LiveResponse' && a.status === 'InProgress');
    sim.finishBeforeCancel(liveResponse.id, 'completedAnyway');
    const answer = await cancel(liveResponse.id);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.status, 'Cancelled');
    assert.ok(answer.body.commands.length > 0);
    assert.ok(answer.body.commands.every((c: { commandStatus: string; endTime: string | null }) => c.commandStatus === 'Completed' && c.endTime));
    assert.throws(() => sim.finishBeforeCancel(seedWhere((a) => a.type === 'Isolate').id, 'completedAnyway'), /live response/);
  });

  it('reset restores the data and clears switches, faults and the log', async () => {
    const id = seedWhere((a) => a.status === 'Pending').id;
    await cancel(id);
    sim.addAction({ id: 'extra' });
    sim.switches.pageSize = 1;
    sim.failNext({ kind: 'status', status: 500 });
    sim.failCancel(id);
    sim.reset();
    assert.equal(sim.requests.length, 0);
    assert.deepEqual(sim.actions, seedActions(new Date(START)));
    const answer = await list('');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.value.length, sim.actions.length);
    assert.equal((await cancel(id)).status, 200);
  });
});

/** The answer as bytes, and whether it arrived whole (Content-Length reached) before the connection closed. */
function rawGet(target: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(target, sim.url), { headers: { authorization: `Bearer ${token}` }, ca: sim.caPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('field shapes (issue 8 items 3–5, issue 11 items 4 and 9)', () => {
  it('switches.pageOverlap: each next page repeats the last n items; n ≥ the page size repeats the page under a new link', async () => {
    sim.setActions(bulkActions(12, new Date(clock)));
    sim.switches.pageSize = 5;
    sim.switches.pageOverlap = 2;
    const first = await list('');
    const second = await call('GET', first.body['@odata.nextLink']);
    assert.deepEqual(second.body.value.slice(0, 2).map((a: RawAction) => a.id), first.body.value.slice(3).map((a: RawAction) => a.id));
    sim.switches.pageOverlap = 5;
    const again = await call('GET', (await list('')).body['@odata.nextLink']);
    assert.deepEqual(again.body.value, first.body.value);
    assert.match(again.body['@odata.nextLink'], /repeat=2$/);
  });

  it('switches.retryAfterForm = "date": Retry-After as an IMF-fixdate on the simulator clock', async () => {
    sim.switches.retryAfterForm = 'date';
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 90 });
    assert.equal((await list('')).headers['retry-after'], new Date(START + 90_000).toUTCString());
    sim.switches.rateLimitPerMinute = 1;
    assert.equal((await list('')).status, 200);
    assert.equal((await list('')).headers['retry-after'], new Date(START + 60_000).toUTCString(), 'the rate limit too');
  });

  it('cancelAnswer: the cancel applies, the answer carries no entity of that action', async () => {
    const expected: Record<string, { status: number; check(answer: Answer): void }> = {
      noContent: { status: 204, check: (a) => assert.equal(a.text, '') },
      empty200: { status: 200, check: (a) => assert.equal(a.text, '') },
      empty202: { status: 202, check: (a) => assert.equal(a.text, '') },
      html200: { status: 200, check: (a) => assert.match(String(a.headers['content-type']), /^text\/html/) },
      notAnAction: { status: 200, check: (a) => assert.deepEqual(a.body.value, []) },
      otherId: { status: 200, check: (a) => assert.ok(a.body.id && sim.getAction(a.body.id)) },
      idOnly: { status: 200, check: (a) => assert.deepEqual(Object.keys(a.body), ['id']) },
      idAndStatus: { status: 200, check: (a) => assert.deepEqual(Object.keys(a.body), ['id', 'status']) },
      partialEntity: { status: 200, check: (a) => assert.deepEqual(Object.keys(a.body), ['id', 'type', 'status', 'machineId', 'creationDateTimeUtc']) },
    };
    for (const [mode, { status, check }] of Object.entries(expected)) {
      sim.reset();
      const id = seedWhere((a) => a.status === 'Pending').id;
      sim.cancelAnswer(id, mode as CancelAnswerMode);
      const answer = await cancel(id);
      assert.equal(answer.status, status, mode);
      check(answer);
      assert.ok(answer.body?.id !== id || Object.keys(answer.body).length <= 5, `${mode}: no whole entity of ${id}`);
      assert.equal(sim.getAction(id)?.status, 'Cancelled', mode);
    }
  });

  it('failNext truncate: full Content-Length, half the body, then the connection closes', async () => {
    sim.failNext({ kind: 'truncate' });
    const answer = await rawGet('/api/machineactions');
    assert.equal(answer.status, 200);
    assert.equal(answer.complete, false);
    assert.ok(answer.body.length < Number(answer.headers['content-length']));
    assert.equal(sim.requests[0].status, 200);
  });

  it('failNext gzipBomb: a small gzip body of valid JSON that inflates to the size asked', async () => {
    sim.failNext({ kind: 'gzipBomb', inflatedBytes: 8 * 1024 * 1024 });
    const answer = await rawGet('/api/machineactions');
    assert.equal(answer.headers['content-encoding'], 'gzip');
    assert.ok(answer.body.length < 64 * 1024, `sent ${answer.body.length} bytes`);
    const inflated = zlib.gunzipSync(answer.body);
    assert.equal(inflated.length, 8 * 1024 * 1024);
    assert.deepEqual(JSON.parse(inflated.toString('utf8')), { value: [] });
  });
});

describe('request log', () => {
  it('records method, path with query, lower-case headers, body, status and correlation id', async () => {
    clock = START + 5_000;
    const id = seedWhere((a) => a.status === 'Pending').id;
    const listed = await list('?$top=2');
    const cancelled = await cancel(id, { Comment: 'logged' });
    assert.equal(sim.requests.length, 2);
    const [first, second] = sim.requests;
    assert.deepEqual([first.method, first.path, first.status, first.correlationId, first.at], ['GET', '/api/machineactions?$top=2', 200, listed.headers['request-id'], START + 5_000]);
    assert.equal(first.headers.authorization, `Bearer ${token}`);
    assert.deepEqual([second.method, second.path, second.body, second.status, second.correlationId],
      ['POST', `/api/machineactions/${id}/cancel`, '{"Comment":"logged"}', 200, cancelled.headers['request-id']]);
    assert.equal(second.headers['content-type'], 'application/json');
    sim.clearRequests();
    assert.equal(sim.requests.length, 0);
  });
});

describe('CLI', () => {
  it('prints url, CA path and a working token, and stops on SIGTERM', async () => {
    const script = path.join(__dirname, 'defenderSimulator.js');
    const child = spawn(process.execPath, [script, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
      });
      const info = JSON.parse(line) as { url: string; caPath: string; token: string };
      assert.match(info.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.caPath, sim.caPath);
      const status = await new Promise<number>((resolve, reject) => {
        https.get(`${info.url}/api/machineactions?$top=1`, { ca: sim.caPem, agent: false, headers: { authorization: `Bearer ${info.token}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      assert.equal(status, 200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
  });
});
