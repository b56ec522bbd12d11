import type { SqlDialect } from '../render';

/** What a dialect's lexer would see in a rendered expression. */
export interface ScannedSql {
  /** Decoded string literals, in order. */
  strings: string[];
  /** Decoded quoted identifiers, in order. */
  identifiers: string[];
  /** Everything outside literals and quoted names, with those replaced by a space. */
  code: string;
}

interface QuoteRule {
  /** Reads the literal starting at `start` (on its opening quote); returns its value and end. */
  read(sql: string, start: number): { value: string; end: number };
}

/** A quote that is escaped by doubling it (`''`, `""`, two backquotes). */
const doubled = (quote: string): QuoteRule => ({
  read(sql, start) {
    let value = '';
    for (let i = start + 1; i < sql.length; i++) {
      if (sql[i] !== quote) {
        value += sql[i];
      } else if (sql[i + 1] === quote) {
        value += quote;
        i += 1;
      } else {
        return { value, end: i + 1 };
      }
    }
    throw new Error(`unterminated ${quote} literal in ${sql}`);
  },
});

/** Spark's string literal: `\x` stands for `x` (the renderer only writes `\\` and `\'`). */
const backslashEscaped: QuoteRule = {
  read(sql, start) {
    let value = '';
    for (let i = start + 1; i < sql.length; i++) {
      if (sql[i] === '\\') {
        value += sql[i + 1];
        i += 1;
      } else if (sql[i] === "'") {
        return { value, end: i + 1 };
      } else {
        value += sql[i];
      }
    }
    throw new Error(`unterminated string literal in ${sql}`);
  },
};

const RULES: Record<
  SqlDialect,
  { string: QuoteRule; identifierQuote: string; identifier: QuoteRule }
> = {
  spark: {
    string: backslashEscaped,
    identifierQuote: '`',
    identifier: doubled('`'),
  },
  duckdb: {
    string: doubled("'"),
    identifierQuote: '"',
    identifier: doubled('"'),
  },
};

/**
 * A test-only model of each engine's lexing of literals and quoted names, written from the
 * engines' documented rules. It lets the property tests check that rendered SQL contains
 * exactly the literals and names of the tree, and nothing executable outside them.
 */
export function scanSql(sql: string, dialect: SqlDialect): ScannedSql {
  const rules = RULES[dialect];
  const result: ScannedSql = { strings: [], identifiers: [], code: '' };
  let i = 0;
  while (i < sql.length) {
    const char = sql[i];
    if (char === "'") {
      const { value, end } = rules.string.read(sql, i);
      result.strings.push(value);
      result.code += ' ';
      i = end;
    } else if (char === rules.identifierQuote) {
      const { value, end } = rules.identifier.read(sql, i);
      result.identifiers.push(value);
      result.code += ' ';
      i = end;
    } else {
      result.code += char;
      i += 1;
    }
  }
  return result;
}
