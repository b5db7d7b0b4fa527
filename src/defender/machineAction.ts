// The normalised MachineAction and tolerant parsing (SPEC §1): unknown enum values are kept, missing or
// wrong-typed optional fields become null, extra fields are ignored — one odd action never breaks the view.
import { redact } from '../shared/redact';
import { withUtcZone } from '../shared/time';
import { forbiddenCharacter, isBlank, oneLine } from '../shared/userText';
import { DefenderApiError, RequestContext } from './errors';

export interface CommandParam {
  key: string;
  value: string | null;
}

/** One live-response command of an action. */
export interface LiveResponseCommand {
  index: number | null;
  startTime: string | null;
  endTime: string | null;
  /** `Created`, `InProgress`, `Completed`, `Failed`, `Cancelled` in one spelling, or a value added later; null when absent. */
  commandStatus: string | null;
  errors: string[];
  /** `type`: `RunScript`, `GetFile`, `PutFile` in one spelling, or a value added later; null when absent. */
  command: { type: string | null; params: CommandParam[] };
}

export interface RelatedFileInfo {
  fileIdentifier: string | null;
  fileIdentifierType: string | null;
}

/**
 * A machine action as the extension keeps it (SPEC §1), parsed tolerantly from what the API sent (parseMachineAction).
 * Read-only, and not a plain object: most fields are read from `raw` when asked for, so a spread (`{ ...action }`)
 * loses them. An action with a field changed is `parseMachineAction({ ...action.raw, field })`.
 */
export interface MachineAction {
  readonly id: string;
  /**
   * `Isolate`, `RunAntiVirusScan`, … in one spelling (canonicalType), or any value the service adds later;
   * `Unknown` when absent. The spelling as sent stays in `raw`.
   */
  readonly type: string;
  readonly scope: string | null;
  readonly title: string | null;
  readonly requestor: string | null;
  readonly requestorComment: string | null;
  /** `Pending`, `InProgress`, `Succeeded`, … in one spelling (canonicalStatus); `Unknown` when absent. */
  readonly status: string;
  readonly machineId: string | null;
  readonly computerDnsName: string | null;
  /** ISO date-times as the server sent them; one without a zone is read as UTC and written `…T…Z` (withUtcZone). */
  readonly creationDateTimeUtc: string | null;
  readonly lastUpdateDateTimeUtc: string | null;
  readonly cancellationRequestor: string | null;
  readonly cancellationComment: string | null;
  readonly cancellationDateTimeUtc: string | null;
  readonly externalId: string | null;
  readonly requestSource: string | null;
  readonly errorHResult: number | null;
  readonly relatedFileInfo: RelatedFileInfo | null;
  readonly commands: readonly LiveResponseCommand[];
  readonly troubleshootInfo: unknown;
  /** The object as received, for the raw-JSON details view. */
  readonly raw: Record<string, unknown>;
}

/** The status or type of an action that came without one. */
export const UNKNOWN = 'Unknown';

/** The statuses SPEC §1 documents, in their one spelling (see canonicalStatus); the service may add others. */
export const KNOWN_STATUSES: readonly string[] = ['Pending', 'InProgress', 'Succeeded', 'Failed', 'TimeOut', 'Cancelled'];
/** The action types SPEC §1 documents, in their one spelling (see canonicalType); the service may add others. */
export const KNOWN_ACTION_TYPES: readonly string[] = [
  'RunAntiVirusScan', 'Offboard', 'LiveResponse', 'CollectInvestigationPackage', 'Isolate', 'Unisolate',
  'StopAndQuarantineFile', 'RestrictCodeExecution', 'UnrestrictCodeExecution',
];
const CANCELLABLE = new Set(['Pending', 'InProgress']);
const FINAL = new Set(['Succeeded', 'Cancelled', 'Failed', 'TimeOut']);

/** The comparison key of an enum spelling: case, spaces, underscores and hyphens do not count. */
function enumKey(value: string): string {
  return value.replace(/[\s_-]+/g, '').toLowerCase();
}

/**
 * A list of 10,000 rows carries a handful of spellings: each is worked out once (a table lookup afterwards, not three
 * regex passes per row). Bounded in count and length, so a server sending a new value per row cannot grow it.
 */
const MAX_SEEN_SPELLINGS = 256;
const MAX_SEEN_LENGTH = 64;
/** Spellings of one length kept (a lookup stays a short scan); one more starts the table over. */
const MAX_SEEN_PER_LENGTH = 8;

/**
 * Each raw spelling met so far → its one spelling, found by its length, then compared. A type arrives in every row
 * as a new string of up to 27 characters: a Map hashes all of it per row, which cost twice this scan (a string
 * compare stops at the first character that differs, and few spellings share a length).
 */
class SeenSpellings {
  /** By length: raw spelling, one spelling, raw spelling, … */
  private readonly byLength: string[][] = [];
  private count = 0;

  get(value: string): string | undefined {
    const met = this.byLength[value.length];
    if (met !== undefined) {
      for (let i = 0; i < met.length; i += 2) {
        if (met[i] === value) {
          return met[i + 1];
        }
      }
    }
    return undefined;
  }

  /**
   * Keeps `value` → `spelling`. When the bounds are reached it starts over, so that spellings met after a run of
   * one-off values (a server that sent a new one per row) are kept again.
   */
  add(value: string, spelling: string): void {
    if (value.length > MAX_SEEN_LENGTH) {
      return;
    }
    const met = this.byLength[value.length] as string[] | undefined;
    if (this.count >= MAX_SEEN_SPELLINGS || (met !== undefined && met.length >= 2 * MAX_SEEN_PER_LENGTH)) {
      this.byLength.length = 0;
      this.count = 0;
    }
    (this.byLength[value.length] ??= []).push(value, spelling);
    this.count++;
  }
}

/** An enum's comparison keys (enumKey) → its spellings, and each raw spelling met so far → its one spelling. */
interface Spellings {
  known: ReadonlyMap<string, string>;
  seen: SeenSpellings;
}

function spellings(known: readonly string[], aliases: Record<string, string>): Spellings {
  return { known: new Map([...known.map((k): [string, string] => [enumKey(k), k]), ...Object.entries(aliases)]), seen: new SeenSpellings() };
}

const STATUS_SPELLINGS = spellings(KNOWN_STATUSES, { canceled: 'Cancelled', timedout: 'TimeOut' });
const TYPE_SPELLINGS = spellings(KNOWN_ACTION_TYPES, {});
/** A live-response command's status and type, normalised like the action's (`Completed ` is Completed). */
const COMMAND_STATUS_SPELLINGS = spellings(['Created', 'InProgress', 'Completed', 'Failed', 'Cancelled'], { canceled: 'Cancelled' });
const COMMAND_TYPE_SPELLINGS = spellings(['RunScript', 'GetFile', 'PutFile'], {});
/** The scopes of Isolate (Full, Selective) and of an antivirus scan (Quick, Full), in one spelling like the enums. */
const SCOPES: ReadonlySet<string> = new Set(['Full', 'Selective', 'Quick']);
const SCOPE_SPELLINGS = spellings([...SCOPES], {});
/** An unknown value in one spelling too: `QUEUED`, `queued` and `Queued` are `Queued`; `collect_file` is `CollectFile`. */
function pascalWords(value: string): string {
  return value.split(/[\s_-]+/).filter((w) => w).map((word) => {
    const oneCase = word === word.toUpperCase() || word === word.toLowerCase();
    return word.charAt(0).toUpperCase() + (oneCase ? word.slice(1).toLowerCase() : word.slice(1));
  }).join('');
}

function canonical(value: string | null | undefined, spellings: Spellings): string {
  if (typeof value !== 'string') {
    return UNKNOWN;
  }
  const seen = spellings.seen.get(value);
  if (seen !== undefined) {
    return seen;
  }
  // Invisible characters do not make another value (`Pending` with a zero-width space is Pending).
  const trimmed = oneLine(value).trim();
  // A secret sent as a value stays its redaction mark: made into words first, no pattern would find it any more.
  const redacted = redact(trimmed);
  // A value of separators or blank-looking characters only (`_`, `-`, U+2800) names nothing: Unknown, as an empty one.
  const result = redacted !== trimmed ? redacted
    : trimmed && !isBlank(trimmed) ? spellings.known.get(enumKey(trimmed)) ?? (pascalWords(trimmed) || UNKNOWN) : UNKNOWN;
  spellings.seen.add(value, result);
  return result;
}

/** The one spelling of a status (`Canceled`, `cancelled`, `CANCELLED` → `Cancelled`); `Unknown` when empty. */
export function canonicalStatus(status: string | null | undefined): string {
  return canonical(status, STATUS_SPELLINGS);
}

/** The one spelling of an action type (`Live Response`, `live_response` → `LiveResponse`); `Unknown` when empty. */
export function canonicalType(type: string | null | undefined): string {
  return canonical(type, TYPE_SPELLINGS);
}

/** The documented statuses, each in its one spelling: a parsed action's status is mostly one of them. */
const KNOWN_STATUS_SET: ReadonlySet<string> = new Set(KNOWN_STATUSES);

/** Pending or InProgress, in any spelling. One set lookup for a status in its one spelling (a parsed action's). */
export function isCancellable(status: string | null | undefined): boolean {
  return CANCELLABLE.has(typeof status === 'string' && KNOWN_STATUS_SET.has(status) ? status : canonicalStatus(status));
}

/** Succeeded, Cancelled, Failed or TimeOut, in any spelling. */
export function isFinal(status: string | null | undefined): boolean {
  return FINAL.has(canonicalStatus(status));
}

/**
 * The known cancel race (SPEC §1): the service says Cancelled, but every live-response command had completed,
 * so the work was done anyway.
 */
export function completedDespiteCancellation(action: MachineAction): boolean {
  return action.status === 'Cancelled'
    && action.commands.length > 0
    && action.commands.every((c) => c.commandStatus === 'Completed');
}

/** The live-response commands that had completed on the device (they ran, whatever happened to the action after). */
export function commandsThatRan(action: MachineAction): LiveResponseCommand[] {
  return action.commands.filter((c) => c.commandStatus === 'Completed');
}

/** The parameter that says what a command worked on, by command type; otherwise its first parameter. */
const MAIN_PARAMETER: ReadonlyMap<string, string> = new Map([['runscript', 'ScriptName'], ['getfile', 'Path'], ['putfile', 'FileName']]);

/** "RunScript triage.ps1", "GetFile C:\x.log": the command type and its main parameter (server text, not yet gated). */
export function describeLiveResponseCommand(command: LiveResponseCommand): string {
  const type = command.command.type ?? 'Command';
  // A Map, not an object: a command type named `constructor` must find nothing, not Object.
  const key = MAIN_PARAMETER.get(type.toLowerCase());
  const param = command.command.params.find((p) => key !== undefined && p.key.toLowerCase() === key.toLowerCase()) ?? command.command.params[0];
  return param?.value ? `${type} ${param.value}` : type;
}

/**
 * For a cancelled action, the live-response commands that had already run on the device, described and joined
 * ("RunScript triage.ps1, GetFile C:\x.log"); undefined when none ran or the action is not cancelled.
 */
export function ranBeforeCancellation(action: MachineAction): string | undefined {
  const ran = /^cancel+ed$/i.test(action.status) ? commandsThatRan(action) : [];
  return ran.length ? ran.map(describeLiveResponseCommand).join(', ') : undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a GUID in the 8-4-4-4-12 form, any case, without braces: the only id sent in an API path. */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID.test(value);
}

/** A label for a device whose name is not known yet (computerDnsName is null shortly after creation). */
export function shortMachineId(machineId: string | null | undefined): string {
  if (!machineId) {
    return '';
  }
  return machineId.length > 12 ? `${machineId.slice(0, 8)}…` : machineId;
}

/** The longest cancel comment sent, in characters of the trimmed text (JavaScript string length). */
export const MAX_COMMENT_LENGTH = 1000;

/** Why a cancel comment cannot be sent (SPEC §3 Cancel 2), or undefined when it can; the input box uses it too. */
export function cancelCommentProblem(comment: string): string | undefined {
  const trimmed = comment.trim();
  if (isBlank(trimmed)) {
    return 'A comment is required.';
  }
  if (trimmed.length > MAX_COMMENT_LENGTH) {
    return `The comment is ${trimmed.length} characters long; at most ${MAX_COMMENT_LENGTH} are allowed.`;
  }
  const forbidden = forbiddenCharacter(trimmed);
  if (forbidden) {
    // Defender keeps the comment in its audit log: a reordering or invisible character would make it read differently.
    return `The comment contains ${forbidden}, a control, invisible or text-reordering character (such as a line break, a tab, a zero-width space or a bidi override): remove it.`;
  }
  return undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record).filter((r): r is Record<string, unknown> => r !== null) : [];
}

/** Parameter values are strings in practice; numbers and booleans are shown as text rather than dropped. */
function paramValue(value: unknown): string | null {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : str(value);
}

/** The scope in its one spelling (`quick`, ` QUICK` → `Quick`); null when absent or blank: an action without one. */
function scopeOf(value: unknown): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  if (SCOPES.has(value)) {
    return value;
  }
  // A scope the service adds later stays as sent (not re-cased): only the text gate's cleaning and the trim.
  const trimmed = oneLine(value).trim();
  return trimmed && !isBlank(trimmed) ? SCOPE_SPELLINGS.known.get(enumKey(trimmed)) ?? trimmed : null;
}

/** A present enum value in its one spelling; null stays null (the field was absent). */
function canonicalOrNull(value: string | null, known: Spellings): string | null {
  return value === null ? null : canonical(value, known);
}

function parseCommand(raw: Record<string, unknown>): LiveResponseCommand {
  const command = record(raw.command);
  return {
    index: num(raw.index),
    startTime: str(raw.startTime),
    endTime: str(raw.endTime),
    commandStatus: canonicalOrNull(str(raw.commandStatus), COMMAND_STATUS_SPELLINGS),
    errors: Array.isArray(raw.errors) ? raw.errors.filter((e): e is string => typeof e === 'string') : [],
    command: {
      type: canonicalOrNull(str(command?.type), COMMAND_TYPE_SPELLINGS),
      params: records(command?.params)
        .filter((p) => typeof p.key === 'string')
        .map((p) => ({ key: p.key as string, value: paramValue(p.value) })),
    },
  };
}

function parseRelatedFileInfo(value: unknown): RelatedFileInfo | null {
  const info = record(value);
  return info ? { fileIdentifier: str(info.fileIdentifier), fileIdentifierType: str(info.fileIdentifierType) } : null;
}

function malformed(message: string, context?: RequestContext): DefenderApiError {
  return new DefenderApiError({ kind: 'malformed', message, ...context });
}

/** The commands of the many actions without any: one frozen array, not two new ones per row of a 10,000-row list. */
const NO_COMMANDS: readonly LiveResponseCommand[] = Object.freeze([]);

/**
 * The commands of a parsed action once read: every row shown asks, for its menu. Kept here, not in a field: most
 * rows are never shown, and a field costs every row 8 bytes.
 */
const PARSED_COMMANDS = new WeakMap<MachineAction, readonly LiveResponseCommand[]>();

/**
 * A MachineAction as parseMachineAction makes it: the fields a refresh reads for every row (id, type, status, the
 * two times the store and grouping compare) are read at once; the others, the scope among them, are read from `raw`
 * when asked for (most rows of 10,000 are never shown), the commands once. Each field is 8 bytes per row (Node
 * runs V8 without pointer compression), allocated while all JSON.parse made is alive: at 100,000 actions every
 * young-generation collection copies it, so fewer bytes mean fewer of them.
 *
 * A class, not an object literal: V8 counts how long the objects of a literal live and, as a list lives until the
 * next refresh, soon allocates them in the old generation at once; then every field that points to a string
 * JSON.parse just made costs a write barrier. Objects of a class start young, like the strings they point to.
 */
class ParsedMachineAction implements MachineAction {
  declare readonly id: string;
  declare readonly type: string;
  declare readonly status: string;
  declare readonly creationDateTimeUtc: string | null;
  declare readonly lastUpdateDateTimeUtc: string | null;
  declare readonly raw: Record<string, unknown>;

  /** `o`: the object as received; `id`: its id, trimmed and not empty. */
  constructor(o: Record<string, unknown>, id: string) {
    this.id = id;
    this.type = canonicalType(str(o.type));
    this.status = canonicalStatus(str(o.status));
    this.creationDateTimeUtc = withUtcZone(str(o.creationDateTimeUtc));
    this.lastUpdateDateTimeUtc = withUtcZone(str(o.lastUpdateDateTimeUtc) ?? str(o.lastUpdateTimeUtc));
    this.raw = o;
  }

  get scope(): string | null {
    return scopeOf(this.raw.scope);
  }

  get title(): string | null {
    return str(this.raw.title);
  }

  get requestor(): string | null {
    return str(this.raw.requestor);
  }

  get requestorComment(): string | null {
    return str(this.raw.requestorComment);
  }

  get machineId(): string | null {
    return str(this.raw.machineId);
  }

  get computerDnsName(): string | null {
    return str(this.raw.computerDnsName);
  }

  get cancellationRequestor(): string | null {
    return str(this.raw.cancellationRequestor);
  }

  get cancellationComment(): string | null {
    return str(this.raw.cancellationComment);
  }

  get cancellationDateTimeUtc(): string | null {
    return withUtcZone(str(this.raw.cancellationDateTimeUtc));
  }

  get externalId(): string | null {
    return str(this.raw.externalId) ?? str(this.raw.externalID);
  }

  get requestSource(): string | null {
    return str(this.raw.requestSource);
  }

  get errorHResult(): number | null {
    return num(this.raw.errorHResult);
  }

  get troubleshootInfo(): unknown {
    return this.raw.troubleshootInfo ?? null;
  }

  /** Read anew each time: only the tooltip, the details and an export ask, and a field less per row counts. */
  get relatedFileInfo(): RelatedFileInfo | null {
    return parseRelatedFileInfo(this.raw.relatedFileInfo);
  }

  get commands(): readonly LiveResponseCommand[] {
    let parsed = PARSED_COMMANDS.get(this);
    if (parsed === undefined) {
      const commands = this.raw.commands;
      parsed = Array.isArray(commands) ? records(commands).map(parseCommand) : NO_COMMANDS;
      PARSED_COMMANDS.set(this, parsed);
    }
    return parsed;
  }
}

/** Throws a 'malformed' DefenderApiError only when `raw` is not an object or has no id. */
export function parseMachineAction(raw: unknown, context?: RequestContext): MachineAction {
  const o = record(raw);
  if (!o) {
    throw malformed(`The Defender API sent ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : `a ${typeof raw}`} where a machine action was expected`, context);
  }
  const id = typeof o.id === 'string' ? o.id.trim() : '';
  if (!id) {
    throw malformed('The Defender API sent a machine action without an id', context);
  }
  return new ParsedMachineAction(o, id);
}

/** The `{"value": […]}` envelope of one list page, its elements not read yet (MergedPages.add reads them). */
export interface ListEnvelope {
  /** The elements as sent: machine actions, or anything else a server put there (skipped and counted when read). */
  elements: readonly unknown[];
  /** `@odata.nextLink` as sent (not yet checked: the client decides whether to follow it). */
  nextLink: string | null;
}

/**
 * The envelope of a list answer; only a missing envelope is an error (a 'malformed' DefenderApiError), a bad element
 * is skipped later. The elements are read where they are merged by id (MergedPages.add), in one pass while each
 * element is still in the CPU cache: a separate pass per step cost a refresh of 10,000 actions several ms.
 */
export function listEnvelope(body: unknown, context?: RequestContext): ListEnvelope {
  const envelope = record(body);
  if (!envelope || !Array.isArray(envelope.value)) {
    throw malformed('The Defender API answered the list request without a "value" array of machine actions', context);
  }
  const nextLink = envelope['@odata.nextLink'];
  return { elements: envelope.value, nextLink: typeof nextLink === 'string' && nextLink ? nextLink : null };
}
