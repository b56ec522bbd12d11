import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { quoteIdentifier, quoteLiteral } from '../sql';

/**
 * Parquet data files for folder targets (plain Parquet and Delta): written by DuckDB's `COPY`
 * into a staging folder inside the target (hidden from readers by its `_` prefix), then moved
 * into place file by file (a rename, atomic per file). Every file name carries the run id, so
 * the files of an interrupted attempt can be found and removed before the run writes again.
 */

export const STAGING_FOLDER = '_ingestion_staging';

export interface WrittenFile {
  /** Path relative to the target folder, with `/` separators. */
  path: string;
  rows: number;
  bytes: number;
  /** Partition column values as text (NULL as null), in partition order. */
  partitionValues: Record<string, string | null>;
}

/** A run id as it appears in file names. */
export function fileRunId(runId: string): string {
  return runId.replace(/[^A-Za-z0-9-]/g, '');
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await fs
    .readdir(folder, { recursive: true, withFileTypes: true })
    .catch(() => []);
  return entries
    .filter(e => e.isFile())
    .map(e => join(e.parentPath ?? (e as any).path, e.name));
}

/** Data files of the folder (Parquet files outside `_`/`.` folders), relative paths. */
export async function listDataFiles(folder: string): Promise<string[]> {
  return (await listFiles(folder))
    .map(file => relative(folder, file).split(sep).join('/'))
    .filter(
      path =>
        path.endsWith('.parquet') &&
        !path
          .split('/')
          .some(part => part.startsWith('_') || part.startsWith('.')),
    )
    .sort();
}

/** Removes data files an earlier attempt of this run left without committing them. */
export async function removeRunFiles(
  folder: string,
  runId: string,
): Promise<void> {
  const marker = `part-${fileRunId(runId)}-`;
  for (const path of await listDataFiles(folder)) {
    if (path.split('/').pop()!.startsWith(marker)) {
      await fs.rm(join(folder, path), { force: true });
    }
  }
}

/** Writes the rows of `query` as Parquet files into `folder`. */
export async function writeParquetFiles(options: {
  connection: DuckDBConnection;
  query: string;
  folder: string;
  runId: string;
  partitionBy: string[];
  /** Keep partition columns inside the files as well as in the folder names. */
  keepPartitionColumns: boolean;
}): Promise<WrittenFile[]> {
  const { connection, folder, partitionBy } = options;
  const staging = join(folder, STAGING_FOLDER, randomUUID());
  await fs.mkdir(staging, { recursive: true });
  const pattern = `part-${fileRunId(options.runId)}-{uuid}`;
  try {
    const target = partitionBy.length
      ? staging
      : join(
          staging,
          `part-${fileRunId(options.runId)}-${randomUUID()}.parquet`,
        );
    const copyOptions = [
      'FORMAT parquet',
      'COMPRESSION zstd',
      'RETURN_STATS true',
      ...(partitionBy.length
        ? [
            `PARTITION_BY (${partitionBy.map(quoteIdentifier).join(', ')})`,
            `FILENAME_PATTERN ${quoteLiteral(pattern)}`,
            `WRITE_PARTITION_COLUMNS ${options.keepPartitionColumns}`,
          ]
        : []),
    ];
    const reader = await connection.runAndReadAll(
      `COPY (${options.query}) TO ${quoteLiteral(target)} (${copyOptions.join(
        ', ',
      )})`,
    );
    const written: WrittenFile[] = [];
    for (const row of reader.getRowObjectsJson()) {
      const file = String(row.filename);
      const path = relative(staging, file).split(sep).join('/');
      const keys = (row.partition_keys ?? []) as Array<{
        key: string;
        value: string | null;
      }>;
      written.push({
        path,
        rows: Number(row.count),
        bytes: Number(row.file_size_bytes),
        partitionValues: Object.fromEntries(
          keys.map(({ key, value }) => [key, value]),
        ),
      });
    }
    const kept = written.filter(file => file.rows > 0);
    for (const file of kept) {
      const destination = join(folder, file.path);
      await fs.mkdir(dirname(destination), { recursive: true });
      await fs.rename(join(staging, file.path), destination);
    }
    return kept;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Writes `data` to `path` only if no file is there (temporary file, sync, hard link). */
export async function writeExclusive(
  path: string,
  data: string,
): Promise<boolean> {
  await fs.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  const handle = await fs.open(temporary, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}
