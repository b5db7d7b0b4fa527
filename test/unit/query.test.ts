import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDefenderApiError } from '../../src/defender/errors';
import { buildFilter, buildListFilter, buildListQuery, odataDateTime, odataString } from '../../src/defender/query';

const NOW = new Date('2026-03-08T12:34:56.789Z');

/** The query as a server reads it: each parameter decoded. */
function decoded(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query));
}

describe('odataString', () => {
  it('quotes and doubles embedded apostrophes', () => {
    assert.equal(odataString('analyst@contoso.com'), "'analyst@contoso.com'");
    assert.equal(odataString("o'brien@contoso.com"), "'o''brien@contoso.com'");
    assert.equal(odataString("''"), "''''''");
    assert.equal(odataString(''), "''");
  });
});

describe('odataDateTime', () => {
  it('writes whole seconds in UTC with Z, unquoted', () => {
    assert.equal(odataDateTime(new Date('2026-01-01T00:00:00.999Z')), '2026-01-01T00:00:00Z');
    assert.equal(odataDateTime(new Date('2026-01-01T05:00:00+02:00')), '2026-01-01T03:00:00Z');
  });
});

describe('buildFilter', () => {
  it('joins clauses with and, leaving out empty ones', () => {
    assert.equal(buildFilter(["status eq 'Pending'", '', "type eq 'Isolate'"]), "status eq 'Pending' and type eq 'Isolate'");
    assert.equal(buildFilter([]), '');
  });
});

describe('buildListQuery', () => {
  it('asks for the look-back window, newest first, with $top', () => {
    const params = decoded(buildListQuery({ lookbackDays: 7, now: NOW, top: 1000 }));
    assert.deepEqual(params, {
      $filter: 'creationDateTimeUtc ge 2026-03-01T12:34:56Z',
      $orderby: 'creationDateTimeUtc desc',
      $top: '1000',
    });
  });

  it('adds requestor eq for only-mine, escaping an apostrophe', () => {
    const params = decoded(buildListQuery({ lookbackDays: 1, now: NOW, top: 50, requestorUpn: "o'brien@contoso.com" }));
    assert.equal(params.$filter, "creationDateTimeUtc ge 2026-03-07T12:34:56Z and requestor eq 'o''brien@contoso.com'");
  });

  it('percent-encodes values so &, #, + and spaces in a UPN cannot break the query', () => {
    const query = buildListQuery({ lookbackDays: 1, now: NOW, top: 5, requestorUpn: 'a&b+c#d e@contoso.com' });
    assert.doesNotMatch(query, /[ #+]/);
    assert.equal(query.split('&').length, 3);
    assert.match(decoded(query).$filter, /requestor eq 'a&b\+c#d e@contoso.com'$/);
    assert.equal(buildListFilter({ lookbackDays: 1, now: NOW, top: 5, requestorUpn: 'a&b+c#d e@contoso.com' }), decoded(query).$filter);
  });

  it('clamps $top to 1…10000 and the look-back to 1…180 days', () => {
    assert.equal(decoded(buildListQuery({ lookbackDays: 7, now: NOW, top: 50000 })).$top, '10000');
    assert.equal(decoded(buildListQuery({ lookbackDays: 7, now: NOW, top: 0 })).$top, '1');
    assert.equal(decoded(buildListQuery({ lookbackDays: 7, now: NOW, top: 12.7 })).$top, '12');
    assert.equal(decoded(buildListQuery({ lookbackDays: 999, now: NOW, top: 1 })).$filter, 'creationDateTimeUtc ge 2025-09-09T12:34:56Z');
    assert.equal(decoded(buildListQuery({ lookbackDays: 0, now: NOW, top: 1 })).$filter, 'creationDateTimeUtc ge 2026-03-07T12:34:56Z');
  });

  it('refuses numbers that are not numbers, and an invalid date', () => {
    const invalid = (error: unknown) => isDefenderApiError(error) && error.kind === 'invalidInput';
    assert.throws(() => buildListQuery({ lookbackDays: 7, now: NOW, top: Number.NaN }), invalid);
    assert.throws(() => buildListQuery({ lookbackDays: Number.POSITIVE_INFINITY, now: NOW, top: 10 }), invalid);
    assert.throws(() => buildListQuery({ lookbackDays: 7, now: new Date('not a date'), top: 10 }), invalid);
  });
});
