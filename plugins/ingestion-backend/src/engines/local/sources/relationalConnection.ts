import type { ResolvedConnection } from '@ingestion-for-backstage/plugin-ingestion-node';
import { LocalEngineError } from '../errors';

/** What the MySQL / MariaDB and PostgreSQL readers share: connection settings and timeouts. */

export const CONNECT_TIMEOUT_MS = 15_000;

export function setting(connection: ResolvedConnection, key: string) {
  const value = connection.settings[key];
  return typeof value === 'string' ? value : undefined;
}

export function numberSetting(connection: ResolvedConnection, key: string) {
  const value = connection.settings[key];
  return typeof value === 'number' ? value : undefined;
}

export function checkConnectionType(
  name: string,
  connection: ResolvedConnection,
  allowed: string[],
) {
  if (!allowed.includes(connection.type)) {
    throw new LocalEngineError(
      `Connection '${name}' is a ${
        connection.type
      } connection; this source needs ${allowed.join(' or ')}`,
    );
  }
}
