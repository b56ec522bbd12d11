import { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../../iceberg/writer/sql';

/**
 * SQL helpers of the local engine. Names are always quoted with {@link quoteIdentifier} and
 * strings with {@link quoteLiteral}; expressions come only from the expression language's
 * renderer, so no text of a spec reaches DuckDB unquoted.
 */
export { quoteIdentifier, quoteLiteral };

/** A column of a DuckDB relation. */
export interface Column {
  name: string;
  type: string;
}

/** Columns of a table, view or query. */
export async function describeRelation(
  connection: DuckDBConnection,
  relation: string,
): Promise<Column[]> {
  const reader = await connection.runAndReadAll(
    `DESCRIBE SELECT * FROM ${relation}`,
  );
  return reader.getRowObjectsJS().map(row => ({
    name: String(row.column_name),
    type: String(row.column_type),
  }));
}

/** A single value of a query's first row and column. */
export async function scalar(
  connection: DuckDBConnection,
  sql: string,
  values?: Array<string | number | boolean | null>,
): Promise<unknown> {
  const reader = await connection.runAndReadAll(sql, values as any);
  const rows = reader.getRowsJS();
  return rows[0]?.[0];
}

/** A count from DuckDB (BIGINT) as a number. */
export async function count(
  connection: DuckDBConnection,
  relation: string,
): Promise<number> {
  return Number(await scalar(connection, `SELECT count(*) FROM ${relation}`));
}

const NESTED = /[[\]]|^(STRUCT|MAP|UNION)\(/i;

/**
 * The SQL that turns a column into a type every target (Iceberg, Parquet, Delta) stores the same
 * way: nested values become JSON text, 128-bit and unsigned 64-bit integers become BIGINT or
 * DECIMAL(38,0), nanosecond timestamps microsecond ones, and TIME, INTERVAL, UUID, BIT text.
 * Undefined when the column can stay as it is.
 */
export function portableColumn(column: Column): string | undefined {
  const ref = quoteIdentifier(column.name);
  const type = column.type.trim().toUpperCase();
  if (NESTED.test(type)) {
    return `CAST(to_json(${ref}) AS VARCHAR)`;
  }
  switch (type) {
    case 'HUGEINT':
      // sum() of integers: a long, as Spark makes it.
      return `CAST(${ref} AS BIGINT)`;
    case 'UBIGINT':
    case 'UHUGEINT':
    case 'BIGNUM':
    case 'VARINT':
      return `CAST(${ref} AS DECIMAL(38,0))`;
    case 'TIMESTAMP_NS':
      return `CAST(${ref} AS TIMESTAMP)`;
    case 'TIME':
    case 'TIME WITH TIME ZONE':
    case 'INTERVAL':
    case 'UUID':
    case 'BIT':
    case 'NULL':
    case '"NULL"':
      return `CAST(${ref} AS VARCHAR)`;
    default:
      return undefined;
  }
}

/** A projection of `relation` with {@link portableColumn} applied, or undefined if not needed. */
export function portableProjection(
  columns: Column[],
  relation: string,
): string | undefined {
  const converted = columns.map(c => portableColumn(c));
  if (converted.every(c => c === undefined)) {
    return undefined;
  }
  const list = columns.map((c, i) =>
    converted[i]
      ? `${converted[i]} AS ${quoteIdentifier(c.name)}`
      : quoteIdentifier(c.name),
  );
  return `SELECT ${list.join(', ')} FROM ${relation}`;
}
