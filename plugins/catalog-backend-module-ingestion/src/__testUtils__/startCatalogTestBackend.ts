import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  authWithActorsServiceFactory,
  demoUserHeader,
  demoUserInfoServiceFactory,
} from '@internal/ingestion-test-utils';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
// The real ingestion plugin serves the export this module reads, and its policy the isolation.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ingestionPlugin, {
  permissionModuleIngestionPolicy,
} from '@ingestion-for-backstage/plugin-ingestion-backend';
import type { AddressInfo } from 'node:net';
import { catalogModuleIngestion } from '../module';

export const ORGANIZATIONS = ['finance', 'retail', 'healthcare'];

/** The demo organizations as the embedded default configures them. */
export const TEST_CONFIG = {
  app: { baseUrl: 'http://portal.test' },
  permission: { enabled: true },
  ingestion: {
    platformAdmins: ['group:default/platform-admins'],
    organizations: ORGANIZATIONS.map((id, index) => ({
      id,
      name: id[0].toLocaleUpperCase('en-US') + id.slice(1),
      costCenter: ['FIN-001', 'RET-001', 'HLT-001'][index],
      environment: ['production', 'staging', 'development'][index],
      ownerGroup: `group:default/${id}`,
      roles: {
        admin: [`group:default/${id}-admins`],
        engineer: [`group:default/${id}-engineers`],
        analyst: [`group:default/${id}-analysts`],
        viewer: [`group:default/${id}-viewers`],
      },
      storage: `/tmp/ingestion-catalog-test/${id}`,
      ...(id === 'finance'
        ? {
            databricks: {
              host: 'https://finance.cloud.databricks.test',
              token: 'x',
            },
          }
        : {}),
    })),
  },
  catalog: {
    providers: {
      ingestion: {
        schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
        changes: { frequency: { seconds: 1 }, timeout: { minutes: 1 } },
        // Long polls, kept short so a test's backend stops quickly.
        changesWaitSeconds: 3,
      },
    },
  },
};

/**
 * A portal backend with the real catalog, this module, the ingestion plugin, the real permission
 * backend and the ingestion permission policy. Each plugin gets a database of its own from
 * `databases` (the ingestion one is returned, to add tables as an engine would; the catalog one
 * to read processing errors).
 */
export async function startCatalogTestBackend(options: {
  databases: TestDatabases;
  databaseId: TestDatabaseId;
  config?: Record<string, unknown>;
  features?: Parameters<typeof startTestBackend>[0]['features'];
}) {
  const knexes = new Map<string, ReturnType<TestDatabases['init']>>();
  const knexOf = (pluginId: string) => {
    if (!knexes.has(pluginId)) {
      knexes.set(pluginId, options.databases.init(options.databaseId));
    }
    return knexes.get(pluginId)!;
  };
  const databaseFactory = createServiceFactory({
    service: coreServices.database,
    deps: { pluginMetadata: coreServices.pluginMetadata },
    factory: async ({ pluginMetadata }) => {
      const knex = await knexOf(pluginMetadata.getId());
      return { getClient: async () => knex };
    },
  });
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      catalogModuleIngestion,
      ingestionPlugin,
      permissionPlugin,
      permissionModuleIngestionPolicy,
      permissionsServiceFactory,
      permissionsRegistryServiceFactory,
      // The real scheduler, so the change poll runs on its schedule (the mock runs tasks once).
      schedulerServiceFactory,
      authWithActorsServiceFactory,
      // platform-admin is in platform-admins by the demo naming.
      demoUserInfoServiceFactory(),
      databaseFactory,
      mockServices.rootConfig.factory({
        data: { ...TEST_CONFIG, ...options.config },
      }),
      ...(options.features ?? []),
    ],
  });
  const { port } = backend.server.address() as AddressInfo;
  return {
    backend,
    baseUrl: `http://localhost:${port}`,
    ingestionKnex: await knexOf('ingestion'),
    /** The catalog's database, to read processing errors (`refresh_state.errors`). */
    catalogKnex: await knexOf('catalog'),
  };
}

/** The Authorization header of a demo user, e.g. `as('finance-analyst')`. */
export const as = demoUserHeader;

/** Polls `probe` until it returns a value (not undefined); fails after `attempts` tries. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  options: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 120;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 250),
    );
  }
  throw new Error(`condition not reached${last ? `: ${last}` : ''}`);
}
