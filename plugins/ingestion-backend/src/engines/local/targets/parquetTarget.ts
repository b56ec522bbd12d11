import type { DuckDBConnection } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  fileRunId,
  listDataFiles,
  removeRunFiles,
  writeExclusive,
  writeParquetFiles,
} from './folderFiles';

/**
 * A plain Parquet folder target: data files (Hive-style `col=value/` folders when partitioned,
 * partition columns only in the folder names) plus a small commit log in `_ingestion_log/`
 * that records which run wrote which files. The log is what makes a retried or resumed run
 * write once: a run whose record exists is not written again.
 *
 * Readers see the Parquet files directly, so `overwrite` is not atomic for them: the new files
 * appear before the old ones are deleted.
 */

const LOG_FOLDER = '_ingestion_log';

interface LogRecord {
  runId: string;
  mode: 'append' | 'overwrite';
  at: string;
  added: Array<{ path: string; rows: number; bytes: number }>;
  removed: string[];
}

export interface FolderWriteResult {
  committed: boolean;
  rowsWritten: number;
  bytesWritten: number;
  /** Rows and bytes of the whole folder after the write. */
  rowCount: number;
  sizeBytes: number;
}

async function readLog(folder: string): Promise<LogRecord[]> {
  const dir = join(folder, LOG_FOLDER);
  const names = (await fs.readdir(dir).catch(() => [] as string[]))
    .filter(name => /^\d{20}-.*\.json$/.test(name))
    .sort();
  return Promise.all(
    names.map(
      async name =>
        JSON.parse(await fs.readFile(join(dir, name), 'utf8')) as LogRecord,
    ),
  );
}

function totals(log: LogRecord[]) {
  const live = new Map<string, { rows: number; bytes: number }>();
  for (const record of log) {
    record.removed.forEach(path => live.delete(path));
    record.added.forEach(file => live.set(file.path, file));
  }
  let rowCount = 0;
  let sizeBytes = 0;
  for (const file of live.values()) {
    rowCount += file.rows;
    sizeBytes += file.bytes;
  }
  return { rowCount, sizeBytes };
}

export async function writeParquetTarget(options: {
  connection: DuckDBConnection;
  query: string;
  folder: string;
  runId: string;
  mode: 'append' | 'overwrite';
  partitionBy: string[];
}): Promise<FolderWriteResult> {
  const { folder, runId } = options;
  const log = await readLog(folder);
  const previous = log.find(record => record.runId === runId);
  if (previous) {
    return {
      committed: false,
      rowsWritten: previous.added.reduce((n, f) => n + f.rows, 0),
      bytesWritten: previous.added.reduce((n, f) => n + f.bytes, 0),
      ...totals(log),
    };
  }
  await removeRunFiles(folder, runId);
  const existing =
    options.mode === 'overwrite' ? await listDataFiles(folder) : [];
  const written = await writeParquetFiles({
    connection: options.connection,
    query: options.query,
    folder,
    runId,
    partitionBy: options.partitionBy,
    keepPartitionColumns: false,
  });
  const record: LogRecord = {
    runId,
    mode: options.mode,
    at: new Date().toISOString(),
    added: written.map(({ path, rows, bytes }) => ({ path, rows, bytes })),
    removed: existing,
  };
  for (let sequence = log.length; ; sequence++) {
    const name = `${String(sequence).padStart(20, '0')}-${fileRunId(
      runId,
    )}.json`;
    if (
      await writeExclusive(
        join(folder, LOG_FOLDER, name),
        JSON.stringify(record, null, 2),
      )
    ) {
      break;
    }
  }
  for (const path of existing) {
    await fs.rm(join(folder, path), { force: true });
  }
  return {
    committed: true,
    rowsWritten: written.reduce((n, f) => n + f.rows, 0),
    bytesWritten: written.reduce((n, f) => n + f.bytes, 0),
    ...totals(await readLog(folder)),
  };
}
