import { DuckDBConnection } from '@duckdb/node-api';
import { toLocalPath } from '../io/localFiles';
import { DataFile, LiveDataFile } from '../metadata/manifests';
import { BoundPartitionField } from '../metadata/partitioning';
import { duckDbTypeForField } from '../metadata/schema';
import { IcebergSchema } from '../types';
import { writeDataFiles } from './dataFiles';
import { quoteIdentifier, quoteLiteral, stringList } from './sql';

/**
 * Merge by keys: input rows replace the table rows with equal keys (NULL keys
 * compare equal), other table rows stay. Only the data files holding a
 * matching key are rewritten; the others are kept as they are.
 */

/** What {@link mergeDataFiles} needs. */
export interface MergeOptions {
  connection: DuckDBConnection;
  /** Query of the input rows, shaped as `schema`. */
  input: string;
  schema: IcebergSchema;
  partitionFields: BoundPartitionField[];
  tableLocation: string;
  /** The live data files of the table's current snapshot. */
  live: LiveDataFile[];
  /** Key column names (schema field names). */
  keys: string[];
}

/**
 * `read_parquet` over table data files, mapping columns by field id (so files
 * written before a column existed or was widened read as the current schema).
 */
function readDataFiles(schema: IcebergSchema, paths: string[]): string {
  const columns = schema.fields.map(field => {
    const type = duckDbTypeForField(field);
    return `${field.id}: {name: ${quoteLiteral(
      field.name,
    )}, type: ${quoteLiteral(type)}, default_value: NULL}`;
  });
  return `read_parquet(${stringList(
    paths,
  )}, filename = true, hive_partitioning = false, schema = MAP {${columns.join(
    ', ',
  )}})`;
}

/** Writes the merged files; returns them and the live files they replace. */
export async function mergeDataFiles(
  options: MergeOptions,
): Promise<{ added: DataFile[]; removed: LiveDataFile[] }> {
  const { connection, input, schema, keys, live } = options;
  const write = (select: string) => writeDataFiles({ ...options, select });
  if (live.length === 0) {
    return { added: await write(input), removed: [] };
  }

  const byPath = new Map(
    live.map(f => [toLocalPath(f.entry.dataFile.path), f]),
  );
  const matches = keys
    .map(
      k =>
        `i.${quoteIdentifier(k)} IS NOT DISTINCT FROM t.${quoteIdentifier(k)}`,
    )
    .join(' AND ');
  const keyed = `EXISTS (SELECT 1 FROM (${input}) AS i WHERE ${matches})`;

  const affected = await connection.runAndReadAll(
    `SELECT DISTINCT filename FROM ${readDataFiles(schema, [
      ...byPath.keys(),
    ])} AS t WHERE ${keyed}`,
  );
  const affectedPaths = affected.getRowObjectsJS().map(r => String(r.filename));
  if (affectedPaths.length === 0) {
    return { added: await write(input), removed: [] };
  }

  const fields = schema.fields.map(f => quoteIdentifier(f.name)).join(', ');
  const kept = `SELECT ${fields} FROM ${readDataFiles(
    schema,
    affectedPaths,
  )} AS t WHERE NOT ${keyed}`;
  return {
    added: await write(`${kept} UNION ALL SELECT ${fields} FROM (${input})`),
    removed: affectedPaths.map(path => byPath.get(path)!),
  };
}
