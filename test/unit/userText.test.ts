// Server text in notifications, progress titles and input-box prompts: a planted `[label](command:…)` must stay
// plain text (VS Code would render it as a clickable command link), and the words must still be readable.
// The same gate strips invisible and reordering characters, redacts secrets and bounds the length everywhere text is
// shown: rows, groups, tooltips, the details summary, notifications.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { statusChangeMessage } from '../../src/views/statusChangeText';
import { cancelCommentPrompt, nothingToCancelMessage } from '../../src/commands/cancel/text';
import { notAnActionIdMessage } from '../../src/defender/errors';
import { deviceCodeMessage, signedInMessage } from '../../src/authController/signInText';
import { forbiddenCharacter, oneLine, SHOWN_LENGTH, shorten, shownText, userText } from '../../src/shared/userText';
import { cancelCommentProblem } from '../../src/defender/machineAction';
import { machineAction } from '../support/machineAction';
import { forgetSecrets, rememberSecret } from '../../src/shared/redact';
import { detailsText } from '../../src/views/detailsText';
import { groupActions } from '../../src/views/grouping';
import { actionDescription, actionLabel, actionSubject, actionTooltipMarkdown, oneLine as presentationOneLine } from '../../src/views/presentation';
import { errorNodes } from '../../src/views/treeNodes';

const PLANTED = '[x](command:workbench.action.quit)';

/** No `](` (with or without spaces between) that a markdown renderer would take for a link. */
function assertNoLink(text: string | undefined): void {
  assert.ok(text !== undefined);
  assert.doesNotMatch(text, /\]\s*\(/, text);
  assert.ok(text.includes('command:workbench.action.quit'), `still readable: ${text}`);
}

describe('userText', () => {
  it('userText: one line, no bidi controls, no link; applying it twice changes nothing', () => {
    const shown = userText(`a ${PLANTED} b ] \t( c\nd\u202eevil`);
    assert.doesNotMatch(shown, /\]\s*\(|[\n\u202e]/);
    assert.equal(userText(shown), shown);
    assert.equal(userText('Cancelled Isolate (Full) on ws-1.'), 'Cancelled Isolate (Full) on ws-1.', 'ordinary text unchanged');
  });

  it('status change notification: a planted device name, type or status is no link', () => {
    for (const fields of [{ computerDnsName: PLANTED }, { type: PLANTED }, { scope: PLANTED }]) {
      const changed = machineAction({ ...fields, status: 'Succeeded' });
      assertNoLink(statusChangeMessage([{ action: changed, from: 'Pending', to: 'Succeeded' }]));
    }
    const both = machineAction({ status: PLANTED });
    assertNoLink(statusChangeMessage([{ action: both, from: 'Pending', to: PLANTED }]));
    assertNoLink(statusChangeMessage([{ action: both, from: 'Pending', to: PLANTED }, { action: machineAction({ id: 'b' }), from: 'Pending', to: PLANTED }]));
  });

  it('the comment prompt names the action without letting its device name form a link', () => {
    const prompt = cancelCommentPrompt(actionSubject(machineAction({ scope: 'Full', computerDnsName: PLANTED })));
    assertNoLink(prompt);
    assert.match(prompt, /^Why cancel Isolate \(Full\) on \[x\]/);
  });

  it('"not cancellable" and "already being cancelled" messages keep planted text plain', () => {
    const finished = machineAction({ computerDnsName: PLANTED, status: PLANTED });
    assertNoLink(nothingToCancelMessage([finished], 0));
    assert.match(nothingToCancelMessage([finished], 0), /only Pending or In Progress actions can be cancelled\.$/);
    assertNoLink(nothingToCancelMessage([machineAction({ type: PLANTED })], 1));
    assert.match(nothingToCancelMessage([machineAction({ type: PLANTED })], 1), /is already being cancelled\.$/);
    assertNoLink(userText(notAnActionIdMessage([PLANTED])));
  });

  it('sign-in notifications: a planted verification URI, user code or claim is no link', () => {
    assertNoLink(deviceCodeMessage({ verificationUri: PLANTED, userCode: 'ABCD-EFGH', expiresInSeconds: 900 }));
    const message = deviceCodeMessage({ verificationUri: 'https://microsoft.com/devicelogin', userCode: PLANTED, expiresInSeconds: 900 });
    assertNoLink(message);
    assert.match(message, /^Open https:\/\/microsoft\.com\/devicelogin and enter the code .* within 15 minutes\.$/);
    assertNoLink(signedInMessage({ username: PLANTED, tenantId: 'contoso' }));
  });

  // Bidi overrides and isolates, zero-width and joiner characters, invisible operators, BOM, soft hyphen, a tag.
  const INVISIBLE = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200b', '\u200c',
    '\u200d', '\u200e', '\u200f', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064', '\ufeff', '\u00ad', '\u061c', '\u{e0041}'];

  it('the gate strips every invisible or reordering character wherever server text is shown', () => {
    const hidden = (text: string) => INVISIBLE.find((c) => text.includes(c));
    const planted = `ws-${INVISIBLE.join('')}1`;
    const odd = machineAction({ computerDnsName: `${planted}.contoso.local`, type: `Collect${INVISIBLE.join('')}File`, scope: planted, requestor: planted,
      requestorComment: planted, creationDateTimeUtc: '2026-03-10T11:55:00Z' });
    const shown = {
      notification: userText(`Cancelled ${actionSubject(odd)} ${planted}`),
      label: actionLabel(odd),
      description: actionDescription(odd, { now: Date.parse('2026-03-10T12:00:00Z'), showStatus: true, cancelling: false }),
      tooltip: actionTooltipMarkdown(odd, Date.parse('2026-03-10T12:00:00Z')),
      details: detailsText(odd, Date.parse('2026-03-10T12:00:00Z')).split('\n').filter((l) => l.startsWith('//')).join('\n'),
      groups: (['status', 'device', 'type'] as const).map((by) => groupActions([odd], by)[0].label).join(' '),
      statusChange: statusChangeMessage([{ action: odd, from: 'Pending', to: planted }]) ?? '',
      errorRow: errorNodes(new Error(`failed on ${planted}`))[0].description ?? '',
    };
    for (const [place, text] of Object.entries(shown)) {
      assert.equal(hidden(text), undefined, `${place}: ${JSON.stringify(text)}`);
    }
    assert.match(shown.label, /^Collect File \(ws-1\)$/);
    assert.match(shown.description, /^ws-1 · 5m · ws-1 · /);
  });

  it('one character class: oneLine in the views is the gate\'s, and ordinary Unicode passes unchanged', () => {
    assert.equal(presentationOneLine, oneLine);
    const text = 'Prüfung – 日本語 🙂 café';
    assert.equal(userText(text), text);
    assert.equal(forbiddenCharacter(text), undefined);
    assert.equal(forbiddenCharacter(`a\u2069b`), 'U+2069');
  });

  it('a token echoed by a server is redacted before it is shown, whatever its shape', () => {
    const opaque = 'opaque-token-0123456789abcdefXYZ';
    rememberSecret(opaque);
    try {
      const message = userText(`Defender answered 401: token ${opaque} is not valid for this audience; accessToken=${'q'.repeat(20)}`);
      assert.ok(!message.includes(opaque), message);
      assert.ok(!message.includes('q'.repeat(20)), message);
      assert.match(message, /token <redacted> is not valid/);
      const row = errorNodes(new Error(`401 for Bearer ${opaque}`))[0];
      assert.ok(!`${row.description} ${row.tooltip}`.includes(opaque));
    } finally {
      forgetSecrets();
    }
  });

  it('shown strings are bounded per place with an ellipsis; the details document keeps the full text', () => {
    const long = 'x'.repeat(1_000_000);
    const huge = machineAction({ computerDnsName: long, type: long, requestor: long, requestorComment: long, creationDateTimeUtc: '2026-03-10T11:55:00Z' });
    const now = Date.parse('2026-03-10T12:00:00Z');
    const notification = userText(`Cancelled ${actionSubject(huge)}: ${long}`);
    assert.equal(notification.length, SHOWN_LENGTH.notification);
    assert.ok(notification.endsWith('…'));
    for (const text of [actionLabel(huge), actionDescription(huge, { now, showStatus: false, cancelling: false }), groupActions([huge], 'device')[0].label]) {
      assert.ok(text.length <= SHOWN_LENGTH.row && text.endsWith('…'), `${text.length} characters`);
    }
    const tooltipLines = actionTooltipMarkdown(huge, now).split('  \n');
    assert.ok(tooltipLines.every((line) => line.length <= 2 * SHOWN_LENGTH.tooltipField + 40), 'every tooltip field bounded (escaping may double it)');
    const details = detailsText(huge, now);
    assert.ok(details.split('\n').filter((l) => l.startsWith('//')).every((l) => l.length <= SHOWN_LENGTH.tooltipField + 3));
    assert.ok(details.includes(`"requestorComment": "${long}"`), 'the raw JSON keeps the full text');
    assert.equal(shorten('🙂'.repeat(10), 5), '🙂🙂🙂🙂…', 'never cuts a character in half');
  });

  /** Code point ranges (inclusive) that render as nothing; each once slipped through a hand-made list. */
  const INVISIBLE_RANGES: Array<[number, number]> = [
    [0x180b, 0x180f], [0x1d173, 0x1d17a], [0x1bca0, 0x1bca3], [0x2065, 0x2065], [0xfff0, 0xfff8], [0xe0000, 0xe0fff],
    [0xfe00, 0xfe0f],
  ];

  it('every format, default-ignorable or unassigned character is stripped from shown text and refused in a comment', () => {
    for (const [first, last] of INVISIBLE_RANGES) {
      for (let cp = first; cp <= last; cp++) {
        const ch = String.fromCodePoint(cp);
        const name = `U+${cp.toString(16).toUpperCase()}`;
        assert.equal(shownText(`a${ch}b`, SHOWN_LENGTH.row), 'ab', `${name} is shown`);
        assert.match(cancelCommentProblem(`Wrong device ${ch}x`) ?? '', /contains U\+/, `${name} is accepted in a comment`);
      }
    }
    assert.equal(cancelCommentProblem('Wrong device, see ticket 4711 — ok ✓ 日本語'), undefined, 'ordinary Unicode is accepted');
  });

  it('a comment made only of blank-looking characters counts as empty', () => {
    for (const blank of ['\u2800', '\u3164', '\u115f\u1160', '\uffa0', ' \u2800\u200b\u3164 ']) {
      assert.equal(cancelCommentProblem(blank), 'A comment is required.', JSON.stringify(blank));
    }
    assert.equal(cancelCommentProblem('ok \u2800'), undefined, 'a blank beside words is fine');
  });
});
