import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { costRecordRow, type NewCostRecord } from '../database/CostsStore';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import { dayOf, monthOf, weekOf } from './dates';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const NOW = new Date();
const MONTH = monthOf(NOW);
const TODAY = dayOf(NOW);
const FIRST = `${MONTH}-01`;

function record(
  overrides: Partial<NewCostRecord> & { amount: number },
): NewCostRecord {
  return {
    organizationId: 'finance',
    costCenter: 'FIN-001',
    environment: 'development',
    serviceType: 'compute',
    quantity: overrides.amount,
    unit: 'DBU',
    currency: 'USD',
    period: MONTH,
    day: TODAY,
    source: 'databricks-estimate',
    measurement: 'estimated',
    at: NOW,
    ...overrides,
  };
}

async function seed(knex: Knex) {
  const at = new Date(`${FIRST}T00:00:00Z`);
  for (const [id, name, owner] of [
    ['pl-a', 'alpha', 'group:default/finance-data'],
    ['pl-b', 'beta', 'group:default/finance-ml'],
  ]) {
    await knex('pipelines').insert({
      id,
      organization_id: 'finance',
      name,
      owner,
      pipeline_type: 'batch',
      engine: 'local',
      current_version: 1,
      created_by: 'user:default/x',
      updated_by: 'user:default/x',
      created_at: at,
      updated_at: at,
    });
  }
  // pl-a: two succeeded runs writing 1000 and 3000 rows, one quality_failed run writing none.
  const runs: Array<[string, string, string, number]> = [
    ['r1', 'pl-a', 'succeeded', 1000],
    ['r2', 'pl-a', 'succeeded', 3000],
    ['r3', 'pl-a', 'quality_failed', 0],
  ];
  for (const [id, pipeline, status, rows] of runs) {
    await knex('runs').insert({
      id,
      organization_id: 'finance',
      pipeline_id: pipeline,
      pipeline_version: 1,
      engine: 'local',
      status,
      trigger: 'api',
      triggered_by: 'user:default/x',
      queued_at: NOW,
      rows_written: rows,
      idempotency_token: `t-${id}`,
    });
  }
  const records = [
    record({
      pipelineId: 'pl-a',
      runId: 'r1',
      ownerRef: 'group:default/finance-data',
      project: 'ledger',
      amount: 10.5,
    }),
    record({
      pipelineId: 'pl-a',
      runId: 'r2',
      ownerRef: 'group:default/finance-data',
      project: 'ledger',
      amount: 1.25,
      unit: 'CPU-second',
      source: 'local-measured',
      measurement: 'measured',
    }),
    record({
      pipelineId: 'pl-b',
      ownerRef: 'group:default/finance-ml',
      project: 'forecasting',
      amount: 4,
      serviceType: 'storage',
      unit: 'GB-month',
      source: 'storage-sample',
      measurement: 'measured',
    }),
    // Earlier this year: in the trend and the month series, not in this month.
    record({
      pipelineId: 'pl-b',
      ownerRef: 'group:default/finance-ml',
      amount: 7,
      period: '2000-01',
      day: '2000-01-15',
    }),
    // Another organization's record never shows.
    record({ organizationId: 'retail', costCenter: 'RET-001', amount: 99 }),
  ];
  await knex('cost_records').insert(records.map(costRecordRow));
}

describe.each(databases.eachSupportedId())('spend API on %s', databaseId => {
  const ingestion = setUpIngestionTestBackend(
    databases,
    databaseId,
    {
      validateResponses: true,
    },
    { timeout: 120_000 },
  );

  beforeAll(async () => {
    await seed(ingestion.knex);
  }, 120_000);

  const get = (path: string, user = 'finance-analyst') =>
    request(ingestion.server)
      .get(`/api/ingestion/v1${path}`)
      .set('Authorization', as(user));

  it('groups spend by tag per day, week and month', async () => {
    const byOwner = await get(
      `/costs/spend?organization=finance&groupBy=owner&from=${FIRST}&to=${TODAY}`,
    );
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.total).toBeCloseTo(15.75, 6);
    expect(byOwner.body.keys).toEqual([
      {
        key: 'group:default/finance-data',
        label: 'group:default/finance-data',
        amount: 11.75,
      },
      {
        key: 'group:default/finance-ml',
        label: 'group:default/finance-ml',
        amount: 4,
      },
    ]);
    expect(byOwner.body.points).toEqual([
      { period: TODAY, key: 'group:default/finance-data', amount: 11.75 },
      { period: TODAY, key: 'group:default/finance-ml', amount: 4 },
    ]);

    const weekly = await get(
      `/costs/spend?organization=finance&granularity=week&groupBy=pipeline&from=${FIRST}&to=${TODAY}`,
    );
    expect(weekly.body.points.map((p: any) => p.period)).toEqual([
      weekOf(TODAY),
      weekOf(TODAY),
    ]);
    expect(weekly.body.keys.map((k: any) => k.label)).toEqual([
      'alpha',
      'beta',
    ]);

    const monthly = await get(
      `/costs/spend?organization=finance&granularity=month&groupBy=service&from=2000-01-01&to=${TODAY}`,
    );
    expect(monthly.status).toBe(400);
    expect(monthly.body.error.message).toMatch(/^from: /);
    const recent = await get(
      `/costs/spend?organization=finance&granularity=month&groupBy=source`,
    );
    expect(recent.body.keys.map((k: any) => k.key).sort()).toEqual([
      'databricks-estimate',
      'local-measured',
      'storage-sample',
    ]);
  });

  it('summarises the month for a card in one request', async () => {
    const res = await get('/costs/summary?organization=finance');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      organization: 'finance',
      month: MONTH,
      monthToDate: 15.75,
      budget: { monthly: 1000, origin: 'configured', spent: 15.75 },
      byService: [
        { service: 'compute', amount: 11.75 },
        { service: 'storage', amount: 4 },
      ],
      topPipelines: [
        { id: 'pl-a', name: 'alpha', amount: 11.75 },
        { id: 'pl-b', name: 'beta', amount: 4 },
      ],
    });
    expect(res.body.forecast).toBeGreaterThanOrEqual(15.75);
    expect(res.body.trend).toHaveLength(6);
    expect(res.body.trend[5]).toEqual({ month: MONTH, amount: 15.75 });

    const team = await get(
      `/costs/summary?organization=finance&team=${encodeURIComponent(
        'group:default/finance-ml',
      )}`,
    );
    expect(team.body).toMatchObject({
      team: 'group:default/finance-ml',
      monthToDate: 4,
      topPipelines: [{ id: 'pl-b', amount: 4 }],
    });
  });

  it('reports cost per run and per good row, of the runs only', async () => {
    // A record of pl-a without a run (history, storage): the pipeline's cost, no run's.
    const [{ id: historyId }] = await ingestion
      .knex('cost_records')
      .insert(
        costRecordRow(
          record({
            pipelineId: 'pl-a',
            ownerRef: 'group:default/finance-data',
            project: 'ledger',
            amount: 20,
            source: 'demo',
            measurement: 'estimated',
          }),
        ),
      )
      .returning('id');
    const res = await get(
      `/costs/pipelines?organization=finance&month=${MONTH}`,
    );
    await ingestion.knex('cost_records').where('id', historyId).delete();
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        pipelineId: 'pl-a',
        name: 'alpha',
        cost: 31.75,
        runs: 3,
        costPerRun: expect.any(Number),
        goodRows: 4000,
        costPerGoodRow: 11.75 / 4000,
      }),
      expect.objectContaining({
        pipelineId: 'pl-b',
        cost: 4,
        runs: 0,
        goodRows: 0,
      }),
    ]);
    expect(res.body.items[0].costPerRun).toBeCloseTo(11.75 / 3, 5);
    expect(res.body.items[1].costPerGoodRow).toBeUndefined();
    const page = await get(
      `/costs/pipelines?organization=finance&month=${MONTH}&limit=1`,
    );
    expect(page.body.items.map((i: any) => i.pipelineId)).toEqual(['pl-a']);
    const next = await get(
      `/costs/pipelines?organization=finance&month=${MONTH}&limit=1&cursor=${page.body.nextCursor}`,
    );
    expect(next.body.items.map((i: any) => i.pipelineId)).toEqual(['pl-b']);
  });

  it('charges back by team and cost center; totals are the sum of the records', async () => {
    const [{ sum }] = await ingestion
      .knex('cost_records')
      .where({ organization_id: 'finance', period: MONTH })
      .sum({ sum: 'amount' });
    const byTeam = await get(
      `/costs/chargeback?organization=finance&month=${MONTH}&by=team`,
      'finance-admin',
    );
    expect(byTeam.status).toBe(200);
    expect(byTeam.body.total).toBeCloseTo(Number(sum), 6);
    expect(
      byTeam.body.lines.reduce((s: number, l: any) => s + l.amount, 0),
    ).toBeCloseTo(byTeam.body.total, 6);
    expect(byTeam.body.lines).toEqual([
      {
        key: 'group:default/finance-data',
        serviceType: 'compute',
        amount: 11.75,
      },
      { key: 'group:default/finance-ml', serviceType: 'storage', amount: 4 },
    ]);
    const csv = await get(
      `/costs/chargeback?organization=finance&month=${MONTH}&by=costCenter&format=csv`,
      'finance-admin',
    );
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')).toEqual([
      'organization,month,cost_center,service_type,amount,currency',
      `finance,${MONTH},FIN-001,compute,11.75,USD`,
      `finance,${MONTH},FIN-001,storage,4,USD`,
      `finance,${MONTH},TOTAL,,15.75,USD`,
      '',
    ]);
    // Without `by`: the statement per service and pipeline, as before.
    const statement = await get(
      `/costs/chargeback?organization=finance&month=${MONTH}`,
      'finance-admin',
    );
    expect(statement.body.total).toBeCloseTo(Number(sum), 6);
    expect(statement.body.costCenter).toBe('FIN-001');
  });

  it('scopes every route like the costs API and names bad fields', async () => {
    for (const path of [
      '/costs/spend?organization=finance',
      '/costs/summary?organization=finance',
      `/costs/pipelines?organization=finance`,
      `/costs/chargeback?organization=finance&month=${MONTH}&by=team`,
      '/budgets?organization=finance',
      '/budgets/alerts?organization=finance',
    ]) {
      expect((await get(path, 'retail-admin')).status).toBe(404);
      expect((await get(path, 'finance-viewer')).status).toBe(403);
    }
    const bad = await get('/costs/spend?organization=finance&granularity=hour');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/granularity/);
    const team = await get('/costs/summary?organization=finance&team=finance');
    expect(team.status).toBe(400);
    expect(team.body.error.message).toMatch(/^team: /);
    const range = await get(
      `/costs/spend?organization=finance&from=${TODAY}&to=2000-01-01`,
    );
    expect(range.status).toBe(400);
    expect(range.body.error.message).toMatch(/from: must not be after to/);
  });

  it("lists a team's pipelines: its own and those of members charged to it", async () => {
    const at = new Date(`${FIRST}T00:00:00Z`);
    await ingestion.knex('pipelines').insert({
      id: 'pl-c',
      organization_id: 'finance',
      name: 'gamma',
      owner: 'user:default/finance-engineer',
      pipeline_type: 'batch',
      engine: 'local',
      current_version: 1,
      created_by: 'user:default/x',
      updated_by: 'user:default/x',
      created_at: at,
      updated_at: at,
    });
    await ingestion.knex('cost_records').insert(
      costRecordRow(
        record({
          pipelineId: 'pl-c',
          ownerRef: 'user:default/finance-engineer',
          ownerTeam: 'group:default/finance-ml',
          amount: 1,
          period: '2000-02',
          day: '2000-02-01',
        }),
      ),
    );
    const team = encodeURIComponent('group:default/finance-ml');
    const res = await get(
      `/costs/pipelines?organization=finance&month=${MONTH}&team=${team}`,
    );
    expect(res.body.items.map((i: any) => i.pipelineId)).toEqual([
      'pl-b',
      'pl-c',
    ]);
  });

  it('lets admins set budgets, audited; others may only read them', async () => {
    const put = (user: string, body: Record<string, unknown>) =>
      request(ingestion.server)
        .put('/api/ingestion/v1/budgets')
        .set('Authorization', as(user))
        .send(body);
    const denied = await put('finance-analyst', {
      organization: 'finance',
      monthly: 10,
    });
    expect(denied.status).toBe(403);
    const invalid = await put('finance-admin', {
      organization: 'finance',
      monthly: -5,
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toMatch(/^monthly: /);
    const thresholds = await put('finance-admin', {
      organization: 'finance',
      monthly: 50,
      thresholds: [0.5, 3],
    });
    expect(thresholds.status).toBe(400);
    expect(thresholds.body.error.message).toMatch(/^thresholds\[1\]: /);

    const team = await put('finance-admin', {
      organization: 'finance',
      team: 'group:default/finance-ml',
      monthly: 8,
      thresholds: [0.5, 1],
    });
    expect(team.status).toBe(200);
    expect(team.body).toMatchObject({
      team: 'group:default/finance-ml',
      monthly: 8,
      spent: 4,
      progress: 0.5,
      origin: 'custom',
    });
    const list = await get('/budgets?organization=finance');
    expect(list.body.items).toEqual([
      expect.objectContaining({ origin: 'configured', monthly: 1000 }),
      expect.objectContaining({ team: 'group:default/finance-ml', monthly: 8 }),
    ]);
    const events = await ingestion.knex('audit_events').where({
      action: 'budget.update',
    });
    expect(events).toHaveLength(1);
    const removed = await request(ingestion.server)
      .delete('/api/ingestion/v1/budgets')
      .query({ organization: 'finance', team: 'group:default/finance-ml' })
      .set('Authorization', as('finance-admin'));
    expect(removed.status).toBe(204);
    expect(
      (await get('/budgets?organization=finance')).body.items,
    ).toHaveLength(1);
  });
});
