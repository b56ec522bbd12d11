/**
 * Where an expression went wrong: a message for a person, and the position of the offending
 * text (`offset` counts UTF-16 code units from 0; `line` and `column` count from 1).
 * @public
 */
export interface ExpressionError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

/** The start of a piece of source text. */
export interface SourcePosition {
  offset: number;
  line: number;
  column: number;
}

/** Thrown inside the parser and checker; `parseExpression` turns it into a result. */
export class ExpressionSyntaxError extends Error {
  constructor(message: string, readonly position: SourcePosition) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }

  toExpressionError(): ExpressionError {
    return { message: this.message, ...this.position };
  }
}

/** The line and column of `offset` in `text`; `\n`, `\r\n` and `\r` end lines, as in the lexer. */
export function positionAt(text: string, offset: number): SourcePosition {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    const char = text.charCodeAt(i);
    const isBreak =
      char === 10 || (char === 13 && text.charCodeAt(i + 1) !== 10);
    if (isBreak) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { offset: clamped, line, column: clamped - lineStart + 1 };
}
