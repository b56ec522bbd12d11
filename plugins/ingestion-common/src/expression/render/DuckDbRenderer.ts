import { DataType, FunctionName } from '../ast';
import { FunctionRendering, SqlRenderer } from './SqlRenderer';

const TYPE_NAMES: Record<DataType['name'], string> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  float: 'FLOAT',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  decimal: 'DECIMAL',
};

/**
 * DuckDB. Column names go in double quotes (a double quote is doubled); strings are standard
 * SQL (`''`; DuckDB does not read backslash escapes in them).
 */
export class DuckDbRenderer extends SqlRenderer {
  protected readonly notEquals = '<>';
  // DuckDB has no default LIKE escape character; Spark's is `\`. Make DuckDB match.
  protected readonly likeEscape = " ESCAPE '\\'";

  protected readonly functions: Partial<
    Record<FunctionName, FunctionRendering>
  > = {
    current_date: () => 'current_date',
    current_timestamp: () => 'current_timestamp',
    // DuckDB's concat() skips NULLs, Spark's returns NULL; `||` propagates NULL like Spark.
    concat: args =>
      `(${args.map(arg => this.castTo(arg, { name: 'string' })).join(' || ')})`,
    date_add: ([date, days]) =>
      `(${this.castTo(date, { name: 'date' })} + ${this.castTo(days, {
        name: 'int',
      })})`,
    datediff: ([end, start]) =>
      `date_diff('day', ${this.castTo(start, {
        name: 'date',
      })}, ${this.castTo(end, { name: 'date' })})`,
  };

  protected identifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  protected stringLiteral(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
  }

  protected dataType(type: DataType): string {
    return type.name === 'decimal'
      ? `DECIMAL(${type.precision}, ${type.scale})`
      : TYPE_NAMES[type.name];
  }
}
