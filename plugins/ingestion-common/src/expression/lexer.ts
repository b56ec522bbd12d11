import { createToken, Lexer, TokenType } from 'chevrotain';

/*
 * Tokens of the expression language. Chevrotain tries them in the order of `allTokens`
 * and takes the first that matches, so longer operators come before their prefixes and
 * keywords name `Identifier` as their longer alternative (`android` is not `and`).
 */

/** Plain identifiers, also used for function and type names. */
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'a column name',
});

const keyword = (word: string, extra: { categories?: TokenType[] } = {}) =>
  createToken({
    name: word,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    label: word,
    ...extra,
  });

export const And = keyword('AND');
export const Or = keyword('OR');
export const Not = keyword('NOT');
export const In = keyword('IN');
export const Is = keyword('IS');
export const Null = keyword('NULL');
export const Like = keyword('LIKE');
export const Between = keyword('BETWEEN');
export const Case = keyword('CASE');
export const When = keyword('WHEN');
export const Then = keyword('THEN');
export const Else = keyword('ELSE');
export const End = keyword('END');
export const Cast = keyword('CAST');
export const As = keyword('AS');
export const True = keyword('TRUE');
export const False = keyword('FALSE');
// Soft keywords: `DATE '2024-01-31'` is a literal, but `date` alone is the (common) column name.
export const DateKeyword = keyword('DATE', { categories: [Identifier] });
export const TimestampKeyword = keyword('TIMESTAMP', {
  categories: [Identifier],
});

const HARD_KEYWORDS = [
  And,
  Or,
  Not,
  In,
  Is,
  Null,
  Like,
  Between,
  Case,
  When,
  Then,
  Else,
  End,
  Cast,
  As,
  True,
  False,
];

/**
 * Words that start SQL statements or subqueries. They are lexed (so `users; DROP` is reported
 * as what it is) and then rejected with a message saying why.
 */
const STATEMENT_WORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'UNION',
  'INSERT',
  'UPDATE',
  'DELETE',
  'DROP',
  'CREATE',
  'ALTER',
  'TRUNCATE',
  'GRANT',
  'REVOKE',
  'EXEC',
  'EXECUTE',
  'CALL',
  'MERGE',
  'WITH',
  'INTO',
];
export const StatementKeywords: TokenType[] = STATEMENT_WORDS.map(word =>
  createToken({
    name: `Statement_${word}`,
    pattern: new RegExp(word, 'i'),
    longer_alt: Identifier,
    label: word,
  }),
);

/** Words that cannot be plain column names: a column called `end` must be written `` `end` ``. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  ...HARD_KEYWORDS.map(token => token.name.toLowerCase()),
  ...STATEMENT_WORDS.map(word => word.toLowerCase()),
]);

export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /`[^`]*`/,
  label: 'a `quoted` column name',
});
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /'(?:[^']|'')*'/,
  line_breaks: true,
  label: 'a string',
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: 'a number',
});

export const NotEquals = createToken({
  name: 'NotEquals',
  pattern: /!=|<>/,
  label: '!=',
});
export const LessOrEqual = createToken({
  name: 'LessOrEqual',
  pattern: /<=/,
  label: '<=',
});
export const GreaterOrEqual = createToken({
  name: 'GreaterOrEqual',
  pattern: />=/,
  label: '>=',
});
export const Less = createToken({ name: 'Less', pattern: /</, label: '<' });
export const Greater = createToken({
  name: 'Greater',
  pattern: />/,
  label: '>',
});
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: '=' });

/*
 * Things that are never part of an expression but are lexed on purpose, so that they are
 * reported with a message naming the problem rather than as an unexpected character.
 * They come before the operators they start with (`--` before `-`, `/*` before `/`).
 */
export const LineComment = createToken({
  name: 'LineComment',
  pattern: /--/,
});
export const BlockCommentStart = createToken({
  name: 'BlockCommentStart',
  pattern: /\/\*/,
});
export const BlockCommentEnd = createToken({
  name: 'BlockCommentEnd',
  pattern: /\*\//,
});
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/ });
export const DoubleQuote = createToken({ name: 'DoubleQuote', pattern: /"/ });
// Tried only after StringLiteral / QuotedIdentifier failed, i.e. when the closing quote is missing.
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /'(?:[^']|'')*/,
  line_breaks: true,
});
export const UnterminatedQuotedIdentifier = createToken({
  name: 'UnterminatedQuotedIdentifier',
  pattern: /`[^`]*/,
  line_breaks: true,
});

export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: '+' });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: '-' });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: '*' });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: '/' });
export const Percent = createToken({
  name: 'Percent',
  pattern: /%/,
  label: '%',
});
export const LParen = createToken({
  name: 'LParen',
  pattern: /\(/,
  label: '(',
});
export const RParen = createToken({
  name: 'RParen',
  pattern: /\)/,
  label: ')',
});
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: ',' });

const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** Why each forbidden token is not allowed, given its text; the parser never sees these tokens. */
export const FORBIDDEN_TOKEN_MESSAGES = new Map<
  TokenType,
  (image: string) => string
>([
  [
    Semicolon,
    () =>
      '`;` is not allowed: an expression is a single value, not a list of statements',
  ],
  [LineComment, () => 'comments (`--`) are not allowed in expressions'],
  [
    BlockCommentStart,
    () => 'comments (`/* */`) are not allowed in expressions',
  ],
  [BlockCommentEnd, () => 'comments (`/* */`) are not allowed in expressions'],
  [
    DoubleQuote,
    () =>
      "double quotes are not allowed: write strings in 'single quotes' and column names as plain words or in `backquotes`",
  ],
  [UnterminatedString, () => "unterminated string: add the closing '"],
  [
    UnterminatedQuotedIdentifier,
    () => 'unterminated quoted column name: add the closing `',
  ],
  ...StatementKeywords.map((token): [TokenType, (image: string) => string] => [
    token,
    image =>
      `\`${image}\` is not allowed: subqueries and SQL statements are outside the expression language`,
  ]),
]);

/** All tokens in matching order. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  StringLiteral,
  UnterminatedString,
  QuotedIdentifier,
  UnterminatedQuotedIdentifier,
  DoubleQuote,
  NumberLiteral,
  LineComment,
  BlockCommentStart,
  BlockCommentEnd,
  Semicolon,
  NotEquals,
  LessOrEqual,
  GreaterOrEqual,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  Comma,
  // Longest first, so that `INSERT` is not read as `IN` followed by `SERT`.
  ...[
    ...HARD_KEYWORDS,
    DateKeyword,
    TimestampKeyword,
    ...StatementKeywords,
  ].sort((a, b) => String(b.LABEL).length - String(a.LABEL).length),
  Identifier,
];

/** The lexer; stateless between calls, so one instance serves every parse. */
export const expressionLexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
  errorMessageProvider: {
    buildUnexpectedCharactersMessage: (text, offset) =>
      `unexpected character \`${text.charAt(offset)}\``,
    buildUnableToPopLexerModeMessage: () => 'unexpected end of input',
  },
});
