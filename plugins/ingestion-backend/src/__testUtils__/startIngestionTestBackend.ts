import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  type BackendFeature,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authWithActorsServiceFactory,
  demoUserHeader,
  demoUserInfoServiceFactory,
} from '@internal/ingestion-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import type { Knex } from 'knex';
import { ingestionPlugin } from '../plugin';
import { permissionModuleIngestionPolicy } from '../policy/module';
import { TEST_CONFIG } from './demoTenants';

/**
 * Starts the ingestion plugin as a portal runs it: with the real permission backend, the
 * ingestion permission policy, the real permissions service (so decisions travel over HTTP),
 * and optionally a given database (from `TestDatabases`).
 */
export async function startIngestionTestBackend(
  options: {
    knex?: Knex;
    config?: Record<string, unknown>;
    extraGroups?: Record<string, string[]>;
    features?: Parameters<typeof startTestBackend>[0]['features'];
    /** The portal's own policy instead of the ingestion policy (e.g. allow-all). */
    policy?: PermissionPolicy;
    /** The portal's own policy module (one calling `policyExtensionPoint.setPolicy`) instead. */
    policyModule?: BackendFeature;
  } = {},
) {
  const config = {
    ...TEST_CONFIG,
    permission: { enabled: true },
    ...options.config,
  };
  const backend = await startTestBackend({
    features: [
      ingestionPlugin,
      permissionPlugin,
      options.policyModule ??
        (options.policy
          ? createBackendModule({
              pluginId: 'permission',
              moduleId: 'test-policy',
              register(reg) {
                reg.registerInit({
                  deps: { policy: policyExtensionPoint },
                  async init({ policy }) {
                    policy.setPolicy(options.policy!);
                  },
                });
              },
            })
          : permissionModuleIngestionPolicy),
      permissionsServiceFactory,
      permissionsRegistryServiceFactory,
      authWithActorsServiceFactory,
      mockServices.rootConfig.factory({ data: config }),
      demoUserInfoServiceFactory(options.extraGroups),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      ...(options.features ?? []),
    ],
  });
  return backend;
}

/** The Authorization header of a demo user, e.g. `as('finance-analyst')`. */
export const as = demoUserHeader;
