import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { IngestionPermissionPolicy } from './IngestionPermissionPolicy';
import { CatalogOrganizationMembers } from './OrganizationMembers';
import { PortalGroups } from './PolicyUser';

/**
 * A module for the permission backend that installs {@link IngestionPermissionPolicy}: the org
 * roles of `ingestion.organizations` mapped onto permission decisions, for the ingestion plugin, the
 * catalog and the scaffolder.
 *
 * @public
 */
export const permissionModuleIngestionPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ingestion-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
      },
      async init({ policy, config, userInfo, auth, logger, catalog }) {
        const platformAdmins =
          config.getOptionalStringArray('ingestion.platformAdmins') ?? [];
        const directory = new OrganizationDirectory(
          readOrganizationsConfig(config),
          platformAdmins,
        );
        const locationAdmins =
          config.getOptionalStringArray('ingestion.catalog.locationAdmins') ??
          [];
        policy.setPolicy(
          new IngestionPermissionPolicy(directory, userInfo, {
            platformAdmins,
            locationAdmins,
            // Organization admins read their members' scaffolder tasks: members from the catalog.
            members: new CatalogOrganizationMembers({
              catalog,
              auth,
              directory,
              groups: new PortalGroups({ platformAdmins, locationAdmins }),
            }),
            logger,
          }),
        );
      },
    });
  },
});
