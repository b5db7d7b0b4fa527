// The view's filter: statuses, types, device text, only mine; tolerant reading of what workspaceState holds.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { applyFilter, isFilterActive, NO_FILTER, normalizeFilter } from '../../src/model/actionFilter';
import { parseMachineAction } from '../../src/defender/machineAction';
import { ANALYST_UPN, seedActions } from '../simulators/seedActions';
import { describeFilter } from '../../src/views/viewHeader';

const SEED = seedActions(new Date('2026-03-10T12:00:00Z')).map((raw) => parseMachineAction(raw));

describe('actionFilter', () => {
  it('no filter shows everything', () => {
    assert.equal(isFilterActive(NO_FILTER), false);
    assert.equal(applyFilter(SEED, NO_FILTER).length, SEED.length);
    assert.equal(describeFilter(NO_FILTER), '');
  });

  it('statuses (any case) and types narrow the list', () => {
    const filter = normalizeFilter({ statuses: ['pending', 'InProgress'], types: ['Isolate'] });
    const shown = applyFilter(SEED, filter);
    assert.ok(shown.length > 0);
    assert.ok(shown.every((a) => ['Pending', 'InProgress'].includes(a.status) && a.type === 'Isolate'));
    assert.equal(shown.length, SEED.filter((a) => ['Pending', 'InProgress'].includes(a.status) && a.type === 'Isolate').length);
    assert.equal(describeFilter(filter), 'Pending, In Progress · Isolate');
  });

  it('the device text matches the name or the machine id, in any case', () => {
    const byName = applyFilter(SEED, normalizeFilter({ deviceText: 'WS-FIN' }));
    assert.ok(byName.length > 0 && byName.every((a) => a.computerDnsName === 'ws-fin-0142.contoso.local'));
    const unnamed = SEED.find((a) => a.computerDnsName === null);
    assert.ok(unnamed?.machineId);
    assert.deepEqual(applyFilter(SEED, normalizeFilter({ deviceText: unnamed.machineId.slice(0, 10) })).map((a) => a.id), [unnamed.id]);
    assert.equal(describeFilter(normalizeFilter({ deviceText: 'fin' })), 'device "fin"');
  });

  it('only mine compares the requestor with the signed-in UPN, in any case; nobody signed in matches nothing', () => {
    const filter = normalizeFilter({ onlyMine: true });
    const mine = applyFilter(SEED, filter, ANALYST_UPN.toUpperCase());
    assert.ok(mine.length > 0);
    assert.ok(mine.every((a) => a.requestor === ANALYST_UPN));
    assert.equal(mine.length, SEED.filter((a) => a.requestor === ANALYST_UPN).length);
    assert.deepEqual(applyFilter(SEED, filter, undefined), []);
    assert.equal(describeFilter(filter), 'only mine');
  });

  it('whatever workspaceState holds, the filter reads safely', () => {
    assert.deepEqual(normalizeFilter(undefined), NO_FILTER);
    assert.deepEqual(normalizeFilter('garbage'), NO_FILTER);
    assert.deepEqual(normalizeFilter({ statuses: 'Pending', types: [1, null, ' Isolate ', 'Isolate'], deviceText: 5, onlyMine: 'yes' }),
      { statuses: [], types: ['Isolate'], deviceText: '', onlyMine: false });
    assert.equal(normalizeFilter({ deviceText: 'x'.repeat(1000) }).deviceText.length, 256);
  });

  it('one spelling: a filter on Cancelled or Live Response finds every spelling the service sends', () => {
    const variant = seedActions(new Date('2026-03-10T12:00:00Z'), { enumSpelling: 'variant' }).map((raw) => parseMachineAction(raw));
    for (const filter of [normalizeFilter({ statuses: ['Cancelled'] }), normalizeFilter({ statuses: ['Canceled'] })]) {
      const shown = applyFilter(variant, filter);
      assert.equal(shown.length, SEED.filter((a) => a.status === 'Cancelled').length);
      assert.ok(shown.some((a) => a.raw.status === 'Canceled') && shown.some((a) => a.raw.status === 'CANCELLED'), 'both spellings found');
    }
    const live = applyFilter(variant, normalizeFilter({ types: ['Live Response'] }));
    assert.equal(live.length, SEED.filter((a) => a.type === 'LiveResponse').length);
    assert.ok(live.some((a) => a.raw.type === 'Live Response') && live.some((a) => a.raw.type === 'liveResponse'));
  assert.equal(describeFilter(normalizeFilter({ statuses: ['canceled'], types: ['live_response'] })), 'Cancelled · Live Resp.');
  });
});
