// Reading a claims challenge from a 401's WWW-Authenticate header (Conditional Access, continuous access evaluation),
// in the shapes Entra ID, Microsoft Graph and gateways send it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimsChallengeFrom, errorFromResponse } from '../../src/defender/errors';

const CLAIMS = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}';
const BASE64 = Buffer.from(CLAIMS).toString('base64');
const BASE64URL = Buffer.from(CLAIMS).toString('base64url');

describe('claimsChallengeFrom', () => {
  it('decodes the claims of insufficient_claims and of the CAE invalid_token form', () => {
    assert.equal(claimsChallengeFrom(`Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${BASE64}"`), CLAIMS);
    assert.equal(claimsChallengeFrom(`Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token", error_description="User session has been revoked", claims="${BASE64}"`), CLAIMS);
  });

  it('takes base64url, any parameter order and casing, and a claims value that is not quoted', () => {
    assert.equal(claimsChallengeFrom(`bearer claims="${BASE64URL}", ERROR="Insufficient_Claims"`), CLAIMS);
    assert.equal(claimsChallengeFrom(`Bearer error=insufficient_claims, Claims=${BASE64}`), CLAIMS);
  });

  it('finds the Bearer challenge among others, as joined header lines arrive (PoP first, Basic first)', () => {
    const bearer = `Bearer realm="", error="insufficient_claims", claims="${BASE64}"`;
    assert.equal(claimsChallengeFrom(`PoP realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", nonce="n1", ${bearer}`), CLAIMS);
    assert.equal(claimsChallengeFrom(`Basic realm="x, Bearer error=no", ${bearer}`), CLAIMS);
    assert.equal(claimsChallengeFrom(`${bearer}, PoP nonce="n1"`), CLAIMS);
    assert.equal(claimsChallengeFrom(`PoP error="insufficient_claims", claims="${BASE64}", Bearer realm=""`), undefined, 'claims of another scheme');
  });

  it('is undefined for a plain 401, another error, another scheme, or claims that are not a JSON object', () => {
    for (const header of [
      undefined, null, '', 'Bearer', 'Bearer realm=""',
      `Bearer error="invalid_request", claims="${BASE64}"`,
      `Basic error="insufficient_claims", claims="${BASE64}"`,
      'Bearer error="insufficient_claims"',
      `Bearer error="insufficient_claims", claims="${Buffer.from('not json').toString('base64')}"`,
      `Bearer error="insufficient_claims", claims="${Buffer.from('[1]').toString('base64')}"`,
    ]) {
      assert.equal(claimsChallengeFrom(header), undefined, String(header));
    }
  });

  it('a 401 carries the decoded claims on its error; other statuses never do', () => {
    const header = { get: (name: string) => (name === 'www-authenticate' ? `Bearer error="insufficient_claims", claims="${BASE64}"` : null) };
    assert.equal(errorFromResponse(401, header, '', 'GET', '/api/machineactions').claims, CLAIMS);
    assert.equal(errorFromResponse(403, header, '', 'GET', '/api/machineactions').claims, undefined);
  });
});
