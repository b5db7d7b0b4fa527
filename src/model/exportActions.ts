// Machine actions as CSV or JSON for a colleague or a case: every field of the entity (SPEC §1), dates in ISO 8601
// UTC, and CSV that a spreadsheet reads as data only (RFC 4180 quoting; a cell that could start a formula is
// neutralised with a leading apostrophe, as OWASP advises against CSV injection, also behind invisible characters or
// in full-width form). The command writes the text.
import type { MachineAction } from '../defender/machineAction';
import { readDateTime } from '../shared/time';
import { withoutInvisible } from '../shared/userText';

/** The file formats of Export Actions. */
export type ExportFormat = 'csv' | 'json';

/** One exported action: the entity's fields under their current names (not `raw`), dates as ISO 8601 UTC. */
export type ExportRecord = Omit<MachineAction, 'raw'>;

/** CSV columns in order; nested values are flattened (relatedFileInfo) or written as JSON (commands, troubleshootInfo). */
export const CSV_COLUMNS = [
  'id', 'type', 'scope', 'title', 'requestor', 'requestorComment', 'status', 'machineId', 'computerDnsName',
  'creationDateTimeUtc', 'lastUpdateDateTimeUtc', 'cancellationRequestor', 'cancellationComment', 'cancellationDateTimeUtc',
  'externalId', 'requestSource', 'errorHResult', 'relatedFileInfo.fileIdentifier', 'relatedFileInfo.fileIdentifierType',
  'commands', 'troubleshootInfo',
] as const;

/**
 * A service date-time as ISO 8601 UTC (`2026-11-23T08:00:00.1234567Z`): a value without a zone is UTC (SPEC §1) and
 * keeps all its fractional digits; one with an offset is converted (to milliseconds). Text that is not a date-time
 * that exists (`2026-02-30 08:00`, `yesterday`) is kept as it is, so nothing is lost and nothing is made up.
 */
export function isoUtc(value: string | null): string | null {
  const parts = value === null ? undefined : readDateTime(value);
  if (!parts) {
    return value;
  }
  if (!parts.zone || parts.zone.toUpperCase() === 'Z') {
    return `${parts.date}T${parts.time.length === 5 ? `${parts.time}:00` : parts.time}${parts.fraction}Z`;
  }
  return new Date(parts.ms).toISOString();
}

export function toExportRecord(action: MachineAction): ExportRecord {
  return {
    id: action.id,
    type: action.type,
    scope: action.scope,
    title: action.title,
    requestor: action.requestor,
    requestorComment: action.requestorComment,
    status: action.status,
    machineId: action.machineId,
    computerDnsName: action.computerDnsName,
    creationDateTimeUtc: isoUtc(action.creationDateTimeUtc),
    lastUpdateDateTimeUtc: isoUtc(action.lastUpdateDateTimeUtc),
    cancellationRequestor: action.cancellationRequestor,
    cancellationComment: action.cancellationComment,
    cancellationDateTimeUtc: isoUtc(action.cancellationDateTimeUtc),
    externalId: action.externalId,
    requestSource: action.requestSource,
    errorHResult: action.errorHResult,
    relatedFileInfo: action.relatedFileInfo,
    commands: action.commands.map((c) => ({ ...c, startTime: isoUtc(c.startTime), endTime: isoUtc(c.endTime) })),
    troubleshootInfo: action.troubleshootInfo,
  };
}

/**
 * A plain number as spreadsheets read one, which cannot be a formula: a sign, digits with a decimal point or comma
 * (either side may be empty, not both: `-5`, `-.5`, `5.`, `-1,5`), an exponent (`-5e3`, `1E-7`).
 */
const NUMBER = /^[+-]?(\d+([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?$/i;
/** What makes a spreadsheet read a cell as a formula (or split it): `=`, `+`, `-`, `@`, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** What apps skip or drop before they look for a formula: white space and controls (C0 with NUL, DEL, C1). */
const SKIPPED_LEAD = /^[\s\p{Cc}]+/u;
/**
 * What makes a cell need quotes: RFC 4180's `"`, `,`, CR and LF, and the other separators a spreadsheet may split on
 * (`;` where the comma is the decimal mark, tab), which would start a new cell with what follows (`a;=1+1`).
 */
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * True when a spreadsheet could read `text` as a formula. Some apps skip invisible characters (zero-width, bidi
 * controls, a byte-order mark), white space and controls (NUL, C1's U+0085) before the first one they look at, and
 * read the full-width and small forms (`＝ ＋ － ＠`, `﹦`) as their ASCII twins: NFKC maps every such compatibility
 * form to its twin.
 */
function couldStartFormula(text: string): boolean {
  const seen = withoutInvisible(text).normalize('NFKC');
  return FORMULA_START.test(seen) || FORMULA_START.test(seen.replace(SKIPPED_LEAD, ''));
}

/**
 * One CSV field: a cell that a spreadsheet would run as a formula gets a leading `'` (plain numbers such as
 * `-2147024894` or `-5e3` stay numbers), then RFC 4180 quoting when it holds `"`, `,`, `;`, tab, CR or LF. The text
 * itself is kept whole.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  if (!NUMBER.test(text) && couldStartFormula(text)) {
    text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(record: ExportRecord): string {
  const values: unknown[] = CSV_COLUMNS.map((column) => {
    switch (column) {
      case 'relatedFileInfo.fileIdentifier':
        return record.relatedFileInfo?.fileIdentifier;
      case 'relatedFileInfo.fileIdentifierType':
        return record.relatedFileInfo?.fileIdentifierType;
      case 'commands':
        return record.commands.length ? record.commands : null;
      default:
        return record[column];
    }
  });
  return values.map(csvCell).join(',');
}

/**
 * The actions as CSV (a header row, CRLF line ends, RFC 4180) or JSON (an array of ExportRecord, indented), in the
 * order given — the rows the view shows, after its filter.
 */
export function exportActions(actions: readonly MachineAction[], format: ExportFormat): string {
  const records = actions.map(toExportRecord);
  if (format === 'json') {
    return `${JSON.stringify(records, null, 2)}\n`;
  }
  return [CSV_COLUMNS.join(','), ...records.map(csvRow)].map((line) => `${line}\r\n`).join('');
}

/** A default file name: `machine-actions-2026-11-29T0805Z.csv` (UTC, no characters a file system rejects). */
export function exportFileName(now: Date, format: ExportFormat): string {
  return `machine-actions-${now.toISOString().slice(0, 16).replace(':', '')}Z.${format}`;
}
