import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { EgressGuard } from '../egress';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PiiScanner } from '../pii/PiiScanner';
import type { TablesService } from '../service/TablesService';
import { IcebergDiscovery } from './IcebergDiscovery';
import { readRestCatalogs } from './restCatalogConfig';
import { createTableMetadataRouter } from './tableMetadataRouter';

export { IcebergDiscovery } from './IcebergDiscovery';
export type { DiscoveryReport } from './IcebergDiscovery';
export { IcebergRestClient, ClientCredentialsToken } from './IcebergRestClient';
export { describeIcebergMetadata } from './describeIcebergMetadata';
export type { IcebergTableMetadataView } from './describeIcebergMetadata';
export { readRestCatalogs } from './restCatalogConfig';
export type { RestCatalogConfig, RestCatalogAuth } from './restCatalogConfig';

/** The scheduler task that discovers tables in the organizations' Iceberg catalogs. */
export const ICEBERG_DISCOVERY_TASK_ID = 'ingestion-iceberg-discovery';

/**
 * Iceberg catalog discovery on the scheduler (`ingestion.icebergDiscovery`), and the table
 * metadata route (`/v1/tables/{id}/metadata`) as an entry of the router's `extraRouters`.
 */
export async function startIcebergDiscovery(options: {
  config: RootConfigService;
  knex: Knex;
  logger: LoggerService;
  scheduler: SchedulerService;
  directory: OrganizationDirectory;
  httpAuth: HttpAuthService;
  tables: TablesService;
  pii: PiiScanner;
}) {
  const restCatalogs = readRestCatalogs(options.config);
  const settings = options.config.getOptionalConfig(
    'ingestion.icebergDiscovery',
  );
  const discovery = new IcebergDiscovery({
    knex: options.knex,
    logger: options.logger.child({ task: ICEBERG_DISCOVERY_TASK_ID }),
    directory: options.directory,
    restCatalogs,
    pii: options.pii,
    egress: EgressGuard.fromConfig(options.config, {
      directory: options.directory,
    }),
    pageSize: settings?.getOptionalNumber('pageSize'),
  });
  if (settings?.getOptionalBoolean('enabled') !== false) {
    await options.scheduler.scheduleTask({
      id: ICEBERG_DISCOVERY_TASK_ID,
      frequency: {
        minutes: settings?.getOptionalNumber('frequencyMinutes') ?? 5,
      },
      timeout: { minutes: 30 },
      initialDelay: { seconds: 10 },
      fn: async () => {
        const report = await discovery.discover();
        if (report.changed > 0 || report.failed.length > 0) {
          options.logger.info(
            `Iceberg discovery: ${report.tables} tables, ${report.changed} new or changed, ${report.failed.length} catalogs failed`,
          );
        }
      },
    });
  }
  return {
    discovery,
    api: {
      path: '/tables',
      router: createTableMetadataRouter({
        knex: options.knex,
        httpAuth: options.httpAuth,
        tables: options.tables,
        pii: options.pii,
        discovery,
        restCatalogs,
      }),
    },
  };
}
