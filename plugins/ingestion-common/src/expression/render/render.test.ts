import { parseExpression } from '../parseExpression';
import { formatExpression, renderExpression } from '.';

function render(text: string) {
  const result = parseExpression(text);
  if (!result.ok) {
    throw new Error(`${text}: ${result.error.message}`);
  }
  return {
    spark: renderExpression(result.ast, 'spark'),
    duckdb: renderExpression(result.ast, 'duckdb'),
    canonical: formatExpression(result.ast),
  };
}

describe('renderExpression', () => {
  it.each([
    [
      "amount > 0 AND status IN ('a', 'b')",
      "`amount` > 0 AND `status` IN ('a', 'b')",
      `"amount" > 0 AND "status" IN ('a', 'b')`,
    ],
    // Spark does not know '' inside strings; it reads backslash escapes instead.
    ["name = 'it''s'", "`name` = 'it\\'s'", `"name" = 'it''s'`],
    [
      "path = 'C:\\temp\\'",
      "`path` = 'C:\\\\temp\\\\'",
      `"path" = 'C:\\temp\\'`,
    ],
    [
      "note = '; DROP TABLE x; --'",
      "`note` = '; DROP TABLE x; --'",
      `"note" = '; DROP TABLE x; --'`,
    ],
    ['a != b', '`a` != `b`', '"a" <> "b"'],
    [
      "name NOT LIKE 'a\\_%'",
      "`name` NOT LIKE 'a\\\\_%'",
      `"name" NOT LIKE 'a\\_%' ESCAPE '\\'`,
    ],
    [
      '(a LIKE b) = TRUE',
      '(`a` LIKE `b`) = TRUE',
      `("a" LIKE "b" ESCAPE '\\') = TRUE`,
    ],
    [
      'x IS NOT NULL OR NOT y',
      '`x` IS NOT NULL OR NOT `y`',
      '"x" IS NOT NULL OR NOT "y"',
    ],
    ['- - a', '-(-`a`)', '-(-"a")'],
    [
      'CAST(a AS decimal(18, 2)) > length(CAST(b AS string))',
      'CAST(`a` AS DECIMAL(18, 2)) > length(CAST(`b` AS STRING))',
      'CAST("a" AS DECIMAL(18, 2)) > length(CAST("b" AS VARCHAR))',
    ],
    ['CAST(n AS int)', 'CAST(`n` AS INT)', 'CAST("n" AS INTEGER)'],
    [
      "updated_at >= current_date AND created < TIMESTAMP '2024-01-01 00:00:00'",
      "`updated_at` >= current_date() AND `created` < TIMESTAMP '2024-01-01 00:00:00'",
      `"updated_at" >= current_date AND "created" < TIMESTAMP '2024-01-01 00:00:00'`,
    ],
    [
      "concat(first, ' ', last)",
      "concat(`first`, ' ', `last`)",
      `(CAST("first" AS VARCHAR) || CAST(' ' AS VARCHAR) || CAST("last" AS VARCHAR))`,
    ],
    [
      'date_add(d, n * 7) = d2',
      'date_add(`d`, `n` * 7) = `d2`',
      '(CAST("d" AS DATE) + CAST("n" * 7 AS INTEGER)) = "d2"',
    ],
    [
      'datediff(end_date, start_date)',
      'datediff(`end_date`, `start_date`)',
      `date_diff('day', CAST("start_date" AS DATE), CAST("end_date" AS DATE))`,
    ],
    [
      "CASE WHEN `end` > 1 THEN 'x' END",
      "CASE WHEN `end` > 1 THEN 'x' END",
      `CASE WHEN "end" > 1 THEN 'x' END`,
    ],
    [
      "date_trunc('month', ts) = DATE '2024-01-01'",
      "date_trunc('month', `ts`) = DATE '2024-01-01'",
      `date_trunc('month', "ts") = DATE '2024-01-01'`,
    ],
  ])('renders %j', (text, spark, duckdb) => {
    expect(render(text)).toMatchObject({ spark, duckdb });
  });

  it('quotes in canonical text only the names that need it', () => {
    expect(
      render('`select` + `end` + `current_date` + date + lower + amount')
        .canonical,
    ).toBe('`select` + `end` + `current_date` + date + lower + amount');
  });

  it('escapes quote characters in names even though the parser never produces them', () => {
    const ast = { kind: 'column', name: 'a`b"c' } as const;
    expect(renderExpression(ast, 'spark')).toBe('`a``b"c`');
    expect(renderExpression(ast, 'duckdb')).toBe('"a`b""c"');
  });
});
