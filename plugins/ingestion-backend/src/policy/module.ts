import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { IngestionPermissionPolicy } from './IngestionPermissionPolicy';

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
      },
      async init({ policy, config, userInfo }) {
        const platformAdmins =
          config.getOptionalStringArray('ingestion.platformAdmins') ?? [];
        const directory = new OrganizationDirectory(
          readOrganizationsConfig(config),
          platformAdmins,
        );
        policy.setPolicy(
          new IngestionPermissionPolicy(directory, userInfo, {
            platformAdmins,
            locationAdmins:
              config.getOptionalStringArray(
                'ingestion.catalog.locationAdmins',
              ) ?? [],
          }),
        );
      },
    });
  },
});
