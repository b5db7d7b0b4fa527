// An engineer who installed the VSIX opens the Defender view before configuring anything: the view says what to
// set, its menu shows the log, and its button opens the extension's settings.
import { after, before, test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../harness/codeServer';
import { Workbench } from './workbench';

const vsix = process.env.MDE_TEST_VSIX;
const skip = vsix ? false : 'MDE_TEST_VSIX is not set: run `npm test`, which packages the VSIX first';
const settingCount = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'))
  .contributes.configuration.reduce((n: number, section: { properties: object }) => n + Object.keys(section.properties).length, 0);

let workbench: Workbench;

before(async () => {
  if (vsix) {
    workbench = await Workbench.open('welcome', vsix);
  }
});

after(async () => {
  await workbench?.close();
});

test('the Defender view, not configured yet, says what to set and offers Open Settings', { skip }, async () => {
  await workbench.openActivity('Defender');
  const sidebar = workbench.page.locator('.part.sidebar');
  // A container with one view shows both names in its title.
  await sidebar.locator('.composite.title h2', { hasText: 'Defender: Machine Actions' }).waitFor();
  await sidebar.locator('.welcome-view-content', { hasText: 'set the client ID of your Entra ID app registration' }).waitFor();
  await sidebar.getByRole('button', { name: 'Open Settings' }).waitFor();
  await workbench.screenshot('not-configured');
});

test('the view\'s … menu shows the log, with the activation line', { skip }, async () => {
  await workbench.openViewMenu();
  await workbench.clickMenuItem('Show Log');
  await workbench.page.locator('.part.panel .view-lines', { hasText: 'Defender Machine Actions activated' }).waitFor();
  await workbench.screenshot('show-log');
});

test('Open Settings shows exactly the extension\'s settings', { skip }, async () => {
  await workbench.page.locator('.part.sidebar').getByRole('button', { name: 'Open Settings' }).click();
  const editor = workbench.page.locator('.settings-editor');
  // The button searches for "mdeActions": every setting found is one of ours, and all of ours are found.
  await editor.getByText(`${settingCount} Settings Found`).waitFor();
  await workbench.screenshot('settings');
});
