// Time as the service sends it and as a person reads it: ISO date-times (a missing zone is UTC), ages, UTC text.

/** A date and a time without a zone: `T`, `t` or a space between them, any number of fraction digits. */
const ZONELESS_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * A `…Utc` date-time without a zone designator is UTC (SPEC §1), whatever its spelling (`2026-11-29 08:00:00`,
 * a lowercase `t`, 8 or more fraction digits): it becomes `2026-11-29T08:00:00Z` so no reader takes it as local
 * time. A value with a zone, or no date-time, is returned unchanged.
 */
export function withUtcZone(iso: string): string;
export function withUtcZone(iso: string | null): string | null;
export function withUtcZone(iso: string | null): string | null {
  // Defender's own times end in `Z`: no pattern to run for them (three per row, 10,000 rows per refresh).
  if (iso === null || iso.endsWith('Z')) {
    return iso;
  }
  const zoneless = ZONELESS_DATE_TIME.exec(iso.trim());
  return zoneless ? `${zoneless[1]}T${zoneless[2]}Z` : iso;
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

/** "2026-03-01 14:05 UTC"; the server's text when it is not a date. */
export function formatUtc(iso: string): string {
  const time = parseTime(iso);
  return time === undefined ? iso : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
