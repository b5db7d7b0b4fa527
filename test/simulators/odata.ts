// The OData v4 subset the Defender API accepts in `$filter` and `$orderby`, parsed and evaluated so the
// simulator answers list queries like the real service — including its 400s for bad syntax, for
// properties that cannot be filtered on, and for comparisons of mismatched types (a quoted date).
//
// $filter grammar (keywords and property names are case-sensitive, as in OData):
//   or-expr   := and-expr ('or' and-expr)*
//   and-expr  := unary ('and' unary)*
//   unary     := 'not' unary | '(' or-expr ')' | operand cmp operand | operand 'in' '(' literal (',' literal)* ')'
//   cmp       := eq | ne | gt | ge | lt | le
//   operand   := property | 'single-quoted string with '' as the escape' | 2026-01-01T00:00:00Z | 42 | null
// `not` binds tighter than `and`, which binds tighter than `or`; `not status eq 'X'` negates the comparison.

export type FieldType = 'string' | 'datetime';

export interface ODataSchema {
  /** Properties usable in $filter and $orderby, with their types. */
  fields: Readonly<Record<string, FieldType>>;
  /** Every property of the entity: naming one outside `fields` is "cannot be used", anything else "could not find". */
  properties: readonly string[];
  /** Entity type name, for error messages. */
  typeName: string;
}

/** A query the service would refuse with 400; `message` is worded like ASP.NET OData's. */
export class ODataQueryError extends Error {}

export type LiteralType = FieldType | 'number' | 'null';
export type Operand =
  | { kind: 'field'; name: string; type: FieldType }
  | { kind: 'literal'; type: LiteralType; value: string | number | null };
export type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterExpr =
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'compare'; op: ComparisonOperator; left: Operand; right: Operand }
  | { kind: 'in'; operand: Operand; values: Operand[] };

export interface OrderByClause {
  field: string;
  type: FieldType;
  descending: boolean;
}

type Token =
  | { kind: '(' | ')' | ',' | 'end'; pos: number }
  | { kind: 'word'; text: string; pos: number }
  | { kind: 'literal'; operand: Operand & { kind: 'literal' }; pos: number };

const COMPARISONS: Record<ComparisonOperator, string> = {
  eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual',
};
const EDM_TYPES: Record<LiteralType, string> = {
  string: 'Edm.String', datetime: 'Edm.DateTimeOffset', number: 'Edm.Int32', null: '<null>',
};
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.]*/;
const DELIMITER = /^(?:$|[\s(),])/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const rest = text.slice(pos);
    const ch = text[pos];
    if (/\s/.test(ch)) {
      pos++;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: ch, pos });
      pos++;
    } else if (ch === "'") {
      const { value, end } = readString(text, pos);
      tokens.push({ kind: 'literal', operand: { kind: 'literal', type: 'string', value }, pos });
      pos = end;
    } else {
      const date = DATE_TIME.exec(rest);
      const match = date ?? NUMBER.exec(rest) ?? WORD.exec(rest);
      if (!match || !DELIMITER.test(rest.slice(match[0].length))) {
        throw new ODataQueryError(`Syntax error: character '${ch}' is not valid at position ${pos} in '${text}'.`);
      }
      if (date) {
        tokens.push({ kind: 'literal', operand: { kind: 'literal', type: 'datetime', value: parseDateTime(date, text) }, pos });
      } else if (/^-?\d/.test(match[0])) {
        tokens.push({ kind: 'literal', operand: { kind: 'literal', type: 'number', value: Number(match[0]) }, pos });
      } else {
        tokens.push({ kind: 'word', text: match[0], pos });
      }
      pos += match[0].length;
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let pos = start + 1;
  for (;;) {
    const quote = text.indexOf("'", pos);
    if (quote < 0) {
      throw new ODataQueryError(`There is an unterminated string literal at position ${start} in '${text}'.`);
    }
    value += text.slice(pos, quote);
    if (text[quote + 1] !== "'") {
      return { value, end: quote + 1 };
    }
    value += "'";
    pos = quote + 2;
  }
}

/** Date.parse rolls 2026-02-30 over into March; the service rejects it, so check the fields survive. */
function parseDateTime(match: RegExpExecArray, text: string): number {
  const time = Date.parse(match[0]);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (Number.isNaN(time) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    throw new ODataQueryError(`The DateTimeOffset text '${match[0]}' in '${text}' is not valid.`);
  }
  return time;
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly text: string, private readonly schema: ODataSchema, private readonly option: string) {
    this.tokens = tokenize(text);
  }

  parseFilter(): FilterExpr {
    const expr = this.orExpr();
    this.expectEnd();
    return expr;
  }

  parseOrderBy(): OrderByClause[] {
    const clauses: OrderByClause[] = [];
    do {
      const token = this.next();
      if (token.kind !== 'word') {
        throw this.syntaxError(token);
      }
      const field = this.field(token.text);
      const direction = this.peekWord('asc') || this.peekWord('desc') ? (this.next() as { text: string }).text : 'asc';
      clauses.push({ field: field.name, type: field.type, descending: direction === 'desc' });
    } while (this.accept(','));
    this.expectEnd();
    return clauses;
  }

  private orExpr(): FilterExpr {
    let left = this.andExpr();
    while (this.acceptWord('or')) {
      left = { kind: 'or', left, right: this.andExpr() };
    }
    return left;
  }

  private andExpr(): FilterExpr {
    let left = this.unary();
    while (this.acceptWord('and')) {
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    if (this.acceptWord('not')) {
      return { kind: 'not', operand: this.unary() };
    }
    if (this.accept('(')) {
      const inner = this.orExpr();
      this.expect(')');
      return inner;
    }
    const left = this.operand();
    if (this.acceptWord('in')) {
      this.expect('(');
      const values: Operand[] = [];
      do {
        const value = this.operand();
        if (value.kind !== 'literal') {
          throw new ODataQueryError(`The 'in' operator needs a list of constant values in '${this.text}'.`);
        }
        this.checkTypes('eq', left, value);
        values.push(value);
      } while (this.accept(','));
      this.expect(')');
      return { kind: 'in', operand: left, values };
    }
    const token = this.next();
    if (token.kind !== 'word' || !(token.text in COMPARISONS)) {
      throw this.syntaxError(token);
    }
    const op = token.text as ComparisonOperator;
    const right = this.operand();
    this.checkTypes(op, left, right);
    return { kind: 'compare', op, left, right };
  }

  private operand(): Operand {
    const token = this.next();
    if (token.kind === 'literal') {
      return token.operand;
    }
    if (token.kind === 'word' && token.text === 'null') {
      return { kind: 'literal', type: 'null', value: null };
    }
    if (token.kind === 'word' && !isKeyword(token.text)) {
      return this.field(token.text);
    }
    throw this.syntaxError(token);
  }

  private field(name: string): Operand & { kind: 'field' } {
    const type = Object.prototype.hasOwnProperty.call(this.schema.fields, name) ? this.schema.fields[name] : undefined;
    if (type) {
      return { kind: 'field', name, type };
    }
    if (this.schema.properties.includes(name)) {
      throw new ODataQueryError(`The property '${name}' cannot be used in the ${this.option} query option.`);
    }
    throw new ODataQueryError(`Could not find a property named '${name}' on type '${this.schema.typeName}'.`);
  }

  private checkTypes(op: ComparisonOperator, left: Operand, right: Operand): void {
    if (left.type !== right.type && left.type !== 'null' && right.type !== 'null') {
      throw new ODataQueryError(`A binary operator with incompatible types was detected. Found operand types '${EDM_TYPES[left.type]}' and '${EDM_TYPES[right.type]}' for operator kind '${COMPARISONS[op]}'.`);
    }
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') {
      this.index++;
    }
    return token;
  }

  private accept(kind: '(' | ')' | ','): boolean {
    if (this.tokens[this.index].kind === kind) {
      this.index++;
      return true;
    }
    return false;
  }

  private peekWord(word: string): boolean {
    const token = this.tokens[this.index];
    return token.kind === 'word' && token.text === word;
  }

  private acceptWord(word: string): boolean {
    if (this.peekWord(word)) {
      this.index++;
      return true;
    }
    return false;
  }

  private expect(kind: '(' | ')'): void {
    if (!this.accept(kind)) {
      throw this.syntaxError(this.tokens[this.index]);
    }
  }

  private expectEnd(): void {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') {
      throw this.syntaxError(token);
    }
  }

  private syntaxError(token: Token): ODataQueryError {
    return token.kind === 'end'
      ? new ODataQueryError(`Expression expected at position ${token.pos} in '${this.text}'.`)
      : new ODataQueryError(`Syntax error at position ${token.pos} in '${this.text}'.`);
  }
}

function isKeyword(word: string): boolean {
  return word in COMPARISONS || ['and', 'or', 'not', 'in', 'null', 'asc', 'desc'].includes(word);
}

/** Parses a `$filter` value; throws ODataQueryError on anything the service would refuse. */
export function parseFilter(text: string, schema: ODataSchema): FilterExpr {
  return new Parser(text, schema, '$filter').parseFilter();
}

/** Parses a `$orderby` value (`field [asc|desc], …`); throws ODataQueryError like parseFilter. */
export function parseOrderBy(text: string, schema: ODataSchema): OrderByClause[] {
  return new Parser(text, schema, '$orderby').parseOrderBy();
}

type Value = string | number | null;

/** A record's value for a typed property: date-times as epoch ms; missing, null or unparsable as null. */
function fieldValue(record: Readonly<Record<string, unknown>>, name: string, type: FieldType): Value {
  const raw = record[name];
  if (raw === null || raw === undefined) {
    return null;
  }
  if (type === 'datetime') {
    const time = typeof raw === 'string' ? Date.parse(raw) : NaN;
    return Number.isNaN(time) ? null : time;
  }
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

function operandValue(operand: Operand, record: Readonly<Record<string, unknown>>): Value {
  return operand.kind === 'field' ? fieldValue(record, operand.name, operand.type) : operand.value;
}

/** OData null semantics: null equals only null, and every ordering comparison with null is false. */
function compare(op: ComparisonOperator, a: Value, b: Value): boolean {
  if (a === null || b === null) {
    return op === 'eq' ? a === b : op === 'ne' ? a !== b : false;
  }
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    case 'lt': return a < b;
    case 'le': return a <= b;
  }
}

export function evaluateFilter(expr: FilterExpr, record: Readonly<Record<string, unknown>>): boolean {
  switch (expr.kind) {
    case 'and': return evaluateFilter(expr.left, record) && evaluateFilter(expr.right, record);
    case 'or': return evaluateFilter(expr.left, record) || evaluateFilter(expr.right, record);
    case 'not': return !evaluateFilter(expr.operand, record);
    case 'compare': return compare(expr.op, operandValue(expr.left, record), operandValue(expr.right, record));
    case 'in': {
      const value = operandValue(expr.operand, record);
      return expr.values.some((candidate) => compare('eq', value, operandValue(candidate, record)));
    }
  }
}

/** A sort comparator for `$orderby` clauses: ordinal strings, dates by time, nulls first when ascending. */
export function orderByComparator(clauses: readonly OrderByClause[]): (a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) => number {
  return (a, b) => {
    for (const clause of clauses) {
      const x = fieldValue(a, clause.field, clause.type);
      const y = fieldValue(b, clause.field, clause.type);
      const order = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      if (order !== 0) {
        return clause.descending ? -order : order;
      }
    }
    return 0;
  };
}
