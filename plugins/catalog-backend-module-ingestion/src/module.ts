import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type RootConfigService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { IngestionCatalogClient } from './provider/IngestionCatalogClient';
import { IngestionEntityProvider } from './provider/IngestionEntityProvider';

const CONFIG_KEY = 'catalog.providers.ingestion';

const DEFAULT_FULL: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 15 },
};
const DEFAULT_CHANGES: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 1 },
  timeout: { minutes: 5 },
};

function readSchedule(
  config: RootConfigService | undefined,
  fallback: SchedulerServiceTaskScheduleDefinition,
): SchedulerServiceTaskScheduleDefinition {
  return config
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(config)
    : fallback;
}

/**
 * Catalog module of Ingestion for Backstage: the entity provider for organizations' data
 * platforms (System), pipelines (Component), tables and source datasets (Resource).
 *
 * @public
 */
export const catalogModuleIngestion = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'ingestion',
  register(reg) {
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, discovery, auth, logger, scheduler }) {
        const providerConfig = config.getOptionalConfig(CONFIG_KEY);
        if (providerConfig?.getOptionalBoolean('enabled') === false) {
          logger.info('Ingestion entity provider disabled by config');
          return;
        }
        catalog.addEntityProvider(
          new IngestionEntityProvider({
            source: new IngestionCatalogClient({
              discovery,
              auth,
              pageSize: providerConfig?.getOptionalNumber('pageSize'),
            }),
            logger,
            scheduler,
            schedule: {
              full: readSchedule(
                providerConfig?.getOptionalConfig('schedule'),
                DEFAULT_FULL,
              ),
              changes: readSchedule(
                providerConfig?.getOptionalConfig('changes'),
                DEFAULT_CHANGES,
              ),
            },
            context: {
              portalBaseUrl:
                providerConfig?.getOptionalString('portalBaseUrl') ??
                config.getOptionalString('app.baseUrl'),
            },
          }),
        );
      },
    });
  },
});
