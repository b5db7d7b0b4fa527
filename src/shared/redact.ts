// Secrets never reach a log line or the screen: bearer tokens, JWTs, OAuth and SAS fields, and — whatever its shape —
// the token actually in use, remembered by value (also URL-encoded and JSON-escaped). log.ts redacts every line; the
// text gate (shared/userText.ts) redacts every shown string.
//
// Every pattern is linear in the length of the text: each starts only where a run begins (a look-behind or a
// literal key), and no quantified part can match the same characters in two ways, so a failed start costs at most
// the run it stands on (`eyJ-` repeated made the old JWT pattern quadratic: 18 s for 100 KB).
import { cutWhole } from './cut';

/** Characters a token, signature or key value is made of (base64, base64url, URL-encoding, JWT dots). */
const TOKEN_CHAR = 'A-Za-z0-9._~+/=%-';
/** Field names whose value is a credential. */
const SECRET_NAME = 'access_?token|refresh_?token|id_?token|client_?secret|secret|password|device_?code|code_?verifier'
  + '|client_?assertion|api[_-]?key|sig';
/** The same, and a bare `token`: quoted JSON fields and `token=` only, as "Invalid token: the …" is prose. */
const QUOTED_NAME = `${SECRET_NAME}|token`;
const ASSIGNED_NAME = `${SECRET_NAME}|token(?=\\s*=)`;
/** The same credentials in prose or a form with a space: `refresh_token 0.AX…`, `refresh token: 0.AX…`. */
const SPACED_NAME = '(?:access|refresh|id)[_ ]?token|client[_ ]?secret|device[_ ]?code|code[_ ]?verifier';

/** A JWT: three base64url segments, the first starting with eyJ ('{"'). Checked on a whole run (see redactJwts). */
const JWT = /^eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
/** A run of JWT characters that starts with eyJ; starts only at the beginning of a run, so each run is read once. */
const JWT_RUN = /(?<![A-Za-z0-9_.-])eyJ[A-Za-z0-9_.-]*/g;

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization header values, also URL-encoded (`Bearer%20…`) or quoted.
  [new RegExp(`\\b(Bearer|Basic)(?:\\s|%20)+"?[${TOKEN_CHAR}]+"?`, 'gi'), '$1 <redacted>'],
  // A JSON or quoted field: the whole quoted value, spaces and escapes included; a value cut before its closing
  // quote is redacted to the end.
  [new RegExp(`(["'])(${QUOTED_NAME})\\1(\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"?`, 'gi'), '$1$2$1$3"<redacted>"'],
  // OAuth and credential fields in query strings, form bodies and prose (`name=value`, `name: value`); not inside
  // a base64 run (`…/token==`).
  [new RegExp(`(?<![A-Za-z0-9+/])(${ASSIGNED_NAME})(\\s*[:=]\\s*["']?)[^"'&\\s,}]+`, 'gi'), '$1$2<redacted>'],
  // The same fields URL-encoded (`name%3Dvalue`, in an encoded URL after `%26` or `%3F`), up to the next `%26`.
  [new RegExp(`(?:(?<![A-Za-z0-9+/])|(?<=%26|%3F))(${QUOTED_NAME})(%3D)(?:(?!%26)[^"'&\\s,}])+`, 'gi'), '$1$2<redacted>'],
  // Spelled with a space or a colon before the value: only a value that looks like a token (a digit or token punctuation), so
  // "refresh_token is invalid" keeps its words.
  [new RegExp(`\\b(${SPACED_NAME})((?:\\s*:\\s*|\\s+)["']?)(?=[A-Za-z]*[0-9._~+/=%-])[${TOKEN_CHAR}]+`, 'gi'), '$1$2<redacted>'],
  // An authorization code or a SAS signature in a URL, also inside an encoded URL (`%26sig%3D…`); a JSON "code"
  // is an error code worth keeping.
  [/([?&#]|%3F|%26)(code|sig)(=|%3D)(?:(?!%26)[^&\s"'])+/gi, '$1$2$3<redacted>'],
];

/** Shorter values could be ordinary words; no token is this short. */
const MIN_SECRET_LENGTH = 16;
/** The newest few tokens: the one in use and the one before it suffice, a small set keeps memory flat. */
const MAX_SECRETS = 8;
/** Per remembered token, the spellings it may be echoed in: as is, URL-encoded, JSON-escaped (`\/`). */
const liveSecrets: string[][] = [];
/** liveSecrets as one list, kept in step with it: redact runs for every shown row and must not build it per call. */
let secretSpellings: readonly string[] = [];

/**
 * Redacts `value` by value from now on, whatever its shape (an opaque token is no JWT), also URL-encoded or with
 * JSON's `\/`. Call it where a token is obtained. Values shorter than 16 characters are ignored; only the newest 8
 * are kept.
 */
export function rememberSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || liveSecrets.some((spellings) => spellings[0] === value)) {
    return;
  }
  liveSecrets.push([...new Set([value, encodeURIComponent(value), value.replace(/\//g, '\\/')])]);
  if (liveSecrets.length > MAX_SECRETS) {
    liveSecrets.shift();
  }
  secretSpellings = liveSecrets.flat();
}

/** Forgets every remembered secret (sign-out; tests). */
export function forgetSecrets(): void {
  liveSecrets.length = 0;
  secretSpellings = [];
}

function redactJwts(text: string): string {
  return text.replace(JWT_RUN, (run) => run.replace(JWT, '<redacted-jwt>'));
}

/**
 * A word every pattern above needs (in any case): text without one — nearly every row of the view, 10,000 of them
 * in a large group — skips the passes. Keep it in step with PATTERNS, SECRET_NAME and JWT_RUN. `sig` only with what
 * every pattern has after it (`=`, `:`, `%3D`, a closing quote): a bare `sig` is in `mac-design-04` and `signature`.
 */
const MAY_HOLD_SECRET = /bearer|basic|eyj|token|secret|password|code|assertion|api[_-]?key|sig(?:\s*[:=]|%3d|["'])/i;

/** `text` with every secret replaced by `<redacted…>`; text without secrets is returned unchanged. Linear time. */
export function redact(text: string): string {
  const byValue = secretSpellings.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join('<redacted>') : out), text);
  return MAY_HOLD_SECRET.test(byValue)
    ? redactJwts(PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), byValue))
    : byValue;
}

const IS_TOKEN_CHAR = new RegExp(`[${TOKEN_CHAR}]`);
/** No token is longer (characters): a longer run of token characters is no token and may be cut. */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * `text` redacted and cut to at most `maxChars` characters (plus `…`); only a prefix is read, a bound on the work
 * for huge server text. A token standing across the cut is read whole first, so no prefix of it stays (a cut token
 * is no longer a JWT nor the remembered value).
 */
export function redactBounded(text: string, maxChars: number): string {
  if (text.length <= maxChars) {
    return redact(text);
  }
  const limit = Math.min(text.length, maxChars + MAX_TOKEN_LENGTH);
  let end = maxChars;
  while (end < limit && IS_TOKEN_CHAR.test(text[end])) {
    end++;
  }
  const runEnds = end < limit || end === text.length;
  return `${cutWhole(redact(text.slice(0, runEnds ? end : maxChars)), maxChars)}…`;
}
