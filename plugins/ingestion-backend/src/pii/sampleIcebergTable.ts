import { DuckDBInstance } from '@duckdb/node-api';
import { toLocalPath } from '../iceberg/io/localFiles';
import { readLiveDataFiles } from '../iceberg/metadata/manifests';
import { readTableMetadata } from '../iceberg/metadata/metadataFiles';
import { currentSchema } from '../iceberg/metadata/schema';
import { currentSnapshot } from '../iceberg/metadata/tableMetadata';

export interface TableSample {
  /** The sampled snapshot; absent for a table without data. */
  snapshotId?: string;
  /** Column → sampled values (empty for an empty table). */
  samples: Record<string, unknown[]>;
}

/** The current snapshot of a table's metadata file, if it has one. */
export async function currentSnapshotId(
  metadataLocation: string,
): Promise<string | undefined> {
  const snapshot = currentSnapshot(await readTableMetadata(metadataLocation));
  return snapshot ? String(snapshot['snapshot-id']) : undefined;
}

const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Samples up to `rows` rows of a local Iceberg table's current snapshot: its live data files are
 * read from the manifests and scanned with DuckDB's Parquet reader. Only `file:` tables can be
 * sampled (tables in remote object storage are judged by their column names).
 */
export async function sampleIcebergTable(
  metadataLocation: string,
  options: { duckdb: () => Promise<DuckDBInstance>; rows?: number },
): Promise<TableSample> {
  const metadata = await readTableMetadata(metadataLocation);
  const columns = currentSchema(metadata).fields.map(f => f.name);
  const empty = Object.fromEntries(columns.map(c => [c, [] as unknown[]]));
  const snapshot = currentSnapshot(metadata);
  if (!snapshot) return { samples: empty };
  const files = (await readLiveDataFiles(snapshot['manifest-list'])).map(f =>
    toLocalPath(f.entry.dataFile.path),
  );
  const snapshotId = String(snapshot['snapshot-id']);
  if (files.length === 0) return { snapshotId, samples: empty };
  const connection = await (await options.duckdb()).connect();
  try {
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_parquet([${files
        .map(quoteLiteral)
        .join(', ')}], union_by_name = true) LIMIT ${Math.max(
        1,
        Math.floor(options.rows ?? 500),
      )}`,
    );
    const names = reader.columnNames();
    const rows = reader.getRowsJS();
    const samples: Record<string, unknown[]> = { ...empty };
    names.forEach((name, i) => {
      samples[name] = rows.map(row => row[i]);
    });
    return { snapshotId, samples };
  } finally {
    connection.closeSync();
  }
}

/** A DuckDB instance for sampling that downloads nothing, created on first use. */
export function lazyDuckDb(): {
  get: () => Promise<DuckDBInstance>;
  close: () => void;
} {
  let instance: Promise<DuckDBInstance> | undefined;
  return {
    get: () => {
      instance ??= DuckDBInstance.create(':memory:', {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        threads: '1',
      });
      return instance;
    },
    close: () => {
      instance?.then(i => i.closeSync()).catch(() => undefined);
      instance = undefined;
    },
  };
}
