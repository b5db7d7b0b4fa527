// OData query building for the list request (SPEC §3 "The tree").
import { LOOKBACK_DAYS, MAX_ACTIONS } from '../config';
import { invalidInputError } from './errors';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ListQueryOptions {
  lookbackDays: number;
  now: Date;
  /** Clamped to 1…10,000. */
  top: number;
  /** Only the actions this user requested (`requestor eq '…'`). */
  requestorUpn?: string;
}

/** An OData string literal: single quotes, an embedded quote doubled (o'brien → 'o''brien'). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** An OData DateTimeOffset literal (unquoted, whole seconds, Z) as the API's examples write it. */
export function odataDateTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The clauses joined with `and`; empty clauses are left out. */
export function buildFilter(clauses: readonly string[]): string {
  return clauses.filter((c) => c.length > 0).join(' and ');
}

function clampInteger(value: number, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidInputError(`${name} must be a number (got ${String(value)})`);
  }
  return Math.min(max, Math.max(min, Math.floor(value)));
}

export function clampTop(top: number): number {
  return clampInteger(top, MAX_ACTIONS.min, MAX_ACTIONS.max, 'top');
}

/** The unencoded `$filter` value, for logs and tests. */
export function buildListFilter(options: ListQueryOptions): string {
  const days = clampInteger(options.lookbackDays, LOOKBACK_DAYS.min, LOOKBACK_DAYS.max, 'lookbackDays');
  if (Number.isNaN(options.now.getTime())) {
    throw invalidInputError('The reference time for the look-back window is not a valid date');
  }
  const since = new Date(options.now.getTime() - days * DAY_MS);
  return buildFilter([
    `creationDateTimeUtc ge ${odataDateTime(since)}`,
    options.requestorUpn ? `requestor eq ${odataString(options.requestorUpn)}` : '',
  ]);
}

/** The query string (without `?`) of `GET /api/machineactions`, each value percent-encoded. */
export function buildListQuery(options: ListQueryOptions): string {
  const params: [string, string][] = [
    ['$filter', buildListFilter(options)],
    ['$orderby', 'creationDateTimeUtc desc'],
    ['$top', String(clampTop(options.top))],
  ];
  return params.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
}
