import type { ExpressionNode } from '../ast';
import { CanonicalRenderer } from './CanonicalRenderer';
import { DuckDbRenderer } from './DuckDbRenderer';
import { SparkSqlRenderer } from './SparkSqlRenderer';
import type { SqlRenderer } from './SqlRenderer';

/** The SQL dialects expressions are rendered into. @public */
export type SqlDialect = 'spark' | 'duckdb';

const renderers: Record<SqlDialect, SqlRenderer> = {
  spark: new SparkSqlRenderer(),
  duckdb: new DuckDbRenderer(),
};
const canonical = new CanonicalRenderer();

/**
 * Renders a parsed expression as SQL for an engine. Only trees from {@link parseExpression}
 * (or built to the same rules) should be rendered: the renderers quote every name and
 * string, and add parentheses where precedence needs them, so the SQL means the tree.
 * @public
 */
export function renderExpression(
  ast: ExpressionNode,
  dialect: SqlDialect,
): string {
  return renderers[dialect].render(ast);
}

/**
 * Writes a parsed expression back in the expression language (the canonical text):
 * parsing the result gives an equal tree.
 * @public
 */
export function formatExpression(ast: ExpressionNode): string {
  return canonical.render(ast);
}
