/**
 * Spark SQL produced by the expression language (`parseExpression` + `renderExpression(…, 'spark')`). The brand
 * keeps raw spec strings from being passed where an expression is expected: only {@link toSparkSql} makes one.
 */
export type SparkSql = string & { readonly __brand: 'SparkSql' };
