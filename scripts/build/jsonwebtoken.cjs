// Stands in for jsonwebtoken in the bundle. msal-node uses it only to sign the client assertion of a confidential
// client (ClientAssertion); this extension is a public client and never signs one. It and its dependencies
// (jws, semver, lodash.*) were about 57 KiB of the bundle. A call means that changed: it fails loudly.
function unavailable() {
  throw new Error('jsonwebtoken is not in this bundle: only confidential clients sign client assertions');
}

module.exports = { sign: unavailable, verify: unavailable, decode: unavailable };
