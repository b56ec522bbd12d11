import { TestDatabases } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

/** What a portal that keeps Backstage's allow-all policy decides: everything, for everyone. */
const allowAllPolicy: PermissionPolicy = {
  async handle() {
    return { result: AuthorizeResult.ALLOW };
  },
};

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** The id a set-up request created; set-up failures stop the suite with the answer. */
function createdId(res: request.Response, status: number): string {
  if (res.status !== status) {
    throw new Error(`Set-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.id;
}

/**
 * Organization membership is the tenant boundary whatever policy the portal runs: with allow-all,
 * members may do everything in their own organizations (the policy is what would refine roles)
 * and nothing in anyone else's.
 */
describe.each(databases.eachSupportedId())(
  'tenant isolation under an allow-all policy, %s',
  databaseId => {
    const finance: { pipeline?: string; run?: string; connection?: string } =
      {};

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      {
        policy: allowAllPolicy,
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
              ...org,
              quotas: { databricks: { maxConcurrentJobs: 1000 } },
            })),
          },
        },
      },
      { timeout: 180_000 },
    );

    beforeAll(async () => {
      const pipeline = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-admin'))
        .send({ organization: 'finance', name: 'ledger', spec: batchSpec() });
      finance.pipeline = createdId(pipeline, 201);
      const run = await request(ingestion.server)
        .post(`/api/ingestion/v1/pipelines/${finance.pipeline}/runs`)
        .set('Authorization', as('finance-admin'))
        .send({});
      finance.run = createdId(run, 202);
      const connection = await request(ingestion.server)
        .post('/api/ingestion/v1/connections')
        .set('Authorization', as('finance-admin'))
        .send({
          organization: 'finance',
          name: 'warehouse',
          type: 'postgres',
          host: '127.0.0.1',
          user: 'reader',
          password: 's3cret-allow-all',
        });
      finance.connection = createdId(connection, 201);
    }, 180_000);

    const get = (path: string, user: string) =>
      request(ingestion.server)
        .get(`/api/ingestion/v1${path}`)
        .set('Authorization', as(user));

    it.each(['nobody', 'retail-admin'])(
      '%s cannot create, list or read anything of finance',
      async user => {
        const created = await request(ingestion.server)
          .post('/api/ingestion/v1/pipelines')
          .set('Authorization', as(user))
          .send({
            organization: 'finance',
            name: `by-${user}`,
            spec: batchSpec(),
          });
        expect(created.status).toBe(404);

        for (const path of [
          '/pipelines?organization=finance',
          '/runs?organization=finance',
          '/tables?organization=finance',
          '/quality?organization=finance',
          '/connections?organization=finance',
        ]) {
          const list = await get(path, user);
          expect({ path, status: list.status, items: list.body.items }).toEqual(
            { path, status: 200, items: [] },
          );
        }
        // Lists across all organizations hold nothing of finance either.
        for (const path of ['/pipelines', '/runs', '/connections']) {
          const list = await get(path, user);
          expect(list.status).toBe(200);
          expect(
            list.body.items.filter(
              (item: { organization?: string }) =>
                item.organization === 'finance',
            ),
          ).toEqual([]);
        }

        for (const path of [
          `/pipelines/${finance.pipeline}`,
          `/pipelines/${finance.pipeline}/versions`,
          `/runs/${finance.run}`,
          `/runs/${finance.run}/logs`,
          `/connections/${finance.connection}`,
          '/costs?organization=finance',
          '/costs/chargeback?organization=finance&month=2026-11',
          '/audit?organization=finance',
          '/quotas?organization=finance',
        ]) {
          const res = await get(path, user);
          expect({ path, status: res.status }).toEqual({ path, status: 404 });
        }

        const trigger = await request(ingestion.server)
          .post(`/api/ingestion/v1/pipelines/${finance.pipeline}/runs`)
          .set('Authorization', as(user))
          .send({});
        expect(trigger.status).toBe(404);
        const removed = await request(ingestion.server)
          .delete(`/api/ingestion/v1/pipelines/${finance.pipeline}`)
          .set('Authorization', as(user));
        expect(removed.status).toBe(404);
        const connection = await request(ingestion.server)
          .post('/api/ingestion/v1/connections')
          .set('Authorization', as(user))
          .send({
            organization: 'finance',
            name: `by-${user}`,
            type: 'postgres',
            host: '127.0.0.1',
            user: 'reader',
            password: 's3cret-outsider',
          });
        expect(connection.status).toBe(404);
        const estimate = await request(ingestion.server)
          .post('/api/ingestion/v1/costs/estimate')
          .set('Authorization', as(user))
          .send({ organization: 'finance', spec: batchSpec() });
        expect(estimate.status).toBe(404);
      },
    );

    it('lets any member of finance do what allow-all allows, in finance only', async () => {
      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-viewer'))
        .send({
          organization: 'finance',
          name: 'by-viewer',
          spec: batchSpec(),
        });
      expect(created.status).toBe(201);
      const list = await get(
        '/pipelines?organization=finance',
        'finance-viewer',
      );
      expect(list.status).toBe(200);
      expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(
        expect.arrayContaining(['ledger', 'by-viewer']),
      );
      expect(
        (await get('/audit?organization=finance', 'finance-viewer')).status,
      ).toBe(200);
      expect(
        (await get(`/connections/${finance.connection}`, 'finance-viewer'))
          .status,
      ).toBe(200);

      const elsewhere = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-viewer'))
        .send({ organization: 'retail', name: 'elsewhere', spec: batchSpec() });
      expect(elsewhere.status).toBe(404);
      expect(
        (await get('/pipelines?organization=retail', 'finance-viewer')).body
          .items,
      ).toEqual([]);
    });

    it('lets platform admins act in every organization', async () => {
      expect(
        (await get(`/pipelines/${finance.pipeline}`, 'platform-admin')).status,
      ).toBe(200);
      expect(
        (await get('/quotas?organization=retail', 'platform-admin')).status,
      ).toBe(200);
    });
  },
);
