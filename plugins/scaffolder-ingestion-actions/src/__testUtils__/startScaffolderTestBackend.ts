import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  authWithActorsServiceFactory,
  demoUserHeader,
  demoUserInfoServiceFactory,
} from '@internal/ingestion-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleScaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
// The real ingestion backend and catalog module, as a portal runs them (tests only).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import catalogModuleIngestion from '@ingestion-for-backstage/plugin-catalog-backend-module-ingestion';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import ingestionPlugin, {
  permissionModuleIngestionPolicy,
} from '@ingestion-for-backstage/plugin-ingestion-backend';
import fs from 'node:fs';
import yaml from 'yaml';
import { scaffolderModuleIngestion } from '../module';
import { catalogModuleIngestionTemplates } from '../templates/catalogModule';
import { templateFiles } from '../templates/templateVariants';

/** The templates this package ships (its `templates/` folder), in the default variant, by name. */
export function loadTemplates(): Record<string, Record<string, any>> {
  return Object.fromEntries(
    templateFiles('local').map(file => {
      const template = yaml.parse(fs.readFileSync(file, 'utf8'));
      return [template.metadata.name, template];
    }),
  );
}

const COMMON_FEATURES = [
  scaffolderPlugin,
  scaffolderModuleIngestion,
  ingestionPlugin,
  permissionPlugin,
  permissionModuleIngestionPolicy,
  permissionsServiceFactory,
  permissionsRegistryServiceFactory,
  authWithActorsServiceFactory,
  demoUserInfoServiceFactory(),
];

/**
 * Starts the real scaffolder backend with the ingestion module, the real ingestion backend, the
 * real permission backend with the ingestion policy, and a catalog that holds the repository's
 * templates: what a portal runs, minus the frontend.
 */
export async function startScaffolderTestBackend(
  config: Record<string, unknown>,
) {
  const templates = Object.values(loadTemplates()).map(t => ({
    ...t,
    metadata: { namespace: 'default', ...t.metadata },
  }));
  return startTestBackend({
    features: [
      ...COMMON_FEATURES,
      catalogServiceMock.factory({ entities: templates as any }),
      mockServices.rootConfig.factory({
        data: { permission: { enabled: true }, ...config },
      }),
    ],
  });
}

/**
 * As {@link startScaffolderTestBackend}, with the real catalog backend instead of a mock: the
 * templates come from this package's catalog module as in a portal, and the ingestion entity
 * provider publishes registered pipelines.
 */
export async function startPortalTestBackend(
  config: Record<string, any>,
  options: {
    /** More features, e.g. the real database service for PostgreSQL. */
    features?: Parameters<typeof startTestBackend>[0]['features'];
    /** Catalog files of users and groups (e.g. the organization's people), by absolute path. */
    orgFiles?: string[];
  } = {},
) {
  return startTestBackend({
    features: [
      ...COMMON_FEATURES,
      ...(options.features ?? []),
      catalogPlugin,
      catalogModuleScaffolderEntityModel,
      catalogModuleIngestion,
      catalogModuleIngestionTemplates,
      // The real scheduler, so the entity provider's change poll runs on its schedule.
      schedulerServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          ...config,
          catalog: {
            rules: [{ allow: ['Component', 'System', 'Resource', 'Location'] }],
            locations: [
              ...(options.orgFiles ?? []).map(target => ({
                type: 'file',
                target,
                rules: [{ allow: ['User', 'Group'] }],
              })),
            ],
            providers: {
              ingestion: {
                changes: { frequency: { seconds: 1 }, timeout: { minutes: 1 } },
              },
            },
          },
        },
      }),
    ],
  });
}

/** The Authorization header of a demo user, e.g. `as('finance-engineer')`. */
export const as = demoUserHeader;
