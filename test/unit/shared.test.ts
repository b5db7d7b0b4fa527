// The shared leaf: the one sign-in-required error, file names from server text, counted nouns, the https rules.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { presentError } from '../../src/commands/errorPresentation';
import { errorDetail, isSignInRequired, signInRequired } from '../../src/shared/errors';
import { hasCredentialsOrQuery, isSameHttpsOrigin, parseHttpsUrl, schemeAndHost } from '../../src/shared/httpsUrl';
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

  it('an error\'s detail is its message, or the value as text, and never throws, whatever was thrown', () => {
    assert.equal(errorDetail(new Error('disk full')), 'disk full');
    assert.equal(errorDetail('plain text'), 'plain text');
    assert.equal(errorDetail(undefined), 'undefined');
    assert.equal(errorDetail(Object.create(null)), 'a thrown object that cannot be shown as text');
    assert.equal(errorDetail({ toString: () => { throw new Error('no'); } }), 'a thrown object that cannot be shown as text');
    assert.equal(errorDetail({ get message(): string { throw new Error('no'); } }), 'a thrown object that cannot be shown as text');
  });

  it('a file name keeps readable text and loses the characters no file system accepts, one by one or by runs', () => {
    assert.equal(fileNameSafe('Isolate on a\\b/c:d*e?f"g<h>i|j\u0000k\u001fl\u007fm', '_'), 'Isolate on a_b_c_d_e_f_g_h_i_j_k_l_m');
    assert.equal(fileNameSafe('a<>:\u0001b', '_', true), 'a_b');
    assert.equal(fileNameSafe('ws-fin-0142 · Live Response', '_'), 'ws-fin-0142 · Live Response');
  });

  it('a count reads as words, plural unless it is one', () => {
    assert.deepEqual([0, 1, 2].map((n) => countOf(n, 'machine action')), ['0 machine actions', '1 machine action', '2 machine actions']);
  });

  it('a token goes only to https on the base origin: not http, another host, another port, nor a look-alike host', () => {
    const base = new URL('https://api.security.microsoft.com/mde');
    assert.ok(isSameHttpsOrigin(new URL('https://api.security.microsoft.com/api/machineactions?$top=1'), base));
    assert.ok(isSameHttpsOrigin(new URL('https://API.security.microsoft.com:443/x'), base), 'the same origin in other case, default port');
    for (const other of ['http://api.security.microsoft.com/api', 'https://api.security.microsoft.com:8443/api',
      'https://api.security.microsoft.com.evil.example/api', 'https://evil.example/api']) {
      assert.equal(isSameHttpsOrigin(new URL(other), base), false, other);
    }
  });

  it('an https URL parses from text; http, other schemes and junk do not, and nothing throws', () => {
    assert.equal(parseHttpsUrl('https://microsoft.com/devicelogin')?.host, 'microsoft.com');
    for (const text of ['http://microsoft.com/devicelogin', 'javascript:alert(1)', 'file:///etc/passwd', 'microsoft.com/devicelogin', '', ' ']) {
      assert.equal(parseHttpsUrl(text), undefined, JSON.stringify(text));
    }
  });

  it('a base URL with a user, password, query or fragment is told apart; a place is named without its path or query', () => {
    assert.equal(hasCredentialsOrQuery(new URL('https://proxy.contoso.com/mde/')), false);
    for (const text of ['https://u@proxy.contoso.com', 'https://u:p@proxy.contoso.com', 'https://proxy.contoso.com/?a=1', 'https://proxy.contoso.com/#x']) {
      assert.equal(hasCredentialsOrQuery(new URL(text)), true, text);
    }
    assert.equal(schemeAndHost(new URL('http://store.example:8080/results/1?sig=secret')), 'http://store.example:8080');
  });
});
