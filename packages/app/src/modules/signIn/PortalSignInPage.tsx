import { useState } from 'react';
import {
  Content,
  Header,
  InfoCard,
  Page,
  ProxiedSignInPage,
  SignInPage,
} from '@backstage/core-components';
import {
  configApiRef,
  githubAuthApiRef,
  useApi,
  type IdentityApi,
  type SignInPageProps,
} from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';

const ROLES = ['admin', 'engineer', 'analyst', 'viewer'] as const;
const STORAGE_KEY = 'ingestion.demoUser';
/** Must match DEMO_USER_HEADER of the backend's demo auth provider. */
const DEMO_USER_HEADER = 'x-ingestion-demo-user';

/** Signing out forgets the chosen demo user, so the picker shows again. */
function forgetUserOnSignOut(identityApi: IdentityApi): IdentityApi {
  return {
    getProfileInfo: () => identityApi.getProfileInfo(),
    getBackstageIdentity: () => identityApi.getBackstageIdentity(),
    getCredentials: () => identityApi.getCredentials(),
    signOut: async () => {
      window.localStorage.removeItem(STORAGE_KEY);
      await identityApi.signOut();
    },
  };
}

/**
 * The portal's sign-in page. On the embedded default (development only): pick one of the demo users (`<org>-<role>`). The chosen user is
 * remembered, and the session is kept fresh through the `demo` auth provider.
 */
export function PortalSignInPage(props: SignInPageProps) {
  const configApi = useApi(configApiRef);
  const [user, setUser] = useState<string | null>(() =>
    window.localStorage.getItem(STORAGE_KEY),
  );
  if (configApi.getOptionalString('app.signInProvider') === 'github') {
    return (
      <SignInPage
        {...props}
        auto
        provider={{
          id: 'github-auth-provider',
          title: 'GitHub',
          message: 'Sign in using GitHub',
          apiRef: githubAuthApiRef,
        }}
      />
    );
  }
  const organizations = (
    configApi.getOptionalConfigArray('ingestion.organizations') ?? []
  ).map(org => ({ id: org.getString('id'), name: org.getString('name') }));

  if (user) {
    return (
      <ProxiedSignInPage
        provider="demo"
        headers={{ [DEMO_USER_HEADER]: user }}
        onSignInSuccess={identityApi =>
          props.onSignInSuccess(forgetUserOnSignOut(identityApi))
        }
      />
    );
  }

  const choose = (name: string) => {
    window.localStorage.setItem(STORAGE_KEY, name);
    setUser(name);
  };

  return (
    <Page themeId="home">
      <Header
        title="Ingestion for Backstage"
        subtitle="Demo sign-in: choose who you are (development only)"
      />
      <Content>
        <Grid container spacing={3}>
          {organizations.map(org => (
            <Grid item xs={12} md={4} key={org.id}>
              <InfoCard title={org.name}>
                {ROLES.map(role => (
                  <Button
                    key={role}
                    variant="outlined"
                    color="primary"
                    style={{ margin: 4 }}
                    onClick={() => choose(`${org.id}-${role}`)}
                  >
                    {`${org.id}-${role}`}
                  </Button>
                ))}
              </InfoCard>
            </Grid>
          ))}
          <Grid item xs={12} md={4}>
            <InfoCard title="Platform">
              <Typography paragraph>Administers every organization.</Typography>
              <Button
                variant="outlined"
                color="primary"
                onClick={() => choose('platform-admin')}
              >
                platform-admin
              </Button>
            </InfoCard>
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
}
