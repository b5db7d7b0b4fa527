// The sign-in flow per place of the extension host: the browser's loopback redirect only where a browser can reach it.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { signInMethodFor } from '../../src/auth/signInMethod';

describe('signInMethod', () => {
  it('a local window uses the setting, browser or device code', () => {
    assert.equal(signInMethodFor('browser', { remoteName: undefined, onWorkspaceHost: false }), 'browser');
    assert.equal(signInMethodFor('deviceCode', { remoteName: undefined, onWorkspaceHost: false }), 'deviceCode');
  });

  it('on a remote workspace host (SSH, container, code-server) the device code is used even when browser is set', () => {
    for (const remoteName of ['ssh-remote', 'dev-container', 'codespaces', '127.0.0.1:8080']) {
      assert.equal(signInMethodFor('browser', { remoteName, onWorkspaceHost: true }), 'deviceCode', remoteName);
    }
  });

  it('running next to the browser in a remote window ("ui" extension kind), the browser sign-in stays', () => {
    assert.equal(signInMethodFor('browser', { remoteName: 'ssh-remote', onWorkspaceHost: false }), 'browser');
  });
});
