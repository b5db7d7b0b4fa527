// How a machine action reads in the view: label, description, icon, tooltip. 
// Server text (comments, names, requestors) goes through the text gate (shownText) and into markdown only through
// escapeMarkdown.
import { isCancellable, isGuid, MachineAction, ranBeforeCancellation, shortMachineId } from '../defender/machineAction';
import { compactAge, formatUtc, relativeAge } from '../shared/time';
import { escapeMarkdown, isBlank, oneLine, SHOWN_LENGTH, shorten, shownText } from '../shared/userText';

export { oneLine } from '../shared/userText';

const TYPE_LABELS: Readonly<Record<string, string>> = {
  RunAntiVirusScan: 'Antivirus Scan',
  Offboard: 'Offboard',
  LiveResponse: 'Live Response',
  CollectInvestigationPackage: 'Investigation Package',
  Isolate: 'Isolate',
  Unisolate: 'Release from Isolation',
  StopAndQuarantineFile: 'Quarantine File',
  RestrictCodeExecution: 'Restrict App Execution',
  UnrestrictCodeExecution: 'Remove App Restriction',
};

/** At most this many characters name the action in a row; an unknown type or scope is cut to them. */
export const ROW_NAME_LENGTH = 12;

/**
 * The row names, by type or by "type scope", in the portal's words shortened. At the default side bar width a row
 * has 212 px for its label and "host · age" before the ellipsis of the cut requestor: with a 15-character host such
 * as ws-finance-0142 that leaves a name about 70 px, which "Quick Scan", "Quarantine" and "Isolate Sel." exceed in
 * DejaVu Sans (the widest common UI font). An isolation without a scope is a full one (the API's default), so
 * "Isolate" names both. The long name stays in the tooltip, details, prompts, notifications and group headers.
 */
const ROW_NAMES: Readonly<Record<string, string>> = {
  RunAntiVirusScan: 'AV Scan',
  'RunAntiVirusScan Quick': 'Quick AV',
  'RunAntiVirusScan Full': 'Full AV',
  'Isolate Full': 'Isolate',
  'Isolate Selective': 'Isolate Sel',
  Unisolate: 'Release',
  LiveResponse: 'Live Resp.',
  CollectInvestigationPackage: 'Package',
  StopAndQuarantineFile: 'Quar. File',
  RestrictCodeExecution: 'Restrict',
  UnrestrictCodeExecution: 'Unrestrict',
};

const STATUS_LABELS: Readonly<Record<string, string>> = {
  pending: 'Pending',
  inprogress: 'In Progress',
  succeeded: 'Succeeded',
  failed: 'Failed',
  timeout: 'Timed Out',
  cancelled: 'Cancelled',
};

/**
 * The entry of `table` for `key`, a value from the server: only the table's own, so that a type or status such as
 * "constructor" or "toString" reads as words instead of reaching an Object.prototype member.
 */
function entry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Between a lower-case letter or digit and a capital, and before the last capital of a run that starts a word. */
const WORD_BOUNDARY = /(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/g;

/**
 * `CollectFile` → `Collect File`, `AVScan` → `AV Scan`: values the service adds later still read as words. Only
 * fixed-length look-arounds, so it is linear in the length (`([A-Z]+)([A-Z][a-z])` backtracked quadratically and took
 * seconds on a few thousand capitals).
 */
export function splitWords(value: string): string {
  return value.replace(WORD_BOUNDARY, ' ');
}

/** An unknown value as words; no place shows more than a tooltip field, so a huge value is cut before the work. */
function unknownLabel(value: string): string {
  return splitWords(shorten(value, SHOWN_LENGTH.tooltipField));
}

/** A memo holds at most this many values, each for a key of at most this many characters. */
const MEMO_SIZE = 256;
const MEMO_KEY_LENGTH = 256;

/**
 * `make` worked out once per spelling of its key: the rows of a 10,000-row group hold a handful of types, scopes,
 * statuses and requestors. Bounded, so a server that sends a new value per row cannot grow it: it starts over.
 * `make` returns no undefined.
 */
function perSpelling<K extends string | null, V>(make: (key: K) => V): (key: K) => V {
  const values = new Map<K, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) {
      value = make(key);
      if (key === null || key.length <= MEMO_KEY_LENGTH) {
        if (values.size >= MEMO_SIZE) {
          values.clear();
        }
        values.set(key, value);
      }
    }
    return value;
  };
}

/** The friendly name of a type (`Unisolate` → "Release from Isolation"), used in rows, groups, filter and palette. */
export function typeLabel(type: string): string {
  return entry(TYPE_LABELS, type) ?? unknownLabel(type);
}

const statusLabels = perSpelling((status: string) => entry(STATUS_LABELS, status.toLowerCase()) ?? unknownLabel(status));

/** The friendly name of a status (`TimeOut` → "Timed Out"). */
export function statusLabel(status: string): string {
  return statusLabels(status);
}

function withScope(type: string, scope: string | null, max: number): string {
  return shownText(scope ? `${type} (${scope})` : type, max);
}

/** The action type and its scope, e.g. "Antivirus Scan (Quick)"; at most SHOWN_LENGTH.row characters. */
export function actionLabel(action: MachineAction): string {
  return withScope(typeLabel(action.type), action.scope, SHOWN_LENGTH.row);
}

/** A type's name in a row and in the filter line (`Unisolate` → "Release"); an unknown type's words, not cut. */
export function shortTypeLabel(type: string): string {
  return entry(ROW_NAMES, type) ?? typeLabel(type);
}

const rowLabels = perSpelling((type: string) => perSpelling((scope: string | null) =>
  entry(ROW_NAMES, `${type} ${scope}`) ?? withScope(shortTypeLabel(type), scope, ROW_NAME_LENGTH)));

/**
 * The row's label and the start of its accessible name: a short name with the scope, e.g. "Quick AV", "Isolate
 * Sel"; at most ROW_NAME_LENGTH characters, so an unknown type or scope is cut with an ellipsis ("Collect For…").
 */
export function rowLabel(action: MachineAction): string {
  return rowLabels(action.type)(action.scope);
}

/** The device name, or a short machine id while the name is still null. */
export function deviceLabel(action: Pick<MachineAction, 'computerDnsName' | 'machineId'>): string {
  return shownName(action.computerDnsName) ?? (shortMachineId(action.machineId) || 'unknown device');
}

/** "Isolate (Full) on ws-fin-0142.contoso.local", for prompts and notifications. */
export function actionSubject(action: MachineAction): string {
  return `${actionLabel(action)} on ${deviceLabel(action)}`;
}

export interface IconSpec {
  /** A codicon id, e.g. `clock` or `loading~spin`. */
  id: string;
  /** A theme colour id; absent = the default foreground. */
  color?: string;
}

const STATUS_ICONS: Readonly<Record<string, IconSpec>> = {
  pending: { id: 'clock', color: 'charts.yellow' },
  inprogress: { id: 'sync', color: 'charts.blue' },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  timeout: { id: 'watch', color: 'charts.purple' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

/** A status the service adds later is neither good nor bad news: a neutral icon, never an error. */
export const NEUTRAL_ICON: IconSpec = { id: 'circle-outline' };
export const CANCELLING_ICON: IconSpec = { id: 'loading~spin' };

const statusIcons = perSpelling((status: string) => entry(STATUS_ICONS, status.toLowerCase()) ?? NEUTRAL_ICON);

/** The codicon and colour of a status (any case); a status the service adds later gets the neutral icon. */
export function statusIcon(status: string): IconSpec {
  return statusIcons(status);
}

export interface DescriptionOptions {
  now: number;
  /** The status is already the group's name when grouped by status. */
  showStatus: boolean;
  cancelling: boolean;
  /** The creation time as parseTime gave it, when the caller has it already; otherwise it is read here. */
  created?: number;
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|.*:.*)$/;

/**
 * A name that shows something, trimmed; undefined for null and for names that draw nothing (a zero-width space, a
 * Hangul filler). Most names start with a printable ASCII character and skip the blank test (10,000 rows).
 */
function shownName(name: string | null | undefined): string | undefined {
  const trimmed = name?.trim();
  if (!trimmed) {
    return undefined;
  }
  const first = trimmed.charCodeAt(0);
  return (first > 0x20 && first < 0x7f) || !isBlank(trimmed) ? trimmed : undefined;
}

/** The first DNS label ("ws-fin-0142" of "ws-fin-0142.contoso.local"); an IP literal whole; a short id without a name. */
export function shortDeviceLabel(action: Pick<MachineAction, 'computerDnsName' | 'machineId'>): string {
  const name = shownName(action.computerDnsName);
  if (!name) {
    return deviceLabel(action);
  }
  // Only a name with a colon or a leading digit can be an IP literal: the others skip the pattern (10,000 rows).
  const dot = name.indexOf('.');
  const short = dot <= 0 || ((name.includes(':') || name.charCodeAt(0) <= 0x39) && IP_LITERAL.test(name)) ? name : name.slice(0, dot);
  // A first label that draws nothing ("\u200b.contoso.local") leaves the whole name to say which device.
  return short === name || shownName(short) ? short : name;
}

const SHORT_NAME_LENGTH = 12;

const shortRequestors = perSpelling((requestor: string | null): string => {
  if (isGuid(requestor?.trim())) {
    return 'app';
  }
  const text = oneLine(requestor ?? '').trim();
  const at = text.indexOf('@');
  return shorten(at > 0 ? text.slice(0, at) : text, SHORT_NAME_LENGTH);
});

/** Who asked, short: a UPN's local part ("jane.doe"), "app" for an application id, a display name cut to 12. */
export function shortRequestor(requestor: string | null): string {
  return shortRequestors(requestor);
}

/**
 * The row's description, most important first so that a narrow sidebar cuts the least important:
 * "ws-fin-0142 · 5m · jane.doe" (device, age, requestor); "Cancelling… · " in front while cancelling, and the
 * status at the end when the grouping does not show it. At most SHOWN_LENGTH.row characters.
 */
export function actionDescription(action: MachineAction, options: DescriptionOptions): string {
  const parts = [
    options.cancelling ? 'Cancelling…' : '',
    shortDeviceLabel(action),
    compactAge(options.created ?? action.creationDateTimeUtc, options.now),
    shortRequestor(action.requestor),
    options.showStatus && !options.cancelling ? statusLabel(action.status) : '',
  ];
  return shownText(joinNonEmpty(parts, ' · '), SHOWN_LENGTH.row);
}

/** The non-empty `parts` joined by `separator`: each row's texts, 10,000 rows at a time (filter + join costs 5×). */
export function joinNonEmpty(parts: readonly string[], separator: string): string {
  let text = '';
  for (const part of parts) {
    if (part) {
      text = text ? `${text}${separator}${part}` : part;
    }
  }
  return text;
}

/** The requestor as a person reads it: an application GUID says it is an application. */
export function requestorLabel(requestor: string | null): string {
  if (!requestor) {
    return 'unknown';
  }
  return isGuid(requestor) ? `application ${requestor}` : requestor;
}

/** 'Live Response (LiveResponse, sent as "Live Response"), scope Full': friendly name, API name, raw spelling. */
function typeField(action: MachineAction): string {
  const sent = typeof action.raw.type === 'string' && action.raw.type !== action.type ? `, sent as "${action.raw.type}"` : '';
  const scope = action.scope ? `, scope ${action.scope}` : '';
  return `${typeLabel(action.type)} (${action.type}${sent})${scope}`;
}

/** "2026-03-01 14:05 UTC (5 min ago)"; the server's text alone when it is no date-time. */
function createdField(created: string, now: number): string {
  const age = relativeAge(created, now);
  return age ? `${formatUtc(created)} (${age})` : formatUtc(created);
}

function hresult(value: number): string {
  return `0x${(value >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

/** The label/value pairs of every field a person may want, in reading order; values are plain (unescaped) text. */
export function actionFields(action: MachineAction, now: number): Array<[string, string]> {
  const fields: Array<[string, string | null | undefined]> = [
    ['Status', statusLabel(action.status)],
    ['Type', typeField(action)],
    ['Title', action.title],
    ['Device', action.computerDnsName],
    ['Machine ID', action.machineId],
    ['Requested by', requestorLabel(action.requestor)],
    ['Request source', action.requestSource],
    ['Comment', action.requestorComment],
    ['Created', action.creationDateTimeUtc ? createdField(action.creationDateTimeUtc, now) : null],
    ['Last update', action.lastUpdateDateTimeUtc ? formatUtc(action.lastUpdateDateTimeUtc) : null],
    ['Cancelled by', action.cancellationRequestor ? requestorLabel(action.cancellationRequestor) : null],
    ['Cancelled at', action.cancellationDateTimeUtc ? formatUtc(action.cancellationDateTimeUtc) : null],
    ['Cancellation comment', action.cancellationComment],
    ['Already ran on the device', ranBeforeCancellation(action) ?? null],
    ['External ID', action.externalId],
    ['Error', action.errorHResult ? `HRESULT ${hresult(action.errorHResult)}` : null],
    ['Related file', action.relatedFileInfo?.fileIdentifier
      ? `${action.relatedFileInfo.fileIdentifierType ?? 'file'} ${action.relatedFileInfo.fileIdentifier}` : null],
    ['Action ID', action.id],
  ];
  return fields.filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].trim() !== '');
}

/** One line per live-response command: "1. RunScript ScriptName=collect.ps1 — Completed (errors: …)". */
export function commandLines(action: MachineAction): string[] {
  return action.commands.map((c, i) => {
    const params = c.command.params.map((p) => `${p.key}=${p.value ?? ''}`).join(' ');
    const errors = c.errors.length ? ` (errors: ${c.errors.join('; ')})` : '';
    return `${(c.index ?? i) + 1}. ${[c.command.type ?? 'command', params].filter((s) => s).join(' ')} — ${c.commandStatus ?? 'unknown'}${errors}`;
  });
}

/** A tooltip lists at most this many live-response commands: thousands would make a tooltip of megabytes. */
const TOOLTIP_COMMANDS = 20;

/** The tooltip as markdown in which every piece of server text is escaped; render it untrusted, without HTML. */
export function actionTooltipMarkdown(action: MachineAction, now: number): string {
  const lines = [`**${escapeMarkdown(actionLabel(action))}**`];
  lines.push(...actionFields(action, now).map(([label, value]) => `${label}: ${escapeMarkdown(value)}`));
  const commands = commandLines(action);
  if (commands.length) {
    lines.push('Live response commands:', ...commands.slice(0, TOOLTIP_COMMANDS).map(escapeMarkdown));
  }
  if (commands.length > TOOLTIP_COMMANDS) {
    lines.push(`… and ${commands.length - TOOLTIP_COMMANDS} more (see the details document)`);
  }
  if (isCancellable(action.status)) {
    lines.push('', '_Right-click to cancel it._');
  }
  // Two trailing spaces make a hard line break: one field per line, all in one paragraph.
  return lines.join('  \n');
}
