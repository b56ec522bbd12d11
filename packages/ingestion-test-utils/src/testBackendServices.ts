import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

const DEMO_USER = /^([a-z]+)-(admin|engineer|analyst|viewer)$/;

/**
 * The mock auth service, except that a token issued on behalf of a user names the calling plugin
 * as its actor and stays a user token, as the real auth service does: a called plugin then sees
 * the user (with the caller as actor), and the permissions registry accepts the permission
 * backend's calls back to apply conditions.
 */
export const authWithActorsServiceFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { pluginMetadata: coreServices.pluginMetadata },
  factory({ pluginMetadata }) {
    const pluginId = pluginMetadata.getId();
    const auth = mockServices.auth({ pluginId });
    return {
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
 * Group memberships of the demo users, following the demo naming:
 * `user:default/finance-analyst` is in `group:default/finance-analysts`, and so on for each
 * role. `extraGroups` adds memberships per user entity ref (e.g. a platform admin's group).
 */
export function demoUserInfoServiceFactory(
  extraGroups: Record<string, string[]> = {},
) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const userRef = (credentials.principal as { userEntityRef: string })
          .userEntityRef;
        const match = DEMO_USER.exec(userRef.split('/')[1] ?? '');
        return mockServices
          .userInfo({
            userEntityRef: userRef,
            ownershipEntityRefs: [
              userRef,
              ...(match ? [`group:default/${match[1]}-${match[2]}s`] : []),
              ...(extraGroups[userRef] ?? []),
            ],
          })
          .getUserInfo(credentials);
      },
    }),
  });
}

/** The Authorization header of a demo user, e.g. `demoUserHeader('finance-engineer')`. */
export function demoUserHeader(userName: string): string {
  return mockCredentials.user.header(`user:default/${userName}`);
}
