import { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  removeQuietly,
  syncFile,
  toFileUri,
  toLocalPath,
} from '../io/localFiles';
import { DataFile } from '../metadata/manifests';
import {
  BoundPartitionField,
  PartitionValue,
  partitionValueSql,
} from '../metadata/partitioning';
import { IcebergSchema } from '../types';
import { quoteIdentifier, quoteLiteral, stringList } from './sql';

/** Writing Parquet data files with DuckDB's COPY. */

/** What {@link writeDataFiles} needs. */
export interface WriteDataFilesOptions {
  connection: DuckDBConnection;
  /** A query whose columns are the schema's fields, in order and type. */
  select: string;
  schema: IcebergSchema;
  partitionFields: BoundPartitionField[];
  /** The table location (`file:///` URI). */
  tableLocation: string;
}

/** One row of `COPY … (RETURN_STATS true)`. */
interface CopyStats {
  filename: string;
  count: string;
  column_statistics: Array<{
    key: string;
    value: Array<{ key: string; value: string }>;
  }> | null;
}

/**
 * COPY options every data file needs: Iceberg field ids on the Parquet
 * columns, and the Iceberg schema as key-value metadata (readers use it to map
 * columns by id).
 */
function parquetOptions(schema: IcebergSchema): string {
  const fieldIds = schema.fields
    .map(f => `${quoteLiteral(f.name)}: ${f.id}`)
    .join(', ');
  return [
    'FORMAT parquet',
    `FIELD_IDS {${fieldIds}}`,
    `KV_METADATA {'iceberg.schema': ${quoteLiteral(JSON.stringify(schema))}}`,
    'RETURN_STATS true',
  ].join(', ');
}

/** Column metrics of a data file, keyed by field id, from COPY's stats. */
function columnMetrics(schema: IcebergSchema, stats: CopyStats) {
  const columnSizes: Record<number, number> = {};
  const valueCounts: Record<number, number> = {};
  const nullValueCounts: Record<number, number> = {};
  for (const column of stats.column_statistics ?? []) {
    const field = schema.fields.find(
      f => quoteIdentifier(f.name) === column.key || f.name === column.key,
    );
    if (!field) {
      continue;
    }
    const metric = (name: string) => {
      const value = column.value.find(m => m.key === name)?.value;
      return value === undefined ? undefined : Number(value);
    };
    const size = metric('column_size_bytes');
    const values = metric('num_values');
    const nulls = metric('null_count');
    if (size !== undefined) columnSizes[field.id] = size;
    if (values !== undefined) valueCounts[field.id] = values;
    if (nulls !== undefined) nullValueCounts[field.id] = nulls;
  }
  return { columnSizes, valueCounts, nullValueCounts };
}

async function toDataFile(
  path: string,
  stats: CopyStats,
  schema: IcebergSchema,
  partition: PartitionValue[],
): Promise<DataFile> {
  await syncFile(path);
  // The exact size matters: readers issue Range requests from it.
  const { size } = await fs.stat(path);
  return {
    path: toFileUri(path),
    partition,
    recordCount: Number(stats.count),
    fileSizeInBytes: size,
    ...columnMetrics(schema, stats),
  };
}

/** A folder name for a partition value; cosmetic, file names are unique. */
function pathSegment(field: BoundPartitionField, value: PartitionValue) {
  let text: string;
  if (value === null) {
    text = 'null';
  } else if (field.type === 'date') {
    text = new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
  } else if (field.type === 'timestamp' || field.type === 'timestamptz') {
    text = new Date(Number(BigInt(value as bigint) / 1000n)).toISOString();
  } else if (Buffer.isBuffer(value)) {
    text = value.toString('hex');
  } else {
    text = String(value);
  }
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return `${safe(field.field.name)}=${safe(text)}`;
}

/** Reads the partition tuple of each file DuckDB wrote into partition folders. */
async function readPartitionTuples(
  connection: DuckDBConnection,
  partitionFields: BoundPartitionField[],
  paths: string[],
): Promise<Map<string, PartitionValue[]>> {
  const values = partitionFields.map(
    ({ source, type }, i) =>
      `${partitionValueSql(type, quoteIdentifier(source.name))} AS p${i}`,
  );
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT filename, ${values.join(
      ', ',
    )} FROM read_parquet(${stringList(
      paths,
    )}, filename = true, hive_partitioning = false)`,
  );
  const tuples = new Map<string, PartitionValue[]>();
  for (const row of reader.getRowObjectsJS()) {
    tuples.set(
      String(row.filename),
      partitionFields.map((_, i) => {
        const value = row[`p${i}`];
        return value instanceof Uint8Array
          ? Buffer.from(value)
          : (value as PartitionValue);
      }),
    );
  }
  return tuples;
}

async function writeUnpartitioned(options: WriteDataFilesOptions) {
  const { connection, select, schema, tableLocation } = options;
  const path = join(
    toLocalPath(tableLocation),
    'data',
    `${randomUUID()}.parquet`,
  );
  await fs.mkdir(dirname(path), { recursive: true });
  try {
    const reader = await connection.runAndReadAll(
      `COPY (${select}) TO ${quoteLiteral(path)} (${parquetOptions(schema)})`,
    );
    const [stats] = reader.getRowObjectsJson() as unknown as CopyStats[];
    if (Number(stats.count) === 0) {
      // An empty input adds no file rather than an empty one.
      await removeQuietly([path]);
      return [];
    }
    return [await toDataFile(path, stats, schema, [])];
  } catch (error) {
    await removeQuietly([path]);
    throw error;
  }
}

async function writePartitioned(options: WriteDataFilesOptions) {
  const { connection, select, schema, partitionFields, tableLocation } =
    options;
  const dataFolder = join(toLocalPath(tableLocation), 'data');
  // DuckDB names partition folders from raw values ('%' escapes and all);
  // files are written to a staging folder and moved to plain names.
  const staging = join(dataFolder, `.staging-${randomUUID()}`);
  const moved: string[] = [];
  await fs.mkdir(dataFolder, { recursive: true });
  try {
    const partitionBy = partitionFields
      .map(f => quoteIdentifier(f.source.name))
      .join(', ');
    const reader = await connection.runAndReadAll(
      `COPY (${select}) TO ${quoteLiteral(staging)} (${parquetOptions(
        schema,
      )}, ` +
        `PARTITION_BY (${partitionBy}), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'data_{uuid}')`,
    );
    const written = (
      reader.getRowObjectsJson() as unknown as CopyStats[]
    ).filter(s => Number(s.count) > 0);
    if (written.length === 0) {
      return [];
    }
    const tuples = await readPartitionTuples(
      connection,
      partitionFields,
      written.map(s => s.filename),
    );
    const files: DataFile[] = [];
    for (const stats of written) {
      const tuple = tuples.get(stats.filename)!;
      const target = join(
        dataFolder,
        ...partitionFields.map((f, i) => pathSegment(f, tuple[i])),
        `${randomUUID()}.parquet`,
      );
      await fs.mkdir(dirname(target), { recursive: true });
      await fs.rename(stats.filename, target);
      moved.push(target);
      files.push(await toDataFile(target, stats, schema, tuple));
    }
    return files;
  } catch (error) {
    await removeQuietly(moved);
    throw error;
  } finally {
    await removeQuietly([staging]);
  }
}

/**
 * Writes the rows of `options.select` as Parquet data files under the table's
 * `data/` folder: one file when unpartitioned, one per partition otherwise.
 * Files are flushed to disk; on failure nothing written is left behind.
 */
export async function writeDataFiles(
  options: WriteDataFilesOptions,
): Promise<DataFile[]> {
  return options.partitionFields.length
    ? writePartitioned(options)
    : writeUnpartitioned(options);
}
