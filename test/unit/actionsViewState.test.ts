// What the Machine Actions view draws besides the rows (badge, description, message, context keys, status bar), from
// the controller's state: the seed list of the simulator, parsed as the client parses it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../src/config';
import { isCancellable, type MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { type ActionFilter, applyFilter, normalizeFilter } from '../../src/model/actionFilter';
import { actionsViewState, type ActionsViewSource } from '../../src/views/actionsViewState';
import { ANALYST_UPN, seedActions } from '../simulators/seedActions';

const SEED = seedActions(new Date('2026-03-10T12:00:00Z')).map((raw) => parseMachineAction(raw));
const ACCOUNT = { username: ANALYST_UPN, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };
const WHERE = `${ANALYST_UPN} · tenant 72f988bf…`;

interface Options {
  actions?: MachineAction[];
  loaded?: boolean;
  signedIn?: boolean;
  /** An account, but no client (no API base for it). */
  noClient?: boolean;
  problem?: string;
  filter?: ActionFilter;
  onlyMineSetting?: boolean;
  waitLine?: string;
  warnings?: string[];
  account?: typeof ACCOUNT;
}

/** The state of a controller: signed in with the seed loaded unless told otherwise. */
function source(options: Options = {}): ActionsViewSource {
  const actions = options.actions ?? SEED;
  const signedIn = options.signedIn ?? true;
  const filter = options.filter ?? normalizeFilter({});
  return {
    store: { actions, loaded: options.loaded ?? true, loading: false, warnings: options.warnings ?? [] },
    session: {
      account: signedIn ? options.account ?? ACCOUNT : undefined, configured: true, restoring: false,
      configurationProblem: options.problem ? { message: options.problem } : undefined,
      client: () => (signedIn && !options.noClient ? ({} as ReturnType<ActionsViewSource['session']['client']>) : undefined),
    },
    settings: { ...DEFAULT_SETTINGS, onlyMine: options.onlyMineSetting ?? false },
    filter,
    waitLine: options.waitLine,
    visibleActions: () => applyFilter(actions, filter, signedIn ? ANALYST_UPN : undefined),
  };
}

describe('actionsViewState', () => {
  it('signed in with a list: the badge counts the cancellable actions, the description and message say where', () => {
    const state = actionsViewState(source());
    const cancellable = SEED.filter((a) => isCancellable(a.status)).length;
    assert.ok(cancellable > 1);
    assert.deepEqual(state.badge, { value: cancellable, tooltip: `${cancellable} cancellable machine actions` });
    assert.equal(state.description, ANALYST_UPN);
    assert.equal(state.message, WHERE);
    assert.deepEqual(state.statusBar, { configured: true, account: ACCOUNT, cancellable });
    assert.equal(state.filtered, false);
  });

  it('a filter shows in the description and the message; the onlyMine setting counts, but only the own filter sets "filtered"', () => {
    const filtered = actionsViewState(source({ filter: normalizeFilter({ statuses: ['Failed'] }) }));
    assert.equal(filtered.description, `${ANALYST_UPN} · Filter: Failed`);
    assert.match(filtered.message ?? '', new RegExp(`^${WHERE} · filter: Failed — \\d+ of ${SEED.length} machine actions`));
    assert.equal(filtered.filtered, true);
    const setting = actionsViewState(source({ onlyMineSetting: true }));
    assert.equal(setting.description, `${ANALYST_UPN} · Filter: only mine`);
    assert.equal(setting.filtered, false, 'Clear Filter cannot clear a setting');
  });

  it('a wrong setting is the whole message, and the welcome view is not covered before a list loads', () => {
    assert.equal(actionsViewState(source({ problem: 'mdeActions.custom.apiBaseUrl must use https://.' })).message,
      'mdeActions.custom.apiBaseUrl must use https://.');
    const loading = actionsViewState(source({ actions: [], loaded: false }));
    assert.equal(loading.message, undefined);
    assert.equal(loading.badge, undefined);
    assert.equal(loading.statusBar.cancellable, undefined, 'no count before a list loaded');
  });

  it('while the list waits for the rate limit, the message says so even before it loaded', () => {
    const wait = 'Waiting 2 s for the Defender API rate limit — retrying at 10:42:10.';
    assert.equal(actionsViewState(source({ actions: [], loaded: false, waitLine: wait })).message, `${WHERE} — ${wait}`);
  });

  it('signed out, or without a client: no account in the status bar, no message', () => {
    const state = actionsViewState(source({ signedIn: false, actions: [], loaded: false }));
    assert.equal(state.description, undefined);
    assert.equal(state.message, undefined);
    assert.equal(state.statusBar.account, undefined);
    const noClient = actionsViewState(source({ noClient: true, actions: [], loaded: false }));
    assert.equal(noClient.statusBar.account, undefined, 'an account without a client is not signed in to the API');
    assert.equal(noClient.message, undefined);
  });

  it('the description passes the text gate and stays a row long, whatever the UPN and the filter hold', () => {
    const state = actionsViewState(source({
      account: { ...ACCOUNT, username: 'analyst@\u202emoc.osotnoc' },
      filter: normalizeFilter({ deviceText: 'x\u202eevil\n\nline2 [x](command:foo)', types: ['T'.repeat(3000)] }),
    }));
    const description = state.description ?? '';
    assert.ok(description.startsWith('analyst@moc.osotnoc · Filter: '), JSON.stringify(description));
    assert.ok(!/[\u202e\n]|\]\(/.test(description), JSON.stringify(description));
    assert.ok(description.length <= 80 && description.endsWith('…'), `${description.length}: ${description}`);
  });

  it('however long the account, the filter and the warnings, the message keeps the wait line and the filter hint', () => {
    const wait = 'Waiting 30 s for the Defender API rate limit — retrying at 10:42:10.';
    const message = actionsViewState(source({
      actions: [], waitLine: wait, warnings: Array(5).fill(`The server pointed to more results at another address (https://${'x'.repeat(200)}.example).`),
      account: { ...ACCOUNT, username: `analyst@${'sub.'.repeat(100)}contoso.com` },
      filter: normalizeFilter({
        statuses: ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'],
        types: ['RunAntiVirusScan', 'Offboard', 'LiveResponse', 'CollectInvestigationPackage', 'Isolate', 'T'.repeat(3000)],
        deviceText: 'd'.repeat(256), onlyMine: true,
      }),
    })).message ?? '';
    assert.ok(message.includes(` — ${wait} No machine actions in the last 7 days. A filter is on: change or clear it to see more.`), message);
    assert.match(message, / · only mine — /, 'every part of the filter named');
  });

  it('server warnings in the message pass the text gate: no bidi or control characters', () => {
    const message = actionsViewState(source({ warnings: ['Page 3 was \u202ecut\u0007 short.'] })).message ?? '';
    assert.ok(message.startsWith(`${WHERE} — Page 3 was`), message);
    assert.ok(!message.includes('\u202e') && !message.includes('\u0007'), JSON.stringify(message));
  });
});
