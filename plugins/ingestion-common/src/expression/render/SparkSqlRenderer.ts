import { DataType } from '../ast';
import { SqlRenderer } from './SqlRenderer';

const TYPE_NAMES: Record<DataType['name'], string> = {
  string: 'STRING',
  int: 'INT',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  decimal: 'DECIMAL',
};

/**
 * Spark SQL (Databricks). Column names go in backquotes (a backquote is doubled). String
 * literals use backslash escapes, because Spark's lexer reads `\` as an escape character and
 * does not know `''`: `'it''s'` would silently become `its`. Requires the default
 * `spark.sql.parser.escapedStringLiterals=false`, which the generated jobs never change.
 */
export class SparkSqlRenderer extends SqlRenderer {
  // Spark spells every allow-listed function as `name(args)`, including `current_date()`.
  protected readonly functions = {};

  protected identifier(name: string): string {
    return `\`${name.replace(/`/g, '``')}\``;
  }

  protected stringLiteral(value: string): string {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  }

  protected dataType(type: DataType): string {
    return type.name === 'decimal'
      ? `DECIMAL(${type.precision}, ${type.scale})`
      : TYPE_NAMES[type.name];
  }
}
