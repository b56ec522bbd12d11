import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type RootConfigService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { IngestionCatalogClient } from './provider/IngestionCatalogClient';
import { IngestionEntityProvider } from './provider/IngestionEntityProvider';
import { RoleGroupProvider } from './provider/RoleGroupProvider';
import { readOrganizationDirectory } from '@ingestion-for-backstage/plugin-ingestion-node';
import { IngestionOrganizationProcessor } from './tenancy/IngestionOrganizationProcessor';
import { OrganizationGroups } from './tenancy/OrganizationGroups';
import { TenantDirectory } from './tenancy/TenantDirectory';

const CONFIG_KEY = 'catalog.providers.ingestion';

const DEFAULT_FULL: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 15 },
};
/** A long poll each: the next starts a second after the previous one answered. */
const DEFAULT_CHANGES: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 1 },
  timeout: { minutes: 5 },
};
/** How long a change poll waits in the ingestion backend for a change (its bound is 25). */
const DEFAULT_CHANGES_WAIT_SECONDS = 20;
const MAX_CHANGES_WAIT_SECONDS = 25;

function readChangesWait(config: RootConfigService | undefined): number {
  const wait =
    config?.getOptionalNumber('changesWaitSeconds') ??
    DEFAULT_CHANGES_WAIT_SECONDS;
  if (!Number.isInteger(wait) || wait < 0 || wait > MAX_CHANGES_WAIT_SECONDS) {
    throw new Error(
      `${CONFIG_KEY}.changesWaitSeconds must be a whole number of seconds from 0 to ${MAX_CHANGES_WAIT_SECONDS}, got ${wait}`,
    );
  }
  return wait;
}
const DEFAULT_ROLE_GROUPS: SchedulerServiceTaskScheduleDefinition = {
  frequency: { seconds: 10 },
  timeout: { minutes: 1 },
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
 * platforms (System), pipelines (Component), tables and source datasets (Resource), and the
 * processor that keeps each organization's space in the catalog to the organization.
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
        catalogService: catalogServiceRef,
      },
      async init({
        catalog,
        config,
        discovery,
        auth,
        logger,
        scheduler,
        catalogService,
      }) {
        const providerConfig = config.getOptionalConfig(CONFIG_KEY);
        const source = new IngestionCatalogClient({
          discovery,
          auth,
          pageSize: providerConfig?.getOptionalNumber('pageSize'),
        });
        // The tenant boundary holds with or without the provider: registered entities may never
        // claim an organization's space. Organizations come from the ingestion backend (the one
        // place they are kept), so one created or retired at run time counts within seconds.
        const directory = TenantDirectory.fromSource(
          async () => (await source.organizations()).items,
          { logger },
        );
        const lookup = async (entityRef: string) =>
          catalogService.getEntityByRef(entityRef, {
            credentials: await auth.getOwnServiceCredentials(),
          });
        catalog.addProcessor(
          new IngestionOrganizationProcessor(
            new OrganizationGroups(directory, lookup),
          ),
        );

        if (providerConfig?.getOptionalBoolean('enabled') === false) {
          logger.info('Ingestion entity provider disabled by config');
          return;
        }
        const roleGroups = providerConfig?.getOptionalConfig('roleGroups');
        if (roleGroups?.getOptionalBoolean('enabled') !== false) {
          catalog.addEntityProvider(
            new RoleGroupProvider({
              organizations: async () =>
                (await readOrganizationDirectory({ discovery, auth })).items,
              lookup,
              logger,
              scheduler,
              schedule: readSchedule(
                roleGroups?.getOptionalConfig('schedule'),
                DEFAULT_ROLE_GROUPS,
              ),
            }),
          );
        }
        catalog.addEntityProvider(
          new IngestionEntityProvider({
            source,
            tenants: directory,
            changesWaitSeconds: readChangesWait(providerConfig),
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
