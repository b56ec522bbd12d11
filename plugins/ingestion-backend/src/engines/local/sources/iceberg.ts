import { NotFoundError } from '@backstage/errors';
import type { IcebergSource } from '@ingestion-for-backstage/plugin-ingestion-common';
import { toLocalPath } from '../../../iceberg/io/localFiles';
import { readLiveDataFiles } from '../../../iceberg/metadata/manifests';
import {
  currentSchema,
  duckDbTypeForField,
} from '../../../iceberg/metadata/schema';
import { currentSnapshot } from '../../../iceberg/metadata/tableMetadata';
import { LocalEngineError } from '../errors';
import { count, describeRelation, quoteIdentifier, quoteLiteral } from '../sql';
import { isInside } from '../storage';
import { IncrementalRead, LoadedDataset, SourceContext } from './types';

/**
 * An Iceberg table of the organization's catalog (typically written by another pipeline): the
 * live data files of its current snapshot, read with `read_parquet` and shaped as the current
 * schema (columns matched by name, missing ones NULL). Incremental reads filter on the cursor
 * column in DuckDB.
 */
export async function readIceberg(
  context: SourceContext,
  source: IcebergSource,
  table: string,
  incremental?: IncrementalRead,
): Promise<LoadedDataset> {
  const identifier = { namespace: [source.schema], name: source.table };
  const name = `${source.catalog}.${source.schema}.${source.table}`;
  const loaded = await context
    .catalog(source.catalog)
    .loadTable(context.organizationId, identifier)
    .catch(error => {
      if (error instanceof NotFoundError) {
        throw new LocalEngineError(
          `Iceberg table ${name} does not exist in the organization's catalog`,
        );
      }
      throw error;
    });
  const schema = currentSchema(loaded.metadata);
  const snapshot = currentSnapshot(loaded.metadata);
  const files = snapshot
    ? (await readLiveDataFiles(snapshot['manifest-list'])).map(f =>
        toLocalPath(f.entry.dataFile.path),
      )
    : [];
  const warehouse = context.storage.warehouse;
  if (warehouse && files.some(file => !isInside(warehouse, file))) {
    throw new LocalEngineError(
      `Iceberg table ${name} has data files outside the organization's warehouse; refusing to read it`,
    );
  }

  const columns = schema.fields.map(field => {
    const type = duckDbTypeForField(field);
    return { name: field.name, type };
  });
  const { connection } = context.workspace;
  const target = quoteIdentifier(table);
  await connection.run(
    `CREATE TABLE ${target} (${columns
      .map(c => `${quoteIdentifier(c.name)} ${c.type}`)
      .join(', ')})`,
  );
  if (files.length > 0) {
    const read = `read_parquet([${files
      .map(quoteLiteral)
      .join(', ')}], union_by_name = true)`;
    const present = new Set(
      (await describeRelation(connection, read)).map(c => c.name),
    );
    const select = columns
      .map(
        c =>
          `CAST(${present.has(c.name) ? quoteIdentifier(c.name) : 'NULL'} AS ${
            c.type
          }) AS ${quoteIdentifier(c.name)}`,
      )
      .join(', ');
    const values: string[] = [];
    let where = '';
    if (incremental?.watermark !== undefined) {
      const cursor = columns.find(c => c.name === incremental.column);
      if (!cursor) {
        throw new LocalEngineError(
          `Incremental column '${incremental.column}' is not a column of ${name}`,
        );
      }
      if (present.has(cursor.name)) {
        where = ` WHERE ${quoteIdentifier(cursor.name)} > CAST($1 AS ${
          cursor.type
        })`;
        values.push(incremental.watermark);
      } else {
        // No data file has the column yet: every value is NULL, none is above the watermark.
        where = ' WHERE false';
      }
    }
    // A preview's sample: the scan stops at the limit.
    const limit =
      context.sampleRows === undefined
        ? ''
        : ` LIMIT ${Math.floor(context.sampleRows)}`;
    await connection.run(
      `INSERT INTO ${target} SELECT ${select} FROM ${read}${where}${limit}`,
      values.length ? values : undefined,
    );
  }
  await context.log(
    'info',
    `Read Iceberg table ${name} (snapshot ${
      snapshot?.['snapshot-id'] ?? 'none'
    }, ${files.length} data file${files.length === 1 ? '' : 's'})`,
  );
  return { rowsRead: await count(connection, target) };
}
