import type { PostgresSource } from '@ingestion-for-backstage/plugin-ingestion-common';
import { Client as PgClient, type FieldDef, type QueryArrayResult } from 'pg';
import { checkedDestination, pgSsl } from './egress';
import {
  checkConnectionType,
  CONNECT_TIMEOUT_MS,
  numberSetting,
  setting,
} from './relationalConnection';
import { RowStager, StagedColumn } from './staging';
import { IncrementalRead, LoadedDataset, SourceContext } from './types';

/**
 * PostgreSQL sources, streamed through a server-side cursor (`FETCH n`). Every value is read as
 * PostgreSQL's text and converted in DuckDB to the type derived from the column's type OID (see
 * `postgresColumn`).
 */

/** PostgreSQL type OIDs (pg_type) this reader maps to DuckDB types. */
const PG_TYPES: Record<number, string> = {
  16: 'BOOLEAN',
  20: 'BIGINT',
  21: 'SMALLINT',
  23: 'INTEGER',
  26: 'BIGINT',
  700: 'FLOAT',
  701: 'DOUBLE',
  1082: 'DATE',
  1114: 'TIMESTAMP',
  1184: 'TIMESTAMPTZ',
};
const PG_NUMERIC = 1700;
const PG_BYTEA = 17;

export function postgresColumn(field: FieldDef): StagedColumn {
  const name = field.name;
  if (field.dataTypeID === PG_NUMERIC) {
    if (field.dataTypeModifier > 4) {
      const modifier = field.dataTypeModifier - 4;
      // eslint-disable-next-line no-bitwise
      const precision = Math.min(38, (modifier >> 16) & 0xffff);
      // eslint-disable-next-line no-bitwise
      const scale = Math.min(precision, modifier & 0xffff);
      return { name, type: `DECIMAL(${precision},${scale})` };
    }
    // Unconstrained numeric: as Spark's JDBC reader does.
    return { name, type: 'DECIMAL(38,18)' };
  }
  if (field.dataTypeID === PG_BYTEA) {
    // Text form `\x0a1b…`.
    return {
      name,
      type: 'BLOB',
      fromText: ref => `from_hex(substr(${ref}, 3))`,
    };
  }
  return { name, type: PG_TYPES[field.dataTypeID] ?? 'VARCHAR' };
}

const pgName = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function readPostgres(
  context: SourceContext,
  source: PostgresSource,
  table: string,
  incremental?: IncrementalRead,
): Promise<LoadedDataset> {
  const resolved = await context.resolveConnection(source.connection);
  checkConnectionType(source.connection, resolved, ['postgres']);
  const destination = await checkedDestination(
    context,
    setting(resolved, 'host'),
    numberSetting(resolved, 'port') ?? 5432,
    `Connection '${source.connection}'`,
  );
  const client = new PgClient({
    // The checked address, with the host name kept as the TLS server name.
    host: destination.address,
    port: destination.port,
    user: setting(resolved, 'user'),
    password: resolved.password,
    database: setting(resolved, 'database'),
    ssl: pgSsl(resolved.settings.ssl === true, destination),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Values as PostgreSQL's text, converted by DuckDB.
    types: { getTypeParser: () => (value: string) => value },
  });
  await client.connect();
  const onAbort = () => {
    client.end().catch(() => undefined);
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.query('BEGIN READ ONLY');
    await client.query("SET LOCAL TimeZone = 'UTC'");
    const schema = source.schema ?? setting(resolved, 'schema');
    const from = schema
      ? `${pgName(schema)}.${pgName(source.table)}`
      : pgName(source.table);
    const values: string[] = [];
    let sql = `SELECT * FROM ${from}`;
    if (incremental?.watermark !== undefined) {
      sql += ` WHERE ${pgName(incremental.column)} > $1`;
      values.push(incremental.watermark);
    }
    if (context.sampleRows !== undefined) {
      sql += ` LIMIT ${Math.floor(context.sampleRows)}`;
    }
    await client.query(
      `DECLARE ingestion_source NO SCROLL CURSOR FOR ${sql}`,
      values,
    );
    const batchSize = Math.floor(context.batchSize);
    const fetch = (): Promise<QueryArrayResult> =>
      client.query({
        text: `FETCH FORWARD ${batchSize} FROM ingestion_source`,
        rowMode: 'array',
      });
    let stager: RowStager | undefined;
    let next: ReturnType<typeof fetch> | undefined = fetch();
    try {
      while (next) {
        const result: QueryArrayResult = await next;
        // The next batch is on its way while this one is staged.
        next = result.rows.length < batchSize ? undefined : fetch();
        if (!stager) {
          stager = await RowStager.create(
            context.workspace,
            table,
            result.fields.map(postgresColumn),
          );
        }
        await stager.append(result.rows);
        context.checkCancelled();
      }
      await stager!.finish();
    } catch (error) {
      // Queued fetches fail with the connection; only the first error matters.
      next?.catch(() => undefined);
      await stager?.settled();
      throw error;
    }
    await client.query('CLOSE ingestion_source');
    await client.query('COMMIT');
    return { rowsRead: stager!.rows };
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}
