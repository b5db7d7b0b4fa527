// Secrets never reach a log line or the screen: bearer tokens, JWTs, OAuth and SAS fields, and — whatever its shape —
// the token actually in use, remembered by value. log.ts redacts every line; the text gate (shared/userText.ts)
// redacts every shown string.

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, '$1 <redacted>'],
  // JWTs (access and id tokens): three base64url segments, the first starting with eyJ ('{"').
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '<redacted-jwt>'],
  // OAuth and credential fields in query strings, form bodies and JSON (snake_case and camelCase).
  [/\b(access_?token|refresh_?token|id_?token|client_?secret|secret|password|device_?code|code_?verifier|client_?assertion)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi, '$1$2<redacted>'],
  // An authorization code or a SAS signature in a URL or form (a JSON "code" is an error code worth keeping).
  [/([?&#])(code|sig)=[^&\s"']+/gi, '$1$2=<redacted>'],
];

/** Shorter values could be ordinary words; no token is this short. */
const MIN_SECRET_LENGTH = 16;
/** The newest few tokens: the one in use and the one before it suffice, a small set keeps memory flat. */
const MAX_SECRETS = 8;
const liveSecrets: string[] = [];

/**
 * Redacts `value` by value from now on, whatever its shape (an opaque token is no JWT). Call it where a token is
 * obtained. Values shorter than 16 characters are ignored; only the newest 8 are kept.
 */
export function rememberSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || liveSecrets.includes(value)) {
    return;
  }
  liveSecrets.push(value);
  if (liveSecrets.length > MAX_SECRETS) {
    liveSecrets.shift();
  }
}

/** Forgets every remembered secret (sign-out; tests). */
export function forgetSecrets(): void {
  liveSecrets.length = 0;
}

/** `text` with every secret replaced by `<redacted…>`; text without secrets is returned unchanged. */
export function redact(text: string): string {
  const byValue = liveSecrets.reduce((out, secret) => out.split(secret).join('<redacted>'), text);
  return PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), byValue);
}
