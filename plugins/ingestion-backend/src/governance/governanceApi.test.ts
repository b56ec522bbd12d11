import { TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** Finance may use 1 DBU an hour here, so one recorded run of 1.5 DBU makes the next refused. */
const config = {
  ingestion: {
    ...TEST_CONFIG.ingestion,
    organizations: TEST_CONFIG.ingestion.organizations.map(org =>
      org.id === 'finance'
        ? { ...org, quotas: { databricks: { maxDbuPerHour: 1 } } }
        : org,
    ),
    rateLimits: { enabled: false },
  },
};

describe.each(databases.eachSupportedId())(
  'GET /v1/governance/* on %s',
  databaseId => {
    let pipelineId: string;

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      { config },
      { stop: true },
    );

    beforeAll(async () => {
      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-engineer'))
        .send({ organization: 'finance', name: 'ledger', spec: batchSpec() });
      if (created.status !== 201) {
        throw new Error(`Creating the test pipeline failed: ${created.text}`);
      }
      pipelineId = created.body.id;
    });

    const get = (path: string, user: string, organization = 'finance') =>
      request(ingestion.server)
        .get(`/api/ingestion/v1/governance/${path}`)
        .query({ organization })
        .set('Authorization', as(user));

    it('reports each quota with hourly and daily history, and the refusals it caused', async () => {
      const now = new Date();
      await ingestion.knex('runs').insert({
        id: '11111111-1111-4111-8111-111111111111',
        organization_id: 'finance',
        pipeline_id: pipelineId,
        pipeline_version: 1,
        engine: 'local',
        status: 'succeeded',
        trigger: 'manual',
        triggered_by: 'user:default/finance-engineer',
        queued_at: new Date(now.getTime() - 5 * 60_000),
        finished_at: new Date(now.getTime() - 60_000),
        dbus: 1.5,
        idempotency_token: 'governance-test-1',
        attempt: 0,
      });
      const today = now.toISOString().slice(0, 10);
      await ingestion.knex('cost_api_requests').insert({
        organization_id: 'finance',
        day: today,
        requests: 42,
        billed: 0,
      });

      // The DBU quota refuses two runs; only the first refusal of the minute is recorded.
      for (let attempt = 0; attempt < 2; attempt++) {
        const refused = await request(ingestion.server)
          .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
          .set('Authorization', as('finance-engineer'))
          .send({});
        expect(refused.status).toBe(429);
      }

      const res = await get('quota-usage', 'finance-admin');
      expect(res.status).toBe(200);
      expect(res.body.quotas.databricks.maxDbuPerHour).toBe(1);
      expect(res.body.usage).toEqual(
        expect.objectContaining({
          dbuLastHour: 1.5,
          concurrentRuns: 0,
          clustersInUse: 0,
          oldestRunDays: 0,
          apiRequestsToday: 42,
        }),
      );
      expect(res.body.hourly).toHaveLength(24);
      const last = res.body.hourly[23];
      expect(last.dbu + res.body.hourly[22].dbu).toBe(1.5);
      expect(last.activeRuns).toBeGreaterThanOrEqual(1);
      expect(res.body.hourly[0].activeRuns).toBe(0);
      expect(res.body.daily).toHaveLength(14);
      expect(res.body.daily[13]).toEqual({ day: today, apiRequests: 42 });
      expect(res.body.refusals).toEqual([
        {
          quota: 'databricks.maxDbuPerHour',
          count: 1,
          lastAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);

      // The refusal is an audit event the admin can find.
      const audit = await request(ingestion.server)
        .get('/api/ingestion/v1/audit')
        .query({ organization: 'finance', action: 'quota.refuse' })
        .set('Authorization', as('finance-admin'));
      expect(audit.body.items).toEqual([
        expect.objectContaining({
          actor: 'user:default/finance-engineer',
          targetType: 'quota',
          targetId: 'databricks.maxDbuPerHour',
          outcome: 'denied',
          reason: expect.stringContaining('DBU'),
        }),
      ]);
    });

    it('keeps quota usage and role groups to the organization’s admins', async () => {
      for (const path of ['quota-usage', 'roles']) {
        expect((await get(path, 'finance-engineer')).status).toBe(403);
        expect((await get(path, 'finance-viewer')).status).toBe(403);
        expect((await get(path, 'retail-admin')).status).toBe(404);
        expect((await get(path, 'finance-admin', 'nope')).status).toBe(404);
        expect((await get(path, 'platform-admin')).status).toBe(200);
      }
      expect((await get('quota-usage', 'finance-admin', '')).status).toBe(400);
    });

    it('lists the groups of each role and the platform admins', async () => {
      const res = await get('roles', 'finance-admin');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        organization: 'finance',
        roles: {
          admin: ['group:default/finance-admins'],
          engineer: ['group:default/finance-engineers'],
          analyst: ['group:default/finance-analysts'],
          viewer: ['group:default/finance-viewers'],
        },
        platformAdmins: ['group:default/platform-admins'],
      });
    });

    it('names the pipelines that read through each connection, for admins and engineers', async () => {
      const res = await get('connection-usage', 'finance-engineer');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          {
            connection: 'finance-db',
            pipelines: [{ id: pipelineId, name: 'ledger' }],
          },
        ],
      });
      expect((await get('connection-usage', 'finance-analyst')).status).toBe(
        403,
      );
      expect((await get('connection-usage', 'retail-admin')).status).toBe(404);
      const retail = await get('connection-usage', 'retail-admin', 'retail');
      expect(retail.body).toEqual({ items: [] });
    });
  },
);
