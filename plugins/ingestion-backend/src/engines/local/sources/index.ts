import type { SourceSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { LocalEngineError } from '../errors';
import { openFiles, readFiles } from './files';
import { readHttp } from './http';
import { readIceberg } from './iceberg';
import { readMysql, readPostgres } from './relational';
import {
  IncrementalRead,
  OpenedSource,
  LoadedDataset,
  SourceContext,
} from './types';

export type { OpenedSource, S3Settings, SourceContext } from './types';

/** Reads a source (or a join's dataset) into the DuckDB table `table` of the run. */
export async function loadDataset(
  context: SourceContext,
  source: SourceSpec,
  table: string,
  incremental?: IncrementalRead,
): Promise<LoadedDataset> {
  switch (source.type) {
    case 'mysql':
    case 'mariadb':
      return readMysql(context, source, table, incremental);
    case 'postgres':
      return readPostgres(context, source, table, incremental);
    case 'file':
      return readFiles(context, source, table);
    case 'iceberg':
      return readIceberg(context, source, table, incremental);
    case 'http':
      return readHttp(context, source, table);
    case 'kafka':
      throw new LocalEngineError(
        'Kafka sources run on the Databricks engine: the local engine reads batch sources only (files, MySQL/MariaDB, PostgreSQL, HTTP, Iceberg)',
      );
    default:
      throw new LocalEngineError(
        `The local engine cannot read sources of type '${
          (source as { type: string }).type
        }'`,
      );
  }
}

/**
 * Opens the run's main source as `table`: files become a view that the run's single query
 * streams from (read once, never staged whole); other sources are read into a table as by
 * {@link loadDataset}.
 */
export async function openSource(
  context: SourceContext,
  source: SourceSpec,
  table: string,
  incremental?: IncrementalRead,
): Promise<OpenedSource> {
  if (source.type === 'file') {
    return openFiles(context, source, table);
  }
  const loaded = await loadDataset(context, source, table, incremental);
  return { rowsRead: loaded.rowsRead, view: false };
}
