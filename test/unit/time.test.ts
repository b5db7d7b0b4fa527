// Service times: a zoneless `…Utc` value is UTC, and a value that is no date-time that exists stays what it is —
// never "Invalid Date", never a time it does not say (Date.parse moves 30 February to 2 March and reads "12" as a
// local date in 2001).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMachineAction } from '../../src/defender/machineAction';
import { isoUtc } from '../../src/model/exportActions';
import { formatUtc, nextTimeOrder, parseTime, readDateTime, relativeAge, withUtcZone } from '../../src/shared/time';
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

/**
 * Times near Defender's form `2026-03-10T11:00:00.1234567Z`: every field at and past its bounds, every calendar edge,
 * 0 to 9 fraction digits, and each character of a few times replaced by a character that does or does not belong.
 */
function timesNearDefenderForm(): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const times: string[] = [];
  for (const year of [0, 99, 100, 999, 1000, 1900, 1970, 2000, 2024, 2025, 2100, 9999]) {
    for (const month of [0, 1, 2, 4, 12, 13]) {
      for (const day of [0, 1, 28, 29, 30, 31, 32]) {
        times.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:00:00Z`);
      }
    }
  }
  for (const [hour, minute, second] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [23, 60, 0], [23, 59, 60], [99, 99, 99]]) {
    times.push(`2026-03-10T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}Z`);
  }
  for (let digits = 0; digits <= 9; digits++) {
    times.push(`2026-03-10T11:00:00${digits ? `.${'987654321'.slice(0, digits)}` : '.'}Z`, `2026-03-10T11:00:00.${'0'.repeat(digits)}1Z`);
  }
  const replacements = ['0', '9', '/', ':', '-', '.', 'T', 't', 'Z', 'z', ' ', 'a', '\uff11', '+'];
  for (const base of ['2026-03-10T11:00:00Z', '2024-02-29T23:59:59.1234567Z', '2026-03-10T11:00:00.5Z']) {
    for (let i = 0; i < base.length; i++) {
      for (const c of replacements) {
        times.push(`${base.slice(0, i)}${c}${base.slice(i + 1)}`, `${base.slice(0, i)}${c}${base.slice(i)}`, `${base.slice(0, i)}${base.slice(i + 1)}`);
      }
    }
    times.push(` ${base}`, `${base} `, base.toLowerCase(), base.replace('Z', '+00:00'));
  }
  return times;
}

describe('reading Defender\'s own form', () => {
  it('parseTime reads Defender\'s form without the pattern, to the same instant as the pattern, and refuses what it refuses', () => {
    const times = timesNearDefenderForm();
    const read = times.filter((text) => readDateTime(text) !== undefined);
    assert.ok(read.length > 300 && read.length < times.length - 300, `both kinds among ${times.length} texts (${read.length} read)`);
    for (const text of [...times, ...NOT_DATES, '', 'Z']) {
      assert.equal(parseTime(text), text ? readDateTime(text)?.ms : undefined, JSON.stringify(text));
    }
    assert.equal(parseTime(null), undefined);
  });
});

describe('nextTimeOrder', () => {
  it('takes a time in the fixed UTC form for text order only when it can be read: an impossible date reads as mixed', () => {
    const fixed: string[] = [];
    for (const year of ['1900', '2000', '2023', '2024', '2100', '0000']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          fixed.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T12:00:00Z`);
        }
      }
    }
    for (const clock of ['00:00:00', '23:59:59', '24:00:00', '23:60:00', '23:59:60', '19:99:00']) {
      fixed.push(`2026-03-10T${clock}.1234567Z`);
    }
    const inTextOrder = (time: string) => nextTimeOrder('newestFirst', time, null, time) !== 'mixed';
    const readable = (time: string) => parseTime(time) !== undefined;
    assert.deepEqual(fixed.filter((time) => inTextOrder(time) && !readable(time)), [], 'only a time parseTime reads is in text order');
    // Years 0–99 may be left to the parsed sort (Date.UTC would put them in the 1900s).
    assert.deepEqual(fixed.filter((time) => readable(time) && !inTextOrder(time) && !time.startsWith('00')), [], 'and every one it reads');
    assert.equal(nextTimeOrder('newestFirst', '2026-01-10T08:00:00Z', '2026-01-10T08:00:00Z', '2026-02-30T08:00:00Z'), 'mixed');
  });
});

