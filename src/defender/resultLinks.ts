// What an action produced and how to ask for it: the pure checks that say when there is no result (so no request
// is made), the API paths of the two link calls, reading their `{"value": "<https URL>"}` answer, and the sentences
// that name the permission when the service refuses. The calls themselves are DefenderClient methods.
import { DefenderApiError, isDefenderApiError, RequestContext } from './errors';
import type { LiveResponseCommand, MachineAction } from './machineAction';
import { isHttps, schemeAndHost } from '../shared/httpsUrl';
import { cutWhole } from '../shared/cut';
import { fileNameSafe, withArticle } from '../shared/userText';

/** Delegated permission of `GetLiveResponseResultDownloadLink`. */
const LIVE_RESPONSE_PERMISSION = 'Machine.LiveResponse';
/** Delegated permission of `getPackageUri`. */
const COLLECT_FORENSICS_PERMISSION = 'Machine.CollectForensics';

/** Which result is wanted: the output of live-response command `index` (0-based), or the investigation package. */
export type ResultRequest = { kind: 'commandOutput'; index: number } | { kind: 'investigationPackage' };

/** A command parameter named Path in any spelling (`path`, `PATH`): parameter keys are not normalised at parse time. */
function isPathParam(key: string): boolean {
  return key.replace(/[^a-z]/gi, '').toLowerCase() === 'path';
}

/**
 * Each commands array's commands by their `index` field (the first one with each), or null when none has one (then
 * the position is the index). Made once per array (a parsed action keeps its commands): the row menu and the pick
 * ask once per command, and a scan per question took seconds for the 20,000 commands a 60 KB answer can hold.
 */
const BY_INDEX = new WeakMap<readonly LiveResponseCommand[], ReadonlyMap<number, LiveResponseCommand> | null>();

function commandsByIndex(commands: readonly LiveResponseCommand[]): ReadonlyMap<number, LiveResponseCommand> | null {
  let byIndex = BY_INDEX.get(commands);
  if (byIndex === undefined) {
    const indexed = new Map<number, LiveResponseCommand>();
    for (const command of commands) {
      if (command.index !== null && !indexed.has(command.index)) {
        indexed.set(command.index, command);
      }
    }
    byIndex = indexed.size > 0 ? indexed : null;
    BY_INDEX.set(commands, byIndex);
  }
  return byIndex;
}

/** The command of `action` with that index: by its `index` field, else by position. */
export function commandAt(action: MachineAction, index: number): LiveResponseCommand | undefined {
  const byIndex = commandsByIndex(action.commands);
  return byIndex ? byIndex.get(index) : action.commands[index];
}

/** "an Isolate action", "a LiveResponse action": the article by the type's first letter (types are PascalCase words). */
function typeWithArticle(type: string): string {
  return `${withArticle(type)} action`;
}

/**
 * Why `action` has no such result yet — a sentence for the user — or undefined when the link can be requested.
 * Checked before any request: a command that has not completed has no output, a package exists once the
 * collection succeeded. `action` is as parseMachineAction made it: its type and status are in their one spelling.
 */
export function resultUnavailableReason(action: MachineAction, request: ResultRequest): string | undefined {
  if (request.kind === 'investigationPackage') {
    if (action.type !== 'CollectInvestigationPackage') {
      return `Action ${action.id} is ${typeWithArticle(action.type)}: only a Collect Investigation Package action has a package to download.`;
    }
    return action.status === 'Succeeded'
      ? undefined
      : `The investigation package of action ${action.id} is not available: the collection is ${action.status}, and a package exists only once it has Succeeded.`;
  }
  if (action.type !== 'LiveResponse') {
    return `Action ${action.id} is ${typeWithArticle(action.type)}: only a live response action has command output.`;
  }
  if (!Number.isInteger(request.index) || request.index < 0) {
    return `${String(request.index)} is not a command number: commands are numbered from 0.`;
  }
  const command = commandAt(action, request.index);
  if (!command) {
    return action.commands.length === 0
      ? `Live response action ${action.id} has no commands.`
      : `Action ${action.id} has no command ${request.index} (it has ${action.commands.length}).`;
  }
  return command.commandStatus === 'Completed'
    ? undefined
    : `Command ${request.index} (${command.command.type ?? 'unknown type'}) of action ${action.id} has no output: it is ${command.commandStatus ?? 'in an unknown state'}, and output exists only once it has Completed.`;
}

/** The API path (below the machine action's own path) and the permission of a result's link call. */
export function resultLinkCall(request: ResultRequest): { suffix: string; permission: string } {
  return request.kind === 'investigationPackage'
    ? { suffix: '/getPackageUri', permission: COLLECT_FORENSICS_PERMISSION }
    : { suffix: `/GetLiveResponseResultDownloadLink(index=${request.index})`, permission: LIVE_RESPONSE_PERMISSION };
}

/**
 * The https URL in a link answer `{"value": "<https URL>"}`. Throws a 'malformed' DefenderApiError when the value
 * is missing, not a URL, or not https (a link we would refuse to download from anyway).
 */
export function parseResultLink(body: unknown, context: RequestContext): URL {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).value : undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) {
    throw new DefenderApiError({ kind: 'malformed', ...context, message: 'The Defender API answered without a download link (no URL in "value")' });
  }
  if (!isHttps(url)) {
    throw new DefenderApiError({ kind: 'malformed', ...context, message: `The Defender API offered a download link that is not https (${schemeAndHost(url)}); it was not used` });
  }
  return url;
}

/** A 401/403 of a link call, with the permission it needs named; other errors pass unchanged. */
export function withPermissionNamed(error: unknown, permission: string): unknown {
  if (!isDefenderApiError(error) || (error.status !== 401 && error.status !== 403) || error.kind !== 'http') {
    return error;
  }
  const need = error.status === 401
    ? `Sign in again; this call needs the delegated permission ${permission} (with admin consent).`
    : `The app registration needs the delegated permission ${permission} (with admin consent), and your account the matching Defender for Endpoint role.`;
  return new DefenderApiError({
    kind: error.kind, method: error.method, path: error.path, status: error.status, code: error.code,
    serverMessage: error.serverMessage, correlationId: error.correlationId, retryAfterSeconds: error.retryAfterSeconds,
    message: `${error.message}. ${need}`,
  });
}

/** A file name from parts that may hold anything: characters that no file system accepts become `_`. */
function safeFileName(name: string): string {
  const cleaned = cutWhole(fileNameSafe(name, '_', true).replace(/^[.\s]+|[.\s]+$/g, ''), 150) || 'result';
  // Windows opens a device, not a file, for these names whatever the extension (`CON`, `nul.txt`, `COM1.log`).
  return /^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)/i.test(cleaned) ? `_${cleaned}` : cleaned;
}

/**
 * A default name for Save As: the package as `{device}-{yyyy-mm-dd}-investigation-package.zip` (date of the
 * action, UTC); a GetFile result under the file's own name; other output as `{device}-command-{i}-{type}.txt`.
 */
export function suggestedFileName(action: MachineAction, request: ResultRequest): string {
  const device = action.computerDnsName ?? action.machineId ?? action.id;
  const date = /^\d{4}-\d{2}-\d{2}/.exec(action.creationDateTimeUtc ?? '')?.[0] ?? 'undated';
  if (request.kind === 'investigationPackage') {
    return safeFileName(`${device}-${date}-investigation-package.zip`);
  }
  const command = commandAt(action, request.index);
  const path = command?.command.params.find((p) => isPathParam(p.key))?.value;
  if (command?.command.type === 'GetFile' && path) {
    return safeFileName(path.split(/[\\/]/).pop() ?? '');
  }
  return safeFileName(`${device}-command-${request.index}-${command?.command.type ?? 'output'}.txt`);
}

/** The index of each command of `action` (its `index` field, else its position), in order. */
export function commandIndexes(action: MachineAction): number[] {
  return action.commands.map((command, position) => command.index ?? position);
}

/** What `action` has ready to fetch now: any completed live-response command, a package. For the row's menus. */
export function availableResults(action: MachineAction): { commandOutput: boolean; investigationPackage: boolean } {
  return {
    commandOutput: commandIndexes(action).some((index) => !resultUnavailableReason(action, { kind: 'commandOutput', index })),
    investigationPackage: !resultUnavailableReason(action, { kind: 'investigationPackage' }),
  };
}
