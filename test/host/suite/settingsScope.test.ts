// The settings that decide where tokens go are `application` scoped (SPEC §2): a cloned repository's
// .vscode/settings.json must not reach them. test/host/workspace/.vscode/settings.json tries.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

suite('Settings scope in a real host', () => {
  test('a workspace .vscode/settings.json sets window settings but cannot redirect the sign-in or the API', () => {
    const config = vscode.workspace.getConfiguration('mdeActions');
    assert.equal(config.get('lookbackDays'), 30, 'the workspace settings file was read');
    for (const key of ['cloud', 'tenantId', 'clientId', 'custom.authorityHost', 'custom.apiBaseUrl']) {
      const value = config.inspect(key);
      assert.equal(value?.workspaceValue, undefined, `${key} from the workspace is ignored`);
      assert.equal(config.get(key), value?.defaultValue, `${key} keeps its default`);
    }
  });
});
