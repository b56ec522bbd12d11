import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const LEDGER = '11111111-1111-4111-8111-111111111111';
const PAYMENTS = '22222222-2222-4222-8222-222222222222';
const ORDERS = '33333333-3333-4333-8333-333333333333';
const TABLE = '44444444-4444-4444-8444-444444444444';

const day = (d: string, hour = 12) =>
  new Date(`${d}T${String(hour).padStart(2, '0')}:00:00Z`);

/**
 * finance/ledger: run r1 on Nov 1 (fail ✓, warn ✓), run r2 on Nov 2 (fail ✓, warn ✗) → 75;
 * finance/payments: run r4 on Nov 2 (fail ✗, drop ✓) → 40;
 * retail/orders: run r5 on Nov 2 (fail ✗): never in finance's scores.
 */
async function seed(knex: Knex) {
  const at = day('2026-10-01');
  for (const [id, org, name] of [
    [LEDGER, 'finance', 'ledger'],
    [PAYMENTS, 'finance', 'payments'],
    [ORDERS, 'retail', 'orders'],
  ]) {
    await knex('pipelines').insert({
      id,
      organization_id: org,
      name,
      owner: `group:default/${org}`,
      pipeline_type: 'batch',
      engine: 'local',
      current_version: 1,
      created_by: 'user:default/x',
      updated_by: 'user:default/x',
      created_at: at,
      updated_at: at,
    });
  }
  const runs: Array<[string, string, string]> = [
    ['r1', LEDGER, 'finance'],
    ['r2', LEDGER, 'finance'],
    ['r4', PAYMENTS, 'finance'],
    ['r5', ORDERS, 'retail'],
  ];
  for (const [id, pipeline, org] of runs) {
    await knex('runs').insert({
      id,
      organization_id: org,
      pipeline_id: pipeline,
      pipeline_version: 1,
      engine: 'local',
      status: 'succeeded',
      trigger: 'api',
      triggered_by: 'user:default/x',
      queued_at: at,
      idempotency_token: `t-${id}`,
    });
  }
  const result = (
    runId: string,
    pipelineId: string,
    org: string,
    ruleIndex: number,
    severity: string,
    passed: boolean,
    checkedAt: Date,
  ) => ({
    organization_id: org,
    run_id: runId,
    pipeline_id: pipelineId,
    rule_index: ruleIndex,
    rule_type: ruleIndex === 0 ? 'completeness' : 'range',
    columns: JSON.stringify(['amount']),
    severity,
    threshold: 0.99,
    observed: passed ? 1 : 0.5,
    passed,
    failed_rows: passed ? 0 : 5,
    message: null,
    created_at: checkedAt,
  });
  // Inserted in time order: ids grow with time, as the run recorder writes them.
  await knex('quality_results').insert([
    result('r1', LEDGER, 'finance', 0, 'fail', true, day('2026-11-01')),
    result('r1', LEDGER, 'finance', 1, 'warn', true, day('2026-11-01')),
    result('r2', LEDGER, 'finance', 0, 'fail', true, day('2026-11-02', 8)),
    result('r2', LEDGER, 'finance', 1, 'warn', false, day('2026-11-02', 8)),
    result('r4', PAYMENTS, 'finance', 0, 'fail', false, day('2026-11-02', 9)),
    result('r4', PAYMENTS, 'finance', 1, 'drop', true, day('2026-11-02', 9)),
    result('r5', ORDERS, 'retail', 0, 'fail', false, day('2026-11-02', 10)),
  ]);
  await knex('data_tables').insert({
    id: TABLE,
    organization_id: 'finance',
    format: 'iceberg',
    catalog_name: 'finance_catalog',
    namespace: 'analytics',
    table_name: 'ledger',
    location: 'file:///w/ledger',
    owner: 'group:default/finance',
    pipeline_id: LEDGER,
    created_at: at,
    updated_at: at,
  });
}

describe.each(databases.eachSupportedId())(
  'quality scores on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      validateResponses: true,
    });

    beforeAll(async () => {
      await seed(ingestion.knex);
    });

    const scores = (query: Record<string, string>, user = 'finance-analyst') =>
      request(ingestion.server)
        .get('/api/ingestion/v1/quality/scores')
        .query({ from: '2026-10-28', to: '2026-11-03', ...query })
        .set('Authorization', as(user));

    it('scores an organization: weighted by severity, trend per day, breaches heaviest first', async () => {
      const res = await scores({ organization: 'finance' });
      expect(res.status).toBe(200);
      // (3 + 2) passed of (3 + 1) + (3 + 2) weighed.
      expect(res.body.current).toEqual({ score: 55.6, rules: 4, passing: 2 });
      expect(res.body.weights).toEqual({ fail: 3, drop: 2, warn: 1 });
      expect(res.body.trend).toEqual([
        { day: '2026-11-01', score: 100, checks: 2, failed: 0 },
        { day: '2026-11-02', score: 55.6, checks: 4, failed: 2 },
      ]);
      expect(
        res.body.breaches.map(
          (b: { pipelineName: string; severity: string; runId: string }) => [
            b.pipelineName,
            b.severity,
            b.runId,
          ],
        ),
      ).toEqual([
        ['payments', 'fail', 'r4'],
        ['ledger', 'warn', 'r2'],
      ]);
      expect(
        res.body.pipelines.map((p: { name: string; score: number }) => [
          p.name,
          p.score,
        ]),
      ).toEqual([
        ['payments', 40],
        ['ledger', 75],
      ]);
      expect(JSON.stringify(res.body)).not.toContain('orders');
    });

    it('scores a pipeline and the table it writes', async () => {
      const queries: Array<Record<string, string>> = [
        { pipeline: LEDGER },
        { table: TABLE },
      ];
      for (const query of queries) {
        const res = await scores({ organization: 'finance', ...query });
        expect(res.status).toBe(200);
        expect(res.body.current.score).toBe(75);
        expect(res.body.trend.map((t: { score: number }) => t.score)).toEqual([
          100, 75,
        ]);
        expect(res.body.breaches).toHaveLength(1);
      }
    });

    it('keeps to the period asked for', async () => {
      const res = await scores({
        organization: 'finance',
        from: '2026-11-02',
        to: '2026-11-02',
      });
      expect(res.body.trend.map((t: { day: string }) => t.day)).toEqual([
        '2026-11-02',
      ]);
      const before = await scores({
        organization: 'finance',
        from: '2026-10-01',
        to: '2026-11-01',
      });
      // Up to Nov 1 ledger's latest run is r1 (all passed) and payments had not run.
      expect(before.body.current).toEqual({
        score: 100,
        rules: 2,
        passing: 2,
      });
      expect(before.body.breaches).toEqual([]);
    });

    it('shows another organization nothing', async () => {
      for (const user of ['retail-admin', 'retail-engineer']) {
        const res = await scores({ organization: 'finance' }, user);
        expect(res.status).toBe(200);
        expect(res.body.current).toEqual({
          score: null,
          rules: 0,
          passing: 0,
        });
        expect(res.body.trend).toEqual([]);
        expect(res.body.pipelines).toEqual([]);
      }
      const table = await scores(
        { organization: 'finance', table: TABLE },
        'retail-admin',
      );
      expect(table.status).toBe(404);
    });

    it('rejects bad queries, naming the parameter', async () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{}, /organization/],
        [{ organization: 'finance', bucket: 'week' }, /bucket/],
        [{ organization: 'finance', from: '2026-11-04' }, /from/],
        [{ organization: 'finance', from: '2025-01-01' }, /from/],
        [{ organization: 'finance', to: '2026-13-45' }, /to/],
        [{ organization: 'finance', pipeline: 'x' }, /pipeline/],
      ];
      for (const [query, field] of cases) {
        const res = await scores(query);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(field);
      }
    });
  },
);
