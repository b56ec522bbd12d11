import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
  createProxyAuthenticator,
  type SignInResolver,
} from '@backstage/plugin-auth-node';

/** Users the demo provider may sign in carry this annotation in the catalog. */
export const DEMO_USER_ANNOTATION = 'ingestion.backstage.io/demo-user';

const USER_NAME_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type DemoSignInResult = { userName: string };

function allowedOutsideDevelopment(config: Config): boolean {
  return (
    config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') === true
  );
}

/** Header the portal's demo sign-in page sends, since its refresh calls carry no query. */
export const DEMO_USER_HEADER = 'x-ingestion-demo-user';

/**
 * Reads the user from `?user=<name>` (curl) or the demo user header (the sign-in page). There is
 * no password: this provider exists so anyone can act as a demo user of the embedded default.
 */
const demoAuthenticator = createProxyAuthenticator<
  void,
  DemoSignInResult,
  undefined
>({
  defaultProfileTransform: async result => ({
    profile: { displayName: result.userName },
  }),
  initialize() {},
  async authenticate({ req }) {
    const userName = req.query.user ?? req.header(DEMO_USER_HEADER);
    if (typeof userName !== 'string' || !USER_NAME_PATTERN.test(userName)) {
      throw new InputError(
        "The demo sign-in needs '?user=<demo user name>', for example ?user=finance-analyst",
      );
    }
    return { result: { userName } };
  },
});

/** Signs in only catalog users annotated as demo users, with their catalog group memberships. */
const signInAsDemoUser: SignInResolver<DemoSignInResult> = async (
  { result },
  ctx,
) => {
  const entityRef = {
    kind: 'User',
    namespace: 'default',
    name: result.userName,
  };
  const { entity } = await ctx.findCatalogUser({ entityRef });
  if (entity.metadata.annotations?.[DEMO_USER_ANNOTATION] !== 'true') {
    throw new NotAllowedError(
      `User '${result.userName}' is not a demo user and cannot sign in through the demo provider`,
    );
  }
  return ctx.signInWithCatalogUser({ entityRef });
};

/**
 * A development-only auth provider with id `demo`. The backend refuses to start with it
 * outside development unless `auth.providers.demo.dangerouslyAllowOutsideDevelopment` is true.
 */
export const authModuleDemoProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const demoConfig = config.getOptionalConfig('auth.providers.demo');
        if (!demoConfig) {
          return;
        }
        if (
          process.env.NODE_ENV !== 'development' &&
          !allowedOutsideDevelopment(demoConfig)
        ) {
          throw new Error(
            `The demo auth provider is for development only (NODE_ENV is '${process.env.NODE_ENV}'). ` +
              'Remove auth.providers.demo, or set auth.providers.demo.dangerouslyAllowOutsideDevelopment: true.',
          );
        }
        logger.warn(
          'The demo auth provider is enabled: anyone can sign in as a demo user',
        );
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: demoAuthenticator,
            signInResolver: signInAsDemoUser,
          }),
        });
      },
    });
  },
});
