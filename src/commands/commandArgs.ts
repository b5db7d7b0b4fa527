// What an item command was invoked on. VS Code passes (clickedNode, selectedNodes) from the tree; a keybinding or
// another extension may pass an action id or an options object.
import { invalidInputError } from '../defender/errors';
import { isGuid } from '../defender/machineAction';
import { withArticle, withoutInvisible } from '../shared/userText';

/** Dashes a word processor or chat puts for `-` (hyphen, non-breaking hyphen, en and em dash, minus, full-width). */
const DASH_LOOKALIKES = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]/g;
/** Quotes around a pasted id: straight, typographic (“…”, ‘…’, „…“) or guillemets. */
const QUOTES_AROUND = /^["'\u2018-\u201f\u00ab\u00bb]+|["'\u2018-\u201f\u00ab\u00bb]+$/g;

/**
 * The action id in pasted text, lower case: a GUID with or without braces, quotes (typographic too), whitespace or
 * invisible and reordering characters anywhere, and with dashes a document or chat wrote for `-` (a portal copy wraps
 * and pads it; a chat or a document may carry a U+200B, a bidi mark or an en dash, never part of an id), in any case;
 * undefined when the text is not one.
 */
export function normalizeActionId(text: string): string | undefined {
  const bare = withoutInvisible(text).replace(/\s+/g, '').replace(QUOTES_AROUND, '').replace(/^\{(.*)\}$/, '$1').replace(DASH_LOOKALIKES, '-');
  return isGuid(bare) ? bare.toLowerCase() : undefined;
}

interface ActionNodeShape {
  kind: 'action';
  action: { id: string };
}

function isActionNode(value: unknown): value is ActionNodeShape {
  const v = value as Partial<ActionNodeShape> | null;
  return typeof v === 'object' && v !== null && v.kind === 'action' && typeof v.action?.id === 'string';
}

/** Options a programmatic caller may pass: `{ actionId | actionIds, comment, verifyFirst }`. */
export interface CommandOptions {
  actionIds: string[];
  comment?: string;
  /** Read the action's state before sending anything (set by the Retry of an unconfirmed cancel). */
  verifyFirst: boolean;
}

function optionsOf(value: unknown): CommandOptions | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isActionNode(value)) {
    return undefined;
  }
  const o = value as { actionId?: unknown; actionIds?: unknown; comment?: unknown; verifyFirst?: unknown };
  const ids = [o.actionId, ...(Array.isArray(o.actionIds) ? o.actionIds : [])].filter((id): id is string => typeof id === 'string');
  return {
    actionIds: ids.map(normalizedOrAsIs),
    ...(typeof o.comment === 'string' ? { comment: o.comment } : {}),
    verifyFirst: o.verifyFirst === true,
  };
}

/** The keys of the options object (CommandOptions, and Open Command Output's `commandIndex`). */
const OPTION_KEYS: ReadonlySet<string> = new Set(['actionId', 'actionIds', 'comment', 'verifyFirst', 'commandIndex']);
const EXPECTED = 'a machine action row, an action ID (a GUID string) or { actionId: "<GUID>" } (Cancel also takes { actionIds: [...] })';

/** "a number", "an array", "an object with the keys id, name": what a caller passed, for the message. */
function describeArgument(value: unknown): string {
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value !== 'object' || value === null) {
    return withArticle(typeof value);
  }
  const keys = Object.keys(value);
  return `an object with the key${keys.length === 1 ? '' : 's'} ${keys.slice(0, 5).map((k) => k.slice(0, 40)).join(', ')}${keys.length > 5 ? ', …' : ''}`;
}

/**
 * Why `first` is none of the arguments an item command takes, or undefined when it is one or none was passed
 * (undefined, null, a group or message row of the view: ask the user). An options object's `actionId` must be a
 * string, its `actionIds` an array of strings, and it has no key of its own (`{ id }` is not `{ actionId }`).
 */
function argumentProblem(first: unknown): string | undefined {
  if (first === undefined || first === null || typeof first === 'string' || isActionNode(first)) {
    return undefined;
  }
  const o = first as Record<string, unknown>;
  if (typeof first !== 'object' || Array.isArray(first) || o.kind === 'action') {
    return `${describeArgument(first)}, not ${EXPECTED}`;
  }
  if (o.kind === 'group' || o.kind === 'message') {
    return undefined;
  }
  if (o.actionId !== undefined && typeof o.actionId !== 'string') {
    return `an actionId that is ${describeArgument(o.actionId)}, not an action ID string`;
  }
  if (o.actionIds !== undefined && !(Array.isArray(o.actionIds) && o.actionIds.every((id) => typeof id === 'string'))) {
    return `actionIds that ${Array.isArray(o.actionIds) ? 'are not all strings' : `are ${describeArgument(o.actionIds)}`}, not an array of action ID strings`;
  }
  return Object.keys(o).some((key) => !OPTION_KEYS.has(key)) ? `${describeArgument(first)}, not ${EXPECTED}` : undefined;
}

/**
 * The action ids the command applies to, in order and without duplicates: the multi-selection when the clicked
 * item is part of it, else the clicked item; an id string; or `actionId(s)` of an options object. [] = ask the user
 * (nothing passed, an options object without ids, a group row). Strings that are not GUIDs are kept, so the caller
 * can say which id is wrong. Throws an 'invalidInput' DefenderApiError naming what was passed and what is expected
 * when the first argument is none of these (a number, an array, `{ id }`, `{ actionId: 5 }`).
 */
export function targetActionIds(args: readonly unknown[]): string[] {
  const [first, second] = args;
  const problem = argumentProblem(first);
  if (problem) {
    throw invalidInputError(`The command was passed ${problem}.`);
  }
  let ids: string[] = [];
  if (isActionNode(first)) {
    const selection = Array.isArray(second) ? second.filter(isActionNode) : [];
    const clickedIsSelected = selection.some((node) => node.action.id === first.action.id);
    ids = (clickedIsSelected && selection.length > 1 ? selection : [first]).map((node) => node.action.id);
  } else if (typeof first === 'string') {
    ids = [normalizedOrAsIs(first)];
  } else {
    ids = optionsOf(first)?.actionIds ?? [];
  }
  const seen = new Set<string>();
  return ids.filter((id) => id && !seen.has(id.toLowerCase()) && seen.add(id.toLowerCase()));
}

/** The comment and flags a programmatic caller passed, from an options object in any argument position. */
export function commandOptions(args: readonly unknown[]): { comment?: string; verifyFirst: boolean } {
  for (const arg of args) {
    const options = optionsOf(arg);
    if (options) {
      return { ...(options.comment !== undefined ? { comment: options.comment } : {}), verifyFirst: options.verifyFirst };
    }
  }
  return { verifyFirst: false };
}

/** An id in its normal form, or the trimmed text when it is not one (so the caller can say which id is wrong). */
function normalizedOrAsIs(text: string): string {
  return normalizeActionId(text) ?? text.trim();
}

/** The ids among `ids` that are not machine action ids, for one clear message. */
export function invalidIds(ids: readonly string[]): string[] {
  return ids.filter((id) => !isGuid(id));
}

/** The target ids of an item command (details, copy, portal), or a clear error when it was invoked without any. */
export function requireTargets(args: readonly unknown[]): string[] {
  const ids = targetActionIds(args);
  if (ids.length === 0) {
    throw invalidInputError('Select a machine action in the Machine Actions view first.');
  }
  return ids;
}
