// What only a real extension host shows about the package: activation, the commands as registered, the view,
// and the log channel on disk.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands, EXTENSION_ID, VIEW_CONTAINER_ID, VIEW_ID } from '../../../src/constants';
import { extensionLogText } from './extensionLog';

function extension(): vscode.Extension<unknown> {
  const found = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is loaded`);
  return found;
}

// Read while mocha loads the test files, before any test of any file can activate the extension.
const activeBeforeAnyTest = vscode.extensions.getExtension(EXTENSION_ID)?.isActive;

suite('The extension in a real host', () => {
  test('activates when the engineer runs one of its commands, not before', async () => {
    assert.equal(activeBeforeAnyTest, false, 'the workbench alone does not activate it');
    await vscode.commands.executeCommand(Commands.showLog);
    assert.equal(extension().isActive, true);
  });

  test('registers every command it contributes, and no other', async () => {
    await extension().activate();
    const contributed = extension().packageJSON.contributes.commands.map((c: { command: string }) => c.command).sort();
    // The workbench itself adds commands for the view (`mdeActions.machineActions.focus`, …): not the extension's.
    const registered = (await vscode.commands.getCommands(true))
      .filter((id) => id.startsWith('mdeActions.') && !id.startsWith(`${VIEW_ID}.`))
      .sort();
    assert.deepEqual(registered, contributed);
  });

  test('the Defender container and its Machine Actions view open', async () => {
    // Each command exists only if the workbench created the container or the view from the package's contribution.
    await vscode.commands.executeCommand(`workbench.view.extension.${VIEW_CONTAINER_ID}`);
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  });

  test('Defender: Show Log works, and the log channel is written to the logs folder', async () => {
    await vscode.commands.executeCommand(Commands.showLog);
    assert.match(await extensionLogText('Defender Machine Actions activated'), /Defender Machine Actions activated/);
  });

  test('a failed command ends at once with an error notification, without waiting for the notification to close', async () => {
    await extension().activate();
    const shown: Array<{ message: string; buttons: unknown[] }> = [];
    const original = vscode.window.showErrorMessage;
    // A notification the engineer leaves open: its promise never settles.
    (vscode.window as { showErrorMessage: unknown }).showErrorMessage = (message: string, ...buttons: unknown[]) => {
      shown.push({ message, buttons });
      return new Promise(() => undefined);
    };
    try {
      const ended = vscode.commands.executeCommand(Commands.copyActionId).then(() => 'ended');
      const waited = new Promise((resolve) => setTimeout(() => resolve('still pending after 5 s'), 5_000));
      assert.equal(await Promise.race([ended, waited]), 'ended');
      assert.equal(shown.length, 1);
      assert.match(shown[0].message, /^Could not copy the action ID: /);
      assert.deepEqual(shown[0].buttons, ['Show Log']);
    } finally {
      (vscode.window as { showErrorMessage: unknown }).showErrorMessage = original;
    }
  });
});
