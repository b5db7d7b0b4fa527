// Stands in for the `whatwg-url` package in the bundle: node-fetch 2 uses `require('url').URL` whenever Node has it
// (every Node the extension supports), and only falls back to this. The real package drags in tr46's Unicode table,
// about 290 KB of the bundle that would never run.
module.exports = { URL: globalThis.URL, URLSearchParams: globalThis.URLSearchParams };
