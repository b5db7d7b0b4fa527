// Time as the service sends it and as a person reads it: ISO date-times (a missing zone is UTC), ages, UTC text.

const ZONELESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$/;

/** A `…Utc` date-time without a zone designator is UTC (SPEC §1): `Z` is added so no reader takes it as local time. */
export function withUtcZone(iso: string): string;
export function withUtcZone(iso: string | null): string | null;
export function withUtcZone(iso: string | null): string | null {
  return iso !== null && ZONELESS_DATE_TIME.test(iso.trim()) ? `${iso.trim()}Z` : iso;
}

/** Epoch ms of an ISO date-time (0–7 fractional digits; no zone designator = UTC), or undefined. */
export function parseTime(iso: string | null | undefined): number | undefined {
  if (!iso) {
    return undefined;
  }
  const time = Date.parse(withUtcZone(iso));
  return Number.isNaN(time) ? undefined : time;
}

/** The words of an age: under a minute, then with the number of minutes, hours or days. */
interface AgeWords {
  now: string;
  unit(n: number, unit: 'm' | 'h' | 'd'): string;
}

const LONG_AGE: AgeWords = { now: 'just now', unit: (n, unit) => `${n} ${unit === 'm' ? 'min' : unit} ago` };
const COMPACT_AGE: AgeWords = { now: 'now', unit: (n, unit) => `${n}${unit}` };

function age(iso: string | null | undefined, now: number, words: AgeWords): string {
  const time = parseTime(iso);
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
export function relativeAge(iso: string | null | undefined, now: number): string {
  return age(iso, now, LONG_AGE);
}

/** "now", "5m", "3h", "2d" for a row: how long ago it was requested (Pending/In Progress: how long it has waited). */
export function compactAge(iso: string | null | undefined, now: number): string {
  return age(iso, now, COMPACT_AGE);
}

/** "2026-03-01 14:05 UTC"; the server's text when it is not a date. */
export function formatUtc(iso: string): string {
  const time = parseTime(iso);
  return time === undefined ? iso : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
