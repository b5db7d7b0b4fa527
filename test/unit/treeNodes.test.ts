// The tree as data: groups and their order, counts and expansion; rows; contextValues; the error rows; the message.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Commands, ItemContext } from '../../src/constants';
import { DefenderApiError } from '../../src/defender/errors';
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { countCancellable, groupActions } from '../../src/views/grouping';
import { actionTooltip, ActionNode, childNodes, GroupNode, nodeView, rootNodes, TreeNode, viewMessage } from '../../src/views/treeNodes';
import { seedActions } from '../simulators/seedActions';

const NOW = new Date('2026-03-10T12:00:00Z');
const SEED = seedActions(NOW).map((raw) => parseMachineAction(raw));
const context = { now: NOW.getTime(), groupBy: 'status' as const, isCancelling: () => false };

function labels(nodes: TreeNode[]) {
  return nodes.map((n) => nodeView(n, context).label);
}

test('by status: Pending and In Progress first and expanded, each group with its count, unknown statuses last', () => {
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

test('inside a group, newest first', () => {
  const [pending] = rootNodes({ actions: SEED, groupBy: 'status' }) as GroupNode[];
  const times = pending.group.actions.map((a) => Date.parse(a.creationDateTimeUtc ?? ''));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
});

test('by device: grouped by machine, named by the device, including an action whose name is not known yet', () => {
  const machineId = 'ab'.repeat(20);
  const actions = [
    parseMachineAction({ id: 'a1', type: 'Isolate', status: 'Pending', machineId, computerDnsName: null, creationDateTimeUtc: '2026-03-10T11:59:00Z' }),
    parseMachineAction({ id: 'a2', type: 'Unisolate', status: 'Succeeded', machineId, computerDnsName: 'zz-host.contoso.local', creationDateTimeUtc: '2026-03-09T11:00:00Z' }),
    parseMachineAction({ id: 'a3', type: 'Isolate', status: 'Failed', machineId: 'cd'.repeat(20), computerDnsName: 'aa-host.contoso.local' }),
  ];
  const groups = groupActions(actions, 'device');
  assert.deepEqual(groups.map((g) => [g.label, g.actions.map((a) => a.id), g.expanded]), [
    ['aa-host.contoso.local', ['a3'], false],
    ['zz-host.contoso.local', ['a1', 'a2'], true],
  ]);
});

test('one spelling: other spellings from the service give the same groups, one per meaning, with the same labels', () => {
  const variant = seedActions(NOW, { enumSpelling: 'variant', timeFormat: 'zoneless' }).map((raw) => parseMachineAction(raw));
  for (const groupBy of ['status', 'type'] as const) {
    const summary = (actions: MachineAction[]) => groupActions(actions, groupBy).map((g) => [g.label, g.actions.length, g.expanded]);
    assert.deepEqual(summary(variant), summary(SEED), groupBy);
    const labels = groupActions(variant, groupBy).map((g) => g.label);
    assert.equal(new Set(labels).size, labels.length, `no two ${groupBy} groups share a label`);
  }
});

test('by type, and none (one flat list, newest first)', () => {
  const byType = groupActions(SEED, 'type');
  assert.ok(byType.some((g) => g.label === 'Collect File'), 'an unknown type gets its own group');
  assert.deepEqual(byType.map((g) => g.label), [...byType.map((g) => g.label)].sort((a, b) => a.localeCompare(b)));
  const flat = rootNodes({ actions: SEED, groupBy: 'none' });
  assert.equal(flat.length, SEED.length);
  assert.ok(flat.every((n) => n.kind === 'action'));
  assert.match(nodeView(flat[0], { ...context, groupBy: 'none' }).description ?? '', / · Pending$/, 'the status shows when no group names it');
});

test('an action row: label, icon, click opens details, contextValue says whether it is cancellable', () => {
  const pending = SEED.find((a) => a.status === 'Pending' && a.type === 'Isolate' && a.scope === 'Full') as MachineAction;
  const node: ActionNode = { kind: 'action', id: `action:${pending.id}`, action: pending };
  const view = nodeView(node, context);
  assert.equal(view.label, 'Isolate (Full)');
  assert.equal(view.contextValue, ItemContext.cancellableAction);
  assert.deepEqual(view.command, { command: Commands.showDetails, title: 'Show Machine Action Details', arguments: [node] });
  assert.equal(view.tooltip, undefined, 'the tooltip waits for a hover (resolveTreeItem)');
  assert.match(actionTooltip(node, context.now).markdown, /^Device: ws\\-fin\\-0142/m);
  assert.match(view.accessibilityLabel, /^Isolate \(Full\), Pending, ws-fin-0142\.contoso\.local, /);

  const cancelling = nodeView(node, { ...context, isCancelling: (id) => id === pending.id });
  assert.deepEqual([cancelling.icon.id, cancelling.contextValue], ['loading~spin', ItemContext.cancellingAction]);
  assert.match(cancelling.description ?? '', /^Cancelling… · ws-fin-0142 · /);

  for (const status of ['Succeeded', 'Cancelled', 'Failed', 'TimeOut', 'Queued']) {
    const done = SEED.find((a) => a.status === status) as MachineAction;
    assert.equal(nodeView({ kind: 'action', id: 'x', action: done }, context).contextValue, ItemContext.action, status);
  }
});

test('the menus match: cancellable only on Pending and In Progress rows, details on every action row', () => {
  const cancelWhen = new RegExp(`^${ItemContext.cancellableAction.replace('.', '\\.')}$`);
  const detailsWhen = /^machineAction\b/;
  for (const value of [ItemContext.action, ItemContext.cancellableAction, ItemContext.cancellingAction]) {
    assert.ok(detailsWhen.test(value), value);
    assert.equal(cancelWhen.test(value), value === ItemContext.cancellableAction, value);
  }
});

test('a failed load shows the error, Retry and Show Log rows above what was loaded before', () => {
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

test('the badge count is the cancellable actions', () => {
  assert.equal(countCancellable(SEED), SEED.filter((a) => a.status === 'Pending' || a.status === 'InProgress').length);
});

test('the view message appears only when it helps', () => {
  const base = { total: 40, shown: 40, lookbackDays: 7, maxActions: 1000, warnings: [], filterActive: false };
  assert.equal(viewMessage(base), undefined);
  assert.equal(viewMessage({ ...base, shown: 12 }), '12 of 40 machine actions of the last 7 days match the filter.');
  assert.equal(viewMessage({ ...base, total: 1000, shown: 1000 }), 'Showing the newest 1000 machine actions of the last 7 days (setting "Max Actions").');
  assert.match(viewMessage({ ...base, lookbackDays: 1, warnings: ['The list may be incomplete.'] }) ?? '', /^The list may be incomplete\.$/);
});

test('an empty time window says so, with the number of days, and that a filter is on', () => {
  const empty = { total: 0, shown: 0, lookbackDays: 7, maxActions: 1000, warnings: [], filterActive: false };
  assert.equal(viewMessage(empty), 'No machine actions in the last 7 days.');
  assert.equal(viewMessage({ ...empty, lookbackDays: 1 }), 'No machine actions in the last 1 day.');
  assert.equal(viewMessage({ ...empty, filterActive: true }), 'No machine actions in the last 7 days. A filter is on: change or clear it to see more.');
});
