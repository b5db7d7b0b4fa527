import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAGES_PER_LIST, MergedPages, pageLimit } from '../../src/defender/listPages';
import { ListEnvelope } from '../../src/defender/machineAction';
import { rawMachineAction } from '../support/machineAction';

const A = '7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33';
const B = '1b2c3d4e-0000-4000-8000-000000000002';

/** A page of raw elements, as listEnvelope gives it. */
function page(...elements: unknown[]): ListEnvelope {
  return { elements, nextLink: null };
}

describe('MergedPages', () => {
  it('reads how the creation times stand as it parses: newest first across pages, out of order, or in mixed forms', () => {
    const at = (id: string, creationDateTimeUtc: unknown) => rawMachineAction({ id, creationDateTimeUtc });
    const order = (...pages: unknown[][]) => {
      const merged = new MergedPages(100);
      pages.forEach((elements) => merged.add(page(...elements)));
      return merged.creationOrder;
    };
    const [t3, t2, t1] = ['2026-11-29T08:03:00.1234567Z', '2026-11-29T08:02:00.1234567Z', '2026-11-29T08:01:00.1234567Z'];
    assert.equal(order([at('a', t3), at('b', t2)], [at('c', t1)]), 'newestFirst');
    assert.equal(order([]), 'newestFirst', 'an empty list');
    assert.equal(order([at('a', t3), at('b', t1)], [at('c', t2)]), 'text', 'page 2 starts newer than page 1 ends');
    assert.equal(order([at('a', t3), at('b', '2026-11-29T08:02:00Z')]), 'mixed', 'another number of fraction digits');
    assert.equal(order([at('a', t3), at('b', '2026-11-29T08:02:00.1234567+01:00')]), 'mixed', 'an offset');
    assert.equal(order([at('a', t3), at('b', null)]), 'mixed', 'no time');
    assert.equal(order([at('a', 'XXXX-11-29T08:03:00.1234567Z'), at('b', t2)]), 'mixed', 'no date at all');
    assert.equal(order([at('a', t3), at('b', t2)], [{ ...at('b', t1), lastUpdateDateTimeUtc: '2026-11-29T09:00:00Z' }]), 'mixed',
      'a later copy put in place of one created at another time');
    assert.equal(order([at('a', t3), at('b', t2)], [{ ...at('b', t2), lastUpdateDateTimeUtc: '2026-11-29T09:00:00Z' }]), 'newestFirst',
      'a later copy created at the same time');
  });

  it('keeps one copy per id (ids compared without case), the most recently updated, in first-seen order', () => {
    const merged = new MergedPages(100);
    assert.equal(merged.add(page(
      { id: A, status: 'Pending', lastUpdateDateTimeUtc: '2026-11-29T08:00:00.1234567Z' },
      { id: B, status: 'Pending', lastUpdateDateTimeUtc: '2026-11-29T08:00:00Z' },
    )).added, 2);
    assert.equal(merged.add(page(
      { id: B.toUpperCase(), status: 'Pending', lastUpdateDateTimeUtc: '2026-11-29T07:59:00Z' },
      { id: A, status: 'Cancelled', lastUpdateDateTimeUtc: '2026-11-29T08:00:05.1234567' },
    )).added, 0);
    assert.deepEqual(merged.actions.map((a) => [a.id, a.status]), [[A, 'Cancelled'], [B, 'Pending']], 'A newer on page 2, B older: page 1 kept');
    assert.equal(merged.duplicates, 2);
  });

  it('keeps the later copy read when either has no readable update time, or both the same', () => {
    const cases: Array<[string | undefined, string | undefined]> = [
      ['2026-11-29T08:00:00Z', undefined],
      [undefined, '2026-11-29T08:05:00Z'],
      [undefined, undefined],
      ['2026-11-29T08:00:00Z', '2026-11-29T08:00:00Z'],
      // A date that does not exist is no readable time, as everywhere else (not 1 May).
      ['2026-04-31T00:00:00Z', '2026-04-30T23:00:00Z'],
    ];
    for (const [first, second] of cases) {
      const merged = new MergedPages(100);
      merged.add(page({ id: A, status: 'Pending', lastUpdateDateTimeUtc: first }));
      merged.add(page({ id: A, status: 'Cancelled', lastUpdateDateTimeUtc: second }));
      assert.equal(merged.actions[0].status, 'Cancelled', `held ${first ?? 'undated'}, later ${second ?? 'undated'}`);
      assert.equal(merged.duplicates, 1);
    }
  });

  it('reads update times as the store does: a held copy with a space before its time is still the newer one', () => {
    const merged = new MergedPages(100);
    merged.add(page({ id: A, status: 'Cancelled', lastUpdateDateTimeUtc: ' 2026-11-29T09:00:00Z' }));
    merged.add(page({ id: A, status: 'Pending', lastUpdateDateTimeUtc: '2026-11-29T08:00:00Z' }));
    assert.equal(merged.actions[0].status, 'Cancelled');
  });

  it('keeps ids apart that only look alike to its hash table, and finds copies among thousands of them', () => {
    // `@` and the backquote fold to one character in the table's hash: 2^14 different ids with one hash value, which a
    // server could send on purpose. The table gives way to a map of lower-cased ids, and nothing is lost or merged.
    const alike = Array.from({ length: 10_000 }, (_, i) => `id-${[...i.toString(2).padStart(14, '0')].map((bit) => (bit === '1' ? '@' : '`')).join('')}`);
    const merged = new MergedPages(10_000);
    const elements: unknown[] = alike.map((id) => ({ id, status: 'Pending' }));
    elements.splice(5_000, 0, null);
    assert.equal(merged.add(page(...elements)).added, 10_000);
    assert.equal(merged.skipped, 1, 'an element that is no action, where the table has given way to the map');
    assert.equal(merged.add(page({ id: alike[7].toUpperCase(), status: 'Succeeded' }, { id: alike[9_999], status: 'Failed' })).added, 0);
    assert.equal(merged.duplicates, 2);
    assert.deepEqual(new Set(merged.actions.map((a) => a.id)).size, 10_000);
    assert.deepEqual([merged.actions[7].status, merged.actions[9_999].status, merged.actions[8].status], ['Succeeded', 'Failed', 'Pending']);
  });

  it('compares ids without case beyond ASCII, as toLowerCase does, and finds copies of dropped ones too', () => {
    const merged = new MergedPages(2);
    assert.equal(merged.add(page({ id: 'ÄKTION-1', status: 'Pending' }, { id: '\u212A-2', status: 'Pending' }, { id: 'late', status: 'Pending' })).added, 2);
    assert.equal(merged.add(page({ id: 'äktion-1', status: 'Failed' }, { id: 'k-2', status: 'Failed' }, { id: 'LATE', status: 'Failed' })).added, 0);
    assert.deepEqual(merged.actions.map((a) => [a.id, a.status]), [['äktion-1', 'Failed'], ['k-2', 'Failed']], 'the Kelvin sign lower-cases to k');
    assert.equal(merged.duplicates, 2, 'an id dropped past top is not held, so its copy is no duplicate either');
  });

  it('reads the elements as it merges them: skips and counts bad ones instead of losing the page', () => {
    const merged = new MergedPages(100);
    const taken = merged.add(page(rawMachineAction(), null, 'x', { status: 'Pending' }, [], { ...rawMachineAction(), id: 'second', status: 'canceled' }));
    assert.deepEqual(taken, { received: 6, readable: 2, added: 2 });
    assert.deepEqual(merged.actions.map((a) => [a.id, a.status]), [[rawMachineAction().id, 'Pending'], ['second', 'Cancelled']], 'parsed: the status in its one spelling');
    assert.equal(merged.skipped, 4);
    assert.deepEqual(merged.add(page(null, { ...rawMachineAction(), id: 'SECOND' })), { received: 2, readable: 1, added: 0 });
    assert.equal(merged.skipped, 5);
    assert.equal(merged.duplicates, 1);
  });

  it('keeps long ids apart that differ only between their ends, and finds their copies in any case', () => {
    // The table hashes an id's first 4 and last 8 characters: these 10,000 ids share both ends and so one hash value.
    const alike = Array.from({ length: 10_000 }, (_, i) => `act-${String(i).padStart(6, '0')}-same-tail`);
    const merged = new MergedPages(10_000);
    assert.equal(merged.add(page(...alike.map((id) => ({ id, status: 'Pending' })))).added, 10_000);
    assert.equal(merged.add(page({ id: alike[4_321].toUpperCase(), status: 'Failed' }, { id: 'act-000001-SAME-TAIL', status: 'Succeeded' })).added, 0);
    assert.equal(new Set(merged.actions.map((a) => a.id.toLowerCase())).size, 10_000);
    assert.deepEqual([merged.actions[4_321].status, merged.actions[1].status, merged.actions[2].status], ['Failed', 'Succeeded', 'Pending']);
  });

  it('finds copies of long ids whose letters beyond ASCII change case, or length, anywhere in the id', () => {
    const merged = new MergedPages(10);
    const ids = ['ÄKTION-0000-0000-0000-000000000001', 'aktion-0000-\u0130-0000-000000000002', 'aktion-0000-0000-0000-00000000000\u212A', 'İ234567890123'];
    assert.equal(merged.add(page(...ids.map((id) => ({ id, status: 'Pending' })))).added, 4);
    assert.equal(merged.add(page(...ids.map((id) => ({ id: id.toLowerCase(), status: 'Failed' })))).added, 0, 'İ lower-cases to two characters');
    assert.deepEqual(merged.actions.map((a) => a.status), ['Failed', 'Failed', 'Failed', 'Failed']);
    assert.equal(merged.duplicates, 4);
  });

  it('stops at top actions', () => {
    const merged = new MergedPages(1);
    assert.equal(merged.add(page({ id: A, status: 'Pending' }, { id: B, status: 'Pending' })).added, 1);
    assert.equal(merged.full, true);
    assert.equal(merged.actions.length, 1);
  });
});

describe('pageLimit', () => {
  it('allows the pages top needs at the first page size, two spare, never more than 20', () => {
    assert.equal(pageLimit(1000, 100), 12);
    assert.equal(pageLimit(10_000, 10_000), 3);
    assert.equal(pageLimit(10_000, 1), MAX_PAGES_PER_LIST);
    assert.equal(pageLimit(10, 0), 12);
  });
});
