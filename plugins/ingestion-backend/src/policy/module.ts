import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { IngestionPermissionDecisions } from './IngestionPermissionDecisions';
import { IngestionPermissionPolicy } from './IngestionPermissionPolicy';

/**
 * A module for the permission backend that installs {@link IngestionPermissionPolicy}: the org
 * roles of `ingestion.organizations` mapped onto permission decisions, for the ingestion plugin, the
 * catalog and the scaffolder. For a portal without a policy of its own; a portal that sets its own
 * policy delegates to {@link IngestionPermissionDecisions} from it instead (the permission backend
 * takes one policy).
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
        discovery: coreServices.discovery,
      },
      async init({ policy, ...services }) {
        policy.setPolicy(
          new IngestionPermissionPolicy(
            IngestionPermissionDecisions.create(services),
          ),
        );
      },
    });
  },
});
