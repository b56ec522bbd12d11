import {
  recordFinishedRun,
  recordQualityCheck,
} from '../database/pipelineRunSummary';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const FAILED = '11111111-1111-4111-8111-111111111111';
const BREACHED = '22222222-2222-4222-8222-222222222222';
const STALE = '33333333-3333-4333-8333-333333333333';
const HEALTHY = '44444444-4444-4444-8444-444444444444';
const NEVER_RUN = '55555555-5555-4555-8555-555555555555';
const RETAIL = '66666666-6666-4666-8666-666666666666';

const HOUR = 3_600_000;

/**
 * finance: `ledger-daily` (scheduled, latest run failed) → failed; `payments` (a rule failed in
 * its latest checked run, reads a MySQL table) → quality_breached; `hourly-sync` (hourly, last
 * success three days ago) → stale; `orders-copy` (succeeded, a run running now) → healthy;
 * `clicks-stream` (streaming on Databricks, never run) → healthy.
 * retail: `orders` (failed): never in finance's answers.
 */
async function seed(knex: Knex, now: Date) {
  const longAgo = new Date('2026-01-01T00:00:00Z');
  const pipelines: Array<
    [string, string, string, string | null, string, string]
  > = [
    [FAILED, 'finance', 'ledger-daily', '0 2 * * *', 'batch', 'local'],
    [BREACHED, 'finance', 'payments', null, 'batch', 'local'],
    [STALE, 'finance', 'hourly-sync', '0 * * * *', 'batch', 'local'],
    [HEALTHY, 'finance', 'orders-copy', null, 'batch', 'local'],
    [NEVER_RUN, 'finance', 'clicks-stream', null, 'streaming', 'databricks'],
    [RETAIL, 'retail', 'orders', null, 'batch', 'local'],
  ];
  for (const [id, org, name, schedule, type, engine] of pipelines) {
    await knex('pipelines').insert({
      id,
      organization_id: org,
      name,
      owner: `group:default/${org}`,
      pipeline_type: type,
      schedule,
      schedule_timezone: schedule ? 'UTC' : null,
      engine,
      current_version: 1,
      created_by: 'user:default/x',
      updated_by: 'user:default/x',
      created_at: longAgo,
      updated_at: longAgo,
    });
  }
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const runs: Array<[string, string, string, string, Date, string | null]> = [
    ['f1', FAILED, 'finance', 'succeeded', ago(3 * 24 * HOUR), null],
    ['f2', FAILED, 'finance', 'failed', ago(1000), 'Source unreachable: x'],
    ['b1', BREACHED, 'finance', 'succeeded', ago(2000), null],
    ['s1', STALE, 'finance', 'succeeded', ago(3 * 24 * HOUR), null],
    ['h1', HEALTHY, 'finance', 'succeeded', ago(3000), null],
    ['h2', HEALTHY, 'finance', 'running', ago(500), null],
    ['r1', RETAIL, 'retail', 'failed', ago(1000), 'retail secret failure'],
  ];
  for (const [id, pipeline, org, status, queuedAt, error] of runs) {
    await knex('runs').insert({
      id,
      organization_id: org,
      pipeline_id: pipeline,
      pipeline_version: 1,
      engine: 'local',
      status,
      trigger: 'api',
      triggered_by: 'user:default/x',
      queued_at: queuedAt,
      finished_at: status === 'running' ? null : queuedAt,
      error_message: error,
      idempotency_token: `t-${id}`,
    });
  }
  // The run summaries as the runs store keeps them when runs finish; newest first, so the
  // summary's forward-only updates are exercised (an older run finishing later changes nothing).
  for (const [id, , org] of [...runs].reverse()) {
    await recordFinishedRun(
      knex,
      await knex('runs').where({ organization_id: org, id }).first(),
    );
  }
  const result = (ruleIndex: number, severity: string, passed: boolean) => ({
    organization_id: 'finance',
    run_id: 'b1',
    pipeline_id: BREACHED,
    rule_index: ruleIndex,
    rule_type: 'completeness',
    columns: JSON.stringify(['amount']),
    severity,
    threshold: 0.99,
    observed: passed ? 1 : 0.5,
    passed,
    failed_rows: passed ? 0 : 5,
    message: null,
    created_at: ago(1500),
  });
  await knex('quality_results').insert([
    result(0, 'fail', true),
    result(1, 'warn', false),
  ]);
  await recordQualityCheck(knex, {
    organizationId: 'finance',
    pipelineId: BREACHED,
    runId: 'b1',
    at: ago(1500),
  });
  await knex('lineage_edges').insert({
    organization_id: 'finance',
    pipeline_id: BREACHED,
    direction: 'input',
    dataset_kind: 'mysql-table',
    dataset_ref: 'mysql://finance-db/payments',
    columns: null,
    updated_at: now,
  });
}

describe.each(databases.eachSupportedId())('dashboard on %s', databaseId => {
  const ingestion = setUpIngestionTestBackend(databases, databaseId, {
    validateResponses: true,
  });

  beforeAll(async () => {
    await seed(ingestion.knex, new Date());
  });

  const dashboard = (organization: string, user: string) =>
    request(ingestion.server)
      .get(`/api/ingestion/v1/organizations/${organization}/dashboard`)
      .set('Authorization', as(user));
  const pipelines = (query: Record<string, string>, user = 'finance-viewer') =>
    request(ingestion.server)
      .get('/api/ingestion/v1/organizations/finance/dashboard/pipelines')
      .query(query)
      .set('Authorization', as(user));
  const names = (res: request.Response) =>
    res.body.items.map((p: { name: string }) => p.name);

  it('counts pipelines by health, today’s runs, quality, spend and failures', async () => {
    const res = await dashboard('finance', 'finance-engineer');
    expect(res.status).toBe(200);
    expect(res.body.pipelines).toEqual({
      total: 5,
      failed: 1,
      quality_breached: 1,
      stale: 1,
      healthy: 2,
    });
    expect(res.body.runsToday).toMatchObject({
      total: 4,
      succeeded: 2,
      failed: 1,
      active: 1,
      successRate: 66.7,
    });
    // fail (3) passed, warn (1) failed.
    expect(res.body.quality).toEqual({ score: 75, rules: 2, passing: 1 });
    // The quality monitor's number for the same organization.
    const scores = await request(ingestion.server)
      .get('/api/ingestion/v1/quality/scores')
      .query({ organization: 'finance' })
      .set('Authorization', as('finance-engineer'));
    expect(scores.body.current).toEqual(res.body.quality);
    expect(res.body.spend).toMatchObject({
      currency: 'USD',
      monthToDate: 0,
      budget: { monthly: 1000, progress: 0 },
    });
    expect(res.body.recentFailures).toEqual([
      expect.objectContaining({
        runId: 'f2',
        pipelineId: FAILED,
        pipelineName: 'ledger-daily',
        status: 'failed',
        error: 'Source unreachable: x',
      }),
    ]);
    expect(res.body.freshnessGraceMinutes).toBe(30);
    expect(JSON.stringify(res.body)).not.toContain('retail secret');
  });

  it('shows a viewer the dashboard without spend', async () => {
    const res = await dashboard('finance', 'finance-viewer');
    expect(res.status).toBe(200);
    expect(res.body.pipelines.total).toBe(5);
    expect(res.body.spend).toBeUndefined();
  });

  it('answers another organization’s user 404, with nothing of it', async () => {
    for (const user of ['retail-admin', 'retail-viewer']) {
      const res = await dashboard('finance', user);
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('ledger');
      const list = await pipelines({}, user);
      expect(list.status).toBe(404);
    }
    const own = await dashboard('retail', 'retail-viewer');
    expect(own.body.pipelines.total).toBe(1);
    expect(own.body.recentFailures).toHaveLength(1);
    expect(JSON.stringify(own.body)).not.toContain('ledger');
  });

  it('lists pipelines with health and latest run, by name, a page at a time', async () => {
    const all = await pipelines({});
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(5);
    expect(names(all)).toEqual([
      'clicks-stream',
      'hourly-sync',
      'ledger-daily',
      'orders-copy',
      'payments',
    ]);
    const byName = Object.fromEntries(
      all.body.items.map((p: { name: string }) => [p.name, p]),
    );
    expect(byName['ledger-daily'].health).toBe('failed');
    expect(byName.payments.health).toBe('quality_breached');
    expect(byName['hourly-sync'].health).toBe('stale');
    expect(byName['orders-copy']).toMatchObject({
      health: 'healthy',
      lastRun: { id: 'h2', status: 'running' },
    });
    expect(byName['clicks-stream'].lastRun).toBeUndefined();

    const page = await pipelines({ offset: '2', limit: '2' });
    expect(page.body.totalCount).toBe(5);
    expect(names(page)).toEqual(['ledger-daily', 'orders-copy']);
  });

  it('filters by name, owner, type, engine, status and tag on the server', async () => {
    const cases: Array<[Record<string, string>, string[]]> = [
      [{ name: 'ORDERS' }, ['orders-copy']],
      [{ name: '_' }, []],
      [
        { owner: 'group:default/finance' },
        [
          'clicks-stream',
          'hourly-sync',
          'ledger-daily',
          'orders-copy',
          'payments',
        ],
      ],
      [{ owner: 'group:default/retail' }, []],
      [{ type: 'streaming' }, ['clicks-stream']],
      [{ engine: 'databricks' }, ['clicks-stream']],
      [{ status: 'stale' }, ['hourly-sync']],
      [{ status: 'healthy' }, ['clicks-stream', 'orders-copy']],
      [{ status: 'healthy', limit: '1', offset: '1' }, ['orders-copy']],
      [{ tag: 'mysql' }, ['payments']],
      [{ tag: 'streaming' }, ['clicks-stream']],
      [{ tag: 'unknown-tag' }, []],
      [{ name: 'o', status: 'healthy', type: 'batch' }, ['orders-copy']],
    ];
    for (const [query, expected] of cases) {
      const res = await pipelines(query);
      expect({ query, names: names(res) }).toEqual({ query, names: expected });
    }
    const healthy = await pipelines({ status: 'healthy', limit: '1' });
    expect(healthy.body.totalCount).toBe(2);
    // Past the last page of a health: no rows, the total still counted.
    const past = await pipelines({ status: 'healthy', offset: '5' });
    expect(past.body).toEqual({ items: [], totalCount: 2 });
  });

  it('refuses bad filters with the field and a reason', async () => {
    const status = await pipelines({ status: 'broken' });
    expect(status.status).toBe(400);
    expect(status.body.error.message).toMatch(/status/);
    const limit = await pipelines({ limit: '1000' });
    expect(limit.status).toBe(400);
    expect(limit.body.error.message).toMatch(
      /limit: must be an integer from 1 to 100/,
    );
  });
});
