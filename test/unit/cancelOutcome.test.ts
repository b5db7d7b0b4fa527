// SPEC §3 "Cancel" 5: every outcome of a cancel, its words and its buttons; the bulk summary; the log line.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CANCEL_PERMISSIONS, CancelOutcome, classifyAfterReread, classifyCancelError, classifyCancelResult, isRetryable, outcomeLogText,
  presentCancelOutcome, summarizeBulk,
} from '../../src/commands/cancel/outcome';
import { SignInError } from '../../src/auth/errors';
import { DefenderApiError, DefenderApiErrorInit } from '../../src/defender/errors';
import { MachineAction } from '../../src/defender/machineAction';
import { ACTION_ID, machineAction } from '../support/machineAction';

const SUBJECT = 'Isolate (Full) on ws-fin-0142.contoso.local';

function httpError(status: number, extra: Partial<DefenderApiErrorInit> = {}): DefenderApiError {
  return new DefenderApiError({ kind: 'http', status, method: 'POST', path: `/api/machineactions/${ACTION_ID}/cancel`, message: `Defender API answered ${status}`, ...extra });
}

describe('cancelOutcome', () => {
  it('200 with status Cancelled: cancelled', () => {
    const outcome = classifyCancelResult(machineAction({ status: 'Cancelled' }));
    assert.equal(outcome.kind, 'cancelled');
    assert.deepEqual(presentCancelOutcome(outcome, SUBJECT), { severity: 'info', message: `${SUBJECT} cancelled.`, buttons: [] }, 'names what changed');
  });

  it('200 with status Cancelled but every live response command Completed: already finished, and it says the work was done', () => {
    const outcome = classifyCancelResult(machineAction({ status: 'Cancelled', commands: [{ commandStatus: 'Completed' }, { commandStatus: 'Completed' }] }));
    assert.deepEqual([outcome.kind, outcome.kind === 'alreadyFinished' && outcome.how], ['alreadyFinished', 'completedAnyway']);
    const shown = presentCancelOutcome(outcome, SUBJECT);
    assert.equal(shown.severity, 'warning');
    assert.match(shown.message, /marked Cancelled, but its live response commands had already completed: the work was done anyway/);
    assert.equal(classifyCancelResult(machineAction({ status: 'Cancelled', commands: [{ commandStatus: 'Completed' }, { commandStatus: 'Cancelled' }] })).kind, 'cancelled',
      'one command stopped: the cancel did something');
  });

  it('400: already finished (the first form of the race), with the server message; a 400 about our request is not', () => {
    const outcome = classifyCancelError(httpError(400, { code: 'BadRequest', serverMessage: 'Action is already in a final state' }));
    assert.deepEqual([outcome.kind, outcome.kind === 'alreadyFinished' && outcome.how], ['alreadyFinished', 'refused']);
    const shown = presentCancelOutcome(outcome, SUBJECT);
    assert.equal(shown.message, `${SUBJECT} had already finished: Defender refused the cancel. Defender said: Action is already in a final state`);
    assert.deepEqual(shown.buttons, ['Show Log']);
    assert.equal(classifyCancelError(httpError(400, { code: 'InvalidRequestBody' })).kind, 'failed');
  });

  it('200 with a final status other than Cancelled, or still running', () => {
    const finished = classifyCancelResult(machineAction({ status: 'Succeeded' }));
    assert.match(presentCancelOutcome(finished, SUBJECT).message, /had already finished \(Succeeded\); nothing was cancelled/);
    const requested = classifyCancelResult(machineAction({ status: 'InProgress' }));
    assert.equal(requested.kind, 'requested');
    assert.equal(presentCancelOutcome(requested, SUBJECT).message, `Defender accepted the cancel of ${SUBJECT}; the action still shows In Progress.`);
  });

  it('a Conditional Access challenge (a 401 or a sign-in error carrying claims) says so, not "Session expired", with Sign In', () => {
    const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
    const said = 'A Conditional Access policy of your organization asks you to sign in again to use Microsoft Defender. Sign in to continue.';
    for (const error of [httpError(401, { claims, message: said }), Object.assign(new Error(said), { kind: 'signInRequired', claims })]) {
      const shown = presentCancelOutcome(classifyCancelError(error), SUBJECT);
      assert.equal(shown.message, `${said} Nothing was cancelled: cancel ${SUBJECT} again after signing in.`);
      assert.deepEqual(shown.buttons, ['Sign In', 'Show Log']);
    }
  });

  it('401 after the silent refresh, or no session: "Session expired — Sign In" with a Sign In button', () => {
    for (const error of [httpError(401), Object.assign(new Error('No account'), { kind: 'signInRequired' })]) {
      const shown = presentCancelOutcome(classifyCancelError(error), SUBJECT);
      assert.equal(shown.severity, 'error');
      assert.match(shown.message, /^Session expired — Sign In/);
      assert.deepEqual(shown.buttons, ['Sign In', 'Show Log']);
    }
  });

  it('403: our sentence naming the seven permissions first, then the server message', () => {
    const shown = presentCancelOutcome(classifyCancelError(httpError(403, { code: 'Forbidden', serverMessage: 'Missing application roles' })), SUBJECT);
    assert.match(shown.message, /^Your account lacks permission to cancel /);
    for (const permission of CANCEL_PERMISSIONS) {
      assert.ok(shown.message.includes(permission), permission);
    }
    assert.equal(CANCEL_PERMISSIONS.length, 7);
    assert.ok(shown.message.indexOf('Machine.LiveResponse') < shown.message.indexOf('Defender said: Missing application roles'));
    assert.deepEqual(shown.buttons, ['Show Log']);
  });

  it('404 on a listed action is not "gone": it could not be found right now, the row stays, Retry is offered', () => {
    const outcome = classifyCancelError(httpError(404, { code: 'NotFound' }));
    const shown = presentCancelOutcome(outcome, SUBJECT);
    assert.ok(shown.message.startsWith(`Defender could not find ${SUBJECT} right now (404). `), shown.message);
    assert.match(shown.message, /the row stays until the next refresh decides/);
    assert.doesNotMatch(shown.message, /no longer exists/);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
    assert.ok(isRetryable(outcome));
  });

  it('404 on a pasted id the list did not know: not found, check the ID and tenant, a just-created one can lag — Retry offered', () => {
    const outcome = { ...classifyCancelError(httpError(404, { code: 'ResourceNotFound' })), pasted: true } as CancelOutcome;
    const shown = presentCancelOutcome(outcome, `Machine action ${ACTION_ID}`);
    assert.equal(shown.severity, 'warning');
    assert.match(shown.message, new RegExp(`^Machine action ${ACTION_ID} was not found: check the ID, and that you are signed in to the tenant it belongs to\\.`));
    assert.match(shown.message, /An action created moments ago can be missing for a while: Retry looks it up again\.$/);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
    assert.ok(isRetryable(outcome));
  });

  it('no token because other windows were renewing at once: nothing was sent, so Retry is offered; other failures get none', () => {
    const race = classifyCancelError(new SignInError('renewalRace', 'Could not get an access token: other windows kept renewing the session at the same moment. Retry.'));
    const shown = presentCancelOutcome(race, SUBJECT);
    assert.equal(shown.message, `Could not cancel ${SUBJECT}: Could not get an access token: other windows kept renewing the session at the same moment. Retry.`);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
    assert.ok(isRetryable(race));
    for (const error of [new SignInError('signInFailed', 'consent_required'), new Error('boom')]) {
      const failed = classifyCancelError(error);
      assert.deepEqual(presentCancelOutcome(failed, SUBJECT).buttons, ['Show Log'], error.message);
      assert.ok(!isRetryable(failed), error.message);
    }
  });

  it('accepted without the entity and the re-read failed: never a failure, the state is simply not known', () => {
    const shown = presentCancelOutcome({ kind: 'accepted', rereadError: httpError(404) }, SUBJECT);
    assert.equal(shown.severity, 'warning');
    assert.ok(shown.message.startsWith(`Defender accepted the cancel of ${SUBJECT}, but answered without the action, and its current state could not be read`), shown.message);
    assert.doesNotMatch(shown.message, /Could not cancel/);
  });

  it('429 still throttled after the one retry: says so with Retry-After, offers Retry', () => {
    const outcome = classifyCancelError(httpError(429, { retryAfterSeconds: 30 }));
    assert.deepEqual(outcome, { kind: 'throttled', error: (outcome as { error: unknown }).error, retryAfterSeconds: 30 });
    const shown = presentCancelOutcome(outcome, SUBJECT);
    assert.match(shown.message, /throttling.*not cancelled\. Retry-After: 30 s\./);
    assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
  });

  it('network failure, time-out or 5xx: unconfirmed; the re-read decides what is offered', () => {
    const timeout = new DefenderApiError({ kind: 'timeout', method: 'POST', path: '/x', message: 'The Defender API did not answer within 30 s' });
    for (const error of [timeout, new DefenderApiError({ kind: 'network', code: 'ECONNRESET', message: 'Could not reach the Defender API (ECONNRESET)' }), httpError(502)]) {
      const outcome = classifyCancelError(error);
      assert.equal(outcome.kind, 'unconfirmed', error.message);
      if (outcome.kind !== 'unconfirmed') {
        continue;
      }
      assert.equal(classifyAfterReread(outcome, machineAction({ status: 'Cancelled' })).kind, 'cancelled', 'it went through after all');
      assert.equal(classifyAfterReread(outcome, machineAction({ status: 'Succeeded' })).kind, 'alreadyFinished');
      const stillPending = classifyAfterReread(outcome, machineAction({ status: 'Pending' }));
      assert.equal(stillPending.kind, 'unconfirmed');
      const shown = presentCancelOutcome(stillPending, SUBJECT);
      assert.ok(shown.message.includes(error.message), 'says what happened');
      assert.match(shown.message, /still reports it as Pending\. Retry reads its state again before sending another cancel\./);
      assert.deepEqual(shown.buttons, ['Retry', 'Show Log']);
    }
    const unknown = presentCancelOutcome({ kind: 'unconfirmed', error: timeout, rereadError: timeout }, SUBJECT);
    assert.match(unknown.message, /could not be read back either .* may or may not be cancelled/);
  });

  it('server text cannot plant a link in the notification', () => {
    const shown = presentCancelOutcome(classifyCancelError(httpError(400, { serverMessage: 'see [docs](command:workbench.action.quit)' })), '[dev](https://evil.example)');
    assert.doesNotMatch(shown.message, /\]\s*\(/);
  });

  it('other failures keep their message and never offer a blind Retry', () => {
    const shown = presentCancelOutcome(classifyCancelError(new Error('boom')), SUBJECT);
    assert.equal(shown.message, `Could not cancel ${SUBJECT}: boom`);
    assert.ok(!shown.buttons.includes('Retry'));
  });

  it('the bulk summary names the actions per outcome, in a fixed order, with the buttons that help', () => {
    const entry = (subject: string, outcome: ReturnType<typeof classifyCancelError>) => ({ subject, outcome });
    const cancelled = (subject: string) => entry(subject, classifyCancelResult(machineAction({ status: 'Cancelled' })));
    assert.deepEqual(summarizeBulk([cancelled('Isolate on ws-fin-0142'), cancelled('Scan on srv-sql-02')]),
      { severity: 'info', message: '2 cancelled: Isolate on ws-fin-0142, Scan on srv-sql-02.', buttons: [] });
    assert.deepEqual(summarizeBulk([cancelled('A on a'), entry('B on b', classifyCancelError(httpError(400))), cancelled('C on c')]),
      { severity: 'warning', message: '2 cancelled: A on a, C on c; 1 already finished: B on b.', buttons: ['Show Log'] });
    const mixed = summarizeBulk([entry('A on a', classifyCancelError(httpError(401))), entry('B on b', classifyCancelError(httpError(429))),
      { subject: 'C on c', notSent: true }, cancelled('D on d'), entry('E on e', classifyCancelError(httpError(404)))]);
    assert.deepEqual(mixed, {
      severity: 'error', message: '1 cancelled: D on d; 1 not found right now: E on e; 2 failed: A on a, B on b; 1 not sent: C on c.',
      buttons: ['Sign In', 'Retry', 'Show Log'],
    });
  });

  it('a long bulk summary names the first three per outcome and puts every action behind Show Details', () => {
    const subjects = Array.from({ length: 5 }, (_, i) => `Isolate on ws-${i + 1}`);
    const shown = summarizeBulk(subjects.map((subject) => ({ subject, outcome: classifyCancelResult(machineAction({ status: 'Cancelled' })) })));
    assert.equal(shown.message, '5 cancelled: Isolate on ws-1, Isolate on ws-2, Isolate on ws-3 and 2 more.');
    assert.deepEqual(shown.buttons, ['Show Details']);
    assert.equal(shown.details, `5 cancelled:\n${subjects.map((s) => `  ${s}`).join('\n')}`);
  });

  /** A live response on `device` that ended Cancelled; `ran` are the scripts whose commands had completed first. */
  function liveResponse(device: string, ran: string[], stopped = 1): MachineAction {
    const command = (index: number, commandStatus: string, script: string) => ({ index, commandStatus, command: { type: 'RunScript', params: [{ key: 'ScriptName', value: script }] } });
    const commands = [...ran.map((script, i) => command(i, 'Completed', script)), ...Array.from({ length: stopped }, (_, i) => command(ran.length + i, 'Cancelled', 'later.ps1'))];
    return machineAction({ type: 'LiveResponse', status: 'Cancelled', computerDnsName: device, machineId: 'a'.repeat(40), commands });
  }

  it('a bulk cancel of live responses that had partly run names the commands that ran, in the summary and in Show Details', () => {
    const entry = (subject: string, a: MachineAction) => ({ subject, outcome: classifyCancelResult(a) });
    const shown = summarizeBulk([entry('Live Response on ws1', liveResponse('ws1', ['triage.ps1'])), entry('Live Response on ws2', liveResponse('ws2', []))]);
    assert.equal(shown.severity, 'warning', 'as the single cancel: part of it had run');
    assert.equal(shown.message, '2 cancelled: Live Response on ws1 (already ran on the device: RunScript triage.ps1), Live Response on ws2.');
    assert.deepEqual(shown.buttons, ['Show Details', 'Show Log']);
    assert.equal(shown.details, '2 cancelled:\n  Live Response on ws1\n    Already ran on the device: RunScript triage.ps1\n  Live Response on ws2');

    // Every command completed: "already finished", and what ran is named there too.
    const anyway = summarizeBulk([entry('Live Response on ws3', liveResponse('ws3', ['a.ps1', 'b.ps1'], 0)), entry('Live Response on ws2', liveResponse('ws2', []))]);
    assert.equal(anyway.message, '1 cancelled: Live Response on ws2; 1 already finished: Live Response on ws3 (already ran on the device: RunScript a.ps1, RunScript b.ps1).');

    // Many commands: the notification names three, Show Details all of them.
    const scripts = Array.from({ length: 5 }, (_, i) => `s${i + 1}.ps1`);
    const many = summarizeBulk([entry('Live Response on ws4', liveResponse('ws4', scripts))]);
    assert.equal(many.message, '1 cancelled: Live Response on ws4 (already ran on the device: RunScript s1.ps1, RunScript s2.ps1, RunScript s3.ps1 and 2 more).');
    assert.match(many.details ?? '', new RegExp(`Already ran on the device: ${scripts.map((s) => `RunScript ${s.replace('.', '\\.')}`).join(', ')}$`));
  });

  it('the commands a bulk summary names are server text: no invisible characters or tokens in Show Details', () => {
    const hostile = 'evil\u202Esp1.exe Bearer eyJabcdefgh.eyJabcdefgh.sig123456\nsecond line';
    const shown = summarizeBulk([{ subject: 'Live Response on ws1', outcome: classifyCancelResult(liveResponse('ws1', [hostile])) }]);
    const details = shown.details ?? '';
    assert.match(details, /Already ran on the device: RunScript evilsp1\.exe Bearer <redacted>/);
    assert.doesNotMatch(details, /\u202E|eyJabcdefgh/);
    assert.equal(details.split('\n').length, 3, 'a line break in the server text does not make a line of its own');
  });

  it('the log line names the outcome, the status, the HTTP status and code, and the correlation id', () => {
    const line = outcomeLogText(classifyCancelError(httpError(403, { code: 'Forbidden', correlationId: 'corr-42' })));
    assert.match(line, /^forbidden; HTTP 403 Forbidden; correlation corr-42; /);
    assert.equal(outcomeLogText(classifyCancelResult(machineAction({ status: 'Cancelled' }))), 'cancelled; status Cancelled');
  });
});
