// Server text in notifications, progress titles and input-box prompts: a planted `[label](command:…)` must stay
// plain text (VS Code would render it as a clickable command link), and the words must still be readable.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { statusChangeMessage } from '../../src/actions/statusChanges';
import { cancelCommentPrompt, nothingToCancelMessage, notAnActionIdMessage } from '../../src/commands/cancelText';
import { deviceCodeMessage, signedInMessage } from '../../src/commands/signInText';
import { userText } from '../../src/commands/userText';
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { actionSubject } from '../../src/views/presentation';

const PLANTED = '[x](command:workbench.action.quit)';

function action(fields: Record<string, unknown>): MachineAction {
  return parseMachineAction({ id: '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33', type: 'Isolate', scope: 'Full', status: 'Pending', computerDnsName: 'ws-1', ...fields });
}

/** No `](` (with or without spaces between) that a markdown renderer would take for a link. */
function assertNoLink(text: string | undefined): void {
  assert.ok(text !== undefined);
  assert.doesNotMatch(text, /\]\s*\(/, text);
  assert.ok(text.includes('command:workbench.action.quit'), `still readable: ${text}`);
}

test('userText: one line, no bidi controls, no link; applying it twice changes nothing', () => {
  const shown = userText(`a ${PLANTED} b ] \t( c\nd\u202eevil`);
  assert.doesNotMatch(shown, /\]\s*\(|[\n\u202e]/);
  assert.equal(userText(shown), shown);
  assert.equal(userText('Cancelled Isolate (Full) on ws-1.'), 'Cancelled Isolate (Full) on ws-1.', 'ordinary text unchanged');
});

test('status change notification: a planted device name, type or status is no link', () => {
  for (const fields of [{ computerDnsName: PLANTED }, { type: PLANTED }, { scope: PLANTED }]) {
    const changed = action({ ...fields, status: 'Succeeded' });
    assertNoLink(statusChangeMessage([{ action: changed, from: 'Pending', to: 'Succeeded' }]));
  }
  const both = action({ status: PLANTED });
  assertNoLink(statusChangeMessage([{ action: both, from: 'Pending', to: PLANTED }]));
  assertNoLink(statusChangeMessage([{ action: both, from: 'Pending', to: PLANTED }, { action: action({ id: 'b' }), from: 'Pending', to: PLANTED }]));
});

test('the comment prompt names the action without letting its device name form a link', () => {
  const prompt = cancelCommentPrompt(actionSubject(action({ computerDnsName: PLANTED })));
  assertNoLink(prompt);
  assert.match(prompt, /^Why cancel Isolate \(Full\) on \[x\]/);
});

test('"not cancellable" and "already being cancelled" messages keep planted text plain', () => {
  const finished = action({ computerDnsName: PLANTED, status: PLANTED });
  assertNoLink(nothingToCancelMessage([finished], 0));
  assert.match(nothingToCancelMessage([finished], 0), /only Pending or In Progress actions can be cancelled\.$/);
  assertNoLink(nothingToCancelMessage([action({ type: PLANTED })], 1));
  assert.match(nothingToCancelMessage([action({ type: PLANTED })], 1), /is already being cancelled\.$/);
  assertNoLink(notAnActionIdMessage([PLANTED]));
});

test('sign-in notifications: a planted verification URI, user code or claim is no link', () => {
  assertNoLink(deviceCodeMessage({ verificationUri: PLANTED, userCode: 'ABCD-EFGH', expiresInSeconds: 900 }));
  const message = deviceCodeMessage({ verificationUri: 'https://microsoft.com/devicelogin', userCode: PLANTED, expiresInSeconds: 900 });
  assertNoLink(message);
  assert.match(message, /^To sign in to Microsoft Defender, open https:\/\/microsoft\.com\/devicelogin and enter the code .* within 15 minutes\.$/);
  assertNoLink(signedInMessage({ username: PLANTED, tenantId: 'contoso' }));
});
