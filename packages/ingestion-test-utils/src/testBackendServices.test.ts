import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendPlugin,
  type AuthService,
  type UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  authWithActorsServiceFactory,
  demoUserHeader,
  demoUserInfoServiceFactory,
} from './testBackendServices';

async function servicesOfAPlugin() {
  let services: { auth: AuthService; userInfo: UserInfoService } | undefined;
  const probe = createBackendPlugin({
    pluginId: 'probe',
    register(reg) {
      reg.registerInit({
        deps: { auth: coreServices.auth, userInfo: coreServices.userInfo },
        async init(deps) {
          services = deps;
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      probe,
      authWithActorsServiceFactory,
      demoUserInfoServiceFactory({
        'user:default/dual-role': ['group:default/retail-viewers'],
      }),
    ],
  });
  return { backend, ...services! };
}

describe('test backend services', () => {
  it('issues a user token naming the calling plugin as actor', async () => {
    const { backend, auth } = await servicesOfAPlugin();
    try {
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: mockCredentials.user('user:default/finance-engineer'),
        targetPluginId: 'ingestion',
      });
      const credentials = await auth.authenticate(token);
      expect(auth.isPrincipal(credentials, 'user')).toBe(true);
      expect(credentials.principal).toMatchObject({
        userEntityRef: 'user:default/finance-engineer',
        actor: { subject: 'plugin:probe' },
      });
    } finally {
      await backend.stop();
    }
  });

  it('gives demo users their role group, and extra groups on request', async () => {
    const { backend, userInfo } = await servicesOfAPlugin();
    try {
      const analyst = await userInfo.getUserInfo(
        mockCredentials.user('user:default/retail-analyst'),
      );
      expect(analyst.ownershipEntityRefs).toEqual([
        'user:default/retail-analyst',
        'group:default/retail-analysts',
      ]);
      const platformAdmin = await userInfo.getUserInfo(
        mockCredentials.user('user:default/platform-admin'),
      );
      expect(platformAdmin.ownershipEntityRefs).toEqual([
        'user:default/platform-admin',
        'group:default/platform-admins',
      ]);
      const dualRole = await userInfo.getUserInfo(
        mockCredentials.user('user:default/dual-role'),
      );
      expect(dualRole.ownershipEntityRefs).toEqual([
        'user:default/dual-role',
        'group:default/retail-viewers',
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('builds a demo user Authorization header', () => {
    expect(demoUserHeader('finance-viewer')).toBe(
      mockCredentials.user.header('user:default/finance-viewer'),
    );
  });
});
