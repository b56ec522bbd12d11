import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';
import { readOrganizationsConfig } from './organizations/organizationConfig';
import { OrganizationDirectory } from './organizations/OrganizationDirectory';
import { OrganizationsService } from './service/OrganizationsService';

/**
 * The ingestion backend plugin: tenants, pipelines, runs, tables, lineage, quality and costs.
 *
 * @public
 */
export const ingestionPlugin = createBackendPlugin({
  pluginId: 'ingestion',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
      },
      async init({ config, httpAuth, httpRouter, logger, userInfo }) {
        const directory = new OrganizationDirectory(
          readOrganizationsConfig(config),
          config.getOptionalStringArray('ingestion.platformAdmins') ?? [],
        );
        const organizations = OrganizationsService.create({
          directory,
          userInfo,
        });
        httpRouter.use(
          await createRouter({ config, logger, httpAuth, organizations }),
        );
        httpRouter.addAuthPolicy({
          path: '/v1/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
