import type { IToken } from 'chevrotain';
import type { DataType, ExpressionNode } from './ast';
import { findNodeDeeperThan, TypeChecker } from './check';
import { ExpressionError, ExpressionSyntaxError, positionAt } from './errors';
import {
  Case,
  End,
  expressionLexer,
  FORBIDDEN_TOKEN_MESSAGES,
  LParen,
  RParen,
} from './lexer';
import { parseDataTypeTokens, parseExpressionTokens } from './parser';
import { accepts, describeType } from './valueTypes';

/**
 * Longest accepted expression text. Together with the two depth limits below it bounds the
 * work per expression, so no input can make parsing or rendering hang or overflow the stack.
 * @public
 */
export const MAX_EXPRESSION_LENGTH = 4096;

/**
 * Deepest nesting of parentheses and CASE ... END. Checked on the tokens, before parsing,
 * because each level is recursion in the parser.
 * @public
 */
export const MAX_NESTING_DEPTH = 32;

/**
 * Deepest accepted syntax tree (long `a + b + ...` chains count too); deeper trees also hit
 * the recursion limits of the engines' own SQL parsers.
 * @public
 */
export const MAX_EXPRESSION_DEPTH = 100;

/** Options of {@link parseExpression}. @public */
export interface ParseExpressionOptions {
  /** `boolean` for conditions: the expression must evaluate to true/false. */
  expect?: 'boolean';
}

/** The result of {@link parseExpression}. @public */
export type ParseExpressionResult =
  | { ok: true; ast: ExpressionNode }
  | { ok: false; error: ExpressionError };

function lex(text: string): IToken[] {
  const { tokens, errors } = expressionLexer.tokenize(text);
  const [lexError] = errors;
  if (lexError) {
    throw new ExpressionSyntaxError(
      lexError.message,
      positionAt(text, lexError.offset),
    );
  }
  return tokens;
}

/** Rejects `;`, comments, double quotes and statement keywords with a message naming them. */
function rejectForbiddenTokens(tokens: IToken[], text: string) {
  for (const token of tokens) {
    const message = FORBIDDEN_TOKEN_MESSAGES.get(token.tokenType);
    if (message) {
      throw new ExpressionSyntaxError(
        message(token.image),
        positionAt(text, token.startOffset),
      );
    }
  }
}

function rejectDeepNesting(tokens: IToken[], text: string) {
  let depth = 0;
  for (const token of tokens) {
    if (token.tokenType === LParen || token.tokenType === Case) {
      depth += 1;
      if (depth > MAX_NESTING_DEPTH) {
        throw new ExpressionSyntaxError(
          `the expression nests more than ${MAX_NESTING_DEPTH} levels of parentheses or CASE; simplify it`,
          positionAt(text, token.startOffset),
        );
      }
    } else if (token.tokenType === RParen || token.tokenType === End) {
      depth -= 1;
    }
  }
}

function checkedTokens(text: string): IToken[] {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionSyntaxError(
      `the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`,
      positionAt(text, MAX_EXPRESSION_LENGTH),
    );
  }
  if (text.trim() === '') {
    throw new ExpressionSyntaxError(
      'the expression is empty',
      positionAt(text, 0),
    );
  }
  const tokens = lex(text);
  rejectForbiddenTokens(tokens, text);
  rejectDeepNesting(tokens, text);
  return tokens;
}

function parseOrThrow(
  text: string,
  options: ParseExpressionOptions,
): ExpressionNode {
  const tokens = checkedTokens(text);
  const { ast, offsets } = parseExpressionTokens(tokens, text);
  const tooDeep = findNodeDeeperThan(ast, MAX_EXPRESSION_DEPTH);
  if (tooDeep) {
    throw new ExpressionSyntaxError(
      `the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep; simplify it`,
      positionAt(text, offsets.get(tooDeep) ?? 0),
    );
  }
  const type = new TypeChecker(offsets, text).typeOf(ast);
  if (options.expect === 'boolean' && !accepts('boolean', type)) {
    throw new ExpressionSyntaxError(
      `a condition must be true or false (e.g. \`amount > 0\`), but this expression is ${describeType(
        type,
      )}`,
      positionAt(text, 0),
    );
  }
  return ast;
}

/** Runs a parse step and turns its thrown problems into a result; anything else is a bug. */
function capture<T>(
  run: () => T,
): { ok: true; value: T } | { ok: false; error: ExpressionError } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) {
      return { ok: false, error: error.toExpressionError() };
    }
    throw error;
  }
}

/**
 * Parses an expression of the ingestion expression language (see the README for the
 * grammar) into an AST. Never throws for bad input: every problem is returned with the
 * position of the offending text.
 *
 * @example
 * parseExpression("amount > 0 AND status IN ('a', 'b')", { expect: 'boolean' })
 * @public
 */
export function parseExpression(
  text: string,
  options: ParseExpressionOptions = {},
): ParseExpressionResult {
  if (typeof text !== 'string') {
    return {
      ok: false,
      error: {
        message: 'an expression must be a string',
        offset: 0,
        line: 1,
        column: 1,
      },
    };
  }
  const result = capture(() => parseOrThrow(text, options));
  return result.ok ? { ok: true, ast: result.value } : result;
}

/**
 * Parses a data type of the allow-list, e.g. `decimal(18, 2)` or `timestamp`.
 * @public
 */
export function parseDataType(
  text: string,
): { ok: true; type: DataType } | { ok: false; error: ExpressionError } {
  const result = capture(() => parseDataTypeTokens(checkedTokens(text), text));
  return result.ok ? { ok: true, type: result.value } : result;
}
