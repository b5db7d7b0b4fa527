// An engineer signed in to the simulated Custom cloud sees, above the tree at the default side bar width, who is
// signed in to which tenant and which filter is on; a filter turns the title's filter icon filled, whose menu clears
// it; a list that waits for the API rate limit says so there. The steps share one workbench; each saves a screenshot.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ANALYST_UPN } from '../simulators/seedActions';
import { signInWithDeviceCode, simulatorCount, useSimulatedSession, vsixOrSkip } from './simulatedSession';

const { skip } = vsixOrSkip;
const session = useSimulatedSession('where');

const count = (status: string, requestor?: string) => simulatorCount(session().cloud, status, requestor);
const workbench = () => session().workbench;

/** The line above the tree (the view's message). */
const viewMessage = () => workbench().page.locator('.part.sidebar .message:not(.hide)');
/** A button of the view's title bar (a container with one view shows the view's actions there), by its icon. */
const titleAction = (codicon: string) => workbench().page.locator(`.part.sidebar .composite.title .action-label.codicon-${codicon}`);
/** The account signed in to its own tenant, which the domain of its UPN names (the status bar has the tenant id). */
const where = () => `${ANALYST_UPN} · contoso`;

test('signed in, the line above the tree names the account and the tenant; the title shows the filter icon', { skip }, async () => {
  await signInWithDeviceCode(session());
  await workbench().treeItem(`Pending, ${count('Pending')} machine actions`).waitFor();
  assert.equal((await viewMessage().innerText()).trim(), where());
  assert.equal(await workbench().lineCount(viewMessage()), 1, 'one line at the default side bar width');
  await titleAction('filter').waitFor();
  assert.equal(await titleAction('filter-filled').count(), 0, 'no filled filter icon while nothing is filtered');
  await workbench().clearNotifications();
  await workbench().screenshot('where-you-are');
});

test('a filter shows in the line and turns the title\'s filter icon filled; the palette offers Clear Filter', { skip }, async () => {
  await titleAction('filter').click();
  const row = (label: RegExp) => workbench().quickInput.locator('.monaco-list-row', { has: workbench().page.locator('.label-name', { hasText: label }) });
  await row(/^\s*Pending$/).click();
  // The last rows are below the fold: narrow the list to reach them (what is checked stays checked).
  await workbench().quickInput.locator('.quick-input-box input').fill('Only actions');
  await row(/Only actions I requested/).click();
  await workbench().quickInput.getByText('2 Selected').waitFor();
  await workbench().page.keyboard.press('Enter');
  await workbench().quickInput.waitFor({ state: 'hidden' });
  const mine = count('Pending', ANALYST_UPN);
  await workbench().treeItem(`Pending, ${mine} machine action`).waitFor();
  await workbench().treeItem('In Progress, ').waitFor({ state: 'detached' });
  await viewMessage().filter({ hasText: `${where()} · filter: Pending · only mine` }).waitFor();
  await titleAction('filter-filled').waitFor();
  assert.equal(await titleAction('filter').count(), 0, 'the outline icon gives way to the filled one');
  await workbench().screenshot('filtered');

  await workbench().page.keyboard.press('F1');
  await workbench().quickInput.locator('.quick-input-box input').fill('>Defender: Clear Filter');
  await workbench().quickInput.getByRole('option', { name: 'Defender: Clear Filter' }).waitFor();
  await workbench().page.keyboard.press('Escape');
  await workbench().quickInput.waitFor({ state: 'hidden' });
});

test('the filled icon\'s menu changes or clears the filter; Clear Filter shows everything again', { skip }, async () => {
  await titleAction('filter-filled').click();
  await workbench().page.locator('.context-view').getByRole('menuitem', { name: 'Filter Machine Actions…', exact: true }).waitFor();
  const menu = workbench().page.locator('.context-view .monaco-menu');
  const sidebarTop = [workbench().page.locator('.part.sidebar .composite.title'), viewMessage(), workbench().page.locator('.part.sidebar .monaco-list-rows')];
  await workbench().clickMenuItem('Clear Filter', 'filter-menu', () => workbench().readmeScreenshot('filter-clear', [...sidebarTop, menu], { keepHover: true }));
  await workbench().treeItem(`In Progress, ${count('InProgress')} machine actions`).waitFor();
  await workbench().treeItem(`Pending, ${count('Pending')} machine actions`).waitFor();
  await viewMessage().filter({ hasText: new RegExp(`^\\s*${where().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).waitFor();
  await titleAction('filter').waitFor();
  assert.equal(await titleAction('filter-filled').count(), 0);
  await workbench().page.keyboard.press('F1');
  await workbench().quickInput.locator('.quick-input-box input').fill('>Defender: Clear Filter');
  // The palette has listed what matches (the Filter command, as similar), and Clear Filter is not among it.
  await workbench().quickInput.getByRole('option', { name: /Defender: Filter Machine Actions…/ }).waitFor();
  assert.equal(await workbench().quickInput.getByRole('option', { name: /Defender: Clear Filter/ }).count(), 0);
  await workbench().screenshot('filter-cleared');
  await workbench().page.keyboard.press('Escape');
});

test('a list that waits out a 429 says in the view why and until when', { skip }, async () => {
  session().cloud.defender.failNext({ kind: 'status', status: 429, retryAfterSeconds: 4 }, { method: 'GET' });
  await titleAction('refresh').click();
  await viewMessage().filter({ hasText: /Waiting 4 s for the Defender API rate limit — retrying at \d\d:\d\d:\d\d\./ }).waitFor();
  await workbench().screenshot('rate-limit-wait');
  await viewMessage().filter({ hasText: /Waiting/ }).waitFor({ state: 'detached', timeout: 15_000 });
  assert.equal((await viewMessage().innerText()).trim(), where());
});

test('the Settings editor lists the settings under the extension in Connection and View, without "Mde Actions:"', { skip }, async () => {
  await workbench().runCommand('Preferences: Open Settings (UI)');
  const toc = workbench().page.locator('.settings-editor .settings-toc-container');
  const tocEntry = (label: string) => toc.locator('[role="treeitem"]', { hasText: new RegExp(`^\\s*${label}`) });
  await tocEntry('Extensions').click();
  const ours = tocEntry('Defender for Endpoint: Machine Actions');
  await ours.click();
  // Its children (the only extension entry expanded): the two sections, in their order.
  const childLevel = Number(await ours.getAttribute('aria-level')) + 1;
  const sections = toc.locator(`[role="treeitem"][aria-level="${childLevel}"]`);
  await sections.first().waitFor();
  assert.deepEqual((await sections.allInnerTexts()).map((r) => r.trim()), ['Connection', 'View']);
  await tocEntry('Connection').click();
  // Each setting's name without a category for the top-level keys (VS Code puts "Mde Actions: " before it otherwise).
  const tree = workbench().page.locator('.settings-editor .settings-tree-container');
  await tree.locator('.setting-item-label', { hasText: /^\s*Cloud\s*$/ }).first().waitFor();
  const categories = (await tree.locator('.setting-item-category').allInnerTexts()).map((t) => t.trim()).filter((t) => t);
  assert.ok(!categories.some((t) => t.startsWith('Mde Actions')), categories.join('\n'));
  await workbench().screenshot('settings');
});
