import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { SignInError } from '../../src/auth/errors';
import { presentError } from '../../src/commands/errorPresentation';
import { isUserCancellation } from '../../src/shared/errors';
import { plainNotificationText } from '../../src/shared/userText';

describe('errorPresentation', () => {
  it('a user cancellation is recognised by shape', () => {
    assert.ok(isUserCancellation({ kind: 'userCancelled' }));
    assert.ok(isUserCancellation(Object.assign(new Error('Canceled'), { name: 'Canceled' })));
    const aborted = new AbortController();
    aborted.abort();
    assert.ok(isUserCancellation(aborted.signal.reason), 'an aborted request');
    assert.ok(!isUserCancellation(new Error('boom')));
    assert.ok(!isUserCancellation(undefined));
  });

  it('each kind of failure gets the buttons that help', () => {
    assert.deepEqual(presentError({ kind: 'signInRequired', message: 'Your session expired.' }, 'Could not refresh').buttons, ['Sign In', 'Show Log']);
    assert.deepEqual(presentError({ kind: 'timeout', message: 'no answer in 30 s' }, 'x').buttons, ['Retry', 'Show Log']);
    const race = new SignInError('renewalRace', 'Could not get an access token: other windows kept renewing the session at the same moment. Retry.');
    assert.deepEqual(presentError(race, 'Could not load machine actions').buttons, ['Retry', 'Show Log'], 'windows renewing at once');
    assert.deepEqual(presentError({ kind: 'http', status: 503, message: 'busy' }, 'x').buttons, ['Retry', 'Show Log']);
    assert.deepEqual(presentError({ kind: 'http', status: 403, message: 'denied' }, 'x').buttons, ['Show Log']);
    const settings = presentError({ setting: 'mdeActions.clientId', message: 'Set the client ID.' }, 'Could not sign in');
    assert.deepEqual(settings.buttons, ['Open Settings', 'Show Log']);
    assert.equal(settings.setting, 'mdeActions.clientId');
    assert.equal(settings.message, 'Could not sign in: Set the client ID.');
  });

  it('non-Error values still give a message', () => {
    assert.equal(presentError('plain string', 'Failed').message, 'Failed: plain string');
  });

  it('server text cannot plant a link or command in a notification', () => {
    const text = plainNotificationText('see [here](command:workbench.action.quit) or [x] (https://evil.example)');
    assert.doesNotMatch(text, /\]\s*\(/);
    assert.match(text, /\[here\]\u200b\(command:workbench\.action\.quit\)/);
  });
});
