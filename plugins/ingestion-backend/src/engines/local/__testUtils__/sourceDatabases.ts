import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';

/**
 * Source databases for tests on the local MariaDB and PostgreSQL servers: a fresh database per
 * call, and (for MariaDB) a user with a password that may only read it.
 */

const MYSQL_URL = new URL(
  process.env.INGESTION_TEST_MYSQL_CONNECTION_STRING ??
    'mysql://root@127.0.0.1:3306/test',
);
const PG_URL = new URL(
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
);

export interface SourceDatabase {
  /** Settings of a connection (as the connections service stores them) and its secret. */
  settings: Record<string, unknown>;
  password: string;
  /** Runs SQL as the administrator, in the database. */
  query(sql: string, values?: unknown[]): Promise<unknown>;
  /** A separate administrator session (e.g. to hold a lock). */
  session(): Promise<{
    query(sql: string, values?: unknown[]): Promise<unknown>;
    close(): Promise<void>;
  }>;
  drop(): Promise<void>;
}

const suffix = () => randomBytes(4).toString('hex');

function mysqlAdmin(database?: string) {
  return mysql.createConnection({
    host: MYSQL_URL.hostname,
    port: Number(MYSQL_URL.port || 3306),
    user: decodeURIComponent(MYSQL_URL.username || 'root'),
    password: decodeURIComponent(MYSQL_URL.password),
    database,
    multipleStatements: false,
  });
}

export async function createMariaDb(): Promise<SourceDatabase> {
  const database = `ingestion_src_${suffix()}`;
  const user = `ing_src_${suffix()}`;
  const password = `Pw-${randomBytes(8).toString('hex')}`;
  const admin = await mysqlAdmin();
  try {
    await admin.query(`CREATE DATABASE \`${database}\``);
    for (const host of ['%', 'localhost', '127.0.0.1']) {
      await admin.query(`CREATE USER ?@? IDENTIFIED BY ?`, [
        user,
        host,
        password,
      ]);
      await admin.query(`GRANT SELECT ON \`${database}\`.* TO ?@?`, [
        user,
        host,
      ]);
    }
  } finally {
    await admin.end();
  }
  const main = await mysqlAdmin(database);
  return {
    settings: {
      host: MYSQL_URL.hostname,
      port: Number(MYSQL_URL.port || 3306),
      database,
      user,
    },
    password,
    query: (sql, values) => main.query(sql, values as any),
    async session() {
      const connection = await mysqlAdmin(database);
      return {
        query: (sql, values) => connection.query(sql, values as any),
        close: () => connection.end(),
      };
    },
    async drop() {
      await main.end();
      const cleanup = await mysqlAdmin();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS \`${database}\``);
        for (const host of ['%', 'localhost', '127.0.0.1']) {
          await cleanup.query(`DROP USER IF EXISTS ?@?`, [user, host]);
        }
      } finally {
        await cleanup.end();
      }
    },
  };
}

function pgClient(database: string) {
  return new PgClient({
    host: PG_URL.hostname,
    port: Number(PG_URL.port || 5432),
    user: decodeURIComponent(PG_URL.username || 'postgres'),
    password: decodeURIComponent(PG_URL.password),
    database,
  });
}

export async function createPostgresDb(): Promise<SourceDatabase> {
  const database = `ingestion_src_${suffix()}`;
  const admin = pgClient('postgres');
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  const main = pgClient(database);
  await main.connect();
  return {
    settings: {
      host: PG_URL.hostname,
      port: Number(PG_URL.port || 5432),
      database,
      user: decodeURIComponent(PG_URL.username || 'postgres'),
    },
    password: decodeURIComponent(PG_URL.password) || 'unused-password',
    query: (sql, values) => main.query(sql, values as any[]),
    async session() {
      const client = pgClient(database);
      await client.connect();
      return {
        query: (sql, values) => client.query(sql, values as any[]),
        close: () => client.end(),
      };
    },
    async drop() {
      await main.end();
      const cleanup = pgClient('postgres');
      await cleanup.connect();
      try {
        await cleanup.query(
          `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`,
        );
      } finally {
        await cleanup.end();
      }
    },
  };
}
