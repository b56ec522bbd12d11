import {
  formatDataType,
  parseDataType,
  parseExpression,
  renderExpression,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * Spark SQL produced by the expression language (`parseExpression` + `renderExpression(…, 'spark')`). The brand
 * keeps raw spec strings from being passed where an expression is expected: only {@link toSparkSql} makes one.
 */
export type SparkSql = string & { readonly __brand: 'SparkSql' };

/**
 * Parses an expression of the spec (a filter condition, derived column, join condition or rule) and renders it
 * as Spark SQL. Specs are validated before code generation, so a parse error here is a bug upstream; it still
 * fails loudly rather than emitting anything.
 */
export function toSparkSql(
  text: string,
  options: { condition?: boolean; where: string },
): SparkSql {
  const result = parseExpression(
    text,
    options.condition ? { expect: 'boolean' } : {},
  );
  if (!result.ok) {
    throw new Error(
      `Invalid expression at ${options.where} (line ${result.error.line}, column ${result.error.column}): ${result.error.message}`,
    );
  }
  return renderExpression(result.ast, 'spark') as SparkSql;
}

/**
 * A spec data type (`decimal(18, 2)`, `timestamp`, …) as a Spark type for `cast()`: re-parsed against the
 * expression language's allow-list, so only known types reach the notebook.
 */
export function sparkDataType(text: string): string {
  const result = parseDataType(text);
  if (!result.ok) {
    throw new Error(`Invalid data type "${text}": ${result.error.message}`);
  }
  return formatDataType(result.type);
}
