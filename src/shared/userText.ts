// The one gate for text that is shown: notifications, progress notifications, input boxes, quick-pick titles, tree
// rows, tooltips and the details summary all take server and user text through the functions here. VS Code renders
// `[label](command:…)` in notifications as a clickable link, bidi overrides make text read differently from what it
// is, invisible characters hide content, a token echoed by a server must not be shown, and a 1 MB string must not
// fill a notification.
import { redact } from './redact';

// eslint-disable-next-line no-control-regex -- matching the control characters is this pattern's purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
/** C0 and C1 controls (U+0000–001F, U+007F–009F) as the inside of a character class: the one definition. */
const CONTROL_RANGE = CONTROL.source.slice(1, -1);
/** Controls and line/paragraph separators: they would break a line, a table or a comment. */
const LINE_BREAKING = `${CONTROL_RANGE}\\u2028\\u2029`;
/**
 * Invisible and reordering characters: bidi embeddings, overrides and isolates (U+202A–202E, U+2066–2069, U+061C,
 * U+200E/F), zero-width and joiner characters (U+200B–200D), word joiner and invisible operators (U+2060–2064),
 * other format characters (U+206A–206F, U+FFF9–FFFB), the soft hyphen (U+00AD), the BOM (U+FEFF), fillers that
 * render as nothing (U+115F, U+1160, U+3164, U+FFA0, U+180E) and tags.
 */
const INVISIBLE = '\\u00ad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064'
  + '\\u2066-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}';
/**
 * Invisible combining marks: the grapheme joiner (U+034F), the Khmer inherent vowels (U+17B4/5) and variation
 * selectors: in a class of their own, since next to another character in a class they read as one combined one.
 */
const INVISIBLE_MARKS = '[\\u034f\\u17b4\\u17b5\\ufe00-\\ufe0f\\u{e0100}-\\u{e01ef}]';

const LINE_BREAKING_RUN = new RegExp(`[${LINE_BREAKING}]+`, 'gu');
const INVISIBLE_ANY = new RegExp(`[${INVISIBLE}]|${INVISIBLE_MARKS}`, 'gu');
const FORBIDDEN_ONE = new RegExp(`[${LINE_BREAKING}${INVISIBLE}]|${INVISIBLE_MARKS}`, 'u');
/** Characters no file system accepts in a name: the controls and `\ / : * ? " < > |`. */
const FILE_NAME_UNSAFE = new RegExp(`[${CONTROL_RANGE}\\\\/:*?"<>|]`, 'gu');

/**
 * How many characters one shown string may have, per place; the full text stays in the details document. A
 * notification holds our own explanation (up to ~400 characters, e.g. the permissions a 403 needs) and then
 * Defender's words, so it may be longer than the rest.
 */
export const SHOWN_LENGTH = Object.freeze({ row: 80, notification: 600, tooltipField: 1000 });

/** One line of plain text: control characters and separators become a space, invisible characters go. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKING_RUN, ' ').replace(INVISIBLE_ANY, '');
}

/**
 * The first control or invisible character of `text` as `U+XXXX`, or undefined when there is none; for refusing
 * user text that is sent (the cancel comment stays in Defender's audit log).
 */
export function forbiddenCharacter(text: string): string | undefined {
  const found = FORBIDDEN_ONE.exec(text);
  return found ? `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
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
  return shorten(redact(oneLine(text)), max);
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
 * `name` with every character that no file system accepts replaced by `replacement` (a run of them by one when
 * `runs` is set); the result may still need trimming and a length limit.
 */
export function fileNameSafe(name: string, replacement: string, runs = false): string {
  return name.replace(runs ? new RegExp(`(?:${FILE_NAME_UNSAFE.source})+`, 'gu') : FILE_NAME_UNSAFE, replacement);
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

/** "1 machine action", "3 machine actions": the count and the noun, with an "s" unless the count is 1. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
