/* eslint-disable new-cap -- chevrotain's grammar DSL (CONSUME, SUBRULE, OR, MANY, ...) is upper case by design */
import {
  EmbeddedActionsParser,
  EOF,
  IParserErrorMessageProvider,
  IToken,
  TokenType,
} from 'chevrotain';
import type {
  ArithmeticOperator,
  BinaryOperator,
  CaseBranch,
  ComparisonOperator,
  DataType,
  ExpressionNode,
} from './ast';
import { resolveDataType } from './dataTypes';
import { ExpressionSyntaxError, positionAt } from './errors';
import { FUNCTIONS, FUNCTION_NAMES, isFunctionName } from './functions';
import { IDENTIFIER_PATTERN, IDENTIFIER_RULE } from './identifiers';
import { closestMatch } from './suggest';
import {
  allTokens,
  And,
  As,
  Between,
  Case,
  Cast,
  Comma,
  DateKeyword,
  Else,
  End,
  Equals,
  False,
  Greater,
  GreaterOrEqual,
  Identifier,
  In,
  Is,
  Less,
  LessOrEqual,
  Like,
  LParen,
  Minus,
  Not,
  NotEquals,
  Null,
  NumberLiteral,
  Or,
  Percent,
  Plus,
  QuotedIdentifier,
  RParen,
  Slash,
  Star,
  StringLiteral,
  Then,
  TimestampKeyword,
  True,
  When,
} from './lexer';

/*
 * The grammar, lowest precedence first:
 *
 *   expression     := orExpr
 *   orExpr         := andExpr (OR andExpr)*
 *   andExpr        := notExpr (AND notExpr)*
 *   notExpr        := NOT* predicate
 *   predicate      := additive [ compareOp additive | IS [NOT] NULL
 *                               | [NOT] IN '(' expression (',' expression)* ')'
 *                               | [NOT] BETWEEN additive AND additive | [NOT] LIKE additive ]
 *   additive       := multiplicative (('+' | '-') multiplicative)*
 *   multiplicative := unary (('*' | '/' | '%') unary)*
 *   unary          := '-'* primary
 *   primary        := number | string | TRUE | FALSE | NULL | DATE string | TIMESTAMP string
 *                   | CASE (WHEN expression THEN expression)+ [ELSE expression] END
 *                   | CAST '(' expression AS type ')' | name ['(' [expression (',' expression)*] ')']
 *                   | `quoted name` | '(' expression ')'
 *
 * Repeated prefix operators (NOT, '-') are loops, not recursion, so only parentheses and
 * CASE nest; `parseExpression` bounds their depth before parsing.
 */

const COMPARISON_OPERATORS = new Map<TokenType, ComparisonOperator>([
  [Equals, '='],
  [NotEquals, '!='],
  [Less, '<'],
  [LessOrEqual, '<='],
  [Greater, '>'],
  [GreaterOrEqual, '>='],
]);

/** Aggregates are a common mistake in row expressions: say where they belong. */
const AGGREGATE_NAMES = new Set(['sum', 'count', 'avg', 'min', 'max']);

/** SQL numbers beyond this many digits overflow DECIMAL(38) in both engines. */
const MAX_NUMBER_DIGITS = 38;

const describeToken = (token: IToken) =>
  token.tokenType === EOF ? 'the end of the expression' : `\`${token.image}\``;

/** `a string` for token classes, `` `)` `` for fixed tokens. */
const labelOf = (type: TokenType) => {
  const label = type.LABEL ?? type.name;
  return /^an? /.test(label) ? label : `\`${label}\``;
};

const joinAlternatives = (labels: string[]) =>
  labels.length <= 1
    ? labels.join('')
    : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;

/** What each rule expects when none of its alternatives fits. */
const RULE_EXPECTATIONS: Record<string, string> = {
  primary: 'a value (a column, a literal, a function call or `(`)',
  caseExpression: 'WHEN ... THEN ...',
};

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    `expected ${labelOf(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describeToken(
      firstRedundant,
    )}: the expression is already complete before it (combine conditions with AND or OR)`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    const expected =
      RULE_EXPECTATIONS[ruleName] ??
      joinAlternatives([
        ...new Set(
          expectedPathsPerAlt.flatMap(paths =>
            paths.map(path => labelOf(path[0])),
          ),
        ),
      ]);
    return `expected ${expected} but found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage: ({ actual, ruleName }) =>
    `expected ${
      RULE_EXPECTATIONS[ruleName] ?? 'at least one value'
    } but found ${describeToken(actual[0])}`,
};

function isValidCalendarDate(year: number, month: number, day: number) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

/** Checks the text of a DATE / TIMESTAMP literal; returns a message when it is not valid. */
function temporalLiteralProblem(
  kind: 'date' | 'timestamp',
  value: string,
): string | undefined {
  const pattern =
    kind === 'date'
      ? /^(\d{4})-(\d{2})-(\d{2})$/
      : /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?$/;
  const example =
    kind === 'date' ? "DATE '2024-01-31'" : "TIMESTAMP '2024-01-31 13:45:00'";
  const match = pattern.exec(value);
  if (!match) {
    return `\`${value}\` is not a valid ${kind}; write it like ${example}`;
  }
  const [year, month, day, hour = 0, minute = 0, second = 0] = match
    .slice(1)
    .map(Number);
  if (
    !isValidCalendarDate(year, month, day) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return `\`${value}\` is not a valid ${kind}: no such day or time`;
  }
  return undefined;
}

function unknownFunctionMessage(name: string): string {
  const lower = name.toLowerCase();
  if (AGGREGATE_NAMES.has(lower)) {
    return `\`${name}\` is an aggregate: use an \`aggregate\` transform (group_by + aggregations) instead of calling it in an expression`;
  }
  const suggestion = closestMatch(lower, FUNCTION_NAMES);
  const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
  return `unknown function \`${name}\`${hint} Allowed functions: ${FUNCTION_NAMES.join(
    ', ',
  )}`;
}

/** A parsed tree and the start offset of each of its nodes, for error messages. */
export interface ParsedExpression {
  ast: ExpressionNode;
  offsets: WeakMap<ExpressionNode, number>;
}

/**
 * Chevrotain parser with embedded actions: each rule returns AST nodes directly.
 * Semantic problems found while building (unknown function, bad literal) are thrown as
 * {@link ExpressionSyntaxError}; chevrotain does not catch them.
 */
class ExpressionParser extends EmbeddedActionsParser {
  private offsets = new WeakMap<ExpressionNode, number>();
  /** The text being parsed, for the line and column of problems found in actions. */
  private text = '';

  constructor() {
    super(allTokens, { maxLookahead: 2, errorMessageProvider: errorMessages });
    this.performSelfAnalysis();
  }

  /** Parses a token stream as an expression, or throws the first problem. */
  parseExpression(tokens: IToken[], text: string): ParsedExpression {
    this.offsets = new WeakMap();
    const ast = this.run(tokens, text, () => this.expression());
    return { ast, offsets: this.offsets };
  }

  /** Parses a token stream as a data type (`decimal(18, 2)`), or throws the first problem. */
  parseDataType(tokens: IToken[], text: string): DataType {
    return this.run(tokens, text, () => this.dataType());
  }

  private run<T>(tokens: IToken[], text: string, rule: () => T): T {
    this.text = text;
    this.input = tokens;
    const result = rule();
    const [error] = this.errors;
    if (error) {
      const offset = Number.isNaN(error.token.startOffset)
        ? text.length
        : error.token.startOffset;
      throw new ExpressionSyntaxError(error.message, positionAt(text, offset));
    }
    return result;
  }

  private fail(message: string, token: IToken): never {
    throw new ExpressionSyntaxError(
      message,
      positionAt(this.text, token.startOffset),
    );
  }

  private at<T extends ExpressionNode>(node: T, offset: number): T {
    this.ACTION(() => this.offsets.set(node, offset));
    return node;
  }

  private offsetOf(node: ExpressionNode): number {
    return this.offsets.get(node) ?? 0;
  }

  private binary(
    operator: BinaryOperator,
    left: ExpressionNode,
    right: ExpressionNode,
  ): ExpressionNode {
    return this.at(
      { kind: 'binary', operator, left, right },
      this.offsetOf(left),
    );
  }

  private expression = this.RULE('expression', (): ExpressionNode => {
    let left = this.SUBRULE(this.andExpression);
    this.MANY(() => {
      this.CONSUME(Or);
      const right = this.SUBRULE2(this.andExpression);
      left = this.binary('OR', left, right);
    });
    return left;
  });

  private andExpression = this.RULE('andExpression', (): ExpressionNode => {
    let left = this.SUBRULE(this.notExpression);
    this.MANY(() => {
      this.CONSUME(And);
      const right = this.SUBRULE2(this.notExpression);
      left = this.binary('AND', left, right);
    });
    return left;
  });

  private notExpression = this.RULE('notExpression', (): ExpressionNode => {
    const nots: IToken[] = [];
    this.MANY(() => {
      nots.push(this.CONSUME(Not));
    });
    let node = this.SUBRULE(this.predicate);
    for (const token of nots.reverse()) {
      node = this.at({ kind: 'not', operand: node }, token.startOffset);
    }
    return node;
  });

  private predicate = this.RULE('predicate', (): ExpressionNode => {
    const left = this.SUBRULE(this.additive);
    const start = this.offsetOf(left);
    const predicate = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            const operator = this.SUBRULE(this.comparisonOperator);
            const right = this.SUBRULE2(this.additive);
            return this.binary(operator, left, right);
          },
        },
        {
          ALT: () => {
            this.CONSUME(Is);
            const negated = this.OPTION2(() => this.CONSUME(Not)) !== undefined;
            this.CONSUME(Null);
            return this.at({ kind: 'isNull', operand: left, negated }, start);
          },
        },
        {
          ALT: () => {
            const negated =
              this.OPTION3(() => this.CONSUME2(Not)) !== undefined;
            return this.OR2([
              {
                ALT: () => {
                  this.CONSUME(In);
                  this.CONSUME(LParen);
                  const values: ExpressionNode[] = [];
                  this.AT_LEAST_ONE_SEP({
                    SEP: Comma,
                    DEF: () => {
                      values.push(this.SUBRULE(this.expression));
                    },
                  });
                  this.CONSUME(RParen);
                  return this.at(
                    { kind: 'in', operand: left, values, negated },
                    start,
                  );
                },
              },
              {
                ALT: () => {
                  this.CONSUME(Between);
                  const low = this.SUBRULE3(this.additive);
                  this.CONSUME(And);
                  const high = this.SUBRULE4(this.additive);
                  return this.at(
                    { kind: 'between', operand: left, low, high, negated },
                    start,
                  );
                },
              },
              {
                ALT: () => {
                  this.CONSUME(Like);
                  const pattern = this.SUBRULE5(this.additive);
                  return this.at(
                    { kind: 'like', operand: left, pattern, negated },
                    start,
                  );
                },
              },
            ]);
          },
        },
      ]),
    );
    return predicate ?? left;
  });

  private comparisonOperator = this.RULE(
    'comparisonOperator',
    (): ComparisonOperator => {
      const token = this.OR(
        [...COMPARISON_OPERATORS.keys()].map(type => ({
          ALT: () => this.CONSUME(type),
        })),
      );
      return COMPARISON_OPERATORS.get(token.tokenType) ?? '=';
    },
  );

  private additive = this.RULE('additive', (): ExpressionNode => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(Plus) },
        { ALT: () => this.CONSUME(Minus) },
      ]);
      const right = this.SUBRULE2(this.multiplicative);
      left = this.binary(operator.image as ArithmeticOperator, left, right);
    });
    return left;
  });

  private multiplicative = this.RULE('multiplicative', (): ExpressionNode => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const operator = this.OR([
        { ALT: () => this.CONSUME(Star) },
        { ALT: () => this.CONSUME(Slash) },
        { ALT: () => this.CONSUME(Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.binary(operator.image as ArithmeticOperator, left, right);
    });
    return left;
  });

  private unary = this.RULE('unary', (): ExpressionNode => {
    const minuses: IToken[] = [];
    this.MANY(() => {
      minuses.push(this.CONSUME(Minus));
    });
    let node = this.SUBRULE(this.primary);
    for (const token of minuses.reverse()) {
      node = this.at({ kind: 'negate', operand: node }, token.startOffset);
    }
    return node;
  });

  private primary = this.RULE(
    'primary',
    (): ExpressionNode =>
      this.OR([
        { ALT: () => this.numberLiteral(this.CONSUME(NumberLiteral)) },
        { ALT: () => this.stringLiteral(this.CONSUME(StringLiteral)) },
        {
          ALT: () =>
            this.at(
              { kind: 'boolean', value: true },
              this.CONSUME(True).startOffset,
            ),
        },
        {
          ALT: () =>
            this.at(
              { kind: 'boolean', value: false },
              this.CONSUME(False).startOffset,
            ),
        },
        {
          ALT: () => this.at({ kind: 'null' }, this.CONSUME(Null).startOffset),
        },
        {
          // DATE and TIMESTAMP are literals only when a string follows; otherwise column names.
          GATE: () => this.LA(2).tokenType === StringLiteral,
          ALT: () =>
            this.temporalLiteral(
              'date',
              this.CONSUME(DateKeyword),
              this.CONSUME2(StringLiteral),
            ),
        },
        {
          GATE: () => this.LA(2).tokenType === StringLiteral,
          ALT: () =>
            this.temporalLiteral(
              'timestamp',
              this.CONSUME(TimestampKeyword),
              this.CONSUME3(StringLiteral),
            ),
        },
        { ALT: () => this.SUBRULE(this.caseExpression) },
        { ALT: () => this.SUBRULE(this.castExpression) },
        { ALT: () => this.SUBRULE(this.nameOrCall) },
        { ALT: () => this.quotedColumn(this.CONSUME(QuotedIdentifier)) },
        {
          ALT: () => {
            this.CONSUME(LParen);
            const inner = this.SUBRULE(this.expression);
            this.CONSUME(RParen);
            return inner;
          },
        },
      ]),
  );

  private caseExpression = this.RULE('caseExpression', (): ExpressionNode => {
    const start = this.CONSUME(Case);
    const branches: CaseBranch[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(When);
      const when = this.SUBRULE(this.expression);
      this.CONSUME(Then);
      const then = this.SUBRULE2(this.expression);
      branches.push({ when, then });
    });
    const otherwise = this.OPTION(() => {
      this.CONSUME(Else);
      return this.SUBRULE3(this.expression);
    });
    this.CONSUME(End);
    return this.at(
      otherwise === undefined
        ? { kind: 'case', branches }
        : { kind: 'case', branches, else: otherwise },
      start.startOffset,
    );
  });

  private castExpression = this.RULE('castExpression', (): ExpressionNode => {
    const start = this.CONSUME(Cast);
    this.CONSUME(LParen);
    const operand = this.SUBRULE(this.expression);
    this.CONSUME(As);
    const type = this.SUBRULE(this.dataType);
    this.CONSUME(RParen);
    return this.at({ kind: 'cast', operand, type }, start.startOffset);
  });

  private dataType = this.RULE('dataType', (): DataType => {
    const name = this.CONSUME(Identifier);
    const params: number[] = [];
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.AT_LEAST_ONE_SEP({
        SEP: Comma,
        DEF: () => {
          params.push(Number(this.CONSUME(NumberLiteral).image));
        },
      });
      this.CONSUME(RParen);
    });
    return this.ACTION(() => {
      const resolved = resolveDataType(name.image, params);
      return resolved.ok ? resolved.type : this.fail(resolved.message, name);
    });
  });

  private nameOrCall = this.RULE('nameOrCall', (): ExpressionNode => {
    const name = this.CONSUME(Identifier);
    const args = this.OPTION(() => {
      this.CONSUME(LParen);
      const list: ExpressionNode[] = [];
      this.MANY_SEP({
        SEP: Comma,
        DEF: () => {
          list.push(this.SUBRULE(this.expression));
        },
      });
      this.CONSUME(RParen);
      return list;
    });
    return this.ACTION(() =>
      args === undefined ? this.bareName(name) : this.call(name, args),
    );
  });

  private bareName(token: IToken): ExpressionNode {
    const lower = token.image.toLowerCase();
    // `current_date` without parentheses is the SQL keyword form of the function.
    if (isFunctionName(lower) && FUNCTIONS[lower].bareWord) {
      return this.at(
        { kind: 'call', name: lower, args: [] },
        token.startOffset,
      );
    }
    return this.column(token.image, token);
  }

  private call(token: IToken, args: ExpressionNode[]): ExpressionNode {
    const lower = token.image.toLowerCase();
    if (!isFunctionName(lower)) {
      return this.fail(unknownFunctionMessage(token.image), token);
    }
    return this.at({ kind: 'call', name: lower, args }, token.startOffset);
  }

  private quotedColumn(token: IToken): ExpressionNode {
    return this.ACTION(() => this.column(token.image.slice(1, -1), token));
  }

  private column(name: string, token: IToken): ExpressionNode {
    if (!IDENTIFIER_PATTERN.test(name)) {
      return this.fail(
        `\`${name}\` is not a valid column name: ${IDENTIFIER_RULE}`,
        token,
      );
    }
    return this.at({ kind: 'column', name }, token.startOffset);
  }

  private numberLiteral(token: IToken): ExpressionNode {
    return this.ACTION(() => {
      const digits = token.image.split(/[eE]/)[0].replace('.', '');
      if (
        digits.length > MAX_NUMBER_DIGITS ||
        !Number.isFinite(Number(token.image))
      ) {
        return this.fail(
          `the number \`${token.image}\` is too large (at most ${MAX_NUMBER_DIGITS} digits)`,
          token,
        );
      }
      return this.at({ kind: 'number', value: token.image }, token.startOffset);
    });
  }

  private stringLiteral(token: IToken): ExpressionNode {
    return this.ACTION(() => {
      const value = token.image.slice(1, -1).replace(/''/g, "'");
      // Tabs and line breaks are fine; other control characters are never data worth filtering on
      // and some drivers truncate at NUL.
      // eslint-disable-next-line no-control-regex
      const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(
        value,
      );
      if (control) {
        const code = control[0].charCodeAt(0).toString(16).padStart(4, '0');
        return this.fail(
          `strings may not contain control characters (found U+${code.toUpperCase()})`,
          token,
        );
      }
      return this.at({ kind: 'string', value }, token.startOffset);
    });
  }

  private temporalLiteral(
    kind: 'date' | 'timestamp',
    keyword: IToken,
    text: IToken,
  ): ExpressionNode {
    return this.ACTION(() => {
      const value = text.image.slice(1, -1);
      const problem = temporalLiteralProblem(kind, value);
      return problem
        ? this.fail(problem, text)
        : this.at({ kind, value }, keyword.startOffset);
    });
  }
}

/** One parser for the whole process: building one runs chevrotain's grammar analysis. */
let sharedParser: ExpressionParser | undefined;

function parser(): ExpressionParser {
  sharedParser ??= new ExpressionParser();
  return sharedParser;
}

/** Parses lexed tokens as an expression; throws {@link ExpressionSyntaxError}. */
export function parseExpressionTokens(
  tokens: IToken[],
  text: string,
): ParsedExpression {
  return parser().parseExpression(tokens, text);
}

/** Parses lexed tokens as a data type; throws {@link ExpressionSyntaxError}. */
export function parseDataTypeTokens(tokens: IToken[], text: string): DataType {
  return parser().parseDataType(tokens, text);
}
