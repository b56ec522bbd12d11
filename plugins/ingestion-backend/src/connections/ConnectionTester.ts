import mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';
import type { ConnectionTestResult, ResolvedConnection } from './types';

export const DEFAULT_TEST_TIMEOUT_MS = 5000;

/** Opens a real connection to a source with a short timeout and reports, never leaking the secret. */
export interface ConnectionTester {
  test(connection: ResolvedConnection): Promise<ConnectionTestResult>;
}

/**
 * A driver's error as a short message that is safe to return: the error code and the first line
 * of its message, with the secret (and its URL-encoded form) masked should a driver ever echo it.
 */
export function safeErrorMessage(error: unknown, secret: string): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  let message =
    typeof e?.message === 'string' && e.message.trim()
      ? e.message.split('\n')[0].trim()
      : 'connection failed';
  if (message.length > 300) {
    message = `${message.slice(0, 300)}…`;
  }
  for (const form of new Set([secret, encodeURIComponent(secret)])) {
    if (form.length > 0) {
      message = message.split(form).join('***');
    }
  }
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

function settingString(
  connection: ResolvedConnection,
  key: string,
): string | undefined {
  const value = connection.settings[key];
  return typeof value === 'string' ? value : undefined;
}

function settingNumber(
  connection: ResolvedConnection,
  key: string,
): number | undefined {
  const value = connection.settings[key];
  return typeof value === 'number' ? value : undefined;
}

async function testMysql(
  connection: ResolvedConnection,
  timeoutMs: number,
): Promise<void> {
  const client = await mysql.createConnection({
    host: settingString(connection, 'host'),
    port: settingNumber(connection, 'port') ?? 3306,
    user: settingString(connection, 'user'),
    password: connection.password,
    database: settingString(connection, 'database'),
    connectTimeout: timeoutMs,
    ssl: connection.settings.ssl === true ? {} : undefined,
  });
  try {
    await client.query({ sql: 'SELECT 1', timeout: timeoutMs });
  } finally {
    await client.end().catch(() => client.destroy());
  }
}

async function testPostgres(
  connection: ResolvedConnection,
  timeoutMs: number,
): Promise<void> {
  const client = new PgClient({
    host: settingString(connection, 'host'),
    port: settingNumber(connection, 'port') ?? 5432,
    user: settingString(connection, 'user'),
    password: connection.password,
    database: settingString(connection, 'database'),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    ssl: connection.settings.ssl === true ? true : undefined,
  });
  // A failed connection may still emit 'error' later; never let that crash the backend.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/** Tests MySQL/MariaDB (mysql2) and PostgreSQL (pg); other types are reported as not testable. */
export class DriverConnectionTester implements ConnectionTester {
  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async test(connection: ResolvedConnection): Promise<ConnectionTestResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
    let run: (() => Promise<void>) | undefined;
    if (connection.type === 'mysql' || connection.type === 'mariadb') {
      run = () => testMysql(connection, timeoutMs);
    } else if (connection.type === 'postgres') {
      run = () => testPostgres(connection, timeoutMs);
    }
    if (!run) {
      return {
        ok: false,
        testable: false,
        message: `Connections of type '${connection.type}' cannot be tested from the portal; they are checked when a pipeline runs`,
        latencyMs: 0,
      };
    }
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The drivers' own timeouts cover connecting and the query; this one covers everything else.
      await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`),
              ),
            timeoutMs + 1000,
          );
        }),
      ]);
      return {
        ok: true,
        testable: true,
        message: `Connected to ${connection.type} and ran SELECT 1`,
        latencyMs: Date.now() - started,
      };
    } catch (error) {
      return {
        ok: false,
        testable: true,
        message: `Could not connect: ${safeErrorMessage(
          error,
          connection.password,
        )}`,
        latencyMs: Date.now() - started,
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
