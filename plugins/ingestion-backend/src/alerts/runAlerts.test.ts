import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { applyDatabaseMigrations } from '../database/migrations';
import {
  AT,
  insertQuality,
  insertRun,
  PIPELINES,
  replica,
  seedLineage,
  type Sent,
} from './__testUtils__/alertFixtures';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('run alerts on %s', databaseId => {
  let knex: Knex;
  let second: Knex;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await applyDatabaseMigrations(knex);
    // Two replicas: PostgreSQL gets a second connection pool to the same database; the
    // in-memory SQLite database exists in one connection only, which both share.
    second = databaseId === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
    await seedLineage(knex);
  }, 120_000);

  afterEach(async () => {
    if (second !== knex) await second.destroy();
  });

  it('alerts the owners of a failed run once, across two replicas', async () => {
    const sent: Sent[] = [];
    const a = replica(knex, sent);
    const b = replica(second, sent);
    const run = await insertRun(knex, 'ingest', 'failed');
    await Promise.all([
      a.runs.onRunFinished({ run }),
      b.runs.onRunFinished({ run }),
      a.runs.onRunFinished({ run }),
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({
      recipients: { type: 'entity', entityRef: [PIPELINES.ingest.owner] },
      payload: expect.objectContaining({
        title: 'ingest: run failed',
        severity: 'critical',
        topic: 'ingestion-run-failed',
        link: `/ingestion/pipelines/${PIPELINES.ingest.id}?tab=runs`,
        scope: `run-failed:${run.id}`,
      }),
    });
    expect(sent[0].payload.description).toContain('source unreachable');
    // A succeeded run without breaches says nothing.
    await a.runs.onRunFinished({
      run: await insertRun(knex, 'ingest', 'succeeded'),
    });
    expect(sent).toHaveLength(1);
  }, 60_000);

  it('alerts owners two hops downstream of a quality breach, once per run', async () => {
    const sent: Sent[] = [];
    const a = replica(knex, sent);
    const b = replica(second, sent);
    const run = await insertRun(knex, 'ingest', 'succeeded');
    await insertQuality(knex, run, [
      { severity: 'warn', passed: false },
      { severity: 'fail', passed: true },
    ]);
    await Promise.all([
      a.runs.onRunFinished({ run }),
      b.runs.onRunFinished({ run }),
    ]);
    await b.runs.onRunFinished({ run });
    expect(sent).toHaveLength(1);
    expect([...sent[0].recipients.entityRef].sort()).toEqual(
      [
        // the pipeline's owner
        PIPELINES.ingest.owner,
        // one hop: enrich and the table it writes
        PIPELINES.enrich.owner,
        'group:default/finance-bi',
        // two hops: report and its table (the same person)
        PIPELINES.report.owner,
      ].sort(),
    );
    expect(sent[0].recipients.entityRef).not.toContain(
      PIPELINES.unrelated.owner,
    );
    expect(sent[0].payload).toMatchObject({
      severity: 'normal',
      topic: 'ingestion-quality',
      link: `/ingestion/pipelines/${PIPELINES.ingest.id}?tab=quality`,
      scope: `quality-breach:${run.id}`,
    });
    expect(sent[0].payload.description).toContain('enrich');
    expect(sent[0].payload.description).toContain('finance_catalog.mart.tx');

    // A breached fail rule is critical; a new run is a new alert.
    const failed = await insertRun(knex, 'enrich', 'quality_failed');
    await insertQuality(knex, failed, [{ severity: 'fail', passed: false }]);
    await Promise.all([
      a.runs.onRunFinished({ run: failed }),
      b.runs.onRunFinished({ run: failed }),
    ]);
    expect(sent).toHaveLength(2);
    expect(sent[1].payload.severity).toBe('critical');
    expect([...sent[1].recipients.entityRef].sort()).toEqual(
      [
        PIPELINES.enrich.owner,
        'group:default/finance-bi',
        PIPELINES.report.owner,
      ].sort(),
    );
  }, 60_000);

  it('alerts the owners of a refused run once an hour', async () => {
    const sent: Sent[] = [];
    let now = AT;
    const a = replica(knex, sent, { now: () => now });
    const b = replica(second, sent, { now: () => now });
    const refusal = {
      organizationId: 'finance',
      pipelineId: PIPELINES.report.id,
      reason: 'quota' as const,
      message: 'finance used 40 DBU in the last hour, its quota is 40',
      trigger: 'manual' as const,
    };
    await Promise.all([
      a.runs.onRunRefused(refusal),
      b.runs.onRunRefused(refusal),
    ]);
    await a.runs.onRunRefused(refusal);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      recipients: { entityRef: [PIPELINES.report.owner] },
      payload: {
        title: 'report: run refused (quota reached)',
        severity: 'high',
        topic: 'ingestion-run-refused',
      },
    });
    now = new Date(AT.getTime() + 3600_000);
    await b.runs.onRunRefused({ ...refusal, reason: 'budget' });
    expect(sent).toHaveLength(2);
    expect(sent[1].payload.title).toBe('report: run refused (budget spent)');
    // Another organization's pipeline id is not found in finance: nothing is sent.
    await a.runs.onRunRefused({ ...refusal, organizationId: 'retail' });
    expect(sent).toHaveLength(2);
  }, 60_000);
});
