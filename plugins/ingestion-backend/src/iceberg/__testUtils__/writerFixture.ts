import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { IcebergSqlCatalog } from '../catalog/IcebergSqlCatalog';
import { toLocalPath } from '../io/localFiles';
import { readManifestEntries, readManifestList } from '../metadata/manifests';
import { IcebergTableIdentifier } from '../types';
import {
  IcebergTableWriter,
  IcebergWriteRequest,
} from '../writer/IcebergTableWriter';
import { migrateUp } from './catalogDatabase';
import { readWithIcebird } from './icebird';
import { startWarehouseServer, WarehouseServer } from './warehouseServer';

export const ORG = 'org-a';
export const ORDERS: IcebergTableIdentifier = {
  namespace: ['sales'],
  name: 'orders',
};

type Row = Record<string, unknown>;

/**
 * A warehouse folder served over HTTP, a migrated catalog database, a DuckDB
 * instance and helpers to write and read tables in one organization.
 */
export interface WriterFixture {
  root: string;
  /** The catalog database. */
  knex: Knex;
  catalog: IcebergSqlCatalog;
  writer: IcebergTableWriter;
  duckdb: DuckDBInstance;
  connection: DuckDBConnection;
  /** Writes to ORDERS in ORG unless the request says otherwise. */
  write(
    request: Partial<IcebergWriteRequest> &
      Pick<IcebergWriteRequest, 'query' | 'runId'>,
  ): ReturnType<IcebergTableWriter['write']>;
  /** Reads a table's rows with icebird, missing values as null, sorted by `id`. */
  read(
    table?: IcebergTableIdentifier,
    options?: { metadataFileName?: string },
  ): Promise<Row[]>;
  /** All files below the table's folder, relative to it. */
  listFiles(table?: IcebergTableIdentifier): Promise<string[]>;
  /**
   * Files below the table's folder that no metadata in the table's history
   * references: leftovers of failed or lost commits.
   */
  unreferencedFiles(table?: IcebergTableIdentifier): Promise<string[]>;
  close(): Promise<void>;
}

function byId(a: Row, b: Row): number {
  const x = a.id as number | bigint | null;
  const y = b.id as number | bigint | null;
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

export async function createWriterFixture(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
): Promise<WriterFixture> {
  // realpath: on some systems the temporary folder is behind a symlink.
  const root = await fs.realpath(
    await fs.mkdtemp(join(tmpdir(), 'iceberg-writer-')),
  );
  const server: WarehouseServer = await startWarehouseServer(root);
  const knex = await databases.init(databaseId);
  await migrateUp(knex);
  const catalog = new IcebergSqlCatalog({ database: knex });
  const writer = new IcebergTableWriter({ catalog });
  const duckdb = await DuckDBInstance.create(':memory:');
  const connection = await duckdb.connect();

  const tableFolder = async (table: IcebergTableIdentifier) =>
    toLocalPath((await catalog.loadTable(ORG, table)).metadata.location);

  async function listFiles(table = ORDERS) {
    const folder = await tableFolder(table);
    const entries = await fs.readdir(folder, { recursive: true });
    const files = [];
    for (const entry of entries) {
      if ((await fs.stat(join(folder, entry))).isFile()) files.push(entry);
    }
    return files.sort();
  }

  return {
    root,
    knex,
    catalog,
    writer,
    duckdb,
    connection,
    write: request =>
      writer.write({
        organizationId: ORG,
        warehouseRoot: root,
        table: ORDERS,
        connection,
        mode: 'append',
        ...request,
      }),
    async read(table = ORDERS, options = {}) {
      const { metadata } = await catalog.loadTable(ORG, table);
      const rows = await readWithIcebird(server, metadata.location, options);
      const columns = new Set(rows.flatMap(r => Object.keys(r)));
      return rows
        .map(row =>
          Object.fromEntries([...columns].map(c => [c, row[c] ?? null])),
        )
        .sort(byId);
    },
    listFiles,
    async unreferencedFiles(table = ORDERS) {
      const { metadata, metadataLocation } = await catalog.loadTable(
        ORG,
        table,
      );
      const folder = toLocalPath(metadata.location);
      const referenced = new Set(['metadata/version-hint.text']);
      const add = (location: string) =>
        referenced.add(relative(folder, toLocalPath(location)));
      add(metadataLocation);
      metadata['metadata-log'].forEach(entry => add(entry['metadata-file']));
      for (const snapshot of metadata.snapshots) {
        add(snapshot['manifest-list']);
        for (const manifest of await readManifestList(
          snapshot['manifest-list'],
        )) {
          add(manifest.path);
          (await readManifestEntries(manifest)).forEach(e =>
            add(e.dataFile.path),
          );
        }
      }
      return (await listFiles(table)).filter(p => !referenced.has(p));
    },
    async close() {
      connection.closeSync();
      duckdb.closeSync();
      await server.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
