import type { Config } from '@backstage/config';

/** A host and port the backend itself connects to. */
export interface Endpoint {
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = {
  pg: 5432,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mysql2: 3306,
};

function fromConnection(
  connection: unknown,
  client: string | undefined,
): Endpoint[] {
  const defaultPort = client ? DEFAULT_PORTS[client] : undefined;
  if (defaultPort === undefined) return []; // SQLite: a file, nothing to reach.
  const fromUrl = (text: string): Endpoint[] => {
    try {
      const url = new URL(text);
      return [
        {
          host: decodeURIComponent(url.hostname) || 'localhost',
          port: Number(url.port) || defaultPort,
        },
      ];
    } catch {
      return [];
    }
  };
  if (typeof connection === 'string') return fromUrl(connection);
  if (!connection || typeof connection !== 'object') {
    return [{ host: 'localhost', port: defaultPort }];
  }
  const object = connection as Record<string, unknown>;
  if (typeof object.connectionString === 'string') {
    return fromUrl(object.connectionString);
  }
  const host = typeof object.host === 'string' ? object.host : 'localhost';
  if (host.startsWith('/')) return []; // A Unix socket: tenants only get TCP.
  return [{ host, port: Number(object.port) || defaultPort }];
}

/**
 * The database servers of `backend.database`, including plugin-specific connections
 * (`backend.database.plugin.<id>.connection`), which tenant connections must never reach.
 */
export function databaseEndpoints(config: Config): Endpoint[] {
  const database = config.getOptionalConfig('backend.database');
  if (!database) return [];
  const client = database.getOptionalString('client');
  const endpoints = fromConnection(database.getOptional('connection'), client);
  const plugins = database.getOptionalConfig('plugin');
  for (const id of plugins?.keys() ?? []) {
    const plugin = plugins!.getConfig(id);
    if (plugin.has('connection') || plugin.has('client')) {
      endpoints.push(
        ...fromConnection(
          plugin.getOptional('connection') ??
            database.getOptional('connection'),
          plugin.getOptionalString('client') ?? client,
        ),
      );
    }
  }
  return endpoints;
}
