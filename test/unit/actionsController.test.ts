// ActionsController in plain Node over a real DefenderClient on the HTTPS Defender simulator: what the engineer sees
// change when settings, the filter, the session and the list change — requests sent, notices shown, state kept.
import assert from 'node:assert/strict';
import * as https from 'node:https';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { DEFAULT_SETTINGS, type ExtensionSettings, type SettingKey } from '../../src/config';
import { DefenderClient } from '../../src/defender/client';
import { MachineAction, parseMachineAction } from '../../src/defender/machineAction';
import { normalizeFilter } from '../../src/model/actionFilter';
import type { RateBudget } from '../../src/model/autoRefresh';
import type { Session, SessionAccount } from '../../src/model/session';
import type { SettingsChange, SettingsSource } from '../../src/settings';
import { isSignInRequired } from '../../src/shared/errors';
import type { Clock } from '../../src/shared/logger';
import { ActionsController, type FilterState } from '../../src/views/actionsController';
import { DefenderSimulator, startDefenderSimulator } from '../simulators/defenderSimulator';
import { ANALYST_UPN } from '../simulators/seedActions';
import { ManualClock } from '../support/manualClock';
import { RecordingLogger } from '../support/recordingLogger';
import { silentLogger } from '../support/silentLogger';
import { waitFor } from '../support/waitFor';

const ACCOUNT: SessionAccount = { username: ANALYST_UPN, tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' };

let sim: DefenderSimulator;
/** The controllers of the running test and the connections of their sessions, closed after it. */
const open: Array<{ dispose(): void }> = [];

/** Settings that the test changes as the Settings editor would: `current` first, then the event. */
class TestSettings implements SettingsSource {
  current: ExtensionSettings = { ...DEFAULT_SETTINGS, autoRefreshSeconds: 0 };
  private readonly listeners = new Set<(change: SettingsChange) => void>();

  onDidChange(listener: (change: SettingsChange) => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  change(values: Partial<ExtensionSettings>): void {
    this.current = { ...this.current, ...values };
    const keys = Object.keys(values);
    for (const listener of this.listeners) {
      listener({ affects: (key: SettingKey) => keys.includes(key) });
    }
  }
}

/** A signed-in (or, with `signedIn` false, signed-out) session whose client talks to the simulator. */
class TestSession implements Session {
  readonly configured = true;
  readonly configurationProblem = undefined;
  readonly restoring = false;
  readonly cloud = 'Custom' as const;
  private readonly listeners = new Set<() => void>();
  private readonly defender: DefenderClient;

  /** `clock` times the client's waits (the rate limiter's among them); the real one by default. */
  constructor(public signedIn = true, clock?: Clock) {
    // The simulator's own CA, trusted for this client only.
    const agent = new https.Agent({ ca: sim.caPem });
    open.push({ dispose: () => agent.destroy() });
    this.defender = new DefenderClient({ apiBaseUrl: sim.url, agent, logger: silentLogger, clock, getAccessToken: async () => sim.createToken() });
  }

  get account(): SessionAccount | undefined {
    return this.signedIn ? ACCOUNT : undefined;
  }

  client(): DefenderClient | undefined {
    return this.signedIn ? this.defender : undefined;
  }

  /** Room for any request: the limiter's own pacing is tested with the client. */
  rateBudget(): RateBudget | undefined {
    return this.signedIn ? { hasBudgetFor: () => true, remaining: () => ({ minute: 100, hour: 1500 }) } : undefined;
  }

  onDidChange(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  signOut(): void {
    this.signedIn = false;
    this.listeners.forEach((listener) => listener());
  }
}

class MemoryState implements FilterState {
  readonly values = new Map<string, unknown>();

  get(key: string): unknown {
    return this.values.get(key);
  }

  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

interface Harness {
  controller: ActionsController;
  settings: TestSettings;
  session: TestSession;
  state: MemoryState;
  notices: string[];
}

/** A controller as extension.ts builds it, with its first list loaded when signed in. */
interface HarnessOptions {
  session?: TestSession;
  state?: MemoryState;
  settings?: Partial<ExtensionSettings>;
  /** The controller's clock (epoch ms); the real one by default. */
  now?: () => number;
  /** The controller's log; a silent one by default. */
  log?: RecordingLogger;
}

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const settings = new TestSettings();
  settings.current = { ...settings.current, ...options.settings };
  const session = options.session ?? new TestSession();
  const state = options.state ?? new MemoryState();
  const notices: string[] = [];
  const controller = new ActionsController({
    session, settings, state, log: options.log ?? silentLogger, notice: (message) => notices.push(message), now: options.now,
  });
  open.push(controller);
  if (session.signedIn) {
    await waitFor(() => controller.store.loaded, 'the first list');
  }
  return { controller, settings, session, state, notices };
}

/** The decoded query of every list request the simulator received since the last clearRequests(). */
function listQueries(): Array<Record<string, string>> {
  return sim.requests
    .filter((r) => r.method === 'GET' && new URL(r.path, sim.url).pathname === '/api/machineactions')
    .map((r) => Object.fromEntries(new URL(r.path, sim.url).searchParams));
}

before(async () => {
  sim = await startDefenderSimulator();
});

after(() => sim.close());

beforeEach(() => sim.reset());

afterEach(() => {
  open.splice(0).forEach((resource) => resource.dispose());
});

describe('ActionsController', () => {
  it('loads the list once signed in, and a change of Max Actions or Lookback Days loads it again with the new value', async () => {
    const { controller, settings } = await harness();
    assert.equal(listQueries().length, 1);
    assert.ok(controller.store.actions.length > 0);
    assert.equal(controller.store.creationOrder, 'newestFirst', 'the client read how the creation times stand, for grouping');
    sim.clearRequests();
    settings.change({ maxActions: 7 });
    await waitFor(() => listQueries().length > 0 && !controller.store.loading, 'a new list');
    assert.deepEqual(listQueries().map((q) => q.$top), ['7']);
    assert.equal(controller.store.actions.length, 7);
    sim.clearRequests();
    settings.change({ lookbackDays: 3 });
    await waitFor(() => listQueries().length > 0 && !controller.store.loading, 'a new list');
    const since = Date.parse(/ge (\S+Z)/.exec(listQueries()[0].$filter)?.[1] ?? '');
    assert.ok(Math.abs(Date.now() - 3 * 86_400_000 - since) < 60_000, listQueries()[0].$filter);
  });

  it('a change of the grouping redraws without a request', async () => {
    const { controller, settings } = await harness();
    sim.clearRequests();
    let changes = 0;
    controller.onDidChange(() => changes++);
    settings.change({ groupBy: 'device' });
    assert.equal(changes, 1, 'one change event for the view');
    assert.equal(controller.store.loading, false);
    assert.deepEqual(listQueries(), []);
  });

  it('keeps the filter in the workspace state, where the next window finds it', async () => {
    const state = new MemoryState();
    const first = await harness({ state });
    const filter = normalizeFilter({ statuses: ['Pending'], deviceText: 'fin' });
    await first.controller.setFilter(filter);
    const shown = first.controller.visibleActions();
    assert.ok(shown.length > 0 && shown.length < first.controller.store.actions.length, `${shown.length} shown`);
    assert.ok(shown.every((a) => a.status === 'Pending' && a.computerDnsName?.toLowerCase().includes('fin')));
    const second = await harness({ state });
    assert.deepEqual(second.controller.filter, filter);
    await second.controller.clearFilter();
    assert.deepEqual((await harness({ state })).controller.filter, normalizeFilter({}));
  });

  it('filters the rows once per change: a render\'s readers share them; a change of the store, the filter or the session filters anew', async () => {
    const { controller, session } = await harness();
    await controller.setFilter(normalizeFilter({ statuses: ['Pending'] }));
    let renders = 0;
    controller.onDidChange(() => {
      renders++;
      // As the view draws: the header counts the rows, then the tree lists them.
      const counted = controller.visibleActions();
      assert.equal(controller.visibleActions(), counted, 'the tree reads the rows the header counted, not a second filtering');
    });
    const shown = controller.visibleActions();
    assert.equal(controller.visibleActions(), shown, 'nothing changed: the same rows');
    const [first] = shown;
    controller.store.upsert(parseMachineAction({ ...first.raw, status: 'Cancelled', lastUpdateDateTimeUtc: new Date().toISOString() }));
    assert.equal(controller.visibleActions().some((a) => a.id === first.id), false, 'the store changed: filtered anew');
    await controller.setFilter(normalizeFilter({ statuses: ['Cancelled'] }));
    assert.ok(controller.visibleActions().some((a) => a.id === first.id), 'the filter changed: filtered anew');
    session.signOut();
    assert.deepEqual(controller.visibleActions(), [], 'signed out: no rows');
    assert.ok(renders >= 3, `${renders} renders`);
  });

  it('"only mine" asks the API for the account\'s actions only, and turning it off asks for everyone\'s again', async () => {
    const { controller } = await harness();
    sim.clearRequests();
    await controller.setFilter(normalizeFilter({ onlyMine: true }));
    assert.match(listQueries()[0].$filter, new RegExp(`requestor eq '${ANALYST_UPN}'`));
    assert.ok(controller.store.actions.every((a) => a.requestor === ANALYST_UPN));
    sim.clearRequests();
    await controller.clearFilter();
    assert.doesNotMatch(listQueries()[0].$filter, /requestor/);
  });

  it('turning the onlyMine setting on or off while the filter\'s "only mine" is on asks for nothing: the query is the same', async () => {
    const { controller, settings } = await harness();
    await controller.setFilter(normalizeFilter({ onlyMine: true }));
    sim.clearRequests();
    settings.change({ onlyMine: true });
    assert.equal(controller.store.loading, false, 'no load started');
    settings.change({ onlyMine: false });
    assert.equal(controller.store.loading, false, 'no load started');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(listQueries(), []);
  });

  it('a filter the workspace state refuses still applies and shows, then the failed save is reported', async () => {
    class RefusingState extends MemoryState {
      override async update(): Promise<void> {
        throw new Error('The workspace storage is full.');
      }
    }
    const { controller } = await harness({ state: new RefusingState() });
    let changes = 0;
    controller.onDidChange(() => changes++);
    await assert.rejects(controller.setFilter(normalizeFilter({ statuses: ['Pending'] })),
      /^Error: The filter applies in this window, but could not be kept for the next one: The workspace storage is full\.$/);
    assert.deepEqual(controller.filter.statuses, ['Pending']);
    assert.ok(changes > 0, 'the view redrew');
    assert.ok(controller.visibleActions().every((a) => a.status === 'Pending'));
  });

  it('a settings change during a Retry-After wait keeps the retry time shown; the new list comes after the wait', async () => {
    // Half a second past a whole one, so that a wait rounded up again would end in the next second.
    const clock = new ManualClock({ start: Date.parse('2026-11-29T10:00:00.500Z') });
    const { controller, settings } = await harness({ session: new TestSession(true, clock), now: () => clock.now() });
    sim.clearRequests();
    sim.failNext({ kind: 'status', status: 429, code: 'TooManyRequests', message: 'Rate limit is exceeded.', retryAfterSeconds: 4 });
    const refreshing = controller.refresh({ manual: false });
    await waitFor(() => controller.waitLine !== undefined, 'the wait line');
    const shown = controller.waitLine;
    await clock.advance(1800);
    settings.change({ maxActions: 7 });
    await waitFor(() => clock.sleeps.length === 2, 'the new load waiting for the same pause');
    assert.equal(controller.waitLine, shown);
    await clock.advance(2200);
    await refreshing;
    await waitFor(() => !controller.store.loading, 'the new list');
    assert.deepEqual(listQueries().map((q) => q.$top), ['1000', '7']);
    assert.equal(controller.waitLine, undefined);
  });

  it('a status that changed between two loads is one notice; none with "Notify On Status Change" off', async () => {
    const { controller, settings, notices } = await harness();
    const pending = sim.actions.filter((a) => a.status === 'Pending');
    const setStatus = (index: number, status: string) => Object.assign(pending[index], { status, lastUpdateDateTimeUtc: new Date().toISOString() });
    setStatus(0, 'Succeeded');
    await controller.refresh({ manual: true });
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.match(notices[0], /Pending → Succeeded\.$/);
    settings.change({ notifyOnStatusChange: false });
    setStatus(1, 'Failed');
    await controller.refresh({ manual: true });
    assert.equal(notices.length, 1, 'no second notice');
  });

  it('two refreshes that share one load report it once: one notice, one "Loaded" line, one "Could not load" line', async () => {
    const log = new RecordingLogger();
    const { controller, notices } = await harness({ log });
    const lines = (start: string) => log.messages().filter((m) => m.startsWith(start));
    Object.assign(sim.actions.find((a) => a.status === 'Pending')!, { status: 'Succeeded', lastUpdateDateTimeUtc: new Date().toISOString() });
    log.clear();
    sim.switches.delayMs = 200;
    await Promise.all([controller.refresh({ manual: true }), controller.refresh({ manual: true })]);
    assert.equal(notices.length, 1, JSON.stringify(notices));
    assert.deepEqual([lines('Loaded').length, lines('Status change').length], [1, 1], JSON.stringify(log.messages()));
    sim.failNext({ kind: 'status', status: 403, code: 'Forbidden', message: 'Missing application roles.' });
    const outcomes = await Promise.allSettled([controller.refresh({ manual: true }), controller.refresh({ manual: true }), controller.refresh({ manual: false })]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'fulfilled'], 'each manual caller sees the failure');
    assert.equal(lines('Could not load').length, 1, JSON.stringify(log.messages()));
  });

  it('a manual refresh while showing the view starts an auto refresh gives one notice for the load they share', async () => {
    let now = Date.now();
    const { controller, notices } = await harness({ settings: { autoRefreshSeconds: 60 }, now: () => now });
    Object.assign(sim.actions.find((a) => a.status === 'Pending')!, { status: 'Failed', lastUpdateDateTimeUtc: new Date().toISOString() });
    sim.switches.delayMs = 200;
    sim.clearRequests();
    now += 31_000;
    controller.setVisible(true);
    await controller.refresh({ manual: true });
    assert.equal(listQueries().length, 1, 'one load');
    assert.equal(notices.length, 1, JSON.stringify(notices));
  });

  it('disposed while a list is on the wire: the list is dropped unlogged and unshown, and later calls send nothing', async () => {
    const log = new RecordingLogger();
    const { controller, notices } = await harness({ log });
    Object.assign(sim.actions.find((a) => a.status === 'Pending')!, { status: 'Succeeded', lastUpdateDateTimeUtc: new Date().toISOString() });
    sim.switches.delayMs = 300;
    log.clear();
    const refreshing = controller.refresh({ manual: true });
    await waitFor(() => listQueries().length === 2, 'the list on the wire');
    controller.dispose();
    await refreshing;
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(notices, []);
    assert.deepEqual(log.messages().filter((m) => /^(Loaded|Status change|Could not load)/.test(m)), []);
    sim.clearRequests();
    await controller.refresh({ manual: true });
    await controller.setFilter(normalizeFilter({ onlyMine: true }));
    controller.setVisible(true);
    assert.deepEqual(listQueries(), []);
  });

  it('disposed while a list waits for a 429\'s Retry-After: the retry is not sent', async () => {
    const clock = new ManualClock();
    const { controller } = await harness({ session: new TestSession(true, clock), now: () => clock.now() });
    sim.clearRequests();
    sim.failNext({ kind: 'status', status: 429, code: 'TooManyRequests', message: 'Rate limit is exceeded.', retryAfterSeconds: 4 });
    const refreshing = controller.refresh({ manual: false });
    await waitFor(() => controller.waitLine !== undefined, 'the wait line');
    controller.dispose();
    await clock.advance(5000);
    await refreshing;
    assert.equal(listQueries().length, 1, 'only the request that got the 429');
    assert.equal(controller.waitLine, undefined);
  });

  it('signed out: a manual refresh asks to sign in and sends nothing; signing out empties the list', async () => {
    const { controller, session } = await harness();
    session.signOut();
    assert.equal(controller.store.actions.length, 0);
    sim.clearRequests();
    await assert.rejects(controller.refresh({ manual: true }), (error: unknown) => isSignInRequired(error));
    assert.throws(() => controller.requireClient('cancel machine actions'), /Sign in to Microsoft Defender to cancel machine actions\./);
    await controller.refresh({ manual: false });
    assert.deepEqual(listQueries(), []);
  });

  it('showing the view loads a list older than half the auto refresh interval, not a fresher one', async () => {
    let now = Date.now();
    const { controller } = await harness({ settings: { autoRefreshSeconds: 60 }, now: () => now });
    sim.clearRequests();
    controller.setVisible(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(listQueries(), [], 'loaded just now: kept');
    controller.setVisible(false);
    now += 31_000;
    controller.setVisible(true);
    await waitFor(() => listQueries().length === 1, 'a load on showing');
  });

  it('auto refresh turns run every interval while the view is visible, and stop when it is hidden', async () => {
    // 0.2 s stands for the setting's 15 s and more, so that real timers run the turns.
    const { controller } = await harness({ settings: { autoRefreshSeconds: 0.2 } });
    sim.clearRequests();
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(listQueries(), [], 'hidden: no turn');
    controller.setVisible(true);
    await waitFor(() => listQueries().length >= 3, 'three turns');
    controller.setVisible(false);
    await waitFor(() => !controller.store.loading, 'the last turn to end');
    const count = listQueries().length;
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(listQueries().length, count, 'hidden again: no more turns');
  });

  it('reveals a row through the view only while the view is visible and the filter shows it', async () => {
    const { controller } = await harness();
    const revealed: MachineAction[] = [];
    controller.setRevealer(async (action) => {
      revealed.push(action);
    });
    const [pending, other] = [controller.store.actions.find((a) => a.status === 'Pending')!, controller.store.actions.find((a) => a.status !== 'Pending')!];
    await controller.revealAction(pending.id);
    assert.equal(revealed.length, 0, 'not while the view is hidden');
    controller.setVisible(true);
    await controller.setFilter(normalizeFilter({ statuses: ['Pending'] }));
    await controller.revealAction(other.id);
    await controller.revealAction(pending.id.toUpperCase());
    assert.deepEqual(revealed.map((a) => a.id), [pending.id]);
  });
});
