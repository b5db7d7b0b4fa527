// The Machine Actions tree in a real extension host, signed in to the simulated Custom cloud: what VS Code gets from
// the extension's TreeDataProvider and TreeView (through the test API activate() returns in the Test mode), checked
// against the simulator's data and request log.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { Commands } from '../../../src/constants';
import type { MachineAction } from '../../../src/defender/machineAction';
import { actionLabel } from '../../../src/views/presentation';
import type { RawAction } from '../../simulators/defenderSimulator';
import { ANALYST_UPN, INJECTION_COMMENT } from '../../simulators/seedActions';
import { groupOf, readTree, type Row, signInToSimulatedCloud, type SignedIn, updateUserSetting } from './signedIn';
import { waitFor } from '../../support/waitFor';
import { recordUi, type RecordedUi } from './recordedUi';
import { extensionLogText } from './extensionLog';

// VS Code renders MarkdownStrings with a CommonMark renderer; markdown-it is one, with links and autolinks on.
const MarkdownIt = require('markdown-it') as new (options: object) => { render(source: string): string };

/** How the view names the statuses of the seed (the test's own table, not the extension's). */
const STATUS_LABELS: Record<string, string> = {
  Pending: 'Pending', InProgress: 'In Progress', Succeeded: 'Succeeded', Failed: 'Failed', TimeOut: 'Timed Out', Cancelled: 'Cancelled',
};

/** The line the view's message starts with: the account, then the tenant (the tests' tenant setting is its GUID). */
/** The account signed in to its own tenant, which the domain of its UPN names (the status bar has the tenant id). */
const WHERE_YOU_ARE = `${ANALYST_UPN} · contoso`;

suite('The Machine Actions tree in a real host', () => {
  let session: SignedIn;
  let ui: RecordedUi | undefined;

  suiteSetup(async function () {
    this.timeout(60_000);
    session = await signInToSimulatedCloud();
  });

  suiteTeardown(async () => {
    await session?.dispose();
  });

  teardown(async () => {
    ui?.restore();
    ui = undefined;
    await vscode.workspace.getConfiguration('mdeActions').update('groupBy', undefined, vscode.ConfigurationTarget.Global);
    await updateUserSetting('mdeActions.notifyOnStatusChange', undefined);
    await vscode.commands.executeCommand(Commands.filter, {});
  });

  const lists = () => session.cloud.defender.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/machineactions?'));

  /** The actions of the simulator inside the time window of the extension's latest list request. */
  function inWindow(): RawAction[] {
    const filter = new URL(lists().at(-1)?.path ?? '/', 'https://x').searchParams.get('$filter') ?? '';
    const since = /creationDateTimeUtc ge (\S+)/.exec(filter)?.[1];
    assert.ok(since, `the list request filters on the creation time: ${filter}`);
    return session.cloud.defender.actions.filter((a) => Date.parse(String(a.creationDateTimeUtc)) >= Date.parse(since));
  }

  function countBy(actions: RawAction[], key: (a: RawAction) => string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const action of actions) {
      counts.set(key(action), (counts.get(key(action)) ?? 0) + 1);
    }
    return counts;
  }

  /** The rows of a status group, each with the simulator's action behind it. */
  async function rowsOf(group: string): Promise<Array<{ row: Row; raw: RawAction }>> {
    const rows = (await readTree(session.api)).find((g) => g.label === group)?.children ?? [];
    return rows.map((row) => {
      const raw = session.cloud.defender.getAction((row.node as { action: { id: string } }).action.id);
      assert.ok(raw, `the simulator has the action of ${row.label}`);
      return { row, raw };
    });
  }

  /**
   * How notifications and the details name the action of a row: its long name, not the row's short one
   * ("Release from Isolation", not "Release"), "on <full device name or short id>".
   */
  const subjectOf = (row: Row) => {
    const { action } = row.node as { action: MachineAction };
    return `${actionLabel(action)} on ${action.computerDnsName ?? row.description.split(' · ')[0]}`;
  };

  const statusLabel = (a: RawAction) => STATUS_LABELS[String(a.status)] ?? String(a.status);
  const where = () => WHERE_YOU_ARE;
  const groupCounts = (tree: Row[]) => new Map(tree.map((g) => [g.label, Number(g.description)]));

  test('groups by status, each with its count; Pending and In Progress first and expanded, the others collapsed', async () => {
    const tree = await readTree(session.api);
    assert.deepEqual(groupCounts(tree), countBy(inWindow(), statusLabel));
    assert.deepEqual(tree.slice(0, 2).map((g) => g.label), ['Pending', 'In Progress']);
    assert.deepEqual(tree.map((g) => g.item.collapsibleState),
      tree.map((_, i) => (i < 2 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed)));
  });

  test('rows show the type and scope, the short host name or a short machine id, the age, who; Cancel only on cancellable rows', async () => {
    const tree = await readTree(session.api);
    const pending = tree.find((g) => g.label === 'Pending')!;
    const isolate = pending.children.find((r) => r.label === 'Isolate' && r.description.startsWith('ws-fin-0142'));
    assert.match(isolate?.description ?? '', /^ws-fin-0142 · \d+m · analyst$/);
    // An action created a minute ago has no device name yet.
    const unnamed = pending.children.find((r) => r.label === 'Isolate Sel');
    assert.match(unnamed?.description ?? '', /^[0-9a-f]{8}… · (now|\d+m) · analyst$/);
    for (const group of tree) {
      const cancellable = group.label === 'Pending' || group.label === 'In Progress';
      for (const row of group.children) {
        assert.equal(row.item.contextValue?.split(' ')[0], cancellable ? 'machineAction.cancellable' : 'machineAction', `${group.label}: ${row.label}`);
        assert.equal(row.item.command?.command, Commands.showDetails, 'a click shows the details');
      }
    }
    // A status the extension does not know is neither good nor bad news.
    const unknown = tree.find((g) => g.label === 'Queued')!.children[0];
    const icon = unknown.item.iconPath as vscode.ThemeIcon;
    assert.ok(icon instanceof vscode.ThemeIcon && icon.id !== 'error' && icon.color === undefined, `neutral icon, got ${icon.id}`);
  });

  test('the badge counts the cancellable actions and the description names the account', async () => {
    const cancellable = inWindow().filter((a) => a.status === 'Pending' || a.status === 'InProgress').length;
    assert.deepEqual(session.api.treeView.badge, { value: cancellable, tooltip: `${cancellable} cancellable machine actions` });
    assert.equal(session.api.treeView.description, ANALYST_UPN);
  });

  test('a refresh costs exactly one request: the time window, newest first, at most Max Actions', async () => {
    session.cloud.defender.clearRequests();
    await vscode.commands.executeCommand(Commands.refresh);
    assert.equal(session.cloud.defender.requests.length, 1);
    const query = new URL(session.cloud.defender.requests[0].path, 'https://x').searchParams;
    const since = /^creationDateTimeUtc ge (\S+)$/.exec(query.get('$filter') ?? '')?.[1];
    const lookbackDays = vscode.workspace.getConfiguration('mdeActions').get<number>('lookbackDays')!;
    assert.ok(since && Math.abs(Date.parse(since) - (Date.now() - lookbackDays * 86_400_000)) < 60_000, `${lookbackDays} days back: ${since}`);
    assert.equal(query.get('$orderby'), 'creationDateTimeUtc desc');
    assert.equal(query.get('$top'), '1000');
  });

  test('a tooltip shows server text as text: untrusted markdown without HTML, no link, no image', async () => {
    const tree = await readTree(session.api);
    const row = tree.flatMap((g) => g.children).find((r) => r.label === 'Quick AV' && r.description.startsWith('ws-sec-0007'));
    assert.ok(row && session.api.treeDataProvider.resolveTreeItem, 'the row, and a provider that completes items on hover');
    // What VS Code does when the pointer rests on the row.
    const tooltip = (await session.api.treeDataProvider.resolveTreeItem(row.item, row.node, new vscode.CancellationTokenSource().token))?.tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString, 'a markdown tooltip');
    assert.ok(!tooltip.isTrusted && !tooltip.supportHtml, 'no command links, no HTML');
    const html = new MarkdownIt({ html: false, linkify: true }).render(tooltip.value);
    assert.doesNotMatch(html, /<a |<img /);
    const text = html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    assert.ok(text.includes(`Comment: ${INJECTION_COMMENT}`), text);
  });

  test('the grouping setting applies at once: by device, or one list', async () => {
    const config = vscode.workspace.getConfiguration('mdeActions');
    await config.update('groupBy', 'device', vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await readTree(session.api)).some((g) => g.label === 'ws-fin-0142.contoso.local'), 'groups by device');
    // A device without a name yet shows as its short machine id.
    const device = (a: RawAction) => String(a.computerDnsName ?? `${String(a.machineId).slice(0, 8)}…`);
    assert.deepEqual(groupCounts(await readTree(session.api)), countBy(inWindow(), device));

    await config.update('groupBy', 'none', vscode.ConfigurationTarget.Global);
    await waitFor(async () => (await readTree(session.api)).every((r) => r.item.contextValue?.startsWith('machineAction')), 'one list of actions');
    assert.equal((await readTree(session.api)).length, inWindow().length);
  });

  test('Filter with options narrows the tree on the client and says so; {} clears it', async () => {
    const all = inWindow();
    session.cloud.defender.clearRequests();
    await vscode.commands.executeCommand(Commands.filter, { statuses: ['Pending'], deviceText: 'WS-FIN' });
    const expected = all.filter((a) => a.status === 'Pending' && String(a.computerDnsName ?? '').includes('ws-fin'));
    assert.deepEqual(groupCounts(await readTree(session.api)), new Map([['Pending', expected.length]]));
    assert.match(String(session.api.treeView.description), new RegExp(`^${ANALYST_UPN} · Filter: `));
    // With one view in the container, the message is where the account and the filter are seen.
    const lookbackDays = vscode.workspace.getConfiguration('mdeActions').get<number>('lookbackDays');
    assert.equal(session.api.treeView.message,
      `${where()} · filter: Pending · device "WS-FIN" — ${expected.length} of ${all.length} machine actions of the last ${lookbackDays} days match the filter.`);
    assert.equal(session.cloud.defender.requests.length, 0, 'no request: the filter works on the loaded list');

    await vscode.commands.executeCommand(Commands.filter, {});
    assert.deepEqual(groupCounts(await readTree(session.api)), countBy(all, statusLabel));
    assert.equal(session.api.treeView.description, ANALYST_UPN);
    assert.equal(session.api.treeView.message, where());
  });

  test('Clear Filter shows every action again and takes the filter out of the message, without a request', async () => {
    const before = groupCounts(await readTree(session.api));
    await vscode.commands.executeCommand(Commands.filter, { statuses: ['Failed'], types: ['Isolate'] });
    assert.match(session.api.treeView.message ?? '', new RegExp(`^${where()} · filter: Failed · Isolate — `));
    session.cloud.defender.clearRequests();
    await vscode.commands.executeCommand(Commands.clearFilter);
    assert.deepEqual(groupCounts(await readTree(session.api)), before);
    assert.equal(session.api.treeView.message, where());
    assert.equal(session.cloud.defender.requests.length, 0);
  });

  test('the message shows the typed device filter without bidi or control characters', async () => {
    await vscode.commands.executeCommand(Commands.filter, { deviceText: 'ws\u202efin\u0007' });
    assert.match(session.api.treeView.message ?? '', new RegExp(`^${where()} · filter: device "wsfin ?"`));
    const message = session.api.treeView.message ?? '';
    assert.ok(!message.includes('\u202e') && !message.includes('\u0007'), message);
  });

  test('a list that waits out a 429 says in the view why and until when, and the line goes once the list is in', async () => {
    session.cloud.defender.failNext({ kind: 'status', status: 429, retryAfterSeconds: 2 }, { method: 'GET' });
    const started = Date.now();
    const refreshed = vscode.commands.executeCommand(Commands.refresh);
    const waitLine = /Waiting 2 s for the Defender API rate limit — retrying at (\d\d):(\d\d):(\d\d)\./;
    await waitFor(() => waitLine.test(session.api.treeView.message ?? ''), 'the wait in the view message', 5_000);
    assert.ok(session.api.treeView.message?.startsWith(`${where()} — Waiting 2 s`), session.api.treeView.message);
    const [, h, m, sec] = waitLine.exec(session.api.treeView.message ?? '')!.map(Number);
    const retryAt = new Date(started);
    retryAt.setHours(h, m, sec);
    assert.ok(Math.abs(retryAt.getTime() - (started + 2000)) < 2000, `retry at ${h}:${m}:${sec}, about 2 s after ${new Date(started).toTimeString()}`);
    await refreshed;
    assert.equal(session.api.treeView.message, where());
  });

  test('a refresh restarted while the list waits out a 429 (Only mine toggled) keeps saying why it waits', async () => {
    session.cloud.defender.failNext({ kind: 'status', status: 429, retryAfterSeconds: 3 }, { method: 'GET' });
    const waiting = /Waiting \d+ s for the Defender API rate limit/;
    const refreshed = vscode.commands.executeCommand(Commands.refresh);
    await waitFor(() => waiting.test(session.api.treeView.message ?? ''), 'the wait in the view message', 5_000);
    const restarted = vscode.commands.executeCommand(Commands.filter, { onlyMine: true });
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.match(session.api.treeView.message ?? '', waiting, 'the new refresh still waits, and says so');
    await Promise.allSettled([refreshed, restarted]);
    await vscode.commands.executeCommand(Commands.clearFilter);
    assert.equal(session.api.treeView.message, where());
  });

  test('"Only mine" asks Defender for the engineer\'s own actions', async () => {
    session.cloud.defender.clearRequests();
    await vscode.commands.executeCommand(Commands.filter, { onlyMine: true });
    assert.equal(lists().length, 1);
    assert.match(decodeURIComponent(lists()[0].path), new RegExp(`requestor eq '${ANALYST_UPN}'`));
    const mine = inWindow().filter((a) => a.requestor === ANALYST_UPN);
    assert.equal((await readTree(session.api)).reduce((n, g) => n + g.children.length, 0), mine.length);
  });

  test('a failed load shows an error row with Retry and Show Log above the actions already loaded; a refresh clears it', async () => {
    ui = recordUi();
    const before = groupCounts(await readTree(session.api));
    session.cloud.defender.failNext({ kind: 'status', status: 403, code: 'Forbidden', message: 'Missing permissions: Machine.Read' }, { method: 'GET' });
    await vscode.commands.executeCommand(Commands.refresh);
    assert.deepEqual(ui.notifications.filter((n) => n.severity === 'error').map((n) => n.buttons.includes('Show Log')), [true], JSON.stringify(ui.notifications));
    const tree = await readTree(session.api);
    assert.deepEqual(tree.slice(0, 3).map((r) => [r.label, r.item.command?.command]), [
      ['Could not load machine actions', undefined], ['Retry', Commands.refresh], ['Show Log', Commands.showLog],
    ]);
    assert.match(tree[0].description, /Missing permissions: Machine\.Read/);
    assert.deepEqual(groupCounts(tree.slice(3)), before);

    await vscode.commands.executeCommand(Commands.refresh);
    assert.deepEqual(groupCounts(await readTree(session.api)), before);
  });

  test('Show Details opens a read-only mde-action: document with the summary and the raw JSON of the row\'s action', async () => {
    const [{ row, raw }] = await rowsOf('Pending');
    await vscode.commands.executeCommand(Commands.showDetails, row.node);
    try {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'mde-action' && d.uri.path.startsWith(`/${raw.id.toLowerCase()}/`));
      assert.ok(document, 'the details document is open');
      const text = document.getText();
      assert.equal(text.split('\n')[0], `// Machine action: ${subjectOf(row)}`);
      const marker = '// Read-only. The raw JSON as Defender sent it:\n';
      assert.ok(text.includes(marker), text);
      assert.deepEqual(JSON.parse(text.slice(text.indexOf(marker) + marker.length)), raw);
      // Typing into it, as the engineer would, changes nothing.
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('type', { text: 'edited' });
      assert.equal(document.getText(), text, 'the document cannot be edited');
      assert.equal(document.isDirty, false);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  test('Copy Action ID puts the row\'s id on the clipboard', async () => {
    const [{ row, raw }] = await rowsOf('Succeeded');
    await vscode.env.clipboard.writeText('something else');
    await vscode.commands.executeCommand(Commands.copyActionId, row.node);
    assert.equal(await vscode.env.clipboard.readText(), raw.id);
  });

  test('Open in Portal on the Custom cloud: says why there is no portal, offers Copy Machine ID, opens nothing, logs it', async () => {
    // The simulated cloud is Custom; the device page URL of the named clouds is covered by the unit tests of portalLink.
    ui = recordUi();
    ui.answer = (n) => (n.buttons.includes('Copy Machine ID') ? 'Copy Machine ID' : undefined);
    const [{ row, raw }] = await rowsOf('Pending');
    await vscode.env.clipboard.writeText('something else');
    await vscode.commands.executeCommand(Commands.openInPortal, row.node);
    assert.deepEqual(ui.opened, []);
    assert.equal(ui.notifications.length, 1);
    assert.match(ui.notifications[0].message, /^The Custom cloud \(your own sign-in and API hosts\) has no known Defender portal/);
    assert.ok(ui.notifications[0].message.endsWith(`: ${raw.machineId}.`), ui.notifications[0].message);
    assert.deepEqual(ui.notifications[0].buttons, ['Copy Machine ID']);
    assert.equal(await vscode.env.clipboard.readText(), raw.machineId);
    const log = await extensionLogText(`Copied machine ID ${raw.machineId}`);
    assert.ok(log.includes(`Open in portal: the Custom cloud has no known Defender portal (machine ${raw.machineId})`), log.slice(-2000));
    assert.ok(log.includes(`Copied machine ID ${raw.machineId}`));
  });

  test('an action that finished behind the extension\'s back is told in one notification; with Notify On Status Change off, not', async () => {
    // Through Refresh: auto refresh loads the same way but waits 15 s at the least, and only while the view is visible.
    const [first, second] = await rowsOf('In Progress');
    ui = recordUi();
    first.raw.status = 'Succeeded';
    await vscode.commands.executeCommand(Commands.refresh);
    assert.deepEqual(ui.notifications, [{ severity: 'info', message: `${subjectOf(first.row)}: In Progress → Succeeded.`, buttons: [] }]);

    await updateUserSetting('mdeActions.notifyOnStatusChange', false);
    ui.notifications.length = 0;
    second.raw.status = 'Failed';
    await vscode.commands.executeCommand(Commands.refresh);
    const tree = await readTree(session.api);
    const row = tree.flatMap((g) => g.children).find((r) => r.item.id === second.row.item.id);
    assert.equal(row && groupOf(tree, row)?.label, 'Failed', 'the refresh saw the change');
    assert.deepEqual(ui.notifications, []);
  });

  test('a time window without machine actions says so above the empty tree', async () => {
    const actions = session.cloud.defender.actions;
    session.cloud.defender.setActions([]);
    try {
      await vscode.commands.executeCommand(Commands.refresh);
      assert.deepEqual(await readTree(session.api), []);
      const lookbackDays = vscode.workspace.getConfiguration('mdeActions').get<number>('lookbackDays');
      assert.equal(session.api.treeView.message, `${where()} — No machine actions in the last ${lookbackDays} days.`);
    } finally {
      session.cloud.defender.setActions(actions);
      await vscode.commands.executeCommand(Commands.refresh);
    }
    assert.equal(session.api.treeView.message, where(), 'gone once there are actions again');
  });
});
