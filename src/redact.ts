// Last line of defence for logs: whatever a caller passes, bearer tokens, JWTs and OAuth secrets never reach disk.
// Pure (no vscode) so it is unit-tested in plain Node.

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi, '$1 <redacted>'],
  // JWTs (access and id tokens): three base64url segments, the first starting with eyJ ('{"').
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '<redacted-jwt>'],
  // OAuth fields in query strings, form bodies and JSON.
  [/\b(access_token|refresh_token|id_token|client_secret|device_code|code_verifier|client_assertion)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi, '$1$2<redacted>'],
  // An authorization code only in a URL or form (a JSON "code" is an error code worth keeping).
  [/([?&#]code=)[^&\s]+/g, '$1<redacted>'],
  // The signature of a storage link (SAS `sig`), should a download URL ever reach a log line whole.
  [/([?&]sig=)[^&\s"']+/gi, '$1<redacted>'],
];

export function redact(text: string): string {
  return PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
