import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';
import { connectDatabase } from './database/migrations';
import { PermissionResourcesStore } from './database/PermissionResourcesStore';
import { registerPermissions } from './permissions';
import { IngestionAuthorizer } from './authorization/IngestionAuthorizer';
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
        database: coreServices.database,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
      },
      async init({
        config,
        database,
        permissions,
        permissionsRegistry,
        httpAuth,
        httpRouter,
        logger,
        userInfo,
      }) {
        const knex = await connectDatabase(database);
        const directory = new OrganizationDirectory(
          readOrganizationsConfig(config),
          config.getOptionalStringArray('ingestion.platformAdmins') ?? [],
        );
        registerPermissions({
          permissionsRegistry,
          directory,
          resources: new PermissionResourcesStore(knex),
        });
        const authorizer = new IngestionAuthorizer({
          permissions,
          permissionsRegistry,
          userInfo,
          directory,
        });
        const organizations = OrganizationsService.create({
          directory,
          userInfo,
        });
        httpRouter.use(
          await createRouter({
            config,
            logger,
            httpAuth,
            organizations,
            authorizer,
          }),
        );
        httpRouter.addAuthPolicy({
          path: '/v1/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
