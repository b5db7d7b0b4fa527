// Service times: a zoneless `…Utc` value is UTC, and a value that is no date-time that exists stays what it is —
// never "Invalid Date", never a time it does not say (Date.parse moves 30 February to 2 March and reads "12" as a
// local date in 2001).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMachineAction } from '../../src/defender/machineAction';
import { isoUtc } from '../../src/model/exportActions';
import { formatUtc, parseTime, relativeAge, withUtcZone } from '../../src/shared/time';
import { seedActions } from '../simulators/seedActions';

/** Text a `…Utc` field may carry that names no instant: wrong calendar days, out-of-range fields, other words. */
const NOT_DATES = [
  '2026-13-45 08:00',
  '2026-02-30T08:00:00',
  '2026-02-30T08:00:00Z',
  '2026-04-31T00:00:00.1234567Z',
  '2100-02-29T00:00:00',
  '2026-11-29T25:00:00',
  '2026-11-29T08:60:00Z',
  '2026-11-29T08:00:61',
  '2026-11-29T08:00:00+25:00',
  '2026-11-29',
  '12',
  'Nov 29 2026 08:00',
  'yesterday',
  'not a dateZ',
];

describe('service times that are no date-time', () => {
  it('stay as the server wrote them: no zone is added and no instant is read', () => {
    for (const text of NOT_DATES) {
      assert.equal(withUtcZone(text), text, text);
      assert.equal(parseTime(text), undefined, text);
    }
  });

  it('are shown as their raw text with no age, never "Invalid Date" nor another day', () => {
    const now = Date.UTC(2026, 2, 10);
    for (const text of NOT_DATES) {
      assert.equal(formatUtc(text), text, text);
      assert.equal(relativeAge(text, now), '', text);
    }
  });

  it('keep their raw text in a parsed action and in an export', () => {
    const base = seedActions(new Date('2026-11-29T08:00:00Z'))[0];
    for (const text of NOT_DATES) {
      const action = parseMachineAction({ ...structuredClone(base), creationDateTimeUtc: text, lastUpdateDateTimeUtc: text });
      assert.equal(action.creationDateTimeUtc, text);
      assert.equal(action.lastUpdateDateTimeUtc, text);
      assert.equal(isoUtc(text), text);
    }
  });
});

describe('service times that are date-times', () => {
  it('read a missing zone as UTC and keep every fraction digit in the text', () => {
    assert.equal(withUtcZone('2026-11-29 08:00:00.1234567'), '2026-11-29T08:00:00.1234567Z');
    assert.equal(withUtcZone('2026-11-29t08:00'), '2026-11-29T08:00Z');
    assert.equal(parseTime('2026-11-29T08:00:00.1239999'), Date.UTC(2026, 10, 29, 8, 0, 0, 123));
    assert.equal(parseTime('2026-11-29T08:00'), Date.UTC(2026, 10, 29, 8));
    assert.equal(withUtcZone('2026-11-29T08:00:00+02:00'), '2026-11-29T08:00:00+02:00', 'a zone that is there stays');
  });

  it('count an offset that is there, in either spelling, across midnight', () => {
    assert.equal(parseTime('2026-11-29T01:30:00+02:00'), Date.UTC(2026, 10, 28, 23, 30));
    assert.equal(parseTime('2026-11-29T23:30:00-0130'), Date.UTC(2026, 10, 30, 1));
    assert.equal(parseTime('2026-11-29T08:00:00z'), Date.UTC(2026, 10, 29, 8));
  });

  it('know the calendar: 29 February in a leap year, the last day of each month', () => {
    assert.equal(parseTime('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
    assert.equal(parseTime('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29));
    assert.equal(parseTime('2026-04-30T23:59:59Z'), Date.UTC(2026, 3, 30, 23, 59, 59));
    assert.equal(parseTime('2026-12-31T23:59:59.999Z'), Date.UTC(2026, 11, 31, 23, 59, 59, 999));
    assert.equal(formatUtc('2026-03-01T14:05:00.1234567'), '2026-03-01 14:05 UTC');
    assert.equal(formatUtc(Date.UTC(2026, 2, 1, 14, 5, 59)), '2026-03-01 14:05 UTC', 'epoch ms');
  });
});
