// Time as the service sends it and as a person reads it: ISO date-times (a missing zone is UTC), ages, UTC text.

/**
 * An ISO 8601 date-time as the service (and proxies in front of it) write one: a date, `T`, `t` or a space, hours and
 * minutes, optional seconds with any number of fraction digits, an optional zone (`Z`, `+02:00`, `+0200`).
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/** A date-time read by readDateTime: its parts as written, and the instant they name. */
export interface DateTimeParts {
  /** `2026-11-29` */
  date: string;
  /** `08:00` or `08:00:00`, as written */
  time: string;
  /** `''` or the fraction with its dot and every digit written (`.1234567`) */
  fraction: string;
  /** The zone as written, undefined when none (then the time is UTC: SPEC §1) */
  zone?: string;
  /** The instant, epoch ms (fraction cut to milliseconds) */
  ms: number;
}

/**
 * `text` as an ISO date-time, or undefined when it is not one that exists: a month over 12, a 30 February, an hour
 * over 23, a minute or second over 59 or an offset over 23:59 is undefined, never moved to another day (as
 * Date.parse would move 2026-02-30 to 2 March). No zone means UTC. Other spellings Date.parse accepts ("12",
 * "Nov 29") are not dates here: Date.parse reads them in local time.
 */
export function readDateTime(text: string): DateTimeParts | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone] = m;
  const offset = zoneMinutes(zone);
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number);
  if (offset === undefined || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const instant = new Date(0);
  instant.setUTCFullYear(y, mo - 1, d);
  instant.setUTCHours(h, mi - offset, s, Number(fraction.slice(1, 4).padEnd(3, '0')));
  return { date: `${year}-${month}-${day}`, time: m[6] === undefined ? `${hour}:${minute}` : `${hour}:${minute}:${second}`, fraction, zone, ms: instant.getTime() };
}

/** Minutes east of UTC of a zone designator (0 for none or `Z`), undefined for an offset that does not exist. */
function zoneMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone.toUpperCase() === 'Z') {
    return 0;
  }
  const [hours, minutes] = [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
  return hours > 23 || minutes > 59 ? undefined : (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A `…Utc` date-time without a zone designator is UTC (SPEC §1), whatever its spelling (`2026-11-29 08:00:00`,
 * a lowercase `t`, 8 or more fraction digits): it becomes `2026-11-29T08:00:00Z` so no reader takes it as local
 * time. A value with a zone, or one that is no date-time that exists (`2026-13-45 08:00`), is returned unchanged:
 * it must stay unreadable, not become a time.
 */
export function withUtcZone(iso: string): string;
export function withUtcZone(iso: string | null): string | null;
export function withUtcZone(iso: string | null): string | null {
  // Defender's own times end in `Z`: no pattern to run for them (three per row, 10,000 rows per refresh). Read as a
  // character code: a third of the cost of endsWith here.
  if (iso === null || iso.charCodeAt(iso.length - 1) === 0x5a) {
    return iso;
  }
  const parts = readDateTime(iso);
  return parts && !parts.zone ? `${parts.date}T${parts.time}${parts.fraction}Z` : iso;
}

/**
 * Defender's form on a day its month always has (29 February aside), each field in its range: nearly every time,
 * told by one pattern. A character scan with the date arithmetic cost 0.3 ms more per 10,000 rows, as did leaving
 * days 29–31 to it (a sixth of a week's rows at a month's end). The equivalence with parseTime is tested.
 */
const ORDINARY_DEFENDER_TIME = new RegExp(`^\\d{4}-(?:${[
  '(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])',
  '(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)',
  '02-(?:0[1-9]|1\\d|2[0-8])',
].join('|')})T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?Z$`);

/**
 * Whether `time` is in Defender's form and exists: a time that cannot (30 February, hour 24) must go last, so it is in
 * text order with no other. 29 February is left to defenderTime and its leap years.
 */
function isDefenderTime(time: string): boolean {
  return ORDINARY_DEFENDER_TIME.test(time) || defenderTime(time) !== undefined;
}

/**
 * How the times of a list stand: 'text' when all have the same length and UTC form (then their text order is their
 * time order), 'newestFirst' when they are also in that order already (Defender sends creation times so), 'mixed'
 * else. A part of a list, in the same order, stands as the list does.
 */
export type TimeOrder = 'newestFirst' | 'text' | 'mixed';

/**
 * The TimeOrder of a list read up to `time`, its next time: `order` up to the one before (`previous`), `first` the
 * list's first time (`time` itself when it is the first). A function of values, not a reader object: in the client's
 * parse loop such an object made V8 drop the loop's optimised code at every full collection.
 */
export function nextTimeOrder(order: TimeOrder, first: string | null, previous: string | null, time: string | null): TimeOrder {
  if (order === 'mixed' || time === null || first === null || time.length !== first.length || !isDefenderTime(time)) {
    return 'mixed';
  }
  return order === 'newestFirst' && previous !== null && previous < time ? 'text' : order;
}

/** Epoch ms of an ISO date-time (readDateTime: any fraction digits, no zone = UTC), or undefined when not one. */
export function parseTime(iso: string | null | undefined): number | undefined {
  // Defender's own form without the pattern: a group of 10,000 rows reads one per row, and the pattern with its Date
  // set-up costs about a microsecond.
  return iso ? defenderTime(iso) ?? readDateTime(iso)?.ms : undefined;
}

/** The number the `count` ASCII digits of `text` from `start` write, or -1 when one of them is no digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) {
      return -1;
    }
    value = value * 10 + digit;
  }
  return value;
}

/** The milliseconds of the fraction of Defender's form from index 19 to `end` (`''`, `.5`, `.1234567`), or -1. */
function fractionMs(text: string, end: number): number {
  if (end === 19) {
    return 0;
  }
  const digits = end - 20;
  if (text[19] !== '.' || digits < 1 || digitsAt(text, 20, digits) < 0) {
    return -1;
  }
  return digits >= 3 ? digitsAt(text, 20, 3) : digitsAt(text, 20, digits) * (digits === 1 ? 100 : 10);
}

/**
 * Epoch ms of `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (the form Defender writes) that exists, read character by character
 * as readDateTime reads it; undefined for any other text, and for the years 0–99, which `Date.UTC` puts in the 1900s.
 */
function defenderTime(text: string): number | undefined {
  const end = text.length - 1;
  if (end < 19 || text[end] !== 'Z' || text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const ms = fractionMs(text, end);
  const exists = year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
    && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && ms >= 0;
  return exists ? Date.UTC(year, month - 1, day, hour, minute, second, ms) : undefined;
}

type AgeUnit = 'm' | 'h' | 'd';

/** The words of an age: under a minute, then with the number of minutes, hours or days. */
interface AgeWords {
  now: string;
  unit(n: number, unit: AgeUnit): string;
}

/** Ages up to this many units keep their words: the rows of a large group share a few dozen of them. */
const KEPT_AGES = 1000;

/** AgeWords whose texts are made once each (a 10,000-row group would otherwise make two new strings per row). */
function ageWords(now: string, words: (n: number, unit: AgeUnit) => string): AgeWords {
  const made: Record<AgeUnit, string[]> = { m: [], h: [], d: [] };
  return { now, unit: (n, unit) => (n < KEPT_AGES ? (made[unit][n] ??= words(n, unit)) : words(n, unit)) };
}

const LONG_AGE = ageWords('just now', (n, unit) => `${n} ${unit === 'm' ? 'min' : unit} ago`);
const COMPACT_AGE = ageWords('now', (n, unit) => `${n}${unit}`);

/** An ISO date-time, or its epoch ms from parseTime when the caller needs it more than once (a row does). */
export type When = string | number | null | undefined;

function age(when: When, now: number, words: AgeWords): string {
  const time = typeof when === 'number' ? when : parseTime(when);
  if (time === undefined) {
    return '';
  }
  const minutes = Math.floor((now - time) / 60_000);
  const hours = Math.floor(minutes / 60);
  if (minutes < 1) {
    return words.now;
  }
  return minutes < 60 ? words.unit(minutes, 'm') : hours < 24 ? words.unit(hours, 'h') : words.unit(Math.floor(hours / 24), 'd');
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; '' when the time is unknown. */
export function relativeAge(when: When, now: number): string {
  return age(when, now, LONG_AGE);
}

/** "now", "5m", "3h", "2d" for a row: how long ago it was requested (Pending/In Progress: how long it has waited). */
export function compactAge(when: When, now: number): string {
  return age(when, now, COMPACT_AGE);
}

/** "2026-03-01 14:05 UTC" from an ISO date-time or epoch ms; the server's text when it is not a date. */
export function formatUtc(time: string | number): string {
  const ms = typeof time === 'number' ? time : parseTime(time);
  return ms === undefined || !Number.isFinite(ms) ? String(time) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
