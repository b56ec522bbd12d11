import type {
  MariadbSource,
  MysqlSource,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import mysql from 'mysql2';
import type { FieldPacket } from 'mysql2';
import { RunCancelledError } from '../errors';
import { checkedDestination, socketTo } from './egress';
import {
  checkConnectionType,
  CONNECT_TIMEOUT_MS,
  numberSetting,
  setting,
} from './relationalConnection';
import { RowStager, StagedColumn } from './staging';
import { IncrementalRead, LoadedDataset, SourceContext } from './types';

/**
 * MySQL and MariaDB sources, streamed through the driver's row stream (with back-pressure).
 * Every value is read as text and converted in DuckDB to the type derived from the driver's
 * column metadata (see `mysqlColumn`).
 */

const fromHex = (ref: string) => `from_hex(${ref})`;

/** mysql2 column types (protocol codes). */
const MYSQL = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
} as const;
const UNSIGNED_FLAG = 32;
const BINARY_CHARSET = 63;

export function mysqlColumn(field: FieldPacket): StagedColumn {
  const type = field.columnType ?? field.type;
  const unsigned = ((field.flags as number) & UNSIGNED_FLAG) !== 0;
  const name = field.name;
  switch (type) {
    case MYSQL.TINY:
    case MYSQL.SHORT:
    case MYSQL.INT24:
    case MYSQL.YEAR:
      return { name, type: 'INTEGER' };
    case MYSQL.LONG:
      return { name, type: unsigned ? 'BIGINT' : 'INTEGER' };
    case MYSQL.LONGLONG:
      return { name, type: unsigned ? 'DECIMAL(20,0)' : 'BIGINT' };
    case MYSQL.FLOAT:
      return { name, type: 'FLOAT' };
    case MYSQL.DOUBLE:
      return { name, type: 'DOUBLE' };
    case MYSQL.DECIMAL:
    case MYSQL.NEWDECIMAL: {
      const scale = field.decimals ?? 0;
      const length = field.columnLength ?? 38;
      const precision = Math.min(
        38,
        Math.max(1, length - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1)),
      );
      return {
        name,
        type: `DECIMAL(${precision},${Math.min(scale, precision)})`,
      };
    }
    case MYSQL.DATE:
    case MYSQL.NEWDATE:
      return { name, type: 'DATE' };
    case MYSQL.DATETIME:
    case MYSQL.TIMESTAMP:
      return { name, type: 'TIMESTAMP' };
    case MYSQL.BIT:
      return { name, type: 'BLOB', fromText: fromHex };
    case MYSQL.TINY_BLOB:
    case MYSQL.MEDIUM_BLOB:
    case MYSQL.LONG_BLOB:
    case MYSQL.BLOB:
    case MYSQL.VAR_STRING:
    case MYSQL.STRING:
      return field.characterSet === BINARY_CHARSET
        ? { name, type: 'BLOB', fromText: fromHex }
        : { name, type: 'VARCHAR' };
    default:
      // TIME, JSON, ENUM, SET, GEOMETRY, VARCHAR: text.
      return { name, type: 'VARCHAR' };
  }
}

const mysqlName = (name: string) => `\`${name.replace(/`/g, '``')}\``;

export async function readMysql(
  context: SourceContext,
  source: MysqlSource | MariadbSource,
  table: string,
  incremental?: IncrementalRead,
): Promise<LoadedDataset> {
  const resolved = await context.resolveConnection(source.connection);
  checkConnectionType(source.connection, resolved, ['mysql', 'mariadb']);
  const destination = await checkedDestination(
    context,
    setting(resolved, 'host'),
    numberSetting(resolved, 'port') ?? 3306,
    `Connection '${source.connection}'`,
  );
  const client = mysql.createConnection({
    // The host name stays for TLS (server name, certificate); the socket goes to the checked address.
    host: destination.host,
    port: destination.port,
    stream: () => socketTo(destination),
    user: setting(resolved, 'user'),
    password: resolved.password,
    database: setting(resolved, 'database'),
    ssl: resolved.settings.ssl === true ? {} : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // Everything as text, converted by DuckDB: exact decimals, 64-bit integers and dates.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
  });
  const promiseClient = client.promise();
  let failed = false;
  client.on('error', () => {
    failed = true;
  });
  // A cancelled run closes its connection, which also ends a query waiting on a lock.
  const onAbort = () => {
    failed = true;
    client.destroy();
  };
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await promiseClient.query("SET time_zone = '+00:00'");
    const from = source.schema
      ? `${mysqlName(source.schema)}.${mysqlName(source.table)}`
      : mysqlName(source.table);
    const values: string[] = [];
    let sql = `SELECT * FROM ${from}`;
    if (incremental?.watermark !== undefined) {
      sql += ` WHERE ${mysqlName(incremental.column)} > ?`;
      values.push(incremental.watermark);
    }
    if (context.sampleRows !== undefined) {
      sql += ` LIMIT ${Math.floor(context.sampleRows)}`;
    }
    // Rows as arrays, read from the driver's events with back-pressure (pause while DuckDB
    // is two chunks behind): no object per row, no async iteration per row.
    const query = client.query({ sql, values, rowsAsArray: true });
    const done = await new Promise<RowStager>((resolve, reject) => {
      let stager: RowStager | undefined;
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        context.signal.removeEventListener('abort', cancelled);
        // The table is dropped with the workspace: first let a chunk being loaded finish.
        (stager?.settled() ?? Promise.resolve()).then(() => reject(error));
      };
      // Destroying the connection may leave the query without any further event.
      function cancelled() {
        fail(new RunCancelledError());
      }
      context.signal.addEventListener('abort', cancelled, { once: true });
      const waitFor = (promise: Promise<unknown>) => {
        client.pause();
        promise.then(() => {
          try {
            context.checkCancelled();
            client.resume();
          } catch (error) {
            fail(error);
          }
        }, fail);
      };
      query.on('error', fail);
      query.on('fields', (fields: FieldPacket[]) => {
        const created = RowStager.create(
          context.workspace,
          table,
          fields.map(mysqlColumn),
        ).then(s => {
          stager = s;
        });
        waitFor(created);
      });
      query.on('result', (row: unknown[]) => {
        if (settled) return;
        try {
          if (stager!.appendRow(row)) waitFor(stager!.ready());
        } catch (error) {
          fail(error);
        }
      });
      query.on('end', () => {
        if (settled) return;
        if (!stager) {
          fail(new Error('MySQL sent no columns'));
          return;
        }
        const finished = stager;
        finished.finish().then(() => {
          if (settled) return;
          settled = true;
          context.signal.removeEventListener('abort', cancelled);
          resolve(finished);
        }, fail);
      });
    });
    return { rowsRead: done.rows };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    if (failed) {
      client.destroy();
    } else {
      await promiseClient.end().catch(() => client.destroy());
    }
  }
}
