import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { firstLineOf } from '../../src/defender/errors';
import { logLine, MAX_LOG_LINE, shownText, SHOWN_LENGTH } from '../../src/shared/userText';
import { forgetSecrets, redact, redactBounded, rememberSecret } from '../../src/shared/redact';

const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmFseXN0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

describe('redact', () => {
  it('bearer tokens and JWTs are removed wherever they stand', () => {
    const out = redact(`Authorization: Bearer ${jwt} and again ${jwt}.`);
    assert.ok(!out.includes(jwt));
    assert.ok(!out.includes('c2lnbmF0dXJl'));
    assert.match(out, /Bearer <redacted>/);
  });

  it('each kind of secret is removed on its own, in any case, with no other secret word near it', () => {
    const samples: Array<[string, string]> = [
      ['authorization: BEARER AbCdEf0123456789xyz', 'AbCdEf0123456789xyz'],
      ['Authorization: basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA'],
      [`failed for ${jwt}`, 'c2lnbmF0dXJl'],
      ['client_assertion=assertion-value-9', 'assertion-value-9'],
      ['{"PASSWORD":"hunter2-value"}', 'hunter2-value'],
      ['?SIG=AbCd%2Bxyz', 'AbCd'],
    ];
    for (const [text, secret] of samples) {
      assert.ok(!redact(text).includes(secret), text);
    }
  });

  it('OAuth secrets in query strings, forms and JSON are removed', () => {
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

  it('the signature of a storage download link is removed, its host and path kept', () => {
    const link = 'https://mdeliveresponse.blob.core.windows.net/results/abc?sv=2021-08-06&se=2026-11-29T08%3A10Z&sr=b&sp=r&sig=Zk9vYmFy%2Bsecret%3D';
    const out = redact(`GET ${link} → 403`);
    assert.ok(!out.includes('Zk9vYmFy'));
    assert.match(out, /blob\.core\.windows\.net\/results\/abc\?sv=2021-08-06&se=.*&sig=<redacted> → 403/);
  });

  it('ordinary log lines pass unchanged', () => {
    const line = "GET /api/machineactions?$filter=requestor eq 'analyst@contoso.com' → 200 in 120 ms (correlation 1b2c)";
    assert.equal(redact(line), line);
    const error = '400 BadRequest {"error":{"code":"ActiveRequestAlreadyExists","message":"An action is already pending"}}';
    assert.equal(redact(error), error);
  });

  it('the token in use is redacted by value, whatever its shape (an opaque token is no JWT)', () => {
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

  /** Each text, redacted, no longer holds its secret and says where it was. */
  function assertRedacted(samples: Array<[text: string, secret: string]>): void {
    for (const [text, secret] of samples) {
      const out = redact(text);
      assert.ok(!out.includes(secret), `${text} → ${out}`);
      assert.match(out, /<redacted>/);
    }
  }

  it('credential field names in JSON, forms and URLs: accessToken, secret, password, SAS sig, code', () => {
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
    assertRedacted(samples);
    assert.match(redact('https://store.blob.core.windows.net/pkg.zip?sv=2022-11-02&sig=x'), /sv=2022-11-02/, 'the rest of the URL stays');
  });

  it('a log line is one line that reads as it is: server text cannot forge a line or hide what it says', () => {
    const message = 'denied\n2026-11-29 12:00:00.000 [info] Cancelled 11111111 OK\u202Egnp.exe\r\tx\u200by\u0000';
    const line = logLine(`Cancel refused: ${message}`);
    assert.equal(line, 'Cancel refused: denied\\n2026-11-29 12:00:00.000 [info] Cancelled 11111111 OK\\u{202E}gnp.exe\\r\\tx\\u{200B}y\\u{0}');
    assert.doesNotMatch(line, /[\n\r\u202e\u200b]/u);
    assert.equal(logLine('GET /api/machineactions → 200 in 41 ms'), 'GET /api/machineactions → 200 in 41 ms', 'plain text as it is');
  });

  /** Well above a linear pass on 100 KB under any load, far below a quadratic one (minutes). */
  const LINEAR_BOUND_MS = 1000;

  /** 100 KB of shapes that made a pattern backtrack (each start re-reading the rest of a run). */
  const HOSTILE = ['eyJ-', 'eyJa.', 'Bearer ', 'Bearer%20', 'secret=', 'password ', '"password":"', '"token": "\\',
    '%26sig%3D', 'sig%3D', '%3Ftoken%3D', '?sig=', 'refresh_token ', 'refresh token a', 'x:', 'A', '\u202e\u200b'].map((unit) => unit.repeat(Math.ceil(100_000 / unit.length)));

  it('redaction is linear: 100 KB of each hostile shape through redact, the text gate and the log in under a second', () => {
    // A linear pass takes a few ms; a backtracking one takes minutes on 100 KB. The bound is that wide so that a
    // loaded machine cannot fail it and a quadratic pattern cannot pass it.
    for (const text of HOSTILE) {
      for (const [place, run] of [['redact', redact], ['shownText', (t: string) => shownText(t, SHOWN_LENGTH.row)], ['log', logLine]] as const) {
        const start = performance.now();
        run(text);
        const ms = performance.now() - start;
        assert.ok(ms < LINEAR_BOUND_MS, `${place} took ${ms.toFixed(0)} ms on ${JSON.stringify(text.slice(0, 16))}…`);
      }
    }
    assert.ok(logLine('x '.repeat(50_000)).length <= MAX_LOG_LINE + 1, 'a log line is bounded');
  });

  it('every spelling of a credential is redacted: encoded or escaped token in use, SAS, JSON and spaced fields', () => {
    forgetSecrets();
    const opaque = 'Q2hhcmxpZSBpcyBvcGFxdWU/tok+en==';
    rememberSecret(opaque);
    const samples: Array<[string, string]> = [
      [`token ${encodeURIComponent(opaque)}`, 'Q2hhcmxpZSBpcyBvcGFxdWU'],
      [`{"t":"${opaque.replace(/\//g, '\\/')}"}`, 'Q2hhcmxpZSBpcyBvcGFxdWU'],
      ['sig=ABCDEFabcdef123 at start', 'ABCDEFabcdef123'],
      ['link sig=ABCDEFabcdef123', 'ABCDEFabcdef123'],
      ['{"sig":"ABCDEFabcdef123"}', 'ABCDEFabcdef123'],
      ['{"SIG" : "ABCDEFabcdef123"}', 'ABCDEFabcdef123'],
      ['sig = ABCDEFabcdef123', 'ABCDEFabcdef123'],
      ['x?Sig%3dABCDEFabcdef123', 'ABCDEFabcdef123'],
      ['url=https%3A%2F%2Fx%2Ff%3Fsv%3D1%26sig%3DABCDEFGH123', 'ABCDEFGH123'],
      ['"token":"opaqueTokenValue123456"', 'opaqueTokenValue123456'],
      ['refresh_token 0.AXoAbcdefghijklmnopqrs invalid', '0.AXoAbcdefghijklmnopqrs'],
      ['Invalid request. refresh token: 0.AXoAbcdefghijk', '0.AXoAbcdefghijk'],
      ['{"password":"p@ss w0rd with spaces"}', 'w0rd with spaces'],
      ['Bearer%20abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrstuvwxyz'],
    ];
    assertRedacted(samples);
    assert.ok(!redact('{"password":"p@ss w0rd"}').includes('p@ss'), 'the whole quoted value goes');
    for (const prose of ['refresh_token is invalid', 'Invalid token: the signature does not match']) {
      assert.equal(redact(prose), prose, 'words after a field name stay');
    }
    assert.equal(redact('?token=abc123&x=1'), '?token=<redacted>&x=1');
    forgetSecrets();
  });

  it('a URL-encoded credential field (`name%3Dvalue`) is redacted as `name=value` is, up to the next encoded `&`', () => {
    const value = 'ABCDEFabcdef123';
    assertRedacted(['sig', 'SIG', 'access_token', 'refreshToken', 'id_token', 'client_secret', 'password', 'api-key',
      'device_code', 'code_verifier', 'client_assertion', 'token'].flatMap((name) => [
      [`${name}%3D${value}`, value], [`${name}%3d${value}`, value], [`x%3Fa%3D1%26${name}%3D${value}%26b%3D2`, value],
    ] as Array<[string, string]>));
    assert.equal(redact('sig%3DAbC%2Bsignature%3D%26se%3D2026'), 'sig%3D<redacted>%26se%3D2026', 'the next encoded field stays');
    assert.equal(redact('a/token%3Dsomething'), 'a/token%3Dsomething', 'not inside a base64 run');
  });

  it('a token cut by a bound shows no prefix: in the text gate, the log and the first line of a body', () => {
    forgetSecrets();
    const token = `opaqueTok${'Z9y8X7w6V5u4T3s2R1q0'.repeat(5)}`;
    rememberSecret(token);
    const body = `Unexpected request from ${'x'.repeat(150)} with token ${token}`;
    for (const shown of [firstLineOf(body), redactBounded(body, 190), logLine(`${'y '.repeat(1990)}${token}`)]) {
      assert.ok(!shown.includes(token.slice(0, 12)), shown.slice(-60));
    }
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmFseXN0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    assert.ok(!redactBounded(`id ${jwt}`, 20).includes('eyJhbGci'), 'a JWT cut to one segment is dropped');
    forgetSecrets();
  });
});
