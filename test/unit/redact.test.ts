import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { forgetSecrets, redact, rememberSecret } from '../../src/shared/redact';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmFseXN0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

test('bearer tokens and JWTs are removed wherever they stand', () => {
  const out = redact(`Authorization: Bearer ${jwt} and again ${jwt}.`);
  assert.ok(!out.includes(jwt));
  assert.ok(!out.includes('c2lnbmF0dXJl'));
  assert.match(out, /Bearer <redacted>/);
});

test('OAuth secrets in query strings, forms and JSON are removed', () => {
  const form = 'grant_type=refresh_token&refresh_token=0.AAAA-secret-refresh&client_id=abc&code_verifier=verif123';
  const out = redact(form);
  assert.ok(!out.includes('0.AAAA-secret-refresh'));
  assert.ok(!out.includes('verif123'));
  assert.match(out, /client_id=abc/);
  const json = redact('{"access_token":"opaque-access","token_type":"Bearer"}');
  assert.ok(!json.includes('opaque-access'));
  assert.match(json, /token_type/);
  const redirect = redact('http://localhost:5123/?code=0.AUTHCODE-xyz&state=abc');
  assert.ok(!redirect.includes('AUTHCODE'));
  assert.match(redirect, /state=abc/);
});

test('the signature of a storage download link is removed, its host and path kept', () => {
  const link = 'https://mdeliveresponse.blob.core.windows.net/results/abc?sv=2021-08-06&se=2026-11-29T08%3A10Z&sr=b&sp=r&sig=Zk9vYmFy%2Bsecret%3D';
  const out = redact(`GET ${link} → 403`);
  assert.ok(!out.includes('Zk9vYmFy'));
  assert.match(out, /blob\.core\.windows\.net\/results\/abc\?sv=2021-08-06&se=.*&sig=<redacted> → 403/);
});

test('ordinary log lines pass unchanged', () => {
  const line = "GET /api/machineactions?$filter=requestor eq 'analyst@contoso.com' → 200 in 120 ms (correlation 1b2c)";
  assert.equal(redact(line), line);
  const error = '400 BadRequest {"error":{"code":"ActiveRequestAlreadyExists","message":"An action is already pending"}}';
  assert.equal(redact(error), error);
});

test('the token in use is redacted by value, whatever its shape (an opaque token is no JWT)', () => {
  const opaque = 'EwBwA8l6BAAUkj1+opaque/token==';
  assert.equal(redact(`echo ${opaque}`), `echo ${opaque}`, 'unknown until remembered');
  rememberSecret(opaque);
  try {
    assert.equal(redact(`server said: invalid token ${opaque} (twice: ${opaque})`), 'server said: invalid token <redacted> (twice: <redacted>)');
    rememberSecret('short');
    assert.equal(redact('a short word'), 'a short word', 'values too short to be a token are not remembered');
  } finally {
    forgetSecrets();
  }
});

test('credential field names in JSON, forms and URLs: accessToken, secret, password, SAS sig, code', () => {
  const samples: Array<[string, string]> = [
    ['{"accessToken":"abc123opaque"}', 'abc123opaque'],
    ['{"refreshToken": "rt-value-1"}', 'rt-value-1'],
    ['access_token=at-value-2&x=1', 'at-value-2'],
    ['{"secret":"s3cr3t-value"}', 's3cr3t-value'],
    ['client_secret=cs-value-3', 'cs-value-3'],
    ['password: hunter2-value', 'hunter2-value'],
    ['https://store.blob.core.windows.net/pkg.zip?sv=2022-11-02&se=2026&sig=AbC%2Bsignature%3D', 'AbC%2Bsignature%3D'],
    ['http://localhost/?code=0.AUTH-code&state=1', '0.AUTH-code'],
  ];
  for (const [text, secret] of samples) {
    const out = redact(text);
    assert.ok(!out.includes(secret), `${text} → ${out}`);
    assert.match(out, /<redacted>/);
  }
  assert.match(redact('https://store.blob.core.windows.net/pkg.zip?sv=2022-11-02&sig=x'), /sv=2022-11-02/, 'the rest of the URL stays');
});
