// What an action row shows — label, description, icon, contextValue, accessible name, click, hover tooltip — for a
// varied list, compared with a recorded copy (rowViews.snapshot.json), so that a change made for speed cannot change
// a row. After a change to what rows show that is meant, write the copy anew with `MDE_WRITE_ROW_SNAPSHOT=1` and
// read its diff.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KNOWN_ACTION_TYPES, KNOWN_STATUSES, MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { actionNode, actionTooltip, nodeView, rootNodes, ViewContext } from '../../src/views/treeNodes';
import { INJECTION_COMMENT, seedActions } from '../simulators/seedActions';
import { machineAction, unparsedAction } from '../support/machineAction';
import { SHOWN_LENGTH } from '../../src/shared/userText';

const NOW = new Date('2026-03-10T12:00:00Z');
const SNAPSHOT = path.resolve(__dirname, '../../../test/unit/rowViews.snapshot.json');

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmFseXN0In0.c2lnbmF0dXJlLWJ5dGVz';
/** Server text that must not reach a row as sent: line breaks, bidi and zero-width characters, links, secrets, length. */
const HOSTILE = [
  'evil\u202egnp.exe', 'two\nlines\r\nhere', 'zero\u200bwidth\u2060joined', '[click](command:workbench.action.quit)',
  `Bearer ${JWT}`, `https://x.blob.core.windows.net/f?sv=1&sig=${'A'.repeat(40)}`, 'x'.repeat(1200), '\u3164', '  ',
  'constructor', '__proto__', 'mac-design-04 sig: 0123456789abcdef0123456789abcdef',
];

/** Times in every form a row may meet, and ages from seconds to months, against NOW. */
const TIMES: ReadonlyArray<string | null> = [
  null, '', 'not a time', 'Nov 29', '2026-02-30T10:00:00Z', '2025-02-29T10:00:00Z', '2024-02-29T10:00:00Z',
  '2026-03-10T24:00:00Z', '2026-03-10T11:60:00Z', '2026-03-10T11:59:60Z', '2026-13-01T00:00:00Z',
  '2026-03-10T12:00:00Z', '2026-03-10T12:00:30Z', '2026-03-10T11:59:00.0000001Z', '2026-03-10T11:59:00.001Z',
  '2026-03-10T11:58:59.9999999Z', '2026-03-10T11:59:00Z', '2026-03-10T11:00:00.1234567Z', '2026-03-10T11:00:00.000000000Z',
  '2026-03-10T10:59:59.999Z', '2026-03-09T12:00:00.5Z', '2026-03-09T12:00:00.12Z', '2026-03-09T12:00:00Z',
  '2026-03-09T12:00:01Z', '2026-01-01T00:00:00Z', '2025-12-31T23:59:59.9999999Z', '2026-03-10T11:00:00', '2026-03-10 11:00:00.123',
  '2026-03-10t11:00', '2026-03-10T11:00:00z', '2026-03-10T13:00:00+02:00', '2026-03-10T07:30:00-0430', ' 2026-03-10T11:00:00Z ',
  '2026-03-10T11:00:00+24:00', '0099-03-10T11:00:00Z', '1969-12-31T23:59:59.999Z', '9999-12-31T23:59:59.9999999Z',
  '2026-03-11T12:00:00Z', '2026-3-10T11:00:00Z', '2026-03-10T1:00:00Z', '2026-03-10T11:00:00.Z', '２０２６-03-10T11:00:00Z',
];

const NAMES: ReadonlyArray<string | null> = [
  null, 'ws-fin-0142.contoso.local', 'SRV-SQL-02', '10.0.0.5', 'fe80::1', '1host.contoso.local', '\u200b.contoso.local',
  '.hidden.contoso.local', 'ws-0042.', 'höst-ünïcode.contoso.local', 'ws-fin-0142.contoso.local ', ...HOSTILE,
];

const REQUESTORS: ReadonlyArray<string | null> = [
  null, '', 'analyst@contoso.com', '@contoso.com', 'Automated investigation', 'A very long display name of an automation',
  '7C9F3E21-5B4A-4D8E-9F10-2A6B8C3D4E5F', ' 7c9f3e21-5b4a-4d8e-9f10-2a6b8c3d4e5f ', ...HOSTILE,
];

const SCOPES: ReadonlyArray<string | null> = [null, 'Quick', 'Full', 'Selective', 'full', 'Partial', 'A scope added later', ...HOSTILE.slice(0, 4)];

/** An action with the fields given, each index picking from the lists above in turn (prime strides mix them). */
function variedAction(i: number): MachineAction {
  const types = [...KNOWN_ACTION_TYPES, 'CollectFile', 'live_response', 'Some New Action Type', 'toString', ...HOSTILE.slice(0, 3)];
  const statuses = [...KNOWN_STATUSES, 'Canceled', 'In Progress', 'QUEUED', 'Unknown', 'hasOwnProperty', '', ...HOSTILE.slice(0, 3)];
  return machineAction({
    id: `row-${i}-${i % 3 === 0 ? 'UPPER' : 'lower'}`,
    type: types[i % types.length],
    scope: SCOPES[(i * 7) % SCOPES.length],
    status: statuses[(i * 5) % statuses.length],
    computerDnsName: NAMES[(i * 3) % NAMES.length],
    machineId: i % 4 === 0 ? null : i % 4 === 1 ? 'ab'.repeat(20) : 'short-id',
    requestor: REQUESTORS[(i * 11) % REQUESTORS.length],
    requestorComment: HOSTILE[i % HOSTILE.length],
    creationDateTimeUtc: TIMES[i % TIMES.length],
    commands: i % 6 === 0 ? [{ index: 0, commandStatus: 'Completed', errors: [], command: { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\x.log' }] } }] : [],
  });
}

/**
 * The list: the simulator's seed in both field shapes, 160 varied actions, and actions whose type, status and scope
 * never went through the parser (values no parser makes, as a later code path might hand over).
 */
function rowList(): MachineAction[] {
  const seed = [...seedActions(NOW), ...seedActions(NOW, { enumSpelling: 'variant', timeFormat: 'zoneless' })].map((raw) => parseMachineAction(raw));
  const varied = Array.from({ length: 160 }, (_, i) => variedAction(i));
  const unparsed = ['constructor', '__proto__', 'Pending\u200b', 'evil\u202etxt', 'Isolate Full', ''].map((value, i) => unparsedAction(
    { type: value, status: value, scope: i % 2 ? value : 'Full' }, { id: `unparsed-${i}`, requestorComment: INJECTION_COMMENT },
  ));
  return [...seed, ...varied, ...unparsed];
}

const CONTEXTS: ReadonlyArray<[string, ViewContext]> = [
  ['by status', { now: NOW.getTime(), groupBy: 'status', isCancelling: () => false }],
  ['flat', { now: NOW.getTime(), groupBy: 'none', isCancelling: () => false }],
  ['cancelling', { now: NOW.getTime(), groupBy: 'device', isCancelling: () => true }],
];

type RowRecord = Record<string, unknown>;

/** What each row of `actions` shows in each context, and its tooltip, as plain data. */
function rowRecords(actions: readonly MachineAction[]): RowRecord[] {
  return actions.map((action) => {
    const node = actionNode(action);
    const [first, ...others] = CONTEXTS.map(([name, context]): [string, RowRecord] => {
      const { command, ...view } = nodeView(node, context);
      assert.deepEqual(command?.arguments, [node], 'a click opens the details of this row');
      return [name, { ...view, command: { command: command?.command, title: command?.title } }];
    });
    // The other contexts by what differs from the first: the copy stays small enough to read.
    const differences = others.map(([name, view]) => [name, Object.fromEntries(Object.entries(view).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(first[1][key])))]);
    return { ...Object.fromEntries([first, ...differences]), tooltip: actionTooltip(node, NOW.getTime()).markdown };
  });
}

describe('rowViews', () => {
  it('every row of a varied list shows exactly what it showed when the copy was recorded', () => {
    const rows = rowRecords(rowList());
    if (process.env.MDE_WRITE_ROW_SNAPSHOT) {
      fs.writeFileSync(SNAPSHOT, `${JSON.stringify(rows, null, 1)}\n`);
    }
    const recorded = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as RowRecord[];
    assert.equal(rows.length, recorded.length, 'as many rows as recorded');
    rows.forEach((row, i) => assert.deepEqual(row, recorded[i], `row ${i}`));
  });

  it('what a screen reader says of a row goes through the text gate: no line break, reordering or invisible character, secret or run-on text', () => {
    for (const hostile of HOSTILE) {
      for (const [field, value] of [['computerDnsName', hostile], ['status', hostile]]) {
        const label = nodeView(actionNode(machineAction({ [field]: value })), CONTEXTS[0][1]).accessibilityLabel;
        assert.doesNotMatch(label, /[\n\r\u200b\u2060\u202e]|eyJ|A{40}/, `${field} ${JSON.stringify(value)}: ${JSON.stringify(label)}`);
        assert.ok(label.length <= SHOWN_LENGTH.accessibilityLabel, `${field} ${JSON.stringify(value).slice(0, 20)}: ${label.length} characters`);
      }
    }
  });

  it('a token sent as a type or status is shown redacted wherever the row, its group or a screen reader shows it', () => {
    for (const field of ['status', 'type'] as const) {
      const action = machineAction({ [field]: JWT });
      const node = actionNode(action);
      const shown = [
        action[field], ...CONTEXTS.flatMap(([, context]) => { const view = nodeView(node, context); return [view.label, view.description, view.accessibilityLabel]; }),
        ...(['status', 'type', 'none'] as const).flatMap((groupBy) => rootNodes({ actions: [action], groupBy }).map((root) => nodeView(root, CONTEXTS[0][1]).label)),
      ].join('\n');
      assert.doesNotMatch(shown, /eyJ|Ey ?Jhb|c2lnbmF0/i, field);
      assert.match(shown, /<redacted-jwt>/, field);
    }
  });

  it('a list with a new type, status and requestor on every row still names each row by its own', () => {
    const actions = Array.from({ length: 1500 }, (_, i) => machineAction({
      type: `NewType${i}`, scope: null, status: `Queued${i}`, requestor: `user${i}@contoso.com`, computerDnsName: 'ws-0042.contoso.local',
    }));
    for (const pass of ['first', 'again']) {
      actions.forEach((action, i) => {
        const view = nodeView(actionNode(action), CONTEXTS[1][1]);
        assert.equal(view.label, `New Type${i}`, `${pass}: row ${i}`);
        assert.match(view.description ?? '', new RegExp(`^ws-0042 · .+ · user${i} · Queued${i}$`), `${pass}: row ${i}`);
      });
    }
  });

  it('a row shows the same whether it is the first of its kind or the thousandth, in any order', () => {
    const list = rowList();
    const once = rowRecords(list);
    const reversed = rowRecords([...list].reverse()).reverse();
    assert.deepEqual(reversed, once);
    assert.deepEqual(rowRecords(list), once, 'built again');
  });
});
