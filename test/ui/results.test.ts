// After the action, on the packaged VSIX: a live response command's output opened from the palette and read in an
// editor tab, and the view's rows exported to CSV from the view's … menu. The steps share one workbench; each saves a
// screenshot.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { openSimulatedSession, signInWithDeviceCode, simulatorCount, type SimulatedSession, vsixOrSkip } from './simulatedSession';

const { vsix, skip } = vsixOrSkip;
let session: SimulatedSession;

before(async () => {
  if (vsix) {
    session = await openSimulatedSession('results', vsix);
  }
});

after(async () => {
  await session?.close();
});

const workbench = () => session.workbench;
/** The text of the active editor, as rendered. */
const editorText = () => workbench().page.locator('.editor-instance .monaco-editor .view-lines').first();

test('Open Command Output from the palette: pick the action, then the command, read its output in a tab named after it', { skip }, async () => {
  await signInWithDeviceCode(session);
  const action = session.cloud.defender.actions.find((a) => a.type === 'LiveResponse' && a.status === 'Succeeded');
  assert.ok(action, 'the seed has a succeeded live response');
  await workbench().treeItem(`Pending, ${simulatorCount(session.cloud, 'Pending')} machine actions`).waitFor();
  await workbench().clearNotifications();
  await workbench().runCommand('Defender: Open Command Output');
  await workbench().quickInput.getByRole('option', { name: new RegExp(`Live Response on ${String(action.computerDnsName).replace(/\./g, '\\.')}`) }).filter({ hasText: 'Succeeded' }).click();
  await workbench().quickInput.getByRole('option', { name: /0: GetFile.*Completed/ }).waitFor();
  await workbench().screenshot('output-commands');
  await workbench().quickInput.getByRole('option', { name: /1: RunScript/ }).click();
  await workbench().page.locator('.tabs-container .tab', { hasText: /RunScript .*\.json/ }).waitFor();
  await editorText().filter({ hasText: `Transcript started on ${String(action.computerDnsName)}` }).waitFor();
  await workbench().screenshot('output-editor');
});

test('Export Machine Actions… from the view\'s … menu: CSV in an untitled editor', { skip }, async () => {
  await workbench().openViewMenu();
  await workbench().clickMenuItem('Export Machine Actions…', 'export-menu');
  await workbench().quickInput.getByRole('option', { name: /^CSV/ }).click();
  await workbench().quickInput.getByRole('option', { name: /Untitled editor/ }).click();
  await editorText().filter({ hasText: 'id,type,scope,title,requestor' }).waitFor();
  await workbench().screenshot('export-csv');
});
