// The store behind the view (one load at a time, updates from a cancel without a reload, status changes between
// loads), the status-change notification text, and auto refresh (visible only, inside the budget, never stacked).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ActionsStore, LoadResult } from '../../src/model/actionsStore';
import { AUTO_REFRESH_RESERVE, autoRefreshDecision, AutoRefreshTimer, RateBudget, Timers } from '../../src/model/autoRefresh';
import { MachineAction } from '../../src/defender/machineAction';
import { RateLimiter } from '../../src/defender/rateLimiter';
import { statusChangeMessage } from '../../src/views/statusChangeText';
import { machineAction } from '../support/machineAction';
import { waitFor } from '../support/waitFor';

/** Shorthand for this file: action `id` in `status`, last updated at `lastUpdate`, on a device of its own. */
function action(id: string, status: string, lastUpdate = '2026-03-10T10:00:00Z', extra: Record<string, unknown> = {}): MachineAction {
  return machineAction({ id, scope: 'Full', status, computerDnsName: `host-${id}`, lastUpdateDateTimeUtc: lastUpdate, ...extra });
}

/** A loader whose answer the test releases, counting how often it was called. */
function controllable() {
  const calls: Array<{ resolve(result: LoadResult): void; reject(error: unknown): void; signal: AbortSignal }> = [];
  const loader = (signal: AbortSignal) => new Promise<LoadResult>((resolve, reject) => calls.push({ resolve, reject, signal }));
  return { loader, calls };
}

const loaded = (...actions: MachineAction[]): LoadResult => ({ actions, warnings: [] });

describe('actionsStore', () => {
  it('a refresh while one runs joins it: one request', async () => {
    const store = new ActionsStore(() => 1234);
    const { loader, calls } = controllable();
    const first = store.refresh(loader);
    const second = store.refresh(loader);
    assert.equal(calls.length, 1);
    assert.ok(store.loading);
    calls[0].resolve(loaded(action('a', 'Pending')));
    assert.deepEqual(await first, { kind: 'loaded', changes: [] });
    assert.equal(await second, await first);
    assert.deepEqual([store.loading, store.loaded, store.actions.length, store.loadedAt], [false, true, 1, 1234]);
  });

  it('a restart (the query changed) abandons the running load; its late answer is ignored', async () => {
    const store = new ActionsStore();
    const { loader, calls } = controllable();
    const old = store.refresh(loader);
    const fresh = store.refresh(loader, { restart: true });
    assert.equal(calls.length, 2);
    assert.ok(calls[0].signal.aborted);
    calls[1].resolve(loaded(action('new', 'Pending')));
    calls[0].resolve(loaded(action('old', 'Pending')));
    assert.deepEqual(await old, { kind: 'superseded' });
    assert.equal((await fresh).kind, 'loaded');
    assert.deepEqual(store.actions.map((a) => a.id), ['new']);
  });

  it('a failed load keeps what was listed and remembers the error until the next success', async () => {
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending')));
    const error = new Error('503');
    assert.deepEqual(await store.refresh(async () => { throw error; }), { kind: 'failed', error });
    assert.deepEqual([store.error, store.actions.length, store.loading], [error, 1, false]);
    await store.refresh(async () => loaded(action('a', 'Pending')));
    assert.equal(store.error, undefined);
  });

  it('status changes are reported between two loads, not on the first one', async () => {
    const store = new ActionsStore();
    const first = await store.refresh(async () => loaded(action('a', 'Pending'), action('b', 'InProgress'), action('c', 'Pending')));
    assert.deepEqual(first, { kind: 'loaded', changes: [] });
    const second = await store.refresh(async () => loaded(
      action('a', 'Succeeded', '2026-03-10T11:00:00Z'), action('b', 'InProgress'), action('c', 'Failed', '2026-03-10T11:00:00Z'), action('d', 'Pending')));
    assert.equal(second.kind, 'loaded');
    const changes = second.kind === 'loaded' ? second.changes : [];
    assert.deepEqual(changes.map((c) => [c.action.id, c.from, c.to]), [['a', 'Pending', 'Succeeded'], ['c', 'Pending', 'Failed']]);
    assert.equal(statusChangeMessage(changes), '2 machine actions changed status: now 1 Failed, 1 Succeeded.');
    assert.equal(statusChangeMessage(changes.slice(0, 1)), 'Isolate (Full) on host-a: Pending → Succeeded.');
    assert.equal(statusChangeMessage([]), undefined);
  });

  it('knows how the creation times of its list stand from the load, until a row comes in that the load did not send', async () => {
    const created = (minute: number) => `2026-03-10T10:0${minute}:00Z`;
    const at = (id: string, minute: number, lastUpdate = '2026-03-10T10:00:00Z') => action(id, 'Pending', lastUpdate, { creationDateTimeUtc: created(minute) });
    const store = new ActionsStore();
    assert.equal(store.creationOrder, undefined, 'nothing loaded');
    await store.refresh(async () => ({ ...loaded(at('a', 3), at('b', 2)), creationOrder: 'newestFirst' }));
    assert.equal(store.creationOrder, 'newestFirst');
    store.upsert(at('a', 3, '2026-03-10T11:00:00Z'));
    assert.equal(store.creationOrder, 'newestFirst', 'a row put in place, created at the same time');
    store.upsert(at('z', 1));
    assert.equal(store.creationOrder, undefined, 'a row the load did not send, put on top');
    await store.refresh(async () => ({ ...loaded(at('a', 3), at('b', 2)), creationOrder: 'newestFirst' }));
    store.upsert(at('b', 9, '2026-03-10T11:00:00Z'));
    assert.equal(store.creationOrder, undefined, 'a row put in place with another creation time');
    store.upsert(at('b', 9, '2026-03-10T12:00:00Z'));
    await store.refresh(async () => ({ ...loaded(at('a', 3), at('b', 2)), creationOrder: 'newestFirst' }));
    assert.equal(store.get('b')?.creationDateTimeUtc, created(9), 'the newer stored copy stays');
    assert.equal(store.creationOrder, undefined, 'so the order the load read does not hold');
    store.clear();
    assert.equal(store.creationOrder, undefined);
  });

  it('a cancel updates its row from the returned entity; a load that started earlier does not undo it', async () => {
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending'), action('b', 'Pending')));
    let changes = 0;
    store.onDidChange(() => changes++);
    const { loader, calls } = controllable();
    const running = store.refresh(loader);
    store.upsert(action('a', 'Cancelled', '2026-03-10T11:00:00Z'));
    assert.equal(store.get('A')?.status, 'Cancelled', 'ids in any case');
    assert.deepEqual(store.actions.map((a) => a.id), ['a', 'b'], 'in place');
    calls[0].resolve(loaded(action('a', 'Pending'), action('b', 'Pending')));
    const result = await running;
    assert.equal(store.get('a')?.status, 'Cancelled');
    assert.deepEqual(result, { kind: 'loaded', changes: [] }, 'our own cancel is not reported as a change');
    assert.ok(changes >= 2);
  });

  it('a refresh finds each stored row wherever it moved: new actions on top, some gone, another order, another case', async () => {
    const later = '2026-03-10T11:00:00Z';
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending'), action('b', 'Pending'), action('c', 'Pending'), action('d', 'Pending')));
    const changed = async (...actions: MachineAction[]) => {
      const result = await store.refresh(async () => loaded(...actions));
      return result.kind === 'loaded' ? result.changes.map((c) => `${c.action.id}: ${c.from} → ${c.to}`) : result.kind;
    };
    assert.deepEqual(await changed(action('new', 'Pending'), action('a', 'Succeeded', later), action('c', 'Pending'), action('d', 'Failed', later)),
      ['a: Pending → Succeeded', 'd: Pending → Failed'], 'shifted by one on top, b gone');
    const { loader, calls } = controllable();
    const running = store.refresh(loader);
    assert.ok(store.upsert(action('c', 'Cancelled')), 'a cancel answers while the refresh runs');
    calls[0].resolve(loaded(action('D', 'Failed', later), action('C', 'Pending'), action('new', 'InProgress', later), action('A', 'Succeeded', later)));
    const result = await running;
    assert.deepEqual(result.kind === 'loaded' ? result.changes.map((c) => [c.action.id, c.to]) : result, [['new', 'InProgress']], 'reversed, ids upper-cased');
    assert.deepEqual(store.actions.map((x) => `${x.id} ${x.status}`), ['D Failed', 'c Cancelled', 'new InProgress', 'A Succeeded'], 'the cancel stays');
    assert.equal(store.get('d')?.id, 'D');
    assert.equal(store.get('b'), undefined);
  });

  for (const [title, stamp] of [['equal timestamps', '2026-03-10T10:00:00Z'], ['no timestamps', null]] as const) {
    it(`a refresh that started before a cancel and answers after it keeps the cancelled row, with ${title}`, async () => {
      const store = new ActionsStore();
      await store.refresh(async () => loaded(action('a', 'Pending', stamp ?? undefined, { lastUpdateDateTimeUtc: stamp })));
      const { loader, calls } = controllable();
      const running = store.refresh(loader);
      const ticket = store.begin();
      assert.ok(store.upsert(action('a', 'Cancelled', undefined, { lastUpdateDateTimeUtc: stamp }), ticket));
      calls[0].resolve(loaded(action('a', 'Pending', undefined, { lastUpdateDateTimeUtc: stamp })));
      const result = await running;
      assert.equal(store.get('a')?.status, 'Cancelled', 'not reverted to Pending');
      assert.deepEqual(result, { kind: 'loaded', changes: [] }, 'no false status change');
      const next = await store.refresh(async () => loaded(action('a', 'Cancelled', undefined, { lastUpdateDateTimeUtc: stamp })));
      assert.deepEqual(next, { kind: 'loaded', changes: [] }, 'nor on the refresh after');
    });
  }

  it('a refresh that started after a cancel\'s request decides, when the timestamps cannot', async () => {
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending')));
    const ticket = store.begin();
    await store.refresh(async () => loaded(action('a', 'Succeeded')));
    assert.equal(store.upsert(action('a', 'Pending'), ticket), false, 'an answer older than the list is not applied');
    assert.equal(store.get('a')?.status, 'Succeeded');
    assert.equal(store.upsert(action('a', 'Cancelled', '2026-03-10T10:05:00Z'), ticket), true, 'a later lastUpdate wins all the same');
  });

  it('a cancel kept over a load that started before it still outranks a read that started between them', async () => {
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending')));
    const { loader, calls } = controllable();
    const running = store.refresh(loader);
    const read = store.begin();
    store.upsert(action('a', 'Cancelled'));
    calls[0].resolve(loaded(action('a', 'Pending')));
    await running;
    assert.equal(store.get('a')?.status, 'Cancelled', 'the load started before the cancel: the cancel stays');
    assert.equal(store.upsert(action('a', 'Pending'), read), false, 'a read that started before the cancel answers late: not applied');
    assert.equal(store.get('a')?.status, 'Cancelled');
  });

  it('a cancel that answers after Sign Out does not put the old account\'s action back', async () => {
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending')));
    const ticket = store.begin();
    store.clear();
    assert.equal(store.upsert(action('a', 'Cancelled', '2026-03-10T10:05:00Z'), ticket), false);
    assert.equal(store.actions.length, 0);
    await store.refresh(async () => loaded(action('b', 'Pending')));
    assert.equal(store.upsert(action('a', 'Cancelled', '2026-03-10T10:05:00Z'), ticket), false, 'nor into the next account\'s list');
    assert.deepEqual(store.actions.map((a) => a.id), ['b']);
  });

  it('the cancelling mark, a pasted action, and clear on sign-out', async () => {
    const store = new ActionsStore();
    await store.refresh(async () => loaded(action('a', 'Pending'), action('b', 'Pending')));
    store.setCancelling('a', true);
    assert.ok(store.isCancelling('A'));
    store.setCancelling('a', false);
    assert.ok(!store.isCancelling('a'));
    store.upsert(action('pasted', 'Cancelled'));
    assert.deepEqual(store.actions.map((x) => x.id), ['pasted', 'a', 'b'], 'an action that was not listed goes first');
    const { loader, calls } = controllable();
    const running = store.refresh(loader);
    store.clear();
    assert.ok(calls[0].signal.aborted);
    assert.deepEqual([store.actions.length, store.loaded, store.loading, store.loadedAt], [0, false, false, undefined]);
    calls[0].resolve(loaded(action('late', 'Pending')));
    assert.deepEqual(await running, { kind: 'superseded' });
    assert.equal(store.actions.length, 0, 'the old account\'s list never comes back');
  });

  it('auto refresh runs only signed in, not while a load runs, not on a fresh list, and only with budget to spare', () => {
    const budget = (ok: boolean): RateBudget => ({ hasBudgetFor: (n) => ok && n === AUTO_REFRESH_RESERVE, remaining: () => ({ minute: 0, hour: 0 }) });
    const state = { signedIn: true, loading: false, budget: budget(true), ageMs: 60_000, intervalSeconds: 60 };
    assert.equal(autoRefreshDecision(state), 'run');
    assert.equal(autoRefreshDecision({ ...state, ageMs: undefined }), 'run', 'nothing loaded yet');
    assert.equal(autoRefreshDecision({ ...state, budget: budget(false) }), 'lowBudget');
    assert.equal(autoRefreshDecision({ ...state, loading: true }), 'busy');
    assert.equal(autoRefreshDecision({ ...state, signedIn: false }), 'signedOut');
    assert.equal(autoRefreshDecision({ ...state, ageMs: 10_000 }), 'fresh', 'the view shown again right after a load');
    assert.equal(autoRefreshDecision({ ...state, intervalSeconds: 0 }), 'fresh', 'auto refresh off: showing the view reloads nothing');
    const limiter = new RateLimiter({ perMinute: 100 });
    assert.equal(autoRefreshDecision({ ...state, budget: limiter }), 'run');
    limiter.pauseFor(30);
    assert.equal(autoRefreshDecision({ ...state, budget: limiter }), 'lowBudget', 'a Retry-After pause skips the turn');
  });

  /** Timers the test fires by hand. */
  function manualTimers() {
    const pending = new Map<number, { callback: () => void; ms: number }>();
    let next = 0;
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        pending.set(++next, { callback, ms });
        return next;
      },
      clearTimeout: (handle) => pending.delete(handle as number),
    };
    const fire = () => {
      const [[handle, timer]] = [...pending];
      pending.delete(handle);
      timer.callback();
    };
    return { timers, pending, fire };
  }

  it('the timer ticks every N seconds while visible, stops when hidden or off, and never stacks', async () => {
    const { timers, pending, fire } = manualTimers();
    let ticks = 0;
    let release: () => void = () => undefined;
    const timer = new AutoRefreshTimer(() => new Promise<void>((resolve) => {
      ticks++;
      release = resolve;
    }), (error) => assert.fail(`no tick failed: ${String(error)}`), timers);
    timer.configure({ seconds: 60, visible: false });
    assert.equal(pending.size, 0, 'hidden: no timer');
    timer.configure({ seconds: 60, visible: true });
    assert.deepEqual([...pending.values()].map((t) => t.ms), [60_000]);
    fire();
    assert.equal(ticks, 1);
    assert.equal(pending.size, 0, 'the next turn waits for this one to finish');
    release();
    await waitFor(() => pending.size === 1, 'the next turn to be scheduled once this one finished');
    assert.deepEqual([...pending.values()].map((t) => t.ms), [60_000]);
    timer.configure({ seconds: 15, visible: true });
    assert.deepEqual([...pending.values()].map((t) => t.ms), [15_000], 'a new interval applies at once');
    timer.configure({ seconds: 0, visible: true });
    assert.equal(pending.size, 0, '0 = off');
    timer.configure({ seconds: 30, visible: true });
    timer.configure({ seconds: 30, visible: false });
    assert.equal(pending.size, 0, 'hidden again: stopped');
    timer.configure({ seconds: 30, visible: true });
    timer.dispose();
    assert.equal(pending.size, 0);
  });

  it('a failed tick reaches onError, and the timer goes on', async () => {
    const { timers, pending, fire } = manualTimers();
    const errors: unknown[] = [];
    const timer = new AutoRefreshTimer(() => Promise.reject(new Error('boom')), (error) => errors.push(error), timers);
    timer.configure({ seconds: 15, visible: true });
    fire();
    await waitFor(() => errors.length > 0, 'the failed tick to reach onError');
    assert.deepEqual(errors.map((e) => (e as Error).message), ['boom']);
    assert.equal(pending.size, 1, 'the next turn is scheduled');
    timer.dispose();
  });
});
