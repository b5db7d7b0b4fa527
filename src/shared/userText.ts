// The one gate for text that is shown: notifications, progress notifications, input boxes, quick-pick titles, tree
// rows, tooltips and the details summary all take server and user text through the functions here. VS Code renders
// `[label](command:…)` in notifications as a clickable link, bidi overrides make text read differently from what it
// is, invisible characters hide content, a token echoed by a server must not be shown, and a 1 MB string must not
// fill a notification.
import { MAX_TOKEN_LENGTH, redactBounded } from './redact';

/** A log line is at most this long (characters): the log is for reading, a 1 MB body belongs in no line. */
export const MAX_LOG_LINE = 4000;

/** Controls (C0, DEL, C1) and line/paragraph separators: they would break a line, a table or a comment. */
const LINE_BREAKING = '\\p{Cc}\\p{Zl}\\p{Zp}';
/**
 * Invisible and reordering characters, by Unicode property rather than by a list that misses some: format
 * characters (Cf: bidi controls, zero-width characters, invisible operators, tags, musical and shorthand format
 * controls), lone surrogates (Cs), private-use (Co) and unassigned (Cn) code points, and every default-ignorable
 * code point (fillers such as U+3164, variation selectors, Mongolian free variation selectors, the soft hyphen).
 */
const INVISIBLE = '\\p{Cf}\\p{Cs}\\p{Co}\\p{Cn}\\p{Default_Ignorable_Code_Point}';
/** Characters that render as an empty cell (Braille blank, Hangul fillers): text of only these says nothing. */
const BLANK_LOOKING = '\\u2800\\u115f\\u1160\\u3164\\uffa0';

const LINE_BREAKING_RUN = new RegExp(`[${LINE_BREAKING}]+`, 'gu');
const INVISIBLE_RUN = new RegExp(`[${INVISIBLE}]+`, 'gu');
const FORBIDDEN_ONE = new RegExp(`[${LINE_BREAKING}${INVISIBLE}]`, 'u');
const BLANK = new RegExp(`^[\\s${LINE_BREAKING}${INVISIBLE}${BLANK_LOOKING}]*$`, 'u');
/** Characters no file system accepts in a name: the controls and `\ / : * ? " < > |`. */
const FILE_NAME_UNSAFE = new RegExp(`[${LINE_BREAKING}\\\\/:*?"<>|]`, 'gu');
const LOG_UNSAFE = new RegExp(`[${LINE_BREAKING}${INVISIBLE}]`, 'gu');
const LOG_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * How many characters one shown string may have, per place; the full text stays in the details document. A
 * notification holds our own explanation (up to ~400 characters, e.g. the permissions a 403 needs) and then
 * Defender's words, so it may be longer than the rest.
 */
export const SHOWN_LENGTH = Object.freeze({ row: 80, accessibilityLabel: 200, notification: 600, tooltipField: 1000 });

/** One line of plain text: control characters and separators become a space, invisible characters go. */
export function oneLine(text: string): string {
  // One scan for the usual text that has none, instead of two replacing passes.
  return FORBIDDEN_ONE.test(text) ? withoutInvisible(text.replace(LINE_BREAKING_RUN, ' ')) : text;
}

/** `text` without its invisible and reordering characters (the rule oneLine applies); controls are kept. */
export function withoutInvisible(text: string): string {
  return text.replace(INVISIBLE_RUN, '');
}

/**
 * One log line as it is written: line breaks, controls and invisible or reordering characters as escapes (`\n`,
 * `\u{202E}`), so that server text can neither forge a line of its own nor read differently from what it is; then
 * bounded to MAX_LOG_LINE characters and redacted.
 */
export function logLine(message: string): string {
  const escaped = FORBIDDEN_ONE.test(message)
    ? message.replace(LOG_UNSAFE, (c) => LOG_ESCAPES[c] ?? `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`)
    : message;
  return redactBounded(escaped, MAX_LOG_LINE);
}

/**
 * The first control or invisible character of `text` as `U+XXXX`, or undefined when there is none; for refusing
 * user text that is sent (the cancel comment stays in Defender's audit log).
 */
export function forbiddenCharacter(text: string): string | undefined {
  const found = FORBIDDEN_ONE.exec(text);
  return found ? `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** True when `text` shows nothing: only white space, invisible and blank-looking characters (U+2800, U+3164, …). */
export function isBlank(text: string): boolean {
  return BLANK.test(text);
}

/** At most `max` characters (code points), the last one an ellipsis when something was cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  let end = 0;
  for (let count = 0; count < max - 1 && end < text.length; count++) {
    end += text.codePointAt(end)! > 0xffff ? 2 : 1;
  }
  const rest = text.length - end;
  const fits = rest <= 1 || (rest === 2 && text.codePointAt(end)! > 0xffff);
  return fits ? text : `${text.slice(0, end).trimEnd()}…`;
}

/**
 * Server or user text for one place on screen: one line, no invisible characters, secrets redacted, at most `max`
 * characters (see SHOWN_LENGTH). Idempotent.
 */
export function shownText(text: string, max: number): string {
  // Only a generous prefix is cleaned and redacted (with room for a token standing across its end), so huge server
  // text costs no more than a short one.
  const bound = max * 4;
  return shorten(redactBounded(oneLine(text.slice(0, bound + MAX_TOKEN_LENGTH)), bound), max);
}

/** Text for a notification, progress title or input box: shownText, and no link can form. Idempotent. */
export function userText(text: string): string {
  return plainNotificationText(shownText(text, SHOWN_LENGTH.notification));
}

/**
 * Notifications render `[label](target)` as a clickable link (including command: links), so server text
 * could plant a button. A zero-width space between `]` and `(` keeps the text readable but never a link.
 */
export function plainNotificationText(text: string): string {
  return text.replace(/\]\s*\(/g, ']\u200b(');
}

/**
 * `name` without invisible or reordering characters, and with every character that no file system accepts (controls,
 * line separators, `\\/:*?"<>|`) replaced by `replacement` (a run of them by one when `runs` is set); the result may
 * still need trimming and a length limit.
 */
export function fileNameSafe(name: string, replacement: string, runs = false): string {
  // Invisible and reordering characters go first: `report\u202efdp.exe` must not be saved as what reads "reportexe.pdf".
  return withoutInvisible(name).replace(runs ? new RegExp(`(?:${FILE_NAME_UNSAFE.source})+`, 'gu') : FILE_NAME_UNSAFE, replacement);
}

/**
 * Server text as literal markdown text: every ASCII punctuation character is backslash-escaped (CommonMark renders
 * `\x` as `x` for any of them), so no link, image, emphasis, HTML, autolink, heading, list or table can form.
 */
export function escapeMarkdown(text: string): string {
  return shownText(text, SHOWN_LENGTH.tooltipField).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/** Server text for a quick pick: through the gate, and `$(name)` cannot turn into an icon. */
export function quickPickText(text: string): string {
  return shownText(text, SHOWN_LENGTH.notification).replace(/\$\(/g, '$\u200b(');
}

/** "an Isolate", "a number": `noun` after the article its first letter asks for (a vowel: "an"). */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** "1 machine action", "3 machine actions": the count and the noun, with an "s" unless the count is 1. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
