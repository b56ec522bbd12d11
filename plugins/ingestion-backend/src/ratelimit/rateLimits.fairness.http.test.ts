import {
  coreServices,
  createServiceFactory,
  type CacheService,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { TEST_CONFIG, TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import { batchSpec } from '../__testUtils__/specs';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';
import { RateLimiter } from './RateLimiter';
import { rateLimiterServiceRef } from './rateLimiterServiceRef';
import { createTestCaches, testCacheConfig } from './__testUtils__/testCaches';

const caches = createTestCaches();

/** 2026-03-10 10:00:15 UTC. */
const START = Date.UTC(2026, 2, 10, 10, 0, 15);

/** A token the way a static `backend.auth.externalAccess` token with this subject arrives. */
const serviceHeader = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'ingestion',
  });

describe.each(caches.eachSupportedId())(
  'fair shares of API quotas, cache %s',
  cacheId => {
    let now = START;
    let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];

    beforeAll(async () => {
      ({ server } = await startIngestionTestBackend({
        config: {
          ...(await testCacheConfig(caches, cacheId)),
          ingestion: {
            ...TEST_CONFIG.ingestion,
            organizations: TEST_ORGANIZATIONS.map(org => ({
              ...org,
              quotas: {
                api: { requestsPerMinute: 1000, requestsPerDay: 8 },
              },
            })),
            servicePrincipals: [
              {
                subject: 'automation',
                organizations: ['finance'],
                roles: ['engineer'],
              },
            ],
            // The default share (0.25): two of finance's eight requests a day per caller.
            rateLimits: { unattributedPerUserPerMinute: 50 },
          },
        },
        extraGroups: {
          'user:default/alice': ['group:default/finance-viewers'],
        },
        features: [
          createServiceFactory({
            service: rateLimiterServiceRef,
            deps: { cache: coreServices.cache },
            factory: ({ cache }) =>
              RateLimiter.create({
                cache,
                clock: () => now,
                syncIntervalMs: 0,
              }),
          }),
        ],
      }));
    }, 120_000);

    const get = (path: string, authorization: string) =>
      request(server)
        .get(`/api/ingestion/v1${path}`)
        .set('Authorization', authorization);

    it("keeps one user from using up the organization's day", async () => {
      now = START;
      const first = await get(
        '/pipelines?organization=finance',
        as('finance-viewer'),
      );
      expect(first.status).toBe(200);
      // The caller's share is the window closest to its limit.
      expect(first.headers['x-ratelimit-limit']).toBe('2');
      expect(first.headers['x-ratelimit-remaining']).toBe('1');
      expect(
        (await get('/pipelines?organization=finance', as('finance-viewer')))
          .status,
      ).toBe(200);

      for (let i = 0; i < 3; i++) {
        const refused = await get(
          '/pipelines?organization=finance',
          as('finance-viewer'),
        );
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3600);
        expect(refused.body.error).toMatchObject({
          name: 'RateLimitExceededError',
          organization: 'finance',
          principal: 'user:default/finance-viewer',
          share: 0.25,
          quota: 'ingestion.rateLimits.userShareOfOrganization',
          window: 'day',
          limit: 2,
        });
        expect(refused.body.error.message).toMatch(
          /^You have used your share \(25 %\) of organization 'finance''s API quota: 2 requests per day/,
        );
      }

      // The refused requests did not count against finance: three more members get their share.
      for (const user of [
        'finance-analyst',
        'finance-engineer',
        'finance-admin',
      ]) {
        for (let i = 0; i < 2; i++) {
          expect(
            (await get('/pipelines?organization=finance', as(user))).status,
          ).toBe(200);
        }
      }
      // Now finance's own eight are used up.
      const full = await get('/pipelines?organization=finance', as('alice'));
      expect(full.status).toBe(429);
      expect(full.body.error).toMatchObject({
        organization: 'finance',
        quota: 'quotas.api.requestsPerDay',
        limit: 8,
      });
      expect(full.body.error.share).toBeUndefined();

      // Retail's members are not affected.
      expect(
        (await get('/pipelines?organization=retail', as('retail-viewer')))
          .status,
      ).toBe(200);
    });

    it('charges a service to the organization it names, within its share', async () => {
      now = Date.UTC(2026, 2, 11, 9, 0, 0); // a new day
      const service = serviceHeader('automation');

      // Services name the organization they act for.
      const unnamed = await get('/pipelines', service);
      expect(unnamed.status).toBe(400);
      expect(unnamed.body.error.message).toMatch(/^organization: /);

      const created = await request(server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', service)
        .send({
          organization: 'finance',
          name: 'by-automation',
          spec: batchSpec(),
        });
      expect(created.status).toBe(201);
      expect(created.headers['x-ratelimit-limit']).toBe('2');
      expect(created.headers['x-ratelimit-remaining']).toBe('1');
      // Addressing a finance resource by id charges finance too.
      const read = await get(`/pipelines/${created.body.id}`, service);
      expect(read.status).toBe(200);
      expect(read.headers['x-ratelimit-remaining']).toBe('0');
      const refused = await get('/pipelines?organization=finance', service);
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({
        organization: 'finance',
        principal: 'service:automation',
        quota: 'ingestion.rateLimits.userShareOfOrganization',
      });

      // An organization config does not grant it is not charged (nor shown): the caller's own
      // limit applies and the list is empty.
      const retail = await get('/pipelines?organization=retail', service);
      expect(retail.status).toBe(200);
      expect(retail.body.items).toEqual([]);
      expect(retail.headers['x-ratelimit-limit']).toBe('50');
    });
  },
);

/** The plugin with the default limiter over a cache whose store does not answer. */
async function startWithStoreDown(failureMode: 'open' | 'closed') {
  const down = async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  const { server } = await startIngestionTestBackend({
    config: {
      ingestion: { ...TEST_CONFIG.ingestion, rateLimits: { failureMode } },
    },
    features: [
      createServiceFactory({
        service: coreServices.cache,
        deps: {},
        factory: () => {
          const cache: CacheService = {
            get: down,
            set: down,
            delete: down,
            withOptions: () => cache,
          };
          return cache;
        },
      }),
    ],
  });
  return server;
}

describe('rate limits when their store is down', () => {
  it('answers 503 with Retry-After when the failure mode is closed', async () => {
    const server = await startWithStoreDown('closed');
    const res = await request(server)
      .get('/api/ingestion/v1/pipelines?organization=finance')
      .set('Authorization', as('finance-viewer'));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error).toMatchObject({
      name: 'ServiceUnavailableError',
      message: expect.stringMatching(/^Rate limits cannot be checked/),
    });
    // Health never depends on the limiter.
    expect((await request(server).get('/api/ingestion/v1/health')).status).toBe(
      200,
    );
  }, 120_000);

  it('lets requests through on local counts when the failure mode is open', async () => {
    const server = await startWithStoreDown('open');
    const res = await request(server)
      .get('/api/ingestion/v1/pipelines?organization=finance')
      .set('Authorization', as('finance-viewer'));
    expect(res.status).toBe(200);
  }, 120_000);
});
