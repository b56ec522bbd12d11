import { ExpressionNode, referencedColumns } from './ast';
import {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING_DEPTH,
  parseDataType,
  parseExpression,
} from './parseExpression';
import { formatExpression } from './render';

const column = (name: string): ExpressionNode => ({ kind: 'column', name });
const num = (value: string): ExpressionNode => ({ kind: 'number', value });
const str = (value: string): ExpressionNode => ({ kind: 'string', value });

function parsed(text: string): ExpressionNode {
  const result = parseExpression(text);
  if (!result.ok) {
    throw new Error(`${text}: ${result.error.message}`);
  }
  return result.ast;
}

describe('parseExpression', () => {
  it('parses the seed filter', () => {
    expect(parsed('amount > 0')).toEqual({
      kind: 'binary',
      operator: '>',
      left: column('amount'),
      right: num('0'),
    });
  });

  it('parses IN lists, escapes and keywords in any case', () => {
    expect(parsed("amount > 0 and status not in ('a', 'it''s')")).toEqual({
      kind: 'binary',
      operator: 'AND',
      left: {
        kind: 'binary',
        operator: '>',
        left: column('amount'),
        right: num('0'),
      },
      right: {
        kind: 'in',
        operand: column('status'),
        values: [str('a'), str("it's")],
        negated: true,
      },
    });
  });

  it.each([
    // precedence: AND binds tighter than OR, NOT looser than comparison
    ['a OR b AND c', 'a OR b AND c'],
    ['(a OR b) AND c', '(a OR b) AND c'],
    ['NOT a = b', 'NOT a = b'],
    ['(NOT a) = b', '(NOT a) = b'],
    ['NOT NOT a', 'NOT NOT a'],
    // arithmetic is left-associative and keeps needed parentheses only
    ['a - b - c', 'a - b - c'],
    ['a - (b - c)', 'a - (b - c)'],
    ['((a * b)) + c', 'a * b + c'],
    ['a * (b + c)', 'a * (b + c)'],
    ['-a * b', '-a * b'],
    ['-(a * b)', '-(a * b)'],
    ['- - a', '-(-a)'],
    ['a - -b', 'a - -b'],
    // predicates
    ['x IS NOT NULL', 'x IS NOT NULL'],
    ['x NOT BETWEEN 1 AND 2 + 3', 'x NOT BETWEEN 1 AND 2 + 3'],
    ["name NOT LIKE 'a\\_%'", "name NOT LIKE 'a\\_%'"],
    ['a <> b', 'a != b'],
    ['(a = b) = TRUE', '(a = b) = TRUE'],
    // literals
    ['1.50 + 1e-3', '1.50 + 1e-3'],
    [
      "DATE '2024-02-29' < TIMESTAMP '2024-03-01 00:00:00.5'",
      "DATE '2024-02-29' < TIMESTAMP '2024-03-01 00:00:00.5'",
    ],
    ['x = TRUE OR y IS NULL', 'x = TRUE OR y IS NULL'],
    // soft keywords and quoting
    ["date >= '2024-01-01'", "date >= '2024-01-01'"],
    ['`end` > `date`', '`end` > date'],
    ['`current_date` < current_date', '`current_date` < current_date()'],
    ['lower > 1', 'lower > 1'],
    // CASE, CAST and functions
    [
      "CASE WHEN amount > 100 THEN 'big' WHEN amount > 10 THEN 'medium' ELSE 'small' END",
      "CASE WHEN amount > 100 THEN 'big' WHEN amount > 10 THEN 'medium' ELSE 'small' END",
    ],
    ['CAST(amount AS DECIMAL(18,2))', 'CAST(amount AS decimal(18, 2))'],
    ['cast(id as integer)', 'CAST(id AS int)'],
    ['COALESCE(a, b, 0)', 'coalesce(a, b, 0)'],
    ["date_trunc('DAY', ts)", "date_trunc('DAY', ts)"],
    [
      'datediff(current_date, signup_date) > 30',
      'datediff(current_date(), signup_date) > 30',
    ],
    [
      "concat(first_name, ' ', last_name)",
      "concat(first_name, ' ', last_name)",
    ],
    ['round(amount * 1.2, 2)', 'round(amount * 1.2, 2)'],
    ['a\n  AND\tb', 'a AND b'],
  ])('reads %j as %j', (text, canonical) => {
    expect(formatExpression(parsed(text))).toBe(canonical);
  });

  it('lists the referenced columns once, in order', () => {
    expect(
      referencedColumns(
        parsed("a > 1 AND (b = a OR lower(c) LIKE 'x%') AND `end` IS NULL"),
      ),
    ).toEqual(['a', 'b', 'c', 'end']);
  });

  it('checks conditions are true/false values when asked to', () => {
    expect(parseExpression('amount > 0', { expect: 'boolean' }).ok).toBe(true);
    expect(parseExpression('is_active', { expect: 'boolean' }).ok).toBe(true);
    expect(parseExpression('amount + 1', { expect: 'boolean' })).toEqual({
      ok: false,
      error: expect.objectContaining({
        message: expect.stringContaining('a condition must be true or false'),
        offset: 0,
      }),
    });
  });

  it.each<[string, string, number, number?, number?]>([
    // text, message fragment, offset, line, column
    ['amount > 0; DROP TABLE users', '`;` is not allowed', 10],
    ["status = 'a'; SELECT 1", '`;` is not allowed', 12],
    ['amount > 0 -- and more', 'comments (`--`)', 11],
    ['amount > 0 /* hidden */', 'comments (`/* */`)', 11],
    ['amount */ 2', 'comments (`/* */`)', 7],
    ['id IN (SELECT id FROM admins)', '`SELECT` is not allowed', 7],
    ['x = 1 UNION ALL', '`UNION` is not allowed', 6],
    ['exists(select 1)', '`select` is not allowed', 7],
    ['a = "b"', 'double quotes are not allowed', 4],
    ["name = 'abc", 'unterminated string', 7],
    ['`abc = 1', 'unterminated quoted column name', 0],
    ['`a b` = 1', '`a b` is not a valid column name', 0],
    ['sleep(10)', 'unknown function `sleep`', 0],
    ['lowr(name)', 'did you mean `lower`?', 0],
    ['SUM(amount) > 0', '`SUM` is an aggregate', 0],
    ['lower(42)', 'the first argument of `lower` needs a string', 6],
    ['round(1, 2, 3)', '`round` takes 1 to 2 arguments, but got 3', 0],
    ['current_date(1)', '`current_date` takes 0 arguments', 0],
    ["date_trunc('fortnight', ts)", "must be one of 'year'", 11],
    ['1 AND 2', '`AND` (on both sides) needs a true/false value', 0],
    ["'a' * 3", '`*` (on both sides) needs a number', 0],
    ["amount = 'ten' AND amount > 'x' + 1", 'needs a number', 28],
    ['1 > TRUE', 'cannot compare a number with a true/false value', 4],
    ["1 IN (1, 'a')", 'cannot compare a number with a string', 9],
    ['amount LIKE 5', 'a LIKE pattern needs a string', 12],
    ['CASE WHEN 1 THEN 2 END', 'WHEN needs a true/false value', 10],
    [
      "CASE WHEN a THEN 1 ELSE 'x' END",
      'all results of a CASE must have the same type',
      24,
    ],
    ["DATE '2024-02-30'", 'no such day', 5],
    ["TIMESTAMP '2024-01-01T10:00:00'", 'not a valid timestamp', 10],
    ['CAST(a AS varchar2)', 'unknown type `varchar2`', 10],
    ['CAST(a AS decimal)', 'decimal needs a precision', 10],
    ['CAST(a AS decimal(40, 2))', 'decimal precision must be', 10],
    ['1234567890123456789012345678901234567890 > 1', 'too large', 0],
    ["x = 'a\u0000b'", 'control characters (found U+0000)', 4],
    ['amount >', 'expected a value', 8],
    ['(amount > 0', 'expected `)` but found the end of the expression', 11],
    ['amount > 0 status', 'unexpected `status`', 11],
    ['a NOT b', 'expected `IN`, `BETWEEN` or `LIKE`', 6],
    ['x IN ()', 'expected at least one value', 6],
    ['CASE x WHEN 1 THEN 2 END', 'expected WHEN ... THEN ...', 5],
    ['a = = b', 'expected a value', 4],
    ['a || b', 'unexpected character `|`', 2],
    ['a > 1 AND\n  b = @', 'unexpected character `@`', 16, 2, 7],
    ['   ', 'the expression is empty', 0],
  ])('rejects %j: %s', (text, fragment, offset, line = 1, col) => {
    expect(parseExpression(text)).toEqual({
      ok: false,
      error: {
        message: expect.stringContaining(fragment),
        offset,
        line,
        column: col ?? offset + 1,
      },
    });
  });

  it('bounds the length, the nesting and the depth of expressions', () => {
    const long = `a = '${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`;
    expect(parseExpression(long)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('longer than') },
    });

    const nested = `${'('.repeat(MAX_NESTING_DEPTH + 1)}a${')'.repeat(
      MAX_NESTING_DEPTH + 1,
    )}`;
    expect(parseExpression(nested)).toMatchObject({
      ok: false,
      error: {
        message: expect.stringContaining('nests more than'),
        offset: MAX_NESTING_DEPTH,
      },
    });
    expect(
      parseExpression(
        `${'('.repeat(MAX_NESTING_DEPTH)}a${')'.repeat(MAX_NESTING_DEPTH)}`,
      ).ok,
    ).toBe(true);

    const chain = Array.from(
      { length: MAX_EXPRESSION_DEPTH + 1 },
      (_, i) => `a${i}`,
    ).join(' + ');
    expect(parseExpression(chain)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('levels deep') },
    });
    expect(parseExpression(`${'NOT '.repeat(1000)}a`)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('levels deep') },
    });
  });

  it('reports a non-string input as an error instead of throwing', () => {
    expect(parseExpression(42 as unknown as string)).toMatchObject({
      ok: false,
      error: { message: 'an expression must be a string' },
    });
  });
});

describe('parseDataType', () => {
  it.each([
    ['decimal(18,2)', { name: 'decimal', precision: 18, scale: 2 }],
    ['DECIMAL(10)', { name: 'decimal', precision: 10, scale: 0 }],
    ['integer', { name: 'int' }],
    ['Timestamp', { name: 'timestamp' }],
    ['varchar', { name: 'string' }],
  ])('reads %j', (text, type) => {
    expect(parseDataType(text)).toEqual({ ok: true, type });
  });

  it.each([
    ['decimal(1, 2)', 'decimal scale must be'],
    ['int(4)', 'takes no parameters'],
    ['blob', 'unknown type `blob`'],
    ['string; drop', '`;` is not allowed'],
    ['decimal(18,2) x', 'unexpected `x`'],
  ])('rejects %j', (text, fragment) => {
    expect(parseDataType(text)).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining(fragment) },
    });
  });
});
