import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateFilter, type ODataSchema, ODataQueryError, orderByComparator, parseFilter, parseOrderBy } from '../simulators/odata';

const schema: ODataSchema = {
  fields: { status: 'string', type: 'string', requestor: 'string', name: 'string', created: 'datetime' },
  properties: ['status', 'type', 'requestor', 'name', 'created', 'computerDnsName'],
  typeName: 'Test.Action',
};

function matches(filter: string, record: Record<string, unknown>): boolean {
  return evaluateFilter(parseFilter(filter, schema), record);
}

function rejects(filter: string, message: RegExp): void {
  assert.throws(() => parseFilter(filter, schema), (error: unknown) => error instanceof ODataQueryError && message.test(error.message));
}

describe('OData $filter', () => {
  it('and binds tighter than or', () => {
    // As (status A or status B) and type X this record would not match.
    assert.equal(matches("status eq 'A' or status eq 'B' and type eq 'X'", { status: 'A', type: 'Y' }), true);
    assert.equal(matches("status eq 'B' and type eq 'X' or status eq 'A'", { status: 'A', type: 'Y' }), true);
    assert.equal(matches("status eq 'A' or status eq 'B' and type eq 'X'", { status: 'B', type: 'Y' }), false);
  });

  it('parentheses override precedence', () => {
    assert.equal(matches("(status eq 'A' or status eq 'B') and type eq 'X'", { status: 'A', type: 'Y' }), false);
    assert.equal(matches("(status eq 'A' or status eq 'B') and type eq 'X'", { status: 'B', type: 'X' }), true);
  });

  it('not applies to the next comparison or group only', () => {
    assert.equal(matches("not status eq 'A' and type eq 'X'", { status: 'A', type: 'Y' }), false);
    assert.equal(matches("not status eq 'A' and type eq 'X'", { status: 'B', type: 'X' }), true);
    assert.equal(matches("not (status eq 'A' and type eq 'X')", { status: 'A', type: 'Y' }), true);
  });

  it('every comparison operator on strings is ordinal and case-sensitive', () => {
    const record = { status: 'Pending' };
    assert.equal(matches("status eq 'Pending'", record), true);
    assert.equal(matches("status eq 'pending'", record), false);
    assert.equal(matches("status ne 'Failed'", record), true);
    assert.equal(matches("status gt 'Failed'", record), true);
    assert.equal(matches("status ge 'Pending'", record), true);
    assert.equal(matches("status lt 'Pending'", record), false);
    assert.equal(matches("status le 'Pending'", record), true);
  });

  it('in matches any listed value', () => {
    assert.equal(matches("status in ('Pending', 'InProgress')", { status: 'InProgress' }), true);
    assert.equal(matches("status in ('Pending','InProgress')", { status: 'Failed' }), false);
    assert.equal(matches("not status in ('Pending')", { status: 'Failed' }), true);
    rejects('status in ()', /position/);
    rejects('status in (type)', /constant values/);
  });

  it("quotes are escaped by doubling them", () => {
    assert.equal(matches("requestor eq 'o''brien@contoso.com'", { requestor: "o'brien@contoso.com" }), true);
    assert.equal(matches("requestor eq ''''", { requestor: "'" }), true);
    assert.equal(matches("requestor eq 'a and b'", { requestor: 'a and b' }), true);
    rejects("requestor eq 'o'brien'", /position/);
    rejects("requestor eq 'unterminated", /unterminated string/);
  });

  it('unquoted date-time literals compare as instants, whatever the format of the stored value', () => {
    const filter = 'created ge 2026-01-01T00:00:00Z';
    assert.equal(matches(filter, { created: '2026-01-01T00:00:00.0000000Z' }), true);
    assert.equal(matches(filter, { created: '2025-12-31T23:59:59.9990000Z' }), false);
    assert.equal(matches(filter, { created: '2026-01-01T00:30:00+01:00' }), false);
    assert.equal(matches('created eq 2026-01-01T01:00:00+01:00', { created: '2026-01-01T00:00:00Z' }), true);
    assert.equal(matches('created lt 2026-01-01T00:00:00.5Z', { created: '2026-01-01T00:00:00.1234567Z' }), true);
    assert.equal(matches(filter, { created: 'not a date' }), false);
  });

  it('a quoted date, a string compared to a date, or an impossible date is refused', () => {
    rejects("created ge '2026-01-01T00:00:00Z'", /incompatible types.*'Edm.DateTimeOffset' and 'Edm.String'.*GreaterThanOrEqual/);
    rejects('status eq 2026-01-01T00:00:00Z', /incompatible types/);
    rejects('status eq 42', /incompatible types/);
    rejects('created ge 2026-02-30T00:00:00Z', /2026-02-30T00:00:00Z.*not valid/);
  });

  it('null equals only a missing or null value, and orders nothing', () => {
    assert.equal(matches('name eq null', {}), true);
    assert.equal(matches('name eq null', { name: null }), true);
    assert.equal(matches('name ne null', { name: 'x' }), true);
    assert.equal(matches("name gt 'a'", { name: null }), false);
    assert.equal(matches("name lt 'z'", {}), false);
  });

  it('properties: unknown ones and non-filterable ones get the service wording', () => {
    rejects("computerDnsName eq 'ws-01'", /^The property 'computerDnsName' cannot be used in the \$filter query option\.$/);
    rejects("nosuch eq 'x'", /^Could not find a property named 'nosuch' on type 'Test.Action'\.$/);
    rejects("Status eq 'A'", /Could not find a property named 'Status'/);
  });

  it('syntax errors are refused', () => {
    for (const text of ["status eq", "status eq 'A' and", "status = 'A'", "(status eq 'A'", "status eq 'A')", "status EQ 'A'",
      "status eq 'A' 'B'", '', 'status', "eq 'A'", "status eq 'A' && type eq 'B'"]) {
      assert.throws(() => parseFilter(text, schema), ODataQueryError, text);
    }
  });
});

describe('OData $orderby', () => {
  const rows = [
    { status: 'B', created: '2026-01-02T00:00:00Z' },
    { status: 'A', created: '2026-01-03T00:00:00Z' },
    { status: 'B', created: '2026-01-01T00:00:00Z' },
    { status: null, created: null },
  ];

  it('sorts by several clauses, asc by default, nulls first when ascending', () => {
    const sorted = [...rows].sort(orderByComparator(parseOrderBy('status, created desc', schema)));
    assert.deepEqual(sorted, [rows[3], rows[1], rows[0], rows[2]]);
  });

  it('dates sort as instants, descending puts nulls last', () => {
    const sorted = [...rows].sort(orderByComparator(parseOrderBy('created desc', schema)));
    assert.deepEqual(sorted.map((row) => row.created), ['2026-01-03T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', null]);
  });

  it('refuses unknown properties, bad directions and stray text', () => {
    assert.throws(() => parseOrderBy('computerDnsName', schema), /cannot be used in the \$orderby query option/);
    assert.throws(() => parseOrderBy('status up', schema), ODataQueryError);
    assert.throws(() => parseOrderBy('status,', schema), ODataQueryError);
    assert.throws(() => parseOrderBy("'status'", schema), ODataQueryError);
  });
});
