import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import request from 'supertest';
import { costRecordRow } from '../database/CostsStore';
import { applyDatabaseMigrations } from '../database/migrations';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { TEST_CONFIG, TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import { BudgetAlerter } from './BudgetAlerter';
import { Budgets } from './Budgets';
import { BudgetsStore } from './BudgetsStore';
import { dayOf, monthOf } from './dates';
import { SpendStore } from './SpendStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

// The 10th of a 30-day month: a third of the month has passed.
const NOW = new Date('2026-11-11T00:00:00Z');
const finance = {
  ...TEST_ORGANIZATIONS[0],
  budget: { monthly: 1000, alertThresholds: [0.5, 0.8, 1] },
} as unknown as OrganizationConfig;

async function spend(
  knex: Knex,
  amount: number,
  owner = 'group:default/finance-data',
) {
  await knex('cost_records').insert(
    costRecordRow({
      organizationId: 'finance',
      costCenter: 'FIN-001',
      environment: 'development',
      serviceType: 'compute',
      quantity: amount,
      unit: 'DBU',
      amount,
      currency: 'USD',
      period: monthOf(NOW),
      day: dayOf(NOW),
      ownerRef: owner,
      at: NOW,
    }),
  );
}

/** One backend replica's alerting: its own stores over the shared database. */
function replica(knex: Knex, sent: unknown[], audited: unknown[]) {
  const budgets = new Budgets({
    store: new BudgetsStore(knex),
    spend: new SpendStore(knex),
  });
  return new BudgetAlerter({
    budgets,
    organizations: () => [finance],
    notifications: { send: async n => void sent.push(n) },
    audit: { record: async e => void audited.push(e) },
    logger: mockServices.logger.mock(),
    currency: 'USD',
    clock: () => NOW,
  });
}

describe.each(databases.eachSupportedId())(
  'budget alerts on %s',
  databaseId => {
    let knex: Knex;
    let second: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      // Two replicas: PostgreSQL gets a second connection pool to the same database; the
      // in-memory SQLite database exists in one connection only, which both share.
      second =
        databaseId === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
    }, 120_000);

    afterEach(async () => {
      if (second !== knex) await second.destroy();
    });

    it('fires each threshold once per month, across two replicas', async () => {
      const sent: any[] = [];
      const audited: any[] = [];
      const a = replica(knex, sent, audited);
      const b = replica(second, sent, audited);

      // 200 spent a third into the month: a forecast of 600 crosses 50% only.
      await spend(knex, 200);
      await Promise.all([
        a.evaluate(),
        b.evaluate(),
        a.evaluate(),
        b.evaluate(),
      ]);
      expect(sent.map(n => n.payload.scope)).toEqual([
        'ingestion-budget:finance::2026-11:0.5:forecast',
      ]);
      expect(sent[0]).toMatchObject({
        recipients: {
          type: 'entity',
          entityRef: ['group:default/finance-admins'],
        },
        payload: {
          link: '/ingestion/costs?organization=finance',
          severity: 'normal',
        },
      });

      // 850 spent: 50% and 80% actually crossed, 100% forecast.
      await spend(knex, 650);
      await Promise.all([a.evaluate(), b.evaluate()]);
      await Promise.all([a.evaluate(), b.evaluate()]);
      expect(sent.map(n => n.payload.scope).sort()).toEqual([
        'ingestion-budget:finance::2026-11:0.5:actual',
        'ingestion-budget:finance::2026-11:0.5:forecast',
        'ingestion-budget:finance::2026-11:0.8:actual',
        'ingestion-budget:finance::2026-11:1:forecast',
      ]);
      expect(audited).toHaveLength(4);
      expect(audited[0]).toMatchObject({
        action: 'budget.alert',
        organizationId: 'finance',
        outcome: 'success',
      });
      const alerts = await new BudgetsStore(knex).alerts('finance');
      expect(alerts).toHaveLength(4);
    }, 60_000);

    it("alerts a team's owners about the team's budget", async () => {
      const sent: any[] = [];
      await new BudgetsStore(knex).put({
        organizationId: 'finance',
        team: 'group:default/finance-ml',
        monthly: 100,
        thresholds: [1],
        updatedBy: 'user:default/finance-admin',
        at: NOW,
      });
      await spend(knex, 120, 'group:default/finance-ml');
      await Promise.all([
        replica(knex, sent, []).evaluate(),
        replica(second, sent, []).evaluate(),
      ]);
      const team = sent.filter(n => n.payload.scope.includes('finance-ml'));
      expect(team).toHaveLength(1);
      expect(team[0].recipients.entityRef).toEqual([
        'group:default/finance-admins',
        'group:default/finance-ml',
      ]);
      expect(team[0].payload.severity).toBe('high');
    }, 60_000);
  },
);

describe.each(databases.eachSupportedId())(
  'runs at 100% of a budget on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      {
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            costs: { blockRunsAtBudget: true },
            runDriver: { enabled: false },
          },
        },
      },
      { timeout: 120_000 },
    );

    it('are refused with a message naming the budget when configured', async () => {
      const create = (org: string) =>
        request(ingestion.server)
          .post('/api/ingestion/v1/pipelines')
          .set('Authorization', as(`${org}-engineer`))
          .send({
            organization: org,
            name: 'guarded',
            spec: {
              pipeline_type: 'batch',
              source: { type: 'file', path: 'in.csv', format: 'csv' },
              target: {
                type: 'iceberg',
                catalog: `${org}_catalog`,
                schema: 'raw',
                table: 'guarded',
              },
            },
          });
      const financePipeline = await create('finance');
      const retailPipeline = await create('retail');
      expect([financePipeline.status, retailPipeline.status]).toEqual([
        201, 201,
      ]);
      const trigger = (org: string, id: string) =>
        request(ingestion.server)
          .post(`/api/ingestion/v1/pipelines/${id}/runs`)
          .set('Authorization', as(`${org}-engineer`))
          .send({});
      expect((await trigger('finance', financePipeline.body.id)).status).toBe(
        202,
      );

      // finance's configured budget is 1000 a month.
      const now = new Date();
      await ingestion.knex('cost_records').insert(
        costRecordRow({
          organizationId: 'finance',
          costCenter: 'FIN-001',
          environment: 'development',
          serviceType: 'compute',
          quantity: 1000,
          unit: 'DBU',
          amount: 1000,
          currency: 'USD',
          period: monthOf(now),
          at: now,
        }),
      );
      const refused = await trigger('finance', financePipeline.body.id);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toMatch(
        /^Budget exhausted: the monthly budget of organization 'finance' is 1000\.00 USD and 1000\.00 USD are spent/,
      );
      // Other organizations' budgets are their own.
      expect((await trigger('retail', retailPipeline.body.id)).status).toBe(
        202,
      );
    }, 60_000);
  },
);
