import { InputError } from '@backstage/errors';
import mysql from 'mysql2/promise';
import { connect, isIP } from 'node:net';
import { Client as PgClient } from 'pg';
import {
  type CheckedDestination,
  EgressGuard,
  EgressRefusedError,
} from '../egress';
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
  destination: CheckedDestination,
  timeoutMs: number,
): Promise<void> {
  const client = await mysql.createConnection({
    // The name stays for TLS; the socket goes to the address the guard checked.
    host: destination.host,
    port: destination.port,
    stream: () =>
      connect({ host: destination.address, port: destination.port }),
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
  destination: CheckedDestination,
  timeoutMs: number,
): Promise<void> {
  const client = new PgClient({
    host: destination.address,
    port: destination.port,
    user: settingString(connection, 'user'),
    password: connection.password,
    database: settingString(connection, 'database'),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    ssl: postgresSsl(connection.settings.ssl === true, destination),
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

/** TLS to PostgreSQL, verified against the host name rather than the pinned address. */
function postgresSsl(enabled: boolean, destination: CheckedDestination) {
  if (!enabled) return undefined;
  return isIP(destination.host) ? true : { servername: destination.host };
}

const DEFAULT_PORTS: Record<string, number> = {
  mysql: 3306,
  mariadb: 3306,
  postgres: 5432,
};

/**
 * Tests MySQL/MariaDB (mysql2) and PostgreSQL (pg); other types are reported as not testable.
 *
 * The destination passes the organization's egress guard first: a host it refuses answers 400
 * (InputError on `host`) before any connection. Otherwise the driver connects to the checked
 * address. Outside the allow-list every failure reads the same ("could not connect to
 * host:port"), so tests cannot tell open, closed and filtered ports apart; inside it, the
 * driver's message (secret masked) helps the admin fix the connection.
 */
export class DriverConnectionTester implements ConnectionTester {
  readonly #egress: Pick<EgressGuard, 'forOrganization'>;

  constructor(
    private readonly options: {
      timeoutMs?: number;
      egress?: Pick<EgressGuard, 'forOrganization'>;
    } = {},
  ) {
    this.#egress = options.egress ?? new EgressGuard();
  }

  async test(connection: ResolvedConnection): Promise<ConnectionTestResult> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TEST_TIMEOUT_MS;
    let run: ((destination: CheckedDestination) => Promise<void>) | undefined;
    if (connection.type === 'mysql' || connection.type === 'mariadb') {
      run = destination => testMysql(connection, destination, timeoutMs);
    } else if (connection.type === 'postgres') {
      run = destination => testPostgres(connection, destination, timeoutMs);
    }
    if (!run) {
      return {
        ok: false,
        testable: false,
        message: `Connections of type '${connection.type}' cannot be tested from the portal; they are checked when a pipeline runs`,
        latencyMs: 0,
      };
    }
    const host = settingString(connection, 'host') ?? '';
    const port =
      settingNumber(connection, 'port') ?? DEFAULT_PORTS[connection.type];
    const couldNotConnect: ConnectionTestResult = {
      ok: false,
      testable: true,
      message: `Could not connect to ${host}:${port}`,
      latencyMs: 0,
    };
    let destination: CheckedDestination;
    try {
      destination = await this.#egress
        .forOrganization(connection.organization)
        .check(host, port);
    } catch (error) {
      if (error instanceof EgressRefusedError) {
        throw new InputError(`host: ${error.message}`);
      }
      // A name that does not resolve reads like any other failure.
      return couldNotConnect;
    }
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      // The drivers' own timeouts cover connecting and the query; this one covers everything else.
      await Promise.race([
        run(destination),
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
      if (!destination.allowListed) {
        return couldNotConnect;
      }
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
