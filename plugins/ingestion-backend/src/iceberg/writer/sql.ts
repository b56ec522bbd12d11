import { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '@backstage/errors';
import {
  duckDbTypeForField,
  findByName,
  InputColumn,
} from '../metadata/schema';
import { IcebergSchema } from '../types';

/** Small helpers for the SQL this writer sends to DuckDB. */

/** A DuckDB identifier, quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A DuckDB string literal. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A DuckDB list literal of strings. */
export function stringList(values: string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

/** The caller's query, made safe to nest as a subquery. */
export function asSubquery(query: string): string {
  const trimmed = query.trim().replace(/;+\s*$/, '');
  if (!trimmed) {
    throw new InputError('The query producing the rows is empty');
  }
  return `(${trimmed})`;
}

/** Columns (name and DuckDB type) of a query, without running it. */
export async function describeQuery(
  connection: DuckDBConnection,
  query: string,
): Promise<InputColumn[]> {
  const reader = await connection.runAndReadAll(
    `DESCRIBE SELECT * FROM ${asSubquery(query)} AS input`,
  );
  return reader.getRowObjectsJS().map(row => ({
    name: String(row.column_name),
    type: String(row.column_type),
  }));
}

/**
 * Selects `source`'s rows shaped as `schema`: one column per field, in field
 * order, cast to the field's type; fields the input lacks are NULL.
 */
export function projectToSchema(
  schema: IcebergSchema,
  columns: InputColumn[],
  source: string,
): string {
  const list = schema.fields.map(field => {
    const column = findByName(columns, field.name);
    const value = column ? `input.${quoteIdentifier(column.name)}` : 'NULL';
    return `CAST(${value} AS ${duckDbTypeForField(field)}) AS ${quoteIdentifier(
      field.name,
    )}`;
  });
  return `SELECT ${list.join(', ')} FROM ${source} AS input`;
}
