import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { LocalEngineError } from '../errors';
import {
  Column,
  describeRelation,
  quoteIdentifier,
  quoteLiteral,
} from '../sql';
import {
  removeRunFiles,
  WrittenFile,
  writeExclusive,
  writeParquetFiles,
} from './folderFiles';

/**
 * A Delta Lake table written without Spark: Parquet data files plus a transaction log
 * (`_delta_log/NNNNNNNNNNNNNNNNNNNN.json`, protocol reader 1 / writer 2) with `metaData`, `add`,
 * `remove` and `commitInfo` actions, committed by creating the next log file exclusively.
 *
 * What this is and is not:
 * - Readers that follow the Delta protocol see each commit atomically; the log records the run
 *   id in `commitInfo`, so a retried run never commits twice.
 * - No checkpoints, deletion vectors, column mapping or other table features; tables that have
 *   checkpoints (written by another engine) are refused.
 * - Timestamps are stored as `timestamp` (UTC instants): naive DuckDB timestamps are taken as
 *   UTC, avoiding the `timestampNtz` table feature.
 * - Partition columns are written into the data files as well as `partitionValues` (Delta
 *   readers take them from the log; this engine's merge reads them from the files).
 * - `merge` rewrites the whole table (remove every file, add the merged rows); `overwrite`
 *   replaces the schema.
 */

const LOG_FOLDER = '_delta_log';
const ENGINE_INFO = 'ingestion-for-backstage local engine (DuckDB)';

interface AddAction {
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string;
}

interface MetaData {
  id: string;
  format: { provider: 'parquet'; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime: number;
}

interface SparkField {
  name: string;
  type: string;
  nullable: boolean;
  metadata: Record<string, unknown>;
}

interface DeltaState {
  /** Last committed version; -1 when the table does not exist. */
  version: number;
  metaData?: MetaData;
  live: Map<string, AddAction>;
  /** Commits by run id, with the files they added. */
  runs: Map<string, AddAction[]>;
}

export interface DeltaWriteResult {
  committed: boolean;
  version: number;
  rowsWritten: number;
  bytesWritten: number;
  rowCount: number;
  sizeBytes: number;
  schema: SparkField[];
}

const versionName = (version: number) =>
  `${String(version).padStart(20, '0')}.json`;

function recordsOf(add: AddAction): number {
  try {
    return Number(JSON.parse(add.stats ?? '{}').numRecords ?? 0);
  } catch {
    return 0;
  }
}

export async function readDeltaState(folder: string): Promise<DeltaState> {
  const dir = join(folder, LOG_FOLDER);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  if (names.some(n => n === '_last_checkpoint' || n.includes('.checkpoint.'))) {
    throw new LocalEngineError(
      `The Delta table at ${folder} has checkpoints (written by another engine); the local engine only writes tables it created`,
    );
  }
  const versions = names
    .filter(n => /^\d{20}\.json$/.test(n))
    .map(n => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
  const state: DeltaState = { version: -1, live: new Map(), runs: new Map() };
  for (const version of versions) {
    if (version !== state.version + 1) {
      throw new LocalEngineError(
        `The Delta log at ${folder} misses version ${state.version + 1}`,
      );
    }
    const text = await fs.readFile(join(dir, versionName(version)), 'utf8');
    const added: AddAction[] = [];
    let runId: string | undefined;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const action = JSON.parse(line);
      if (action.metaData) state.metaData = action.metaData;
      if (action.add) {
        state.live.set(action.add.path, action.add);
        added.push(action.add);
      }
      if (action.remove) state.live.delete(action.remove.path);
      if (action.commitInfo?.['ingestion.runId']) {
        runId = action.commitInfo['ingestion.runId'];
      }
    }
    if (runId) state.runs.set(runId, added);
    state.version = version;
  }
  return state;
}

/** The Spark SQL type of a DuckDB column as this writer stores it. */
function sparkType(column: Column): string {
  const type = column.type.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]},${decimal[2]})`;
  const types: Record<string, string> = {
    BOOLEAN: 'boolean',
    TINYINT: 'byte',
    SMALLINT: 'short',
    INTEGER: 'integer',
    BIGINT: 'long',
    FLOAT: 'float',
    DOUBLE: 'double',
    DATE: 'date',
    'TIMESTAMP WITH TIME ZONE': 'timestamp',
    VARCHAR: 'string',
    BLOB: 'binary',
  };
  const mapped = types[type];
  if (!mapped) {
    throw new LocalEngineError(
      `Column '${column.name}' has type ${column.type}, which the Delta writer does not support; cast it first`,
    );
  }
  return mapped;
}

/** The query with columns in the types Delta stores (see {@link sparkType}). */
function deltaProjection(columns: Column[], relation: string): string {
  const casts: Record<string, string> = {
    TIMESTAMP: 'TIMESTAMPTZ',
    TIMESTAMP_S: 'TIMESTAMPTZ',
    TIMESTAMP_MS: 'TIMESTAMPTZ',
    UTINYINT: 'SMALLINT',
    USMALLINT: 'INTEGER',
    UINTEGER: 'BIGINT',
    JSON: 'VARCHAR',
  };
  return `SELECT ${columns
    .map(c => {
      const cast = casts[c.type.toUpperCase()];
      const ref = quoteIdentifier(c.name);
      return cast ? `CAST(${ref} AS ${cast}) AS ${ref}` : ref;
    })
    .join(', ')} FROM ${relation}`;
}

function sparkSchema(columns: Column[]): SparkField[] {
  return columns.map(c => ({
    name: c.name,
    type: sparkType(c),
    nullable: true,
    metadata: {},
  }));
}

function schemaString(fields: SparkField[]) {
  return JSON.stringify({ type: 'struct', fields });
}

function currentFields(metaData: MetaData | undefined): SparkField[] {
  return metaData ? JSON.parse(metaData.schemaString).fields : [];
}

export async function writeDeltaTarget(options: {
  connection: DuckDBConnection;
  relation: string;
  folder: string;
  runId: string;
  mode: 'append' | 'overwrite' | 'merge';
  mergeKeys?: string[];
  partitionBy: string[];
}): Promise<DeltaWriteResult> {
  const { connection, folder, runId, mode } = options;
  const state = await readDeltaState(folder);
  const summarize = (s: DeltaState, committed: boolean, added: AddAction[]) => {
    let rowCount = 0;
    let sizeBytes = 0;
    for (const add of s.live.values()) {
      rowCount += recordsOf(add);
      sizeBytes += add.size;
    }
    return {
      committed,
      version: s.version,
      rowsWritten: added.reduce((n, a) => n + recordsOf(a), 0),
      bytesWritten: added.reduce((n, a) => n + a.size, 0),
      rowCount,
      sizeBytes,
      schema: currentFields(s.metaData),
    };
  };
  const previous = state.runs.get(runId);
  if (previous) {
    return summarize(state, false, previous);
  }

  const inputColumns = await describeRelation(connection, options.relation);
  const projected = deltaProjection(inputColumns, options.relation);
  const newFields = sparkSchema(
    await describeRelation(connection, `(${projected})`),
  );
  const existingFields = currentFields(state.metaData);
  const partitionColumns =
    mode === 'overwrite' || !state.metaData
      ? options.partitionBy
      : state.metaData.partitionColumns;
  if (
    state.metaData &&
    mode !== 'overwrite' &&
    options.partitionBy.length > 0 &&
    options.partitionBy.join(',') !== partitionColumns.join(',')
  ) {
    throw new LocalEngineError(
      `The Delta table at ${folder} is partitioned by (${partitionColumns.join(
        ', ',
      )}); the target asks for (${options.partitionBy.join(', ')})`,
    );
  }

  // The schema after the commit: replaced by overwrite, otherwise extended by new columns.
  let fields = newFields;
  if (mode !== 'overwrite' && existingFields.length > 0) {
    fields = [...existingFields];
    for (const field of newFields) {
      const existing = fields.find(
        f => f.name.toLowerCase() === field.name.toLowerCase(),
      );
      if (!existing) {
        fields.push(field);
      } else if (existing.type !== field.type) {
        throw new LocalEngineError(
          `Column '${field.name}' is ${field.type} in the new rows but ${existing.type} in the Delta table at ${folder}`,
        );
      }
    }
  }

  let query = projected;
  let removed: AddAction[] = [];
  if (mode === 'overwrite') {
    removed = [...state.live.values()];
  } else if (mode === 'merge') {
    const keys = options.mergeKeys ?? [];
    if (keys.length === 0) {
      throw new LocalEngineError('A merge needs merge_keys');
    }
    for (const key of keys) {
      if (!inputColumns.some(c => c.name === key)) {
        throw new LocalEngineError(
          `Merge key '${key}' is not a column of the rows to write`,
        );
      }
    }
    removed = [...state.live.values()];
    if (removed.length > 0) {
      const files = removed.map(a => quoteLiteral(join(folder, a.path)));
      const existingRows = `read_parquet([${files.join(
        ', ',
      )}], union_by_name = true)`;
      const match = keys
        .map(
          k =>
            `n.${quoteIdentifier(k)} IS NOT DISTINCT FROM e.${quoteIdentifier(
              k,
            )}`,
        )
        .join(' AND ');
      query =
        `SELECT * FROM (${projected}) UNION ALL BY NAME ` +
        `SELECT e.* FROM ${existingRows} AS e WHERE NOT EXISTS (SELECT 1 FROM (${projected}) AS n WHERE ${match})`;
    }
  }

  await removeRunFiles(folder, runId);
  const written: WrittenFile[] = await writeParquetFiles({
    connection,
    query,
    folder,
    runId,
    partitionBy: partitionColumns,
    keepPartitionColumns: true,
  });

  const now = Date.now();
  const adds: AddAction[] = written.map(file => ({
    path: file.path,
    partitionValues: Object.fromEntries(
      partitionColumns.map(c => [c, file.partitionValues[c] ?? null]),
    ),
    size: file.bytes,
    modificationTime: now,
    dataChange: true,
    stats: JSON.stringify({ numRecords: file.rows }),
  }));
  const actions: unknown[] = [];
  if (!state.metaData) {
    actions.push({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } });
  }
  const schemaChanged =
    !state.metaData ||
    state.metaData.schemaString !== schemaString(fields) ||
    state.metaData.partitionColumns.join(',') !== partitionColumns.join(',');
  if (schemaChanged) {
    actions.push({
      metaData: {
        id: state.metaData?.id ?? randomUUID(),
        format: { provider: 'parquet', options: {} },
        schemaString: schemaString(fields),
        partitionColumns,
        configuration: {},
        createdTime: state.metaData?.createdTime ?? now,
      } satisfies MetaData,
    });
  }
  for (const remove of removed) {
    actions.push({
      remove: {
        path: remove.path,
        deletionTimestamp: now,
        dataChange: true,
        partitionValues: remove.partitionValues,
        size: remove.size,
      },
    });
  }
  adds.forEach(add => actions.push({ add }));
  actions.push({
    commitInfo: {
      timestamp: now,
      operation: mode === 'merge' ? 'MERGE' : 'WRITE',
      operationParameters: {
        mode: mode === 'append' ? 'Append' : 'Overwrite',
        ...(mode === 'merge' ? { mergeKeys: options.mergeKeys } : {}),
      },
      engineInfo: ENGINE_INFO,
      'ingestion.runId': runId,
    },
  });

  const version = state.version + 1;
  const ok = await writeExclusive(
    join(folder, LOG_FOLDER, versionName(version)),
    `${actions.map(a => JSON.stringify(a)).join('\n')}\n`,
  );
  if (!ok) {
    await removeRunFiles(folder, runId);
    const after = await readDeltaState(folder);
    const concurrent = after.runs.get(runId);
    if (concurrent) {
      return summarize(after, false, concurrent);
    }
    throw new LocalEngineError(
      `Another writer committed version ${version} of the Delta table at ${folder} first`,
      { retryable: true },
    );
  }
  return summarize(await readDeltaState(folder), true, adds);
}
