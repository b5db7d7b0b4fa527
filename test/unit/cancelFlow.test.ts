// A cancel from request to outcome (SPEC §3 "Cancel" 4–8) through the real DefenderClient against the HTTPS Defender
// simulator on 127.0.0.1: every outcome of "Cancel" 5 (2xx answers without the entity, partly run live responses
// included), no blind second POST, in-flight dedupe, bulk pacing.
// Waits (Retry-After, backoff, rate budget) pass at once on a fake clock that the simulator shares.
import { after, before, beforeEach, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import { bulkPacingNote, InFlight, MAX_BULK_CONCURRENCY, runPaced } from '../../src/commands/cancel/bulk';
import { runCancel } from '../../src/commands/cancel/flow';
import { BulkEntry, CancelOutcome, outcomeEntity, presentCancelOutcome, summarizeBulk } from '../../src/commands/cancel/outcome';
import { DefenderClient } from '../../src/defender/client';
import { describeLiveResponseCommand, MachineAction } from '../../src/defender/machineAction';
import { RateLimiter } from '../../src/defender/rateLimiter';
import { detailsText } from '../../src/views/detailsText';
import { actionTooltipMarkdown } from '../../src/views/presentation';
import { DefenderSimulator, startDefenderSimulator } from '../simulators/defenderSimulator';
import { isUserCancellation } from '../../src/shared/errors';
import { machineAction } from '../support/machineAction';
import { ManualClock } from '../support/manualClock';
import { silentLogger } from '../support/silentLogger';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const COMMENT = 'Wrong device: isolation requested by mistake';

/** One fake time for the client, its rate limiter and the simulator: a wait passes at once and moves it on. */
const clock = new ManualClock({ sleeps: 'instant' });

let sim: DefenderSimulator;
let agent: https.Agent;

/**
 * A client on the simulator; `tokens` are handed out in turn (the last repeats). The client asks for a token right
 * after the rate limiter admitted a request, so `sentAt` is when each request left, on the fake clock.
 */
function client(options: { tokens?: string[]; rateLimiter?: RateLimiter; timeoutMs?: number } = {}): { client: DefenderClient; forceRefresh: boolean[]; sentAt: number[] } {
  const tokens = options.tokens ?? [sim.createToken()];
  const forceRefresh: boolean[] = [];
  const sentAt: number[] = [];
  return {
    forceRefresh,
    sentAt,
    client: new DefenderClient({
      apiBaseUrl: sim.url,
      agent,
      clock,
      rateLimiter: options.rateLimiter,
      timeoutMs: options.timeoutMs ?? 5000,
      logger: silentLogger,
      getAccessToken: async (o) => {
        forceRefresh.push(o.forceRefresh);
        sentAt.push(clock.now());
        return tokens[Math.min(forceRefresh.length - 1, tokens.length - 1)];
      },
    }),
  };
}

function ids(where: (a: Record<string, unknown>) => boolean): string[] {
  return sim.actions.filter(where).map((a) => a.id);
}

const pendingId = () => ids((a) => a.status === 'Pending')[0];
const posts = () => sim.requests.filter((r) => r.method === 'POST');
const gets = () => sim.requests.filter((r) => r.method === 'GET');

function kindOf(outcome: CancelOutcome): string {
  return outcome.kind === 'alreadyFinished' ? `alreadyFinished:${outcome.how}` : outcome.kind;
}

describe('cancelFlow', () => {
  before(async () => {
    sim = await startDefenderSimulator({ now: () => clock.now() });
    agent = new https.Agent({ ca: sim.caPem });
  });

  after(async () => {
    agent.destroy();
    await sim.close();
  });

  beforeEach(() => sim.reset());

  it('a pending action: cancelled with one POST carrying the comment; the entity comes back Cancelled', async () => {
    const id = pendingId();
    const outcome = await runCancel(client().client, { id, comment: `  ${COMMENT} ` });
    assert.equal(kindOf(outcome), 'cancelled');
    assert.equal(outcome.kind === 'cancelled' && outcome.action.cancellationComment, COMMENT);
    assert.equal(posts().length, 1);
    assert.equal(gets().length, 0, 'no reload and no extra read');
    assert.deepEqual(JSON.parse(posts()[0].body), { Comment: COMMENT });
    assert.equal(sim.getAction(id)?.status, 'Cancelled');
  });

  it('already finished, first form: the service answers 400', async () => {
    const id = pendingId();
    sim.finishBeforeCancel(id, 'succeeded');
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'alreadyFinished:refused');
    assert.match(presentCancelOutcome(outcome, 'X').message, /had already finished: Defender refused the cancel\. Defender said: Action is already in a final state \(Succeeded\)/);
    assert.equal(posts().length, 1);
    // The 400 has no entity: one read brings the final state, for the view to show instead of a cancellable row.
    assert.equal(gets().length, 1);
    assert.equal(outcomeEntity(outcome)?.status, 'Succeeded');
  });

  it('a 400 on an action that is still pending is not the race: reported as the error, not as already finished', async () => {
    const id = pendingId();
    sim.failCancel(id, { kind: 'status', status: 400, code: 'BadRequest', message: 'Cancellation is not supported for this action' });
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'failed');
    assert.match(presentCancelOutcome(outcome, 'X').message, /Cancellation is not supported for this action/);
    assert.equal(posts().length, 1);
  });

  it('already finished, second form: Cancelled although every live response command completed', async () => {
    const id = ids((a) => a.status === 'Pending' && Array.isArray(a.commands))[0];
    sim.finishBeforeCancel(id, 'completedAnyway');
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'alreadyFinished:completedAnyway');
    assert.match(presentCancelOutcome(outcome, 'X').message, /the work was done anyway/);
  });

  it('401 after the one silent refresh: session expired, two POSTs and no more', async () => {
    const revoked = [sim.createToken(), sim.createToken()];
    revoked.forEach((t) => sim.revokeToken(t));
    const { client: c, forceRefresh } = client({ tokens: revoked });
    const outcome = await runCancel(c, { id: pendingId(), comment: COMMENT });
    assert.equal(kindOf(outcome), 'sessionExpired');
    assert.deepEqual(forceRefresh, [false, true]);
    assert.equal(posts().length, 2);
    assert.deepEqual(presentCancelOutcome(outcome, 'X').buttons, ['Sign In', 'Show Log']);
  });

  it('403: our sentence with the permissions, then the service message', async () => {
    const id = pendingId();
    sim.failCancel(id);
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'forbidden');
    const message = presentCancelOutcome(outcome, 'X').message;
    assert.match(message, /^Your account lacks permission to cancel X: .*Machine\.Isolate.* Defender said: The user does not have the Defender role/);
  });

  it('404 on the cancel: not found right now, Retry offered (the row is kept by the command)', async () => {
    const outcome = await runCancel(client().client, { id: UNKNOWN_ID, comment: COMMENT });
    assert.equal(kindOf(outcome), 'notFound');
    assert.deepEqual(presentCancelOutcome(outcome, 'X').buttons, ['Retry', 'Show Log']);
  });

  const ANSWER_STATUS = { noContent: 204, empty200: 200, empty202: 202, html200: 200, notAnAction: 200, otherId: 200, idOnly: 200, idAndStatus: 200, partialEntity: 200 } as const;
  for (const answer of ['noContent', 'empty200', 'empty202', 'html200', 'notAnAction', 'otherId', 'idOnly', 'idAndStatus', 'partialEntity'] as const) {
    it(`a 2xx without the entity (${answer}) is accepted: one GET reads the real state, never a failure`, async () => {
      const id = pendingId();
      const other = sim.actions.find((a) => a.id !== id);
      const otherBefore = structuredClone(other);
      sim.cancelAnswer(id, answer);
      const outcome = await runCancel(client().client, { id, comment: COMMENT });
      assert.equal(kindOf(outcome), 'cancelled');
      assert.equal(outcomeEntity(outcome)?.id, id, 'the entity is the requested action, read back');
      assert.equal(outcomeEntity(outcome)?.type, 'Isolate', 'the row keeps its type');
      assert.equal(presentCancelOutcome(outcome, 'Isolate on ws-fin-0142').message, 'Isolate on ws-fin-0142 cancelled.');
      assert.deepEqual([posts().length, gets().length], [1, 1]);
      assert.equal(posts()[0].status, ANSWER_STATUS[answer], 'the simulator answered that shape');
      assert.deepEqual(sim.actions.find((a) => a.id === other?.id), otherBefore, 'the other action is untouched');
    });
  }

  it('a 2xx without the entity when the action still shows Pending: "Defender accepted the cancel; the action still shows Pending"', async () => {
    const id = pendingId();
    sim.cancelAnswer(id, 'noContent', 'stillPending');
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'requested');
    const shown = presentCancelOutcome(outcome, 'X');
    assert.deepEqual([shown.severity, shown.message], ['info', 'Defender accepted the cancel of X; the action still shows Pending.']);
  });

  it('a 2xx without the entity when the action had finished meanwhile: already finished, with its state', async () => {
    const id = pendingId();
    sim.cancelAnswer(id, 'html200', 'finished');
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'alreadyFinished:finished');
    assert.equal(outcomeEntity(outcome)?.status, 'Succeeded');
  });

  it('a 2xx whose body is past the 32 MiB cap is accepted: read back, never "could not cancel"', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'gzipBomb', inflatedBytes: 33 * 1024 * 1024, afterHandling: true }, { method: 'POST' });
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'cancelled');
    assert.equal(outcomeEntity(outcome)?.status, 'Cancelled');
    assert.deepEqual([posts().length, gets().length], [1, 1]);
    assert.doesNotMatch(presentCancelOutcome(outcome, 'X').message, /Could not cancel|Max Actions/);
  });

  it('a 2xx without the entity and the read-back fails: accepted, state not known, not a failure', async () => {
    const id = pendingId();
    sim.cancelAnswer(id, 'empty202');
    sim.notFoundFirst(id, 1);
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'accepted');
    assert.equal(gets().length, 1, 'one GET, no more');
    assert.notEqual(presentCancelOutcome(outcome, 'X').severity, 'error');
  });

  it('another action\'s entity in the answer is never taken for the requested one', async () => {
    const id = pendingId();
    sim.cancelAnswer(id, 'otherId', 'stillPending');
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'requested');
    assert.equal(outcomeEntity(outcome)?.id, id);
  });

  it('a read-back answered with another action\'s entity is never applied: after a 2xx without entity, a 400, or verify-first', async () => {
    const untouched = () => sim.actions.filter((a) => a.id !== id).map((a) => structuredClone(a));
    let id = pendingId();
    sim.cancelAnswer(id, 'noContent');
    sim.failNext({ kind: 'otherAction' }, { method: 'GET' });
    const accepted = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(accepted), 'accepted');
    assert.equal(outcomeEntity(accepted), undefined, 'nothing to apply to the row');

    [id] = ids((a) => a.status === 'Pending');
    sim.finishBeforeCancel(id, 'succeeded');
    sim.failNext({ kind: 'otherAction' }, { method: 'GET' });
    const refused = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(refused), 'refused');
    assert.equal(outcomeEntity(refused), undefined);

    [id] = ids((a) => a.status === 'Pending');
    const others = untouched();
    sim.failNext({ kind: 'otherAction' }, { method: 'GET' });
    const verified = await runCancel(client().client, { id, comment: COMMENT, verifyFirst: true });
    assert.equal(outcomeEntity(verified), undefined);
    assert.match(presentCancelOutcome(verified, 'X').message, /instead of/);
    assert.deepEqual(untouched(), others, 'no other action changed');
    assert.equal(sim.getAction(id)?.status, 'Pending', 'nothing sent on an unusable read');
  });

  it('a 400, then a read-back showing a status neither cancellable nor final (Queued): says what it shows, not "already finished"', async () => {
    const id = pendingId();
    const action = sim.getAction(id);
    assert.ok(action);
    action.status = 'Queued';
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'refused');
    assert.equal(outcomeEntity(outcome)?.status, 'Queued');
    const shown = presentCancelOutcome(outcome, 'X');
    assert.match(shown.message, /^Defender refused the cancel of X\. Defender said: Action cannot be cancelled in its current state \(Queued\)\..* It now shows Queued, which is neither cancellable nor finished\. Retry reads its state first\.$/);
    assert.doesNotMatch(shown.message, /already finished/);
    assert.deepEqual([posts().length, gets().length], [1, 1]);
    const retried = await runCancel(client().client, { id, comment: COMMENT, verifyFirst: true });
    assert.equal(kindOf(retried), 'refused', 'a retry leaves it to the service, and says the same');
  });

  it('a 400 that is not the race, then a failed re-read: Defender refused, quoted, and the state could not be read', async () => {
    const id = pendingId();
    sim.failCancel(id, { kind: 'status', status: 400, code: 'InvalidInput', message: 'The comment contains characters that are not allowed' });
    sim.notFoundFirst(id, 1);
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'refused');
    const shown = presentCancelOutcome(outcome, 'X');
    assert.match(shown.message, /^Defender refused the cancel of X\. Defender said: The comment contains characters that are not allowed Its current state could not be read \(.*404.*\), so whether it had already finished is not known\./);
    assert.doesNotMatch(shown.message, /had already finished:/);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
    assert.deepEqual([posts().length, gets().length], [1, 1]);
  });

  it('a 404 on the read-back of an unconfirmed cancel is "could not be read", not "gone"', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'reset' }, { method: 'POST' });
    sim.notFoundFirst(id, 1);
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'unconfirmed');
    assert.match(presentCancelOutcome(outcome, 'X').message, /could not be read back either .*404/);
  });

  it('429: the wait is announced, then exactly one retry', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 }, { method: 'POST' });
    const announced: number[] = [];
    const started = clock.now();
    const outcome = await runCancel(client().client, { id, comment: COMMENT, onThrottled: (s) => announced.push(s) });
    assert.equal(kindOf(outcome), 'cancelled');
    assert.deepEqual(announced, [7]);
    assert.ok(clock.now() - started >= 7000, 'it waited Retry-After');
    assert.equal(posts().length, 2);

    sim.reset();
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 }, { method: 'POST', times: 5 });
    const still = await runCancel(client().client, { id, comment: COMMENT });
    assert.deepEqual([kindOf(still), still.kind === 'throttled' && still.retryAfterSeconds], ['throttled', 7]);
    assert.equal(posts().length, 2, 'one retry only');
  });

  it('connection dropped before the cancel applied: says so, re-reads (still Pending), offers Retry — never a second POST', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'reset' }, { method: 'POST' });
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'unconfirmed');
    assert.equal(outcome.kind === 'unconfirmed' && outcome.current?.status, 'Pending');
    assert.equal(posts().length, 1);
    assert.equal(gets().length, 1, 'the state was read back');
    const shown = presentCancelOutcome(outcome, 'X');
    assert.match(shown.message, /got no clear answer \(Could not reach the Defender API \(ECONNRESET\).*still reports it as Pending/);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
  });

  it('connection dropped after the cancel applied: the re-read shows it went through', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'reset', afterHandling: true }, { method: 'POST' });
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'cancelled');
    assert.equal(posts().length, 1);
  });

  it('a time-out: the re-read decides (here: the late cancel did apply)', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'slow', delayMs: 1500 }, { method: 'POST' });
    const outcome = await runCancel(client({ timeoutMs: 300 }).client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'cancelled');
    assert.equal(posts().length, 1);
  });

  it('5xx on the POST is unconfirmed too; when the re-read fails as well, nothing claims an outcome', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'status', status: 500 }, { method: 'POST' });
    sim.failNext({ kind: 'status', status: 503 }, { method: 'GET', times: 3 });
    const outcome = await runCancel(client().client, { id, comment: COMMENT });
    assert.equal(kindOf(outcome), 'unconfirmed');
    assert.ok(outcome.kind === 'unconfirmed' && outcome.rereadError !== undefined && outcome.current === undefined);
    assert.match(presentCancelOutcome(outcome, 'X').message, /may or may not be cancelled/);
    assert.equal(posts().length, 1);
  });

  it('a retry reads first: a finished action is sent nothing, a still pending one exactly one POST', async () => {
    const [first, second] = ids((a) => a.status === 'Pending');
    sim.finishBeforeCancel(first, 'succeeded');
    const finished = await runCancel(client().client, { id: first, comment: COMMENT, verifyFirst: true });
    assert.equal(kindOf(finished), 'alreadyFinished:finished');
    assert.equal(posts().length, 0);
    const pending = await runCancel(client().client, { id: second, comment: COMMENT, verifyFirst: true });
    assert.equal(kindOf(pending), 'cancelled');
    assert.equal(posts().length, 1);
  });

  it('Cancel while waiting for the rate budget: stops it, nothing is sent', async () => {
    const id = pendingId();
    const limiter = new RateLimiter({ perMinute: 1, perHour: 1500, clock });
    await limiter.acquire();
    const stop = new AbortController();
    const running = runCancel(client({ rateLimiter: limiter }).client, { id, comment: COMMENT, signal: stop.signal });
    stop.abort();
    await assert.rejects(running, (error) => isUserCancellation(error));
    assert.equal(sim.requests.length, 0);
    assert.equal(sim.getAction(id)?.status, 'Pending');
  });

  it('Cancel during a Retry-After wait: stops it, no second POST (the 429 was not processed)', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'status', status: 429, retryAfterSeconds: 7 }, { method: 'POST' });
    const stop = new AbortController();
    const tooLate: string[] = [];
    await assert.rejects(
      runCancel(client().client, { id, comment: COMMENT, signal: stop.signal, onThrottled: () => stop.abort(), onTooLateToStop: () => tooLate.push(id) }),
      (error) => isUserCancellation(error));
    assert.equal(posts().length, 1);
    assert.deepEqual(tooLate, []);
    assert.equal(sim.getAction(id)?.status, 'Pending');
  });

  it('Cancel once the POST is on the wire does not pretend to undo it: the answer still counts, and it says so', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'slow', delayMs: 300 }, { method: 'POST' });
    const stop = new AbortController();
    const tooLate: string[] = [];
    const running = runCancel(client().client, { id, comment: COMMENT, signal: stop.signal, onTooLateToStop: () => tooLate.push(id) });
    while (posts().length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stop.abort();
    const outcome = await running;
    assert.equal(kindOf(outcome), 'cancelled');
    assert.deepEqual(tooLate, [id]);
    assert.equal(posts().length, 1);
  });

  it('two clicks on the same action send one request', async () => {
    const id = pendingId();
    sim.failNext({ kind: 'slow', delayMs: 100 }, { method: 'POST' });
    const inFlight = new InFlight<CancelOutcome>();
    const c = client().client;
    const firstClick = inFlight.run(id, () => runCancel(c, { id, comment: COMMENT }));
    const secondClick = inFlight.run(id.toUpperCase(), () => runCancel(c, { id, comment: COMMENT }));
    assert.deepEqual([firstClick.joined, secondClick.joined], [false, true]);
    assert.ok(inFlight.has(id));
    const [a, b] = await Promise.all([firstClick.promise, secondClick.promise]);
    assert.equal(a, b);
    assert.equal(posts().length, 1);
    assert.ok(!inFlight.has(id), 'done: a later click may cancel again');
  });

  it('a bulk cancel is paced inside the rate limit, few at a time, with one summary', async () => {
    const targets = ids((a) => a.status === 'Pending').slice(0, 5);
    assert.equal(targets.length, 5);
    const limiter = new RateLimiter({ perMinute: 2, perHour: 1500, clock });
    assert.match(bulkPacingNote(5, limiter) ?? '', /^3 of the 5 cancels wait for the next minute's API budget/);
    const { client: c, sentAt } = client({ rateLimiter: limiter });
    let inFlightNow = 0;
    let mostInFlight = 0;
    const settled: number[] = [];
    const results = await runPaced(targets, async (id) => {
      mostInFlight = Math.max(mostInFlight, ++inFlightNow);
      try {
        return await runCancel(c, { id, comment: COMMENT });
      } finally {
        inFlightNow--;
      }
    }, { concurrency: MAX_BULK_CONCURRENCY, onSettled: (done) => settled.push(done) });
    assert.ok(mostInFlight <= MAX_BULK_CONCURRENCY);
    assert.deepEqual(settled, [1, 2, 3, 4, 5]);
    assert.equal(posts().length, 5, 'one POST per action');
    assert.equal(sentAt.length, 5);
    for (const t of sentAt) {
      assert.ok(sentAt.filter((u) => u > t - 60_000 && u <= t).length <= 2, `at most 2 calls in any minute: ${sentAt.map((u) => u - sentAt[0])}`);
    }
    assert.ok(Math.max(...sentAt) - Math.min(...sentAt) >= 120_000, 'five calls at two a minute span two minutes');
    const entries: BulkEntry[] = results.map((r, i) => ({ subject: `A${i + 1}`, ...('result' in r ? { outcome: r.result } : { notSent: true as const }) }));
    assert.equal(summarizeBulk(entries).message, '5 cancelled: A1, A2, A3 and 2 more.');
  });

  it('stopping a bulk cancel sends nothing more; the summary counts what was not sent', async () => {
    const targets = ids((a) => a.status === 'Pending').slice(0, 5);
    const stop = new AbortController();
    const c = client().client;
    const results = await runPaced(targets, (id) => runCancel(c, { id, comment: COMMENT }),
      { concurrency: 1, signal: stop.signal, onSettled: (done) => done === 2 && stop.abort() });
    assert.equal(posts().length, 2);
    const entries: BulkEntry[] = results.map((r, i) => ({ subject: `A${i + 1}`, ...('result' in r ? { outcome: r.result } : { notSent: true as const }) }));
    assert.equal(summarizeBulk(entries).message, '2 cancelled: A1, A2; 3 not sent: A3, A4, A5.');
    assert.deepEqual(targets.slice(2).map((id) => sim.getAction(id)?.status), ['Pending', 'Pending', 'Pending']);
  });

  // A live response cancelled while some of its commands had already run on the device (issue 8 item 2): the engineer
  // learns which (type and main parameter) in the outcome notification, the row's tooltip and the details document —
  // none ran, some ran, all ran.
  const LIVE_RESPONSE = 'Live Response on ws-fin-0142';
  // VS Code renders tooltips with a CommonMark renderer; markdown-it is one. The tooltip is checked as the user reads it.
  const MarkdownIt = require('markdown-it') as new (options: object) => { render(source: string): string };
  const renderer = new MarkdownIt({ html: false, linkify: true });
  const tooltipText = (action: MachineAction): string => renderer.render(actionTooltipMarkdown(action, Date.now())).replace(/<[^>]*>/g, '');

  /** The cancellable live response with `commands` commands, cancelled after `arrange`; its outcome and entity. */
  async function cancelLiveResponse(commands: number, arrange: (id: string) => void = () => undefined) {
    const raw = sim.actions.find((a) => Array.isArray(a.commands) && a.commands.length === commands && ['Pending', 'InProgress'].includes(String(a.status)));
    assert.ok(raw, `the seed has a cancellable live response with ${commands} command(s)`);
    arrange(raw.id);
    const outcome = await runCancel(client().client, { id: raw.id, comment: COMMENT });
    const entity = outcomeEntity(outcome);
    assert.ok(entity);
    return { outcome, entity, shown: presentCancelOutcome(outcome, LIVE_RESPONSE) };
  }

  const RAN_LINE = 'Already ran on the device: GetFile C:\\Windows\\Temp\\dropper.ps1';

  it('none ran: a clean cancel, nothing named', async () => {
    const { shown, entity } = await cancelLiveResponse(1);
    assert.deepEqual([shown.severity, shown.message], ['info', `${LIVE_RESPONSE} cancelled.`]);
    assert.doesNotMatch(tooltipText(entity), /Already ran/);
    assert.doesNotMatch(detailsText(entity, Date.now()), /Already ran/);
  });

  it('some ran: cancelled, and the notification, the tooltip and the details name what had already run', async () => {
    const { outcome, shown, entity } = await cancelLiveResponse(2, (id) => sim.finishBeforeCancel(id, 'partlyRun'));
    assert.equal(outcome.kind, 'cancelled');
    assert.equal(shown.severity, 'warning');
    assert.equal(shown.message, `${LIVE_RESPONSE} cancelled, but part of it had already run. ${RAN_LINE}.`);
    assert.ok(tooltipText(entity).includes(RAN_LINE), tooltipText(entity));
    assert.match(detailsText(entity, Date.now()), /^\/\/ Already ran on the device: +GetFile C:\\Windows\\Temp\\dropper\.ps1$/m);
  });

  it('all ran: the work was done anyway, and each command is named', async () => {
    const { outcome, shown, entity } = await cancelLiveResponse(2, (id) => sim.finishBeforeCancel(id, 'completedAnyway'));
    assert.equal(outcome.kind, 'alreadyFinished');
    assert.match(shown.message, /the work was done anyway\. Already ran on the device: GetFile C:\\Windows\\Temp\\dropper\.ps1, RunScript collect-triage\.ps1\.$/);
    assert.match(detailsText(entity, Date.now()), /Already ran on the device: +GetFile .*, RunScript collect-triage\.ps1$/m);
  });

  it('a command is named by its type and main parameter, whatever the order or case of its parameters', () => {
    const command = (type: string | null, params: Array<{ key: string; value: string }>): MachineAction['commands'][number] =>
      machineAction({ commands: [{ commandStatus: 'Completed', command: { type, params } }] }).commands[0];
    assert.equal(describeLiveResponseCommand(command('RunScript', [{ key: 'Args', value: '-v' }, { key: 'scriptname', value: 'triage.ps1' }])), 'RunScript triage.ps1');
    assert.equal(describeLiveResponseCommand(command('GetFile', [{ key: 'Path', value: 'C:\\x.log' }])), 'GetFile C:\\x.log');
    assert.equal(describeLiveResponseCommand(command('PutFile', [{ key: 'FileName', value: 'tool.exe' }])), 'PutFile tool.exe');
    assert.equal(describeLiveResponseCommand(command('Collect', [{ key: 'Target', value: 'memory' }])), 'Collect memory', 'unknown type: its first parameter');
    assert.equal(describeLiveResponseCommand(command(null, [])), 'Command');
  });
});
