import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import type { Entity } from '@backstage/catalog-model';
import {
  authModuleDemoProvider,
  DEMO_USER_ANNOTATION,
} from './authDemoProvider';

const user = (name: string, demo: boolean): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: {
    name,
    namespace: 'default',
    annotations: demo ? { [DEMO_USER_ANNOTATION]: 'true' } : {},
  },
  spec: { memberOf: ['finance-analysts'] },
  relations: [
    { type: 'memberOf', targetRef: 'group:default/finance-analysts' },
  ],
});

describe('demo auth provider', () => {
  const originalNodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = originalNodeEnv;
  });

  async function start(demoConfig: object | undefined) {
    const { server } = await startTestBackend({
      features: [
        authPlugin,
        authModuleDemoProvider,
        catalogServiceMock.factory({
          entities: [user('finance-analyst', true), user('real-person', false)],
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              session: { secret: 'test' },
              providers: demoConfig ? { demo: demoConfig } : {},
            },
          },
        }),
      ],
    });
    return server;
  }

  const refresh = (server: Awaited<ReturnType<typeof start>>, query: string) =>
    request(server)
      .get(`/api/auth/demo/refresh${query}`)
      .set('X-Requested-With', 'XMLHttpRequest');

  it('issues a token with group ownership for a demo user', async () => {
    process.env.NODE_ENV = 'development';
    const server = await start({});
    const res = await refresh(server, '?user=finance-analyst');
    expect(res.status).toBe(200);
    expect(res.body.backstageIdentity.identity).toEqual({
      type: 'user',
      userEntityRef: 'user:default/finance-analyst',
      ownershipEntityRefs: expect.arrayContaining([
        'group:default/finance-analysts',
      ]),
    });
    expect(res.body.backstageIdentity.token).toEqual(expect.any(String));
  });

  it('accepts the user from the header the sign-in page sends', async () => {
    process.env.NODE_ENV = 'development';
    const server = await start({});
    const res = await refresh(server, '').set(
      'x-ingestion-demo-user',
      'finance-analyst',
    );
    expect(res.status).toBe(200);
  });

  it('refuses users that are not demo users, unknown users and bad names', async () => {
    process.env.NODE_ENV = 'development';
    const server = await start({});
    expect((await refresh(server, '?user=real-person')).status).toBe(403);
    expect((await refresh(server, '?user=nobody')).status).toBe(404);
    expect((await refresh(server, '?user=x%27%3Bdrop')).status).toBe(400);
    expect((await refresh(server, '')).status).toBe(400);
  });

  it('is absent when not configured', async () => {
    process.env.NODE_ENV = 'development';
    const server = await start(undefined);
    expect((await refresh(server, '?user=finance-analyst')).status).toBe(404);
  });

  it('stops the backend from starting outside development', async () => {
    process.env.NODE_ENV = 'production';
    await expect(start({})).rejects.toThrow(/development only/);
  });

  it('starts outside development only when explicitly allowed', async () => {
    process.env.NODE_ENV = 'production';
    const server = await start({ dangerouslyAllowOutsideDevelopment: true });
    expect((await refresh(server, '?user=finance-analyst')).status).toBe(200);
  });
});
