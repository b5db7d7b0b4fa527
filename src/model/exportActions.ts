// Machine actions as CSV or JSON for a colleague or a case: every field of the entity (SPEC §1), dates in ISO 8601
// UTC, and CSV that a spreadsheet reads as data only (RFC 4180 quoting; a cell that could start a formula is
// neutralised with a leading apostrophe, as OWASP advises against CSV injection). The command writes the text.
import type { MachineAction } from '../defender/machineAction';

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

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A service date-time as ISO 8601 UTC (`2026-11-23T08:00:00.1234567Z`): a value without a zone is UTC (SPEC §1) and
 * keeps all its fractional digits; one with an offset is converted (to milliseconds). Text that is not a date-time
 * is kept as it is, so nothing is lost.
 */
export function isoUtc(value: string | null): string | null {
  const match = value === null ? null : DATE_TIME.exec(value.trim());
  if (!match) {
    return value;
  }
  const [, date, time, fraction = '', zone] = match;
  const seconds = time.length === 5 ? `${time}:00` : time;
  if (!zone || zone.toUpperCase() === 'Z') {
    return `${date}T${seconds}${fraction}Z`;
  }
  const parsed = new Date(`${date}T${seconds}${fraction.slice(0, 4)}${zone}`);
  return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
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

const NUMBER = /^[+-]?\d+(\.\d+)?$/;
/** What makes a spreadsheet read a cell as a formula (or split it): `=`, `+`, `-`, `@`, tab, carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: a cell that a spreadsheet would run as a formula gets a leading `'` (plain numbers such as
 * `-2147024894` stay numbers), then RFC 4180 quoting when it holds `"`, `,`, CR or LF.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  if (!NUMBER.test(text) && (FORMULA_START.test(text) || FORMULA_START.test(text.trimStart()))) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
