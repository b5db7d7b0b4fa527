// The settings that decide where tokens go are `application` scoped (SPEC §2): a cloned repository's
// .vscode/settings.json must not reach them. test/host/workspace/.vscode/settings.json tries.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../../src/constants';
import type { ExtensionTestApi } from '../../../src/extension';
import { recordUi } from './recordedUi';
import { updateUserSetting } from './signedIn';
import { waitFor } from '../../support/waitFor';
import { extensionLogText } from './extensionLog';

suite('Settings scope in a real host', () => {
  test('a workspace .vscode/settings.json sets window settings but cannot redirect the sign-in or the API', () => {
    const config = vscode.workspace.getConfiguration('mdeActions');
    assert.equal(config.get('lookbackDays'), 30, 'the workspace settings file was read');
    for (const key of ['cloud', 'apiRegion', 'tenantId', 'clientId', 'signInMethod', 'custom.authorityHost', 'custom.apiBaseUrl']) {
      const value = config.inspect(key);
      assert.equal(value?.workspaceValue, undefined, `${key} from the workspace is ignored`);
      assert.equal(config.get(key), value?.defaultValue, `${key} keeps its default`);
    }
  });
});

suite('A wrong sign-in setting in a real host', () => {
  // In this order only the last one makes the settings wrong: Custom hosts count only once the cloud is Custom.
  const SETTINGS: Array<[string, string]> = [
    ['mdeActions.clientId', '00000000-0000-0000-0000-000000000001'],
    ['mdeActions.custom.authorityHost', 'https://login.contoso.com'],
    ['mdeActions.custom.apiBaseUrl', 'http://mde-proxy.contoso.com'],
    ['mdeActions.cloud', 'Custom'],
  ];

  suiteTeardown(async () => {
    const quiet = recordUi();
    try {
      for (const [id] of [...SETTINGS].reverse()) {
        await updateUserSetting(id, undefined);
      }
    } finally {
      quiet.restore();
    }
  });

  test('an http API base is refused with one warning naming the setting, whose Open Settings opens it; the view says why', async () => {
    const api = await vscode.extensions.getExtension<ExtensionTestApi | undefined>(EXTENSION_ID)?.activate();
    assert.ok(api, 'activate() returns the test API in the Test extension mode');
    const ui = recordUi();
    const opened: unknown[][] = [];
    const executeCommand = vscode.commands.executeCommand;
    // The extension shares this vscode object: record what Open Settings runs, and run it.
    vscode.commands.executeCommand = (command: string, ...args: unknown[]) => {
      if (command === 'workbench.action.openSettings') {
        opened.push(args);
      }
      return executeCommand(command, ...args);
    };
    ui.answer = (notification) => (notification.buttons.includes('Open Settings') ? 'Open Settings' : undefined);
    try {
      for (const [id, value] of SETTINGS) {
        await updateUserSetting(id, value);
      }
      // The button's command runs a few turns after the settings event.
      await waitFor(() => opened.length > 0, 'Open Settings to run', 5000);
    } finally {
      ui.restore();
      vscode.commands.executeCommand = executeCommand;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    assert.deepEqual(ui.notifications, [{
      severity: 'warning',
      message: 'mdeActions.custom.apiBaseUrl must use https:// — tokens are never sent over http.',
      buttons: ['Open Settings'],
    }]);
    assert.deepEqual(opened, [['mdeActions.custom.apiBaseUrl']]);
    assert.equal(api.auth.configured, false);
    assert.equal(api.treeView.message, ui.notifications[0].message);
  });
});


suite('Settings problems in the log of a real host', () => {
  suiteTeardown(async () => {
    for (const id of ['mdeActions.maxActions', 'mdeActions.groupBy', 'mdeActions.autoRefreshSeconds']) {
      await updateUserSetting(id, undefined);
    }
  });

  test('a value out of range is logged when it appears: not again for each reader or on a change of another setting, again once fixed and made anew', async () => {
    const outOfRange = 'mdeActions.maxActions must be a whole number from 1 to 10000; using 10000 instead of 20000.';
    await updateUserSetting('mdeActions.maxActions', 20_000);
    await updateUserSetting('mdeActions.groupBy', 'device');
    // A later problem marks the point the log has reached: every line before it is written.
    const marker = 'mdeActions.autoRefreshSeconds is negative; auto refresh is off.';
    await updateUserSetting('mdeActions.autoRefreshSeconds', -5);
    const log = await extensionLogText(marker);
    assert.ok(log.includes(marker), 'the later problem is logged');
    assert.equal(log.split(outOfRange).length - 1, 1, `logged once:\n${log.split('\n').filter((l) => l.includes('mdeActions.')).join('\n')}`);

    // Fixed, then made again: the problem is news again.
    await updateUserSetting('mdeActions.maxActions', 500);
    await updateUserSetting('mdeActions.maxActions', 20_000);
    const secondMarker = 'mdeActions.groupBy has the unknown value "bogus"';
    await updateUserSetting('mdeActions.groupBy', 'bogus');
    const later = await extensionLogText(secondMarker);
    assert.ok(later.includes(secondMarker), 'the second marker is logged');
    assert.equal(later.split(outOfRange).length - 1, 2, 'logged again after it was fixed and made anew');
  });
});
