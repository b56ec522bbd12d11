import {
  coreServices,
  createServiceFactory,
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

jest.setTimeout(60_000);

const caches = createTestCaches();

const QUOTAS: Record<string, unknown> = {
  finance: { api: { requestsPerMinute: 3, requestsPerDay: 1000 } },
  retail: { api: { requestsPerMinute: 3 } },
  healthcare: { api: { requestsPerMinute: 100, requestsPerDay: 2 } },
};

/** 2026-03-10 10:00:15 UTC: 45 s left in the minute. */
const START = Date.UTC(2026, 2, 10, 10, 0, 15);

describe.each(caches.eachSupportedId())(
  'API rate limits through the plugin, cache %s',
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
              quotas: QUOTAS[org.id],
            })),
            // The organizations' quotas alone: each user's share is tested in rateLimits.fairness.
            rateLimits: {
              unattributedPerUserPerMinute: 4,
              userShareOfOrganization: 1,
            },
          },
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

    const get = (path: string, user: string) =>
      request(server)
        .get(`/api/ingestion/v1${path}`)
        .set('Authorization', as(user));

    it("charges an organization's requests to its quota and answers 429 with Retry-After when it is used up", async () => {
      now = START;
      const created = await request(server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-engineer'))
        .send({ organization: 'finance', name: 'limited', spec: batchSpec() });
      expect(created.status).toBe(201);
      expect(created.headers['x-ratelimit-limit']).toBe('3');
      expect(created.headers['x-ratelimit-remaining']).toBe('2');
      const id = created.body.id;

      // A pipeline in the path is charged to its organization.
      const first = await get(`/pipelines/${id}`, 'finance-viewer');
      expect(first.status).toBe(200);
      expect(first.headers['x-ratelimit-remaining']).toBe('1');
      const second = await get(`/pipelines/${id}/versions`, 'finance-analyst');
      expect(second.status).toBe(200);
      expect(second.headers['x-ratelimit-remaining']).toBe('0');

      const refused = await get(
        '/pipelines?organization=finance',
        'finance-admin',
      );
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBe('45');
      expect(refused.headers['x-ratelimit-remaining']).toBe('0');
      expect(refused.body.error).toMatchObject({
        name: 'RateLimitExceededError',
        organization: 'finance',
        quota: 'quotas.api.requestsPerMinute',
        window: 'minute',
        limit: 3,
        retryAfterSeconds: 45,
      });
      expect(refused.body.error.message).toBe(
        "Organization 'finance' has used its API quota of 3 requests per minute (quotas.api.requestsPerMinute); retry in 45 seconds",
      );
      expect(refused.body.response).toEqual({ statusCode: 429 });
      expect(JSON.stringify(refused.body)).not.toMatch(/at .*\.ts:\d+/);

      // Another organization is not affected.
      const retail = await get(
        '/pipelines?organization=retail',
        'retail-viewer',
      );
      expect(retail.status).toBe(200);
      expect(retail.headers['x-ratelimit-remaining']).toBe('2');

      // Nor is a finance member's request that names no organization.
      const mine = await get('/organizations', 'finance-viewer');
      expect(mine.status).toBe(200);
      expect(mine.headers['x-ratelimit-limit']).toBe('4');

      // A non-member cannot spend finance's quota (nor learn it is used up): the route answers.
      const outsider = await get(`/pipelines/${id}`, 'retail-viewer');
      expect(outsider.status).toBe(404);
      expect(outsider.headers['x-ratelimit-limit']).toBe('4');

      // Unknown organizations are no error of the limiter: the route answers.
      const unknown = await get(
        '/pipelines?organization=nope',
        'finance-viewer',
      );
      expect([200, 404]).toContain(unknown.status);

      // Health is never limited.
      for (let i = 0; i < 6; i++) {
        const health = await request(server)
          .get('/api/ingestion/v1/health')
          .set('Authorization', mockCredentials.none.header());
        expect(health.status).toBe(200);
        expect(health.headers['x-ratelimit-limit']).toBeUndefined();
      }

      // The next minute starts a new window.
      now = START + 45_000;
      const again = await get(
        '/pipelines?organization=finance',
        'finance-admin',
      );
      expect(again.status).toBe(200);
      expect(again.headers['x-ratelimit-remaining']).toBe('2');
    });

    it('enforces the per-day quota until midnight UTC', async () => {
      now = START;
      for (let i = 0; i < 2; i++) {
        expect(
          (await get('/pipelines?organization=healthcare', 'healthcare-viewer'))
            .status,
        ).toBe(200);
      }
      now = START + 5 * 60_000; // 10:05:15, a later minute of the same day
      const refused = await get(
        '/pipelines?organization=healthcare',
        'healthcare-admin',
      );
      expect(refused.status).toBe(429);
      const untilMidnight = 13 * 3600 + 54 * 60 + 45;
      expect(refused.headers['retry-after']).toBe(String(untilMidnight));
      expect(refused.body.error).toMatchObject({
        organization: 'healthcare',
        quota: 'quotas.api.requestsPerDay',
        window: 'day',
        limit: 2,
      });

      now = Date.UTC(2026, 2, 11, 0, 0, 1);
      expect(
        (await get('/pipelines?organization=healthcare', 'healthcare-admin'))
          .status,
      ).toBe(200);
    });

    it('limits requests tied to no organization per user', async () => {
      now = START + 10 * 60_000;
      for (let i = 0; i < 4; i++) {
        expect((await get('/organizations', 'nobody')).status).toBe(200);
      }
      const refused = await get('/organizations', 'nobody');
      expect(refused.status).toBe(429);
      expect(refused.body.error).toMatchObject({
        principal: 'user:default/nobody',
        quota: 'ingestion.rateLimits.unattributedPerUserPerMinute',
        limit: 4,
      });
      expect(refused.body.error.organization).toBeUndefined();
      // Each user has a quota of their own.
      expect((await get('/organizations', 'retail-admin')).status).toBe(200);
    });
  },
);
