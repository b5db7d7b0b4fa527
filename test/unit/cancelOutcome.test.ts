// SPEC §3 "Cancel" 5: every outcome of a cancel, its words and its buttons; the bulk summary; the log line.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CANCEL_PERMISSIONS, classifyAfterReread, classifyCancelError, classifyCancelResult, outcomeLogText, presentCancelOutcome, summarizeBulk,
} from '../../src/commands/cancelOutcome';
import { DefenderApiError, DefenderApiErrorInit } from '../../src/defender/errors';
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';

const ID = '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33';
const SUBJECT = 'Isolate (Full) on ws-fin-0142.contoso.local';

function action(status: string, commands?: Array<{ commandStatus: string }>): MachineAction {
  return parseMachineAction({ id: ID, type: 'Isolate', scope: 'Full', status, computerDnsName: 'ws-fin-0142.contoso.local', commands });
}

function httpError(status: number, extra: Partial<DefenderApiErrorInit> = {}): DefenderApiError {
  return new DefenderApiError({ kind: 'http', status, method: 'POST', path: `/api/machineactions/${ID}/cancel`, message: `Defender API answered ${status}`, ...extra });
}

test('200 with status Cancelled: cancelled', () => {
  const outcome = classifyCancelResult(action('Cancelled'));
  assert.equal(outcome.kind, 'cancelled');
  assert.deepEqual(presentCancelOutcome(outcome, SUBJECT), { severity: 'info', message: `Cancelled ${SUBJECT}.`, buttons: [] });
});

test('200 with status Cancelled but every live response command Completed: already finished, and it says the work was done', () => {
  const outcome = classifyCancelResult(action('Cancelled', [{ commandStatus: 'Completed' }, { commandStatus: 'Completed' }]));
  assert.deepEqual([outcome.kind, outcome.kind === 'alreadyFinished' && outcome.how], ['alreadyFinished', 'completedAnyway']);
  const shown = presentCancelOutcome(outcome, SUBJECT);
  assert.equal(shown.severity, 'warning');
  assert.match(shown.message, /marked Cancelled, but its live response commands had already completed: the work was done anyway/);
  assert.equal(classifyCancelResult(action('Cancelled', [{ commandStatus: 'Completed' }, { commandStatus: 'Cancelled' }])).kind, 'cancelled',
    'one command stopped: the cancel did something');
});

test('400: already finished (the first form of the race), with the server message; a 400 about our request is not', () => {
  const outcome = classifyCancelError(httpError(400, { code: 'BadRequest', serverMessage: 'Action is already in a final state' }));
  assert.deepEqual([outcome.kind, outcome.kind === 'alreadyFinished' && outcome.how], ['alreadyFinished', 'refused']);
  const shown = presentCancelOutcome(outcome, SUBJECT);
  assert.equal(shown.message, `${SUBJECT} had already finished: Defender refused the cancel. Defender said: Action is already in a final state`);
  assert.deepEqual(shown.buttons, ['Show Log']);
  assert.equal(classifyCancelError(httpError(400, { code: 'InvalidRequestBody' })).kind, 'failed');
});

test('200 with a final status other than Cancelled, or still running', () => {
  const finished = classifyCancelResult(action('Succeeded'));
  assert.match(presentCancelOutcome(finished, SUBJECT).message, /had already finished \(Succeeded\); nothing was cancelled/);
  const requested = classifyCancelResult(action('InProgress'));
  assert.equal(requested.kind, 'requested');
  assert.match(presentCancelOutcome(requested, SUBJECT).message, /requested; Defender still reports it as In Progress/);
});

test('401 after the silent refresh, or no session: "Session expired — Sign In" with a Sign In button', () => {
  for (const error of [httpError(401), Object.assign(new Error('No account'), { kind: 'signInRequired' })]) {
    const shown = presentCancelOutcome(classifyCancelError(error), SUBJECT);
    assert.equal(shown.severity, 'error');
    assert.match(shown.message, /^Session expired — Sign In/);
    assert.deepEqual(shown.buttons, ['Sign In', 'Show Log']);
  }
});

test('403: our sentence naming the seven permissions first, then the server message', () => {
  const shown = presentCancelOutcome(classifyCancelError(httpError(403, { code: 'Forbidden', serverMessage: 'Missing application roles' })), SUBJECT);
  assert.match(shown.message, /^Your account lacks permission to cancel /);
  for (const permission of CANCEL_PERMISSIONS) {
    assert.ok(shown.message.includes(permission), permission);
  }
  assert.equal(CANCEL_PERMISSIONS.length, 7);
  assert.ok(shown.message.indexOf('Machine.LiveResponse') < shown.message.indexOf('Defender said: Missing application roles'));
  assert.deepEqual(shown.buttons, ['Show Log']);
});

test('404: no longer exists or another tenant', () => {
  const shown = presentCancelOutcome(classifyCancelError(httpError(404, { code: 'NotFound' })), SUBJECT);
  assert.equal(shown.message, `${SUBJECT} no longer exists, or it belongs to another tenant than the one you are signed in to.`);
});

test('429 still throttled after the one retry: says so with Retry-After, offers Retry', () => {
  const outcome = classifyCancelError(httpError(429, { retryAfterSeconds: 30 }));
  assert.deepEqual(outcome, { kind: 'throttled', error: (outcome as { error: unknown }).error, retryAfterSeconds: 30 });
  const shown = presentCancelOutcome(outcome, SUBJECT);
  assert.match(shown.message, /throttling.*not cancelled\. Retry-After: 30 s\./);
  assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
});

test('network failure, time-out or 5xx: unconfirmed; the re-read decides what is offered', () => {
  const timeout = new DefenderApiError({ kind: 'timeout', method: 'POST', path: '/x', message: 'The Defender API did not answer within 30 s' });
  for (const error of [timeout, new DefenderApiError({ kind: 'network', code: 'ECONNRESET', message: 'Could not reach the Defender API (ECONNRESET)' }), httpError(502)]) {
    const outcome = classifyCancelError(error);
    assert.equal(outcome.kind, 'unconfirmed', error.message);
    if (outcome.kind !== 'unconfirmed') {
      continue;
    }
    assert.equal(classifyAfterReread(outcome, action('Cancelled')).kind, 'cancelled', 'it went through after all');
    assert.equal(classifyAfterReread(outcome, action('Succeeded')).kind, 'alreadyFinished');
    const stillPending = classifyAfterReread(outcome, action('Pending'));
    assert.equal(stillPending.kind, 'unconfirmed');
    const shown = presentCancelOutcome(stillPending, SUBJECT);
    assert.ok(shown.message.includes(error.message), 'says what happened');
    assert.match(shown.message, /still reports it as Pending\. Retry reads its state again before sending another cancel\./);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
  }
  const unknown = presentCancelOutcome({ kind: 'unconfirmed', error: timeout, rereadError: timeout }, SUBJECT);
  assert.match(unknown.message, /could not be read back either .* may or may not be cancelled/);
});

test('server text cannot plant a link in the notification', () => {
  const shown = presentCancelOutcome(classifyCancelError(httpError(400, { serverMessage: 'see [docs](command:workbench.action.quit)' })), '[dev](https://evil.example)');
  assert.doesNotMatch(shown.message, /\]\s*\(/);
});

test('other failures keep their message and never offer a blind Retry', () => {
  const shown = presentCancelOutcome(classifyCancelError(new Error('boom')), SUBJECT);
  assert.equal(shown.message, `Could not cancel ${SUBJECT}: boom`);
  assert.ok(!shown.buttons.includes('Retry'));
});

test('the bulk summary: one line, in a fixed order, with the buttons that help', () => {
  const cancelled = { outcome: classifyCancelResult(action('Cancelled')) };
  const finished = { outcome: classifyCancelError(httpError(400)) };
  assert.deepEqual(summarizeBulk([cancelled, cancelled, finished, cancelled]), { severity: 'warning', message: '3 cancelled, 1 already finished.', buttons: ['Show Log'] });
  assert.deepEqual(summarizeBulk([cancelled, cancelled]), { severity: 'info', message: '2 cancelled.', buttons: [] });
  const mixed = summarizeBulk([{ outcome: classifyCancelError(httpError(401)) }, { outcome: classifyCancelError(httpError(429)) }, { notSent: true }, cancelled,
    { outcome: classifyCancelError(httpError(404)) }]);
  assert.deepEqual(mixed, { severity: 'error', message: '1 cancelled, 1 no longer found, 2 failed, 1 not sent.', buttons: ['Sign In', 'Retry', 'Show Log'] });
});

test('the log line names the outcome, the status, the HTTP status and code, and the correlation id', () => {
  const line = outcomeLogText(classifyCancelError(httpError(403, { code: 'Forbidden', correlationId: 'corr-42' })));
  assert.match(line, /^forbidden; HTTP 403 Forbidden; correlation corr-42; /);
  assert.equal(outcomeLogText(classifyCancelResult(action('Cancelled'))), 'cancelled; status Cancelled');
});
