// After the action, on the packaged VSIX: a live response command's output opened from the palette and read in an
// editor tab, the view's rows exported to CSV from the view's … menu, and an investigation package saved to a folder.
// The steps share one workbench; each saves a screenshot.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signInWithDeviceCode, simulatorCount, useSimulatedSession, vsixOrSkip } from './simulatedSession';

const { skip } = vsixOrSkip;
const session = useSimulatedSession('results');

const workbench = () => session().workbench;
/** The text of the active editor, as rendered. */
const editorText = () => workbench().page.locator('.editor-instance .monaco-editor .view-lines').first();

test('Open Command Output from the palette: pick the action, then the command, read its output in a tab named after it', { skip }, async () => {
  await signInWithDeviceCode(session());
  const action = session().cloud.defender.actions.find((a) => a.type === 'LiveResponse' && a.status === 'Succeeded');
  assert.ok(action, 'the seed has a succeeded live response');
  await workbench().treeItem(`Pending, ${simulatorCount(session().cloud, 'Pending')} machine actions`).waitFor();
  await workbench().clearNotifications();
  await workbench().runCommand('Defender: Open Command Output');
  await workbench().quickInput.getByRole('option', { name: new RegExp(`Live Response on ${String(action.computerDnsName).replace(/\./g, '\\.')}`) }).filter({ hasText: 'Succeeded' }).click();
  await workbench().quickInput.getByRole('option', { name: /0: GetFile.*Completed/ }).waitFor();
  await workbench().screenshot('output-commands', { keepHover: true });
  await workbench().quickInput.getByRole('option', { name: /1: RunScript/ }).click();
  await workbench().page.locator('.tabs-container .tab', { hasText: /RunScript .*\.json/ }).waitFor();
  const transcript = editorText().filter({ hasText: `Transcript started on ${String(action.computerDnsName)}` });
  await transcript.waitFor();
  await workbench().screenshot('output-editor');
  // The tab's title and the output down to its last field, not the empty editor below.
  await workbench().readmeScreenshot('command-output', [workbench().page.locator('.tabs-container .tab.active'),
    editorText().locator('.view-line', { hasText: /^\}$/ })]);
});

test('Export Machine Actions… from the view\'s … menu: CSV in an untitled editor', { skip }, async () => {
  await workbench().openViewMenu();
  await workbench().clickMenuItem('Export Machine Actions…', 'export-menu');
  await workbench().quickInput.getByRole('option', { name: /^CSV/ }).click();
  await workbench().quickInput.getByRole('option', { name: /Untitled editor/ }).click();
  await editorText().filter({ hasText: 'id,type,scope,title,requestor' }).waitFor();
  await workbench().screenshot('export-csv');
});

test('Download Investigation Package… from the palette: saved to the folder typed in the save dialog, with Reveal and Open Folder', { skip }, async () => {
  const action = session().cloud.defender.actions.find((a) => a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded');
  assert.ok(action, 'the seed has a succeeded collection');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mde-ui-package-'));
  try {
    await workbench().clearNotifications();
    await workbench().runCommand('Defender: Download Investigation Package…');
    await workbench().quickInput.getByRole('option', { name: new RegExp(`on ${String(action.computerDnsName).replace(/\./g, '\\.')}`) }).click();
    // code-server's save dialog is a quick input holding the path, the suggested name last.
    const pathBox = workbench().quickInput.locator('.quick-input-box input');
    for (let tries = 0; !/investigation-package\.zip$/.test(await pathBox.inputValue()); tries++) {
      assert.ok(tries < 100, `the suggested name in the save dialog: ${await pathBox.inputValue()}`);
      await workbench().page.waitForTimeout(100);
    }
    const file = path.join(folder, path.posix.basename(await pathBox.inputValue()));
    await pathBox.fill(file);
    await workbench().screenshot('package-save');
    await workbench().page.keyboard.press('Enter');
    const saved = workbench().toast('Saved the investigation package');
    await saved.getByRole('button', { name: 'Reveal in File Explorer' }).waitFor();
    await saved.getByRole('button', { name: 'Open Folder' }).waitFor();
    assert.equal(fs.readFileSync(file).subarray(0, 2).toString('latin1'), 'PK', 'a zip in the folder');
    await workbench().screenshot('package-saved');
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
