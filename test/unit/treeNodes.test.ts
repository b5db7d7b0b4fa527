// The tree as data: groups and their order, counts and expansion; rows; contextValues; the error rows; the message.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Commands, ItemContext, ItemFlags } from '../../src/constants';
import { DefenderApiError } from '../../src/defender/errors';
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { countCancellable, groupActions, sortNewestFirst } from '../../src/views/grouping';
import {
  actionNode, actionTooltip, ActionNode, childNodes, FLAT_LIST_KEY, GroupNode, GroupPaging, nodeView, PAGE_SIZE, rootNodes, SHOW_MORE_COMMAND, TreeNode, viewMessage,
} from '../../src/views/treeNodes';
import { compactAge, relativeAge, TimeOrder } from '../../src/shared/time';
import { bulkActions, seedActions } from '../simulators/seedActions';
import { machineAction, rawMachineAction } from '../support/machineAction';
import { MergedPages } from '../../src/defender/listPages';

const NOW = new Date('2026-03-10T12:00:00Z');
const SEED = seedActions(NOW).map((raw) => parseMachineAction(raw));
const context = { now: NOW.getTime(), groupBy: 'status' as const, isCancelling: () => false };

function labels(nodes: TreeNode[]) {
  return nodes.map((n) => nodeView(n, context).label);
}

describe('treeNodes', () => {
  it('by status: Pending and In Progress first and expanded, each group with its count, unknown statuses last', () => {
    const roots = rootNodes({ actions: SEED, groupBy: 'status' }) as GroupNode[];
    assert.deepEqual(labels(roots), ['Pending', 'In Progress', 'Succeeded', 'Failed', 'Timed Out', 'Cancelled', 'Queued']);
    const views = roots.map((n) => nodeView(n, context));
    assert.deepEqual(views.map((v) => v.collapsible), ['expanded', 'expanded', 'collapsed', 'collapsed', 'collapsed', 'collapsed', 'collapsed']);
    for (const [i, root] of roots.entries()) {
      const expected = SEED.filter((a) => a.status.toLowerCase() === root.group.actions[0].status.toLowerCase()).length;
      assert.equal(views[i].description, String(expected), views[i].label);
      assert.equal(childNodes(root).length, expected);
    }
    assert.equal(roots.reduce((n, r) => n + r.group.actions.length, 0), SEED.length, 'every action in exactly one group');
    assert.equal(views[6].icon.id, 'circle-outline', 'the unknown status group is neutral');
  });

  it('inside a group, newest first', () => {
    const [pending] = rootNodes({ actions: SEED, groupBy: 'status' }) as GroupNode[];
    const times = pending.group.actions.map((a) => Date.parse(a.creationDateTimeUtc ?? ''));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  it('newest first whatever order the list comes in: as Defender sends it, reversed, shuffled, with a malformed time', () => {
    const sent = bulkActions(600, NOW).map((raw) => parseMachineAction(raw));
    const shuffled = sent.map((a, i) => ({ a, key: (i * 7919) % 600 })).sort((x, y) => x.key - y.key).map((x) => x.a);
    const malformed = parseMachineAction({ ...bulkActions(1, NOW)[0], id: 'bad', status: 'Failed', creationDateTimeUtc: 'XXXX-03-10T11:59:00.0000000Z' });
    const times = (actions: readonly MachineAction[]) => actions.map((a) => Date.parse(a.creationDateTimeUtc ?? '') || -Infinity);
    const newestFirst = (actions: readonly MachineAction[]) => times(actions).every((t, i, all) => i === 0 || all[i - 1] >= t);
    for (const [title, actions] of [['as sent', sent], ['reversed', [...sent].reverse()], ['shuffled', shuffled], ['malformed', [malformed, ...shuffled]]] as const) {
      const groups = rootNodes({ actions, groupBy: 'status' }) as GroupNode[];
      assert.ok(groups.every((g) => newestFirst(g.group.actions)), title);
      assert.equal(groups.reduce((n, g) => n + g.group.actions.length, 0), actions.length, title);
      const flat = [...actions];
      assert.ok(newestFirst(sortNewestFirst(flat)), `${title}, flat`);
    }
    const failed = (rootNodes({ actions: [malformed, ...sent], groupBy: 'status' }) as GroupNode[]).find((g) => g.group.key === 'status:Failed');
    assert.equal(failed?.group.actions.at(-1)?.id, 'bad', 'a time that is not one goes last');
  });

  it('by device: grouped by machine, named by the device, including an action whose name is not known yet', () => {
    const machineId = 'ab'.repeat(20);
    const actions = [
      machineAction({ id: 'a1', type: 'Isolate', status: 'Pending', machineId, computerDnsName: null, creationDateTimeUtc: '2026-03-10T11:59:00Z' }),
      machineAction({ id: 'a2', type: 'Unisolate', status: 'Succeeded', machineId, computerDnsName: 'zz-host.contoso.local', creationDateTimeUtc: '2026-03-09T11:00:00Z' }),
      machineAction({ id: 'a3', type: 'Isolate', status: 'Failed', machineId: 'cd'.repeat(20), computerDnsName: 'aa-host.contoso.local' }),
    ];
    const groups = groupActions(actions, 'device');
    assert.deepEqual(groups.map((g) => g.cancellableCount), [0, 1], 'a group of mixed statuses counts its cancellable ones');
    assert.deepEqual(groups.map((g) => [g.label, g.actions.map((a) => a.id), g.expanded]), [
      ['aa-host.contoso.local', ['a3'], false],
      ['zz-host.contoso.local', ['a1', 'a2'], true],
    ]);
  });

  it('one spelling: other spellings from the service give the same groups, one per meaning, with the same labels', () => {
    const variant = seedActions(NOW, { enumSpelling: 'variant', timeFormat: 'zoneless' }).map((raw) => parseMachineAction(raw));
    for (const groupBy of ['status', 'type'] as const) {
      const summary = (actions: MachineAction[]) => groupActions(actions, groupBy).map((g) => [g.label, g.actions.length, g.expanded]);
      assert.deepEqual(summary(variant), summary(SEED), groupBy);
      const labels = groupActions(variant, groupBy).map((g) => g.label);
      assert.equal(new Set(labels).size, labels.length, `no two ${groupBy} groups share a label`);
    }
  });

  it('by type, and none (one flat list, newest first)', () => {
    const byType = groupActions(SEED, 'type');
    assert.ok(byType.some((g) => g.label === 'Collect File'), 'an unknown type gets its own group');
    assert.deepEqual(byType.map((g) => g.label), [...byType.map((g) => g.label)].sort((a, b) => a.localeCompare(b)));
    const flat = rootNodes({ actions: SEED, groupBy: 'none' });
    assert.equal(flat.length, SEED.length);
    assert.ok(flat.every((n) => n.kind === 'action'));
    assert.match(nodeView(flat[0], { ...context, groupBy: 'none' }).description ?? '', / · Pending$/, 'the status shows when no group names it');
  });

  it('an action row: label, icon, click opens details, contextValue says whether it is cancellable', () => {
    const pending = SEED.find((a) => a.status === 'Pending' && a.type === 'Isolate' && a.scope === 'Full') as MachineAction;
    const node: ActionNode = { kind: 'action', id: `action:${pending.id}`, action: pending };
    const view = nodeView(node, context);
  assert.equal(view.label, 'Isolate');
    assert.equal(view.contextValue, ItemContext.cancellableAction);
    assert.deepEqual(view.command, { command: Commands.showDetails, title: 'Show Machine Action Details', arguments: [node] });
    assert.equal(view.tooltip, undefined, 'the tooltip waits for a hover (resolveTreeItem)');
    assert.match(actionTooltip(node, context.now).markdown, /^Device: ws\\-fin\\-0142/m);
  assert.match(view.accessibilityLabel, /^Isolate, Pending, ws-fin-0142\.contoso\.local, \d+ (min|h|d) ago$/);
    assert.equal(view.accessibilityLabel.split(', ').at(-1), relativeAge(pending.creationDateTimeUtc, context.now), 'the age in words');
    assert.equal(view.description?.split(' · ')[1], compactAge(pending.creationDateTimeUtc, context.now), 'the same age, short');

    const cancelling = nodeView(node, { ...context, isCancelling: (id) => id === pending.id });
    assert.deepEqual([cancelling.icon.id, cancelling.contextValue], ['loading~spin', ItemContext.cancellingAction]);
    assert.match(cancelling.description ?? '', /^Cancelling… · ws-fin-0142 · /);

    for (const status of ['Succeeded', 'Cancelled', 'Failed', 'TimeOut', 'Queued']) {
      const done = SEED.find((a) => a.status === status) as MachineAction;
      assert.equal(nodeView({ kind: 'action', id: 'x', action: done }, context).contextValue, ItemContext.action, status);
    }
  });

  /** The row menus of package.json: command → the `viewItem` clause of each of its `view/item/context` entries. */
  function itemMenus(): Map<string, string[]> {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
      contributes: { menus: Record<string, Array<{ command: string; when: string }>> };
    };
    const menus = new Map<string, string[]>();
    for (const entry of pkg.contributes.menus['view/item/context']) {
      menus.set(entry.command, [...(menus.get(entry.command) ?? []), entry.when.replace(/^view == [\w.]+ && /, '')]);
    }
    return menus;
  }

  /** Whether a `viewItem == x` or `viewItem =~ /re/` clause shows on a row with this contextValue ('' = none). */
  function clauseShows(clause: string, contextValue: string): boolean {
    const equal = /^viewItem == ([\w.]+)$/.exec(clause);
    const match = /^viewItem =~ \/(.+)\/$/.exec(clause);
    assert.ok(equal || match, `a clause this test reads: ${clause}`);
    return equal ? equal[1] === contextValue : new RegExp(match![1]).test(contextValue);
  }

  it('the menus match: cancellable only on Pending and In Progress rows, details on every action row', () => {
    const menus = itemMenus();
    const group = nodeView(rootNodes({ actions: SEED, groupBy: 'status' })[0], context).contextValue ?? '';
    const rows: Array<[string, boolean]> = [
      [ItemContext.action, false], [ItemContext.cancellableAction, true], [ItemContext.cancellingAction, false], [group, false],
    ];
    for (const [contextValue, cancellable] of rows) {
      const actionRow = contextValue !== '';
      assert.deepEqual(menus.get(Commands.cancelAction)?.map((clause) => clauseShows(clause, contextValue)), [cancellable, cancellable], `cancel on "${contextValue}"`);
      for (const command of [Commands.showDetails, Commands.openInPortal, Commands.copyActionId]) {
        assert.deepEqual(menus.get(command)?.map((clause) => clauseShows(clause, contextValue)), [actionRow], `${command} on "${contextValue}"`);
      }
    }
  });

  it('a failed load shows the error, Retry and Show Log rows above what was loaded before', () => {
    const error = new DefenderApiError({ kind: 'http', status: 503, message: 'Defender API answered 503 Service Unavailable' });
    const roots = rootNodes({ actions: SEED.slice(0, 2), groupBy: 'none', error });
    const views = roots.map((n) => nodeView(n, context));
    assert.deepEqual(views.slice(0, 3).map((v) => v.label), ['Could not load machine actions', 'Retry', 'Show Log']);
    assert.equal(views[0].description, 'Defender API answered 503 Service Unavailable');
    assert.equal(views[0].icon.id, 'error');
    assert.equal(views[1].command?.command, Commands.refresh);
    assert.equal(views[2].command?.command, Commands.showLog);
    assert.equal(roots.length, 5);
    assert.deepEqual(rootNodes({ actions: [], groupBy: 'status' }), [], 'empty: the welcome view shows');
  });

  it('the badge count is the cancellable actions', () => {
    assert.equal(countCancellable(SEED), SEED.filter((a) => a.status === 'Pending' || a.status === 'InProgress').length);
  });

  it('the view message appears only when it helps', () => {
    const base = { total: 40, shown: 40, lookbackDays: 7, maxActions: 1000, warnings: [], filterActive: false };
    assert.equal(viewMessage(base), undefined);
    assert.equal(viewMessage({ ...base, shown: 12 }), '12 of 40 machine actions of the last 7 days match the filter.');
    assert.equal(viewMessage({ ...base, total: 1000, shown: 1000 }), 'Showing the newest 1000 machine actions of the last 7 days (setting "Max Actions").');
    assert.match(viewMessage({ ...base, lookbackDays: 1, warnings: ['The list may be incomplete.'] }) ?? '', /^The list may be incomplete\.$/);
  });

  it('an empty time window says so, with the number of days, and that a filter is on', () => {
    const empty = { total: 0, shown: 0, lookbackDays: 7, maxActions: 1000, warnings: [], filterActive: false };
    assert.equal(viewMessage(empty), 'No machine actions in the last 7 days.');
    assert.equal(viewMessage({ ...empty, lookbackDays: 1 }), 'No machine actions in the last 1 day.');
    assert.equal(viewMessage({ ...empty, filterActive: true }), 'No machine actions in the last 7 days. A filter is on: change or clear it to see more.');
    assert.equal(viewMessage({ ...empty, filterActive: true, warnings: ['The list may be incomplete.'] }),
      'No machine actions in the last 7 days. A filter is on: change or clear it to see more. The list may be incomplete.',
      'the hints before the warnings, whose length is the server\'s doing');
  });

  /** `n` actions that all succeeded, in shuffled order: one group of `n` rows by status. */
  function succeededGroup(n: number): MachineAction[] {
    const actions = bulkActions(n, NOW).map((raw) => parseMachineAction({ ...raw, status: 'Succeeded' }));
    return actions.map((_, i) => actions[(i * 7919) % n]);
  }

  const actionIds = (nodes: TreeNode[]) => nodes.filter((n): n is ActionNode => n.kind === 'action').map((n) => n.action.id);
  const pagingRows = (nodes: TreeNode[]) => nodes.filter((n) => n.kind === 'message').map((n) => nodeView(n, context));

  it('a group of 10,000 opens with its newest 200 rows, then "Show 200 more…" and "Show all 10000"', () => {
    const actions = succeededGroup(10_000);
    const newestFirst = [...actions].sort((a, b) => Date.parse(b.creationDateTimeUtc!) - Date.parse(a.creationDateTimeUtc!)).map((a) => a.id);
    const [group] = rootNodes({ actions, groupBy: 'status' });
    const rows = childNodes(group);
    assert.deepEqual(actionIds(rows), newestFirst.slice(0, PAGE_SIZE));
    const [more, all] = pagingRows(rows);
    assert.deepEqual([more.label, more.description, more.command?.command, more.command?.arguments], ['Show 200 more…', '9800 not shown', SHOW_MORE_COMMAND, ['status:Succeeded', 200]]);
    assert.deepEqual([all.label, all.command?.arguments], ['Show all 10000', ['status:Succeeded', 'all']]);
    assert.equal(more.contextValue, undefined, 'no action menu (cancel, copy id) on a paging row');
    assert.equal(rows.length, PAGE_SIZE + 2);
  });

  it('"Show more" adds the next page in order, "Show all" shows every action once, and a refresh keeps the pages', () => {
    const actions = succeededGroup(10_000);
    const paging = new GroupPaging();
    const group = () => rootNodes({ actions, groupBy: 'status' })[0];
    const firstPage = actionIds(childNodes(group(), paging));
    paging.showMore('status:Succeeded', 200);
    const twoPages = actionIds(childNodes(group(), paging));
    assert.equal(twoPages.length, 400);
    assert.deepEqual(twoPages.slice(0, 200), firstPage, 'the next page comes after the first');
    assert.deepEqual(pagingRows(childNodes(group(), paging)).map((v) => v.label), ['Show 200 more…', 'Show all 10000']);
    paging.showMore('status:Succeeded', 'all');
    const everything = childNodes(group(), paging);
    assert.equal(new Set(actionIds(everything)).size, 10_000, 'every action, each once');
    assert.deepEqual(pagingRows(everything), [], 'nothing left to show');
  });

  it('the last page offers only what is left; a small group has no paging rows; the flat list pages too', () => {
    const [group] = rootNodes({ actions: succeededGroup(PAGE_SIZE + 1), groupBy: 'status' });
    assert.deepEqual(pagingRows(childNodes(group)).map((v) => [v.label, v.description]), [['Show 1 more…', '1 not shown']]);
    const [small] = rootNodes({ actions: succeededGroup(PAGE_SIZE), groupBy: 'status' });
    assert.deepEqual(pagingRows(childNodes(small)), []);
    const flat = rootNodes({ actions: succeededGroup(450), groupBy: 'none' });
    assert.equal(actionIds(flat).length, PAGE_SIZE);
    assert.deepEqual(pagingRows(flat).map((v) => [v.label, v.command?.arguments]), [['Show 200 more…', [FLAT_LIST_KEY, 200]], ['Show all 450', [FLAT_LIST_KEY, 'all']]]);
  });

  it('a creation time that cannot exist goes last however the client read the list: in a group and in the flat list', () => {
    const merged = new MergedPages(10);
    merged.add({ nextLink: null, elements: ['2026-02-30T08:00:00Z', '2026-01-10T08:00:00Z', '2026-11-31T00:00:00Z', '2026-01-09T08:00:00Z']
      .map((creationDateTimeUtc, i) => rawMachineAction({ id: `a${i}`, status: 'Failed', creationDateTimeUtc })) });
    const content = { actions: merged.actions, creationOrder: merged.creationOrder };
    assert.deepEqual(actionIds(childNodes(rootNodes({ ...content, groupBy: 'status' })[0])), ['a1', 'a3', 'a0', 'a2']);
    assert.deepEqual(actionIds(rootNodes({ ...content, groupBy: 'none' })), ['a1', 'a3', 'a0', 'a2']);
  });

  it('takes the creation order the store knows as it is, and reads it when not known', () => {
    const at = (id: string, creationDateTimeUtc: string) => machineAction({ id, status: 'Failed', creationDateTimeUtc });
    const actions = [at('older', '2026-03-10T10:00:00Z'), at('newer', '2026-03-10T11:00:00Z')];
    const rows = (creationOrder?: TimeOrder) => actionIds(childNodes(rootNodes({ actions, creationOrder, groupBy: 'status' })[0]));
    assert.deepEqual(rows(), ['newer', 'older'], 'read: not newest first, so sorted');
    assert.deepEqual(rows('text'), ['newer', 'older']);
    assert.deepEqual(rows('newestFirst'), ['older', 'newer'], 'a list the client read as newest first is not read again');
  });

  it('newest first also when the times come in mixed forms (fractions, offsets, missing)', () => {
    const at = (id: string, creationDateTimeUtc: string | null) => machineAction({ id, type: 'Isolate', status: 'Failed', creationDateTimeUtc });
    const actions = [
      at('none', null), at('ten', '2026-03-10T10:00:00Z'), at('nine-utc', '2026-03-10T11:00:00+02:00'),
      at('ten-half', '2026-03-10T10:00:00.5Z'), at('eleven', '2026-03-10T11:00:00.0000000Z'),
    ];
    const ids = (groupBy: 'status' | 'none') => actionIds(groupBy === 'none' ? rootNodes({ actions, groupBy }) : childNodes(rootNodes({ actions, groupBy })[0]));
    assert.deepEqual(ids('status'), ['eleven', 'ten-half', 'ten', 'nine-utc', 'none']);
    assert.deepEqual(ids('none'), ['eleven', 'ten-half', 'ten', 'nine-utc', 'none']);
  });

  it('contextValue flags what a row has ready to fetch: a completed command\'s output, a succeeded collection\'s package', () => {
    const row = (find: (a: MachineAction) => boolean) => nodeView(actionNode(SEED.find(find) as MachineAction), context).contextValue;
    const completedOutput = (a: MachineAction) => a.type === 'LiveResponse' && a.commands.some((c) => c.commandStatus === 'Completed');
    assert.equal(row((a) => completedOutput(a) && a.status === 'Succeeded'), `${ItemContext.action} ${ItemFlags.commandOutput}`);
    assert.equal(row((a) => completedOutput(a) && a.status === 'InProgress'), `${ItemContext.cancellableAction} ${ItemFlags.commandOutput}`, 'a running session whose first command completed');
    assert.equal(row((a) => a.type === 'LiveResponse' && a.status === 'Failed'), ItemContext.action, 'no completed command: no flag');
    assert.equal(row((a) => a.type === 'CollectInvestigationPackage' && a.status === 'Succeeded'), `${ItemContext.action} ${ItemFlags.investigationPackage}`);
    assert.equal(row((a) => a.type === 'CollectInvestigationPackage' && a.status === 'TimeOut'), ItemContext.action, 'a timed-out collection has no package');
  });
});
