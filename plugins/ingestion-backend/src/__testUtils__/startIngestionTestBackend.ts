import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  type BackendFeature,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import permissionPlugin from '@backstage/plugin-permission-backend';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import type { Knex } from 'knex';
import { ingestionPlugin } from '../plugin';
import { permissionModuleIngestionPolicy } from '../policy/module';
import { TEST_CONFIG, testUserInfoFactory } from './demoTenants';

/**
 * The mock auth service, except that a token issued on behalf of a user names the calling plugin
 * as its actor, as the real auth service does. The permissions registry requires that when the
 * permission backend calls back to apply conditions.
 */
const authWithActorsFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { pluginMetadata: coreServices.pluginMetadata },
  factory({ pluginMetadata }) {
    const pluginId = pluginMetadata.getId();
    const auth = mockServices.auth({ pluginId });
    return {
      ...auth,
      isPrincipal: auth.isPrincipal.bind(auth) as typeof auth.isPrincipal,
      authenticate: auth.authenticate.bind(auth),
      getNoneCredentials: auth.getNoneCredentials.bind(auth),
      getOwnServiceCredentials: auth.getOwnServiceCredentials.bind(auth),
      getLimitedUserToken: auth.getLimitedUserToken.bind(auth),
      listPublicServiceKeys: auth.listPublicServiceKeys.bind(auth),
      async getPluginRequestToken(options) {
        if (auth.isPrincipal(options.onBehalfOf, 'user')) {
          return {
            token: mockCredentials.user.token(
              options.onBehalfOf.principal.userEntityRef,
              { actor: { subject: `plugin:${pluginId}` } },
            ),
          };
        }
        return auth.getPluginRequestToken(options);
      },
    };
  },
});

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
      authWithActorsFactory,
      mockServices.rootConfig.factory({ data: config }),
      testUserInfoFactory(options.extraGroups),
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      ...(options.features ?? []),
    ],
  });
  return backend;
}

/** The Authorization header of a demo user, e.g. `as('finance-analyst')`. */
export function as(userName: string): string {
  return mockCredentials.user.header(`user:default/${userName}`);
}
