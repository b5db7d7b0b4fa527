// The shared leaf: the one sign-in-required error, file names from server text, counted nouns.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { presentError } from '../../src/commands/errorPresentation';
import { errorDetail, isSignInRequired, signInRequired } from '../../src/shared/errors';
import { countOf, fileNameSafe } from '../../src/shared/userText';

describe('shared', () => {
  it('a sign-in-required error says what needs the sign-in and offers Sign In, recognised by shape', () => {
    const error = signInRequired('Sign in to Microsoft Defender to cancel a machine action.');
    assert.equal(errorDetail(error), 'Sign in to Microsoft Defender to cancel a machine action.');
    assert.ok(isSignInRequired(error));
    assert.ok(isSignInRequired({ kind: 'signInRequired' }), 'a copy from another bundle has only the shape');
    assert.ok(!isSignInRequired(new Error('Sign in')));
    assert.deepEqual(presentError(error, 'Could not cancel').buttons, ['Sign In', 'Show Log']);
  });

  it('a file name keeps readable text and loses the characters no file system accepts, one by one or by runs', () => {
    assert.equal(fileNameSafe('Isolate on a\\b/c:d*e?f"g<h>i|j\u0000k\u001fl\u007fm', '_'), 'Isolate on a_b_c_d_e_f_g_h_i_j_k_l_m');
    assert.equal(fileNameSafe('a<>:\u0001b', '_', true), 'a_b');
    assert.equal(fileNameSafe('ws-fin-0142 · Live Response', '_'), 'ws-fin-0142 · Live Response');
  });

  it('a count reads as words, plural unless it is one', () => {
    assert.deepEqual([0, 1, 2].map((n) => countOf(n, 'machine action')), ['0 machine actions', '1 machine action', '2 machine actions']);
  });
});
