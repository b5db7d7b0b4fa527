import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RETRY_AFTER_SECONDS,
  DefenderApiError,
  errorFromResponse,
  formatWait,
  isDefenderApiError,
  jsonFromSuccess,
  networkError,
  notAnActionIdError,
  notAnActionIdMessage,
  notWaitedError,
  parseRetryAfter,
  rateLimitedError,
  timeoutError,
} from '../../src/defender/errors';
import { classifyCancelError } from '../../src/commands/cancel/outcome';
import { presentError } from '../../src/commands/errorPresentation';
import { logLine, userText } from '../../src/shared/userText';

function headers(values: Record<string, string> = {}): { get(name: string): string | null } {
  const lower = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  return { get: (name) => lower.get(name.toLowerCase()) ?? null };
}

const PATH = '/api/machineactions/7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33/cancel';

describe('errorFromResponse', () => {
  it('reads the Defender error body: code, message verbatim, target as correlation id', () => {
    const body = JSON.stringify({ error: { code: 'Forbidden', message: 'The user has no <b>permission</b> for Machine.Isolate', target: 'c0ffee00-1111-2222-3333-444455556666' } });
    const error = errorFromResponse(403, headers({ 'content-type': 'application/json' }), body, 'POST', PATH);
    assert.equal(error.kind, 'http');
    assert.equal(error.status, 403);
    assert.equal(error.code, 'Forbidden');
    assert.equal(error.serverMessage, 'The user has no <b>permission</b> for Machine.Isolate');
    assert.equal(error.correlationId, 'c0ffee00-1111-2222-3333-444455556666');
    assert.equal(error.method, 'POST');
    assert.equal(error.path, PATH);
    assert.equal(error.message, 'Defender API answered 403 Forbidden: The user has no <b>permission</b> for Machine.Isolate');
  });

  it('names a code that says more than the status', () => {
    const body = JSON.stringify({ error: { code: 'ActiveRequestAlreadyExists', message: 'Action is already in progress' } });
    const error = errorFromResponse(400, headers(), body, 'POST', PATH);
    assert.equal(error.message, 'Defender API answered 400 Bad Request (ActiveRequestAlreadyExists): Action is already in progress');
  });

  it('uses the details messages of an OData error with an empty code', () => {
    const body = JSON.stringify({
      error: {
        code: '',
        message: 'The query specified in the URI is not valid.',
        details: [{ code: '', message: "Could not find a property named 'computerDnsName' on type 'MachineAction'.", target: '$filter' }, 'junk'],
      },
    });
    const error = errorFromResponse(400, headers(), body, 'GET', '/api/machineactions');
    assert.equal(error.code, undefined);
    assert.equal(error.serverMessage, "The query specified in the URI is not valid. — Could not find a property named 'computerDnsName' on type 'MachineAction'.");
    assert.match(error.message, /^Defender API answered 400 Bad Request: The query .*'computerDnsName'/);
  });

  it('uses the details alone when the top-level message is empty', () => {
    const body = JSON.stringify({ error: { code: '', message: '', details: [{ code: 'ODataError', message: 'The $top value exceeds 10000' }] } });
    const error = errorFromResponse(400, headers(), body, 'GET', '/api/machineactions');
    assert.equal(error.code, 'ODataError');
    assert.equal(error.serverMessage, 'The $top value exceeds 10000');
  });

  it('takes the correlation id from response headers when the body has none', () => {
    for (const name of ['request-id', 'client-request-id', 'x-ms-request-id']) {
      const error = errorFromResponse(404, headers({ [name]: 'req-42' }), JSON.stringify({ error: { code: 'NotFound', message: 'Action not found' } }), 'GET', PATH);
      assert.equal(error.correlationId, 'req-42', name);
      assert.equal(error.message, 'Defender API answered 404 Not Found: Action not found');
    }
  });

  it('describes an HTML page without quoting it', () => {
    const html = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><script>alert(1)</script></body></html>';
    const error = errorFromResponse(502, headers({ 'content-type': 'text/html; charset=utf-8', 'x-ms-request-id': 'gw-1' }), html, 'GET', '/api/machineactions');
    assert.equal(error.message, 'The server answered with an HTML page (status 502) — a proxy or gateway may be in the way');
    assert.equal(error.serverMessage, undefined);
    assert.equal(error.correlationId, 'gw-1');
    // HTML is recognised by its look too, when a gateway sends it without a content type.
    assert.match(errorFromResponse(503, headers(), '  <html><body>down</body></html>', 'GET', '/x').message, /HTML page \(status 503\)/);
  });

  it('says when the body is empty', () => {
    const error = errorFromResponse(503, headers(), '', 'GET', '/api/machineactions');
    assert.equal(error.message, 'Defender API answered 503 Service Unavailable with an empty body');
    assert.equal(error.status, 503);
  });

  it('quotes plain text, collapsed and truncated', () => {
    const text = `upstream\nconnect error ${'x'.repeat(1000)}`;
    const error = errorFromResponse(500, headers({ 'content-type': 'text/plain' }), text, 'GET', '/api/machineactions');
    assert.ok(error.serverMessage?.startsWith('upstream connect error xxx'));
    assert.ok(error.serverMessage!.endsWith('…'));
    assert.ok(error.message.length < 400, `message of ${error.message.length} characters`);
  });

  it('reads looser gateway bodies', () => {
    assert.equal(errorFromResponse(401, headers(), JSON.stringify({ error: 'invalid_token', error_description: 'The token expired' }), 'GET', '/x').serverMessage, 'The token expired');
    assert.equal(errorFromResponse(401, headers(), JSON.stringify({ statusCode: 401, message: 'Access denied due to missing subscription key' }), 'GET', '/x').serverMessage,
      'Access denied due to missing subscription key');
    assert.equal(errorFromResponse(500, headers(), '[]', 'GET', '/x').message, 'Defender API answered 500 Internal Server Error without an error message');
  });

  it('reads Retry-After on a 429, defaulting to 10 s when absent or unreadable', () => {
    const body = JSON.stringify({ error: { code: 'TooManyRequests', message: 'Rate limit is exceeded' } });
    assert.equal(errorFromResponse(429, headers({ 'retry-after': '7' }), body, 'GET', '/x').retryAfterSeconds, 7);
    assert.equal(errorFromResponse(429, headers(), body, 'GET', '/x').retryAfterSeconds, DEFAULT_RETRY_AFTER_SECONDS);
    assert.equal(errorFromResponse(429, headers({ 'retry-after': 'soon' }), body, 'GET', '/x').retryAfterSeconds, DEFAULT_RETRY_AFTER_SECONDS);
    assert.equal(errorFromResponse(503, headers({ 'retry-after': '30' }), '', 'GET', '/x').retryAfterSeconds, 30);
    assert.equal(errorFromResponse(500, headers(), '', 'GET', '/x').retryAfterSeconds, undefined);
  });

  it('refuses to follow a redirect and says why', () => {
    const error = errorFromResponse(302, headers({ location: 'https://elsewhere.example/' }), '', 'GET', '/api/machineactions');
    assert.equal(error.kind, 'http');
    assert.match(error.message, /redirect \(status 302\).*not followed/);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    assert.equal(parseRetryAfter('0'), 0);
    assert.equal(parseRetryAfter(' 12 '), 12);
    assert.equal(parseRetryAfter('1.2'), 2);
    assert.equal(parseRetryAfter('-1'), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it('reads an HTTP-date (RFC 9110) as the seconds from now, in each of its three forms; a past date is 0', () => {
    const now = Date.UTC(2026, 9, 21, 7, 27, 15);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now), 45);
    assert.equal(parseRetryAfter('Wednesday, 21-Oct-26 07:28:00 GMT', now), 45);
    assert.equal(parseRetryAfter('Wed Oct 21 07:28:00 2026', now), 45, 'asctime has no zone and is GMT');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('Wed, 99 Foo 2026 07:28:00 GMT', now), undefined);
  });

  it('reads the first value of a header sent twice (joined by ", "), seconds or dates', () => {
    const now = Date.UTC(2026, 9, 21, 7, 27, 15);
    assert.equal(parseRetryAfter('5, 5', now), 5);
    assert.equal(parseRetryAfter('7,30', now), 7);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT, Wed, 21 Oct 2026 07:29:00 GMT', now), 45);
    assert.equal(parseRetryAfter('Wed Oct 21 07:28:00 2026, 20', now), 45);
  });

  it('keeps a Retry-After of hundreds of digits a finite number', () => {
    assert.equal(parseRetryAfter('9'.repeat(400)), Number.MAX_SAFE_INTEGER);
  });

  it('dates a 429 answer by the clock passed in', () => {
    const now = Date.UTC(2026, 9, 21, 7, 27, 30);
    const error = errorFromResponse(429, headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }), '', 'GET', '/api/machineactions', now);
    assert.equal(error.retryAfterSeconds, 30);
  });
});

describe('jsonFromSuccess', () => {
  it('returns the parsed JSON', () => {
    assert.deepEqual(jsonFromSuccess(200, headers(), '{"value":[]}', 'GET', '/api/machineactions'), { value: [] });
  });

  it('throws a clear malformed error for HTML, empty and non-JSON bodies', () => {
    const cases: [string, RegExp][] = [
      ['<html><body>Sign in to the proxy</body></html>', /^The server answered with an HTML page \(status 200\) — a proxy or gateway/],
      ['', /^Defender API answered 200 OK with an empty body where JSON was expected — a proxy or gateway between VS Code and the Defender API may have answered instead$/],
      ['{"value": [', /^Defender API answered 200 OK with text that is not JSON — a proxy or gateway .* instead: \{"value": \[$/],
    ];
    for (const [body, pattern] of cases) {
      assert.throws(() => jsonFromSuccess(200, headers({ 'request-id': 'r-1' }), body, 'GET', '/api/machineactions'), (error: unknown) => {
        assert.ok(isDefenderApiError(error));
        assert.equal(error.kind, 'malformed');
        assert.equal(error.status, 200);
        assert.equal(error.correlationId, 'r-1');
        assert.match(error.message, pattern);
        return true;
      });
    }
  });
});

describe('networkError and timeoutError', () => {
  it('names the system code of a failed connection', () => {
    const cause = Object.assign(new Error('request to https://127.0.0.1:9/api/machineactions failed, reason: connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = networkError(cause, 'GET', '/api/machineactions');
    assert.equal(error.kind, 'network');
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.message, 'Could not reach the Defender API (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:9');
  });

  it('explains a certificate failure', () => {
    const cause = Object.assign(new Error('request to https://x/ failed, reason: unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    assert.match(networkError(cause, 'GET', '/').message, /\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*certificate is not trusted/);
  });

  it('says how long it waited', () => {
    const error = timeoutError(1500, 'POST', PATH);
    assert.equal(error.kind, 'timeout');
    assert.equal(error.message, 'The Defender API did not answer within 1.5 s');
  });
});

describe('isDefenderApiError', () => {
  it('recognises the error by shape, also from another copy of the module', () => {
    assert.equal(isDefenderApiError(new DefenderApiError({ kind: 'http', message: 'x', status: 500 })), true);
    const lookalike = Object.assign(new Error('from a second bundle'), { name: 'DefenderApiError', kind: 'timeout' });
    assert.equal(isDefenderApiError(lookalike), true);
    assert.equal(isDefenderApiError(Object.assign(new Error('x'), { name: 'DefenderApiError', kind: 'somethingElse' })), false);
    assert.equal(isDefenderApiError(new Error('plain')), false);
    assert.equal(isDefenderApiError('DefenderApiError'), false);
    assert.equal(isDefenderApiError(null), false);
  });
});

describe('waits too long to take', () => {
  it('formats a wait in seconds, minutes or hours', () => {
    assert.equal(formatWait(45), '45 s');
    assert.equal(formatWait(59.2), '1 min');
    assert.equal(formatWait(61), '2 min');
    assert.equal(formatWait(3600), '1 h');
    assert.equal(formatWait(3900), '1 h 5 min');
  });

  it('a 429 not waited out keeps status and Retry-After and says why it was not retried', () => {
    const throttled = errorFromResponse(429, headers({ 'retry-after': '3600', 'request-id': 'c-1' }), '{"error":{"code":"TooManyRequests","message":"Rate limit is exceeded"}}', 'POST', PATH);
    const error = notWaitedError(throttled, 60);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 3600);
    assert.equal(error.correlationId, 'c-1');
    assert.equal(error.path, PATH);
    assert.equal(error.message, 'Defender API answered 429 Too Many Requests: Rate limit is exceeded — the service asks to wait 1 h, longer than the 60 s a request waits; try again then');
  });

  it('a Retry-After beyond the clamp, even of 400 digits, is said as "longer than" the clamp', () => {
    for (const value of ['9'.repeat(400), '31536000']) {
      const throttled = errorFromResponse(429, headers({ 'retry-after': value }), '', 'GET', PATH);
      const error = notWaitedError(throttled, 60, 300);
      assert.equal(error.retryAfterSeconds, 300);
      assert.equal(error.message, 'Defender API answered 429 Too Many Requests with an empty body — the service asks to wait longer than 5 min, the most this client holds off; try again in 5 min');
    }
  });

  it('a request held back by the budget is a typed 429 the UI treats as throttling', () => {
    const error = rateLimitedError('the budget of 1500 Defender API calls per hour is used up', 2699.5, 'GET', '/api/machineactions');
    assert.equal(isDefenderApiError(error), true);
    assert.equal(error.kind, 'rateLimited');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 2700);
    assert.equal(error.message, 'Not sent: the budget of 1500 Defender API calls per hour is used up; the next call is allowed in 45 min');
    assert.deepEqual(classifyCancelError(error), { kind: 'throttled', error, retryAfterSeconds: 2700 });
    assert.deepEqual(presentError(error, 'Could not refresh').buttons, ['Retry', 'Show Log']);
  });
});

describe('notAnActionIdMessage', () => {
  const HINT = 'An action ID is a GUID such as 7d4c4b2a-0f3e-4a55-9d1c-2b8e6f0a1c33.';

  it('a long id is cut between characters, never inside one: no half of an emoji', () => {
    const message = notAnActionIdMessage([`${'x'.repeat(59)}\u{1F600}\u{1F600}${'y'.repeat(40)}`]);
    assert.doesNotMatch(message, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, 'no lone surrogate');
    assert.match(message, /x{59}…\./u, 'the emoji across the cut goes whole');
  });

  it('an id of 800 characters is quoted by its first 60 and an ellipsis: the hint stays, in the message and on screen', () => {
    const long = 'z'.repeat(800);
    const message = notAnActionIdMessage([long]);
    assert.equal(message, `Not a machine action ID: ${'z'.repeat(60)}…. ${HINT}`);
    const shown = presentError(notAnActionIdError([long]), 'Could not cancel the machine action').message;
    assert.ok(userText(shown).endsWith(HINT), userText(shown));
  });

  it('names at most three ids, and how many more', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    assert.equal(notAnActionIdMessage(ids), `Not a machine action ID: a, b, c and 2 more. ${HINT}`);
  });

  it('leaves the gating to the screen: the log shows the input as it came, the screen no link', () => {
    const planted = '[x](command:workbench.action.terminal.new)';
    const message = notAnActionIdError([planted]).message;
    assert.ok(logLine(message).includes(`: ${planted}. `), logLine(message));
    assert.doesNotMatch(userText(message), /\]\s*\(/);
  });

  it('a token pasted instead of an id is redacted before it is cut, so no part of it is quoted', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.${'eyJzdWIiOiIxMjM0NTY3ODkwIn0'.repeat(4)}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
    const message = notAnActionIdMessage([jwt]);
    assert.doesNotMatch(message, /eyJ|SflKx/, message);
    assert.ok(message.endsWith(HINT));
  });
});
