// The https rules, written once: a token, a refresh token, a device-code page or a signed link goes over https only,
// and a bearer token only to the API's own origin. Each caller words its own refusal.

/** Whether `url` uses https. */
export function isHttps(url: URL): boolean {
  return url.protocol === 'https:';
}

/** `text` as a URL when it is one and uses https; undefined otherwise (never throws). */
export function parseHttpsUrl(text: string): URL | undefined {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  return url && isHttps(url) ? url : undefined;
}

/** Whether `url` is https on the origin of `base` (same scheme, host and port): the only place a bearer token goes. */
export function isSameHttpsOrigin(url: URL, base: URL): boolean {
  return isHttps(url) && url.origin === base.origin;
}

/** Whether `url` carries a user name, password, query or fragment — none of which belongs in a base URL. */
export function hasCredentialsOrQuery(url: URL): boolean {
  return Boolean(url.username || url.password || url.search || url.hash);
}

/** `scheme://host[:port]` of `url`: enough to say where it points without its path or query (which may be signed). */
export function schemeAndHost(url: URL): string {
  return `${url.protocol}//${url.host}`;
}
