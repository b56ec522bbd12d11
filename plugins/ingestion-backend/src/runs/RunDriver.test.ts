import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type {
  EngineRunContext,
  EngineRunResult,
  EngineRunState,
  IngestionEngine,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DatabasePipelinesStore } from '../database/DatabasePipelinesStore';
import { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import { applyDatabaseMigrations } from '../database/migrations';
import {
  DEFAULT_QUOTAS,
  OrganizationConfig,
} from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { DriverStore } from './DriverStore';
import { RunDriver } from './RunDriver';
import type { FinishedRun } from './RunResultRecorder';
import { scheduledRunId } from './schedules';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const ORG: OrganizationConfig = {
  id: 'finance',
  name: 'Finance',
  costCenter: 'FIN-001',
  environment: 'production',
  ownerGroup: 'group:default/finance',
  roles: { admin: [], engineer: [], analyst: [], viewer: [] },
  quotas: {
    ...DEFAULT_QUOTAS,
    databricks: { maxDbuPerHour: 10, maxClusters: 1, maxConcurrentJobs: 2 },
  },
  engine: 'local',
  storage: '/tmp/unused',
  icebergCatalog: 'finance_catalog',
};

const SPEC = {
  version: 1,
  pipeline_type: 'batch',
  source: {
    type: 'mysql',
    connection: 'finance-db',
    table: 'transactions',
    incremental_column: 'updated_at',
  },
  transformations: [],
  target: {
    type: 'iceberg',
    catalog: 'finance_catalog',
    schema: 'analytics',
    table: 'daily',
    mode: 'append',
  },
  data_quality: [],
};

const RESULT: EngineRunResult = {
  rowsRead: 10,
  rowsWritten: 8,
  bytesWritten: 2 * 1024 ** 3,
  dbus: 2,
  watermarkOut: '2024-01-02 00:00:00',
  quality: [
    {
      ruleIndex: 0,
      ruleType: 'completeness',
      columns: ['id'],
      severity: 'fail',
      threshold: 1,
      observed: 1,
      passed: true,
      failedRows: 0,
    },
  ],
  tables: [
    {
      format: 'iceberg',
      catalogName: 'finance_catalog',
      namespace: 'analytics',
      tableName: 'daily',
      location: 'file:///warehouse/analytics/daily',
      rowCount: 8,
      sizeBytes: 2048,
      piiColumns: ['email'],
      snapshotId: '42',
    },
  ],
};

/** An engine whose runs end when the test says so. */
class FakeEngine implements IngestionEngine {
  readonly id: string;
  states = new Map<string, EngineRunState>();
  submitted: EngineRunContext[] = [];
  cancelled: string[] = [];
  /** The state a new submission starts in. */
  onSubmit: (context: EngineRunContext) => EngineRunState = () => ({
    state: 'running',
  });

  constructor(id = 'local') {
    this.id = id;
  }

  async submit(context: EngineRunContext) {
    const engineRunId = `${this.id}-${context.run.id}-${context.run.attempt}`;
    this.submitted.push(context);
    if (!this.states.has(engineRunId)) {
      this.states.set(engineRunId, this.onSubmit(context));
    }
    return { engineRunId };
  }

  async poll(_context: EngineRunContext, engineRunId: string) {
    return this.states.get(engineRunId) ?? { state: 'unknown' as const };
  }

  async cancel(_context: EngineRunContext, engineRunId: string) {
    this.cancelled.push(engineRunId);
  }

  /** Ends every run that is still running. */
  finishAll(state: EngineRunState) {
    for (const [id, current] of this.states) {
      if (current.state === 'running') this.states.set(id, state);
    }
  }

  finish(runId: string, state: EngineRunState) {
    for (const id of this.states.keys()) {
      if (id.includes(runId)) this.states.set(id, state);
    }
  }

  /** Forgets every run, as the local engine does when the backend restarts. */
  forget() {
    this.states.clear();
  }
}

describe.each(databases.eachSupportedId())('RunDriver on %s', databaseId => {
  let knex: Knex;
  let runs: DatabaseRunsStore;
  let engine: FakeEngine;
  let now: Date;
  let finished: FinishedRun[];
  let pipelineId: string;

  const driver = (
    options: Partial<ConstructorParameters<typeof RunDriver>[0]> = {},
  ) => {
    const created = new RunDriver({
      knex,
      directory: new OrganizationDirectory([ORG]),
      engines: new Map([[engine.id, engine]]),
      resolveConnection: async () => ({
        type: 'mysql',
        settings: {},
        password: 'x',
      }),
      logger: mockServices.logger.mock(),
      pricing: { dbu: 0.55, storageGbMonth: 0.023, currency: 'USD' },
      clock: () => now,
      ...options,
    });
    created.onRunFinished(event => {
      finished.push(event);
    });
    return created;
  };

  async function createPipeline(
    name: string,
    schedule?: { cron: string; timezone: string },
    {
      pipelineType = 'batch',
      engine: pipelineEngine = 'local',
    }: { pipelineType?: 'batch' | 'streaming'; engine?: string } = {},
  ) {
    const created = await new DatabasePipelinesStore(knex).create({
      id: randomUUID(),
      organizationId: ORG.id,
      name,
      owner: 'group:default/finance-team',
      pipelineType,
      schedule,
      engine: pipelineEngine,
      spec: { ...SPEC, ...(schedule ? { schedule } : {}) },
      specHash: randomUUID(),
      createdBy: 'user:default/test',
      at: now,
    });
    return created.id;
  }

  async function queue(at = now, pipeline = pipelineId) {
    const id = randomUUID();
    await runs.create({
      id,
      organizationId: ORG.id,
      pipelineId: pipeline,
      pipelineVersion: 1,
      engine: 'local',
      trigger: 'manual',
      triggeredBy: 'user:default/test',
      idempotencyToken: id.replace(/-/g, ''),
      watermarkIn: '2024-01-01 00:00:00',
      at,
    });
    return id;
  }

  const status = async (id: string) =>
    (await runs.get({ organizationIds: [ORG.id] }, id))!;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await applyDatabaseMigrations(knex);
    runs = new DatabaseRunsStore(knex);
    engine = new FakeEngine();
    now = new Date('2026-03-01T12:00:00Z');
    finished = [];
    pipelineId = await createPipeline(`p-${randomUUID().slice(0, 8)}`);
  });

  afterEach(async () => {
    await knex.destroy();
  });

  it('submits the oldest queued runs within the concurrency quota and records results', async () => {
    const first = await queue(new Date(now.getTime() - 3000));
    const second = await queue(new Date(now.getTime() - 2000));
    const third = await queue(new Date(now.getTime() - 1000));
    const d = driver();

    await d.tick();
    expect((await status(first)).status).toBe('submitted');
    expect((await status(second)).status).toBe('submitted');
    expect((await status(third)).status).toBe('queued');
    expect(engine.submitted.map(c => c.run.id)).toEqual([first, second]);
    expect(engine.submitted[0]).toMatchObject({
      run: { attempt: 1, watermarkIn: '2024-01-01 00:00:00' },
      pipeline: { owner: 'group:default/finance-team', version: 1 },
      organization: { id: 'finance', quotas: { maxConcurrentJobs: 2 } },
      spec: { target: { table: 'daily' } },
    });

    await d.tick();
    expect((await status(first)).status).toBe('running');
    expect((await status(third)).status).toBe('queued');

    engine.finish(first, { state: 'succeeded', result: RESULT });
    now = new Date(now.getTime() + 5000);
    await d.tick();
    const done = await status(first);
    expect(done).toMatchObject({
      status: 'succeeded',
      rowsRead: 10,
      rowsWritten: 8,
      bytesWritten: 2 * 1024 ** 3,
      dbus: 2,
      watermarkOut: '2024-01-02 00:00:00',
      durationMs: 5000,
    });
    // 2 DBU × 0.55 (storage is sampled daily per table, not charged per run)
    expect(done.cost).toBeCloseTo(1.1, 6);
    expect((await status(third)).status).toBe('submitted');

    const table = await knex('data_tables').first();
    expect(table).toMatchObject({
      organization_id: 'finance',
      format: 'iceberg',
      catalog_name: 'finance_catalog',
      namespace: 'analytics',
      table_name: 'daily',
      owner: 'group:default/finance-team',
      pipeline_id: pipelineId,
      classification: 'restricted',
    });
    expect(JSON.parse(table.pii_columns)).toEqual(['email']);
    expect(await knex('quality_results').where({ run_id: first })).toHaveLength(
      1,
    );
    const edges = await knex('lineage_edges')
      .where({ pipeline_id: pipelineId })
      .orderBy('direction');
    expect(
      edges.map(e => [e.direction, e.dataset_kind, e.dataset_ref]),
    ).toEqual([
      ['input', 'mysql-table', 'mysql:finance-db/transactions'],
      ['output', 'iceberg-table', 'iceberg:finance_catalog.analytics.daily'],
    ]);
    const costs = await knex('cost_records')
      .where({ run_id: first })
      .orderBy('service_type');
    expect(
      costs.map(c => [c.service_type, c.unit, Number(c.quantity), c.period]),
    ).toEqual([['compute', 'DBU', 2, '2026-03']]);
    expect(costs[0]).toMatchObject({
      owner_ref: 'group:default/finance-team',
      owner_team: 'group:default/finance-team',
      source: 'databricks-estimate',
      measurement: 'estimated',
      day: '2026-03-01',
    });
    expect(finished.map(f => [f.run.id, f.run.status])).toEqual([
      [first, 'succeeded'],
    ]);
    expect(finished[0].tables[0]).toMatchObject({
      identifier: 'finance_catalog.analytics.daily',
      id: table.id,
    });

    // Polling a finished run again records nothing twice.
    await d.tick();
    expect(await knex('quality_results').where({ run_id: first })).toHaveLength(
      1,
    );
    expect(finished).toHaveLength(1);
  });

  it('holds runs back while the organization used its DBU quota in the last hour', async () => {
    const done = await queue(new Date(now.getTime() - 60_000));
    await knex('runs')
      .where({ id: done })
      .update({ status: 'succeeded', dbus: 10 });
    const waiting = await queue();
    await driver().tick();
    expect((await status(waiting)).status).toBe('queued');
  });

  it('retries retryable failures with exponential back-off, then gives up', async () => {
    const id = await queue();
    const d = driver();
    engine.onSubmit = () => ({
      state: 'failed',
      message: 'ECONNRESET: source went away',
      retryable: true,
    });

    await d.tick(); // submit attempt 1
    await d.tick(); // poll: failed → queued, retry in 30 s
    let run = await status(id);
    expect(run).toMatchObject({ status: 'queued', attempt: 1 });
    const next = await knex('runs').where({ id }).first('next_attempt_at');
    expect(new Date(next.next_attempt_at).getTime()).toBe(
      now.getTime() + 30_000,
    );

    await d.tick();
    expect((await status(id)).status).toBe('queued'); // not yet due

    now = new Date(now.getTime() + 30_000);
    await d.tick(); // submit attempt 2
    await d.tick(); // poll: failed → retry in 60 s
    run = await status(id);
    expect(run).toMatchObject({ status: 'queued', attempt: 2 });

    now = new Date(now.getTime() + 59_000);
    await d.tick();
    expect((await status(id)).status).toBe('queued');
    now = new Date(now.getTime() + 1_000);
    await d.tick(); // submit attempt 3
    await d.tick(); // poll: failed, no attempts left
    run = await status(id);
    expect(run).toMatchObject({
      status: 'failed',
      attempt: 3,
      errorMessage: 'ECONNRESET: source went away (gave up after 3 attempts)',
    });
    expect(engine.submitted.map(c => c.run.attempt)).toEqual([1, 2, 3]);
  });

  it('fails at once on errors that retrying cannot fix', async () => {
    const id = await queue();
    engine.onSubmit = () => ({
      state: 'failed',
      message: 'transformations[0] (filter): column x does not exist',
      retryable: false,
    });
    const d = driver();
    await d.tick();
    await d.tick();
    expect(await status(id)).toMatchObject({
      status: 'failed',
      attempt: 1,
      errorMessage: 'transformations[0] (filter): column x does not exist',
    });
    expect(finished.map(f => f.run.status)).toEqual(['failed']);
  });

  it('records quality failures without writing lineage', async () => {
    const id = await queue();
    const d = driver();
    await d.tick();
    engine.finishAll({
      state: 'quality_failed',
      message: 'Quality checks failed',
      result: { ...RESULT, rowsWritten: 0, bytesWritten: 0, tables: [] },
    });
    await d.tick();
    expect(await status(id)).toMatchObject({
      status: 'quality_failed',
      errorMessage: 'Quality checks failed',
    });
    expect(await knex('quality_results').where({ run_id: id })).toHaveLength(1);
    expect(await knex('lineage_edges')).toHaveLength(0);
    // Watermarks only move with successful runs.
    expect((await status(id)).watermarkOut).toBeUndefined();
  });

  it('submits again a run its engine forgot (a restart), and finishes it once', async () => {
    const id = await queue();
    await driver().tick();
    await driver().tick();
    expect((await status(id)).status).toBe('running');

    engine.forget();
    const restarted = driver();
    await restarted.tick();
    expect(engine.submitted.map(c => [c.run.id, c.run.attempt])).toEqual([
      [id, 1],
      [id, 1],
    ]);
    const logs = await runs.listEvents(ORG.id, id, { limit: 50 });
    expect(logs.items.map(e => e.message).join('\n')).toMatch(
      /unknown to the engine.*submitted it again/,
    );
    engine.finishAll({ state: 'succeeded', result: RESULT });
    await Promise.all([restarted.tick(), driver().tick()]);
    expect((await status(id)).status).toBe('succeeded');
    expect(await knex('quality_results').where({ run_id: id })).toHaveLength(1);
    expect(finished).toHaveLength(1);
  });

  it('never submits a run twice when two drivers tick at once', async () => {
    const ids = [await queue(), await queue()];
    await Promise.all([driver().tick(), driver().tick(), driver().tick()]);
    expect(engine.submitted.map(c => c.run.id).sort()).toEqual(ids.sort());
  });

  it('asks the engine to stop a run cancelled through the API, once', async () => {
    const id = await queue();
    const d = driver();
    await d.tick();
    await runs.transition(
      ORG.id,
      id,
      ['queued', 'submitted', 'running'],
      'cancelled',
      { finishedAt: now },
      'Cancelled by user:default/test',
    );
    await d.tick();
    await d.tick();
    expect(engine.cancelled).toEqual([`local-${id}-1`]);
    expect((await status(id)).status).toBe('cancelled');
  });

  it('fails runs whose engine is not installed', async () => {
    const id = randomUUID();
    await runs.create({
      id,
      organizationId: ORG.id,
      pipelineId,
      pipelineVersion: 1,
      engine: 'databricks',
      trigger: 'manual',
      triggeredBy: 'user:default/test',
      idempotencyToken: 'x',
      at: now,
    });
    await driver().tick();
    expect(await status(id)).toMatchObject({
      status: 'failed',
      errorMessage: expect.stringMatching(/No 'databricks' engine/),
    });
  });

  it('triggers scheduled pipelines once per fire time, across restarts', async () => {
    const scheduled = await createPipeline('nightly', {
      cron: '*/5 * * * *',
      timezone: 'Europe/Berlin',
    });
    // Saved at 12:00:00: the 12:00 fire time counts (not an earlier one).
    now = new Date('2026-03-01T12:03:00Z');
    await driver().tick();
    await driver().tick();
    const list = async () =>
      knex('runs')
        .where({ pipeline_id: scheduled })
        .orderBy('queued_at')
        .select('id', 'trigger', 'triggered_by', 'status');
    let scheduledRuns = await list();
    expect(scheduledRuns).toHaveLength(1);
    expect(scheduledRuns[0]).toMatchObject({
      id: scheduledRunId(scheduled, new Date('2026-03-01T12:00:00Z')),
      trigger: 'schedule',
      triggered_by: 'schedule:*/5 * * * * Europe/Berlin',
    });

    now = new Date('2026-03-01T12:07:00Z');
    await driver().tick();
    scheduledRuns = await list();
    expect(scheduledRuns).toHaveLength(2);

    // Down for an hour: one catch-up run, not twelve.
    now = new Date('2026-03-01T13:08:00Z');
    await driver().tick();
    expect(await list()).toHaveLength(3);
  });
  const nextRunAt = async (id: string) => {
    const row = await knex('pipelines').where({ id }).first('next_run_at');
    return row.next_run_at === null ? null : new Date(row.next_run_at);
  };
  const runsOf = (id: string) =>
    knex('runs').where({ pipeline_id: id }).select('id', 'trigger');

  it('triggers streaming pipelines with a schedule like batch ones', async () => {
    const stream = await createPipeline(
      'landing-files',
      { cron: '0 * * * *', timezone: 'UTC' },
      { pipelineType: 'streaming' },
    );
    now = new Date('2026-03-01T13:00:30Z');
    await driver().tick();
    expect(await runsOf(stream)).toEqual([
      {
        id: scheduledRunId(stream, new Date('2026-03-01T13:00:00Z')),
        trigger: 'schedule',
      },
    ]);
  });

  it('skips scheduled runs while a budget refuses new runs', async () => {
    const nightly = await createPipeline('budgeted', {
      cron: '0 * * * *',
      timezone: 'UTC',
    });
    let spent = true;
    const gated = () =>
      driver({
        budgetGate: {
          checkRunAllowed: async () => {
            if (spent) throw new Error('Budget exhausted: the monthly budget');
          },
        },
      });
    now = new Date('2026-03-01T13:00:30Z');
    await gated().tick();
    expect(await runsOf(nightly)).toEqual([]);
    // The fire time was skipped, not postponed; the next one runs once the budget allows.
    spent = false;
    await gated().tick();
    expect(await runsOf(nightly)).toEqual([]);
    now = new Date('2026-03-01T14:00:30Z');
    await gated().tick();
    expect(await runsOf(nightly)).toEqual([
      {
        id: scheduledRunId(nightly, new Date('2026-03-01T14:00:00Z')),
        trigger: 'schedule',
      },
    ]);
  });

  it('tells listeners about status changes and about scheduled runs a budget refused', async () => {
    const changes: string[] = [];
    const refusals: unknown[] = [];
    const hourly = await createPipeline('listened', {
      cron: '0 * * * *',
      timezone: 'UTC',
    });
    const d = driver({
      onStatusChanged: run => void changes.push(run.status),
      onRunRefused: async refusal => void refusals.push(refusal),
      budgetGate: {
        checkRunAllowed: async () => {
          throw new Error('Budget exhausted: finance');
        },
      },
    });
    const id = await queue();
    await d.tick(); // submitted
    await d.tick(); // running
    engine.finish(id, { state: 'succeeded', result: RESULT });
    await d.tick(); // succeeded: told to onRunFinished listeners instead
    expect(changes).toEqual(['submitted', 'running']);
    expect(finished.map(f => f.run.status)).toEqual(['succeeded']);

    now = new Date('2026-03-01T13:00:30Z');
    await d.tick();
    expect(refusals).toEqual([
      {
        organizationId: ORG.id,
        pipelineId: hourly,
        reason: 'budget',
        message: 'Budget exhausted: finance',
        trigger: 'schedule',
      },
    ]);
  });

  it('keeps next_run_at: set on save, moved to the next fire time by a tick, null when not scheduled here', async () => {
    const hourly = await createPipeline('hourly', {
      cron: '0 * * * *',
      timezone: 'UTC',
    });
    const remote = await createPipeline(
      'on-databricks',
      { cron: '0 * * * *', timezone: 'UTC' },
      { engine: 'databricks' },
    );
    expect(await nextRunAt(pipelineId)).toBeNull(); // no schedule
    expect(await nextRunAt(hourly)).toEqual(now);

    now = new Date('2026-03-01T12:10:00Z');
    await driver().tick();
    // 12:00 was the save time's own fire time: one run, then the next look at 13:00.
    expect(await runsOf(hourly)).toHaveLength(1);
    expect(await nextRunAt(hourly)).toEqual(new Date('2026-03-01T13:00:00Z'));
    // Databricks runs it on the job's schedule: not looked at again.
    expect(await nextRunAt(remote)).toBeNull();
    expect(await runsOf(remote)).toHaveLength(0);

    // A pipeline that is not due is not read: a run deleted behind the driver's back is not
    // re-created before 13:00.
    await knex('runs').where({ pipeline_id: hourly }).delete();
    now = new Date('2026-03-01T12:50:00Z');
    await driver().tick();
    expect(await runsOf(hourly)).toHaveLength(0);

    // Saving the pipeline asks for a look at once.
    now = new Date('2026-03-01T12:55:00Z');
    const saved = await new DatabasePipelinesStore(knex).addVersion(
      ORG.id,
      hourly,
      {
        expectedVersion: 1,
        pipelineType: 'batch',
        schedule: { cron: '*/5 * * * *', timezone: 'UTC' },
        spec: SPEC as any,
        specHash: randomUUID(),
        createdBy: 'user:default/test',
        at: now,
      },
    );
    expect(saved).toBeDefined();
    expect(await nextRunAt(hourly)).toEqual(now);
    now = new Date('2026-03-01T12:56:00Z');
    await driver().tick();
    expect(await runsOf(hourly)).toEqual([
      {
        id: scheduledRunId(hourly, new Date('2026-03-01T12:55:00Z')),
        trigger: 'schedule',
      },
    ]);
    expect(await nextRunAt(hourly)).toEqual(new Date('2026-03-01T13:00:00Z'));
  });

  it('keeps a pipeline due while the queue is full, and a stale look never hides a save', async () => {
    await queue();
    await queue(); // maxConcurrentJobs queued runs
    const hourly = await createPipeline('hourly', {
      cron: '0 * * * *',
      timezone: 'UTC',
    });
    now = new Date('2026-03-01T12:10:00Z');
    await driver().tick(); // schedules are looked at before queued runs are submitted
    expect(await runsOf(hourly)).toHaveLength(0);
    expect(await nextRunAt(hourly)).toEqual(new Date('2026-03-01T12:00:00Z'));

    // The driver read version 1; a save to version 2 came first: the driver's answer is dropped.
    const [pipeline] = await new DriverStore(knex).duePipelines(
      ORG.id,
      now,
      10,
    );
    await knex('pipelines')
      .where({ id: hourly })
      .update({ current_version: 2, next_run_at: now });
    await new DriverStore(knex).setNextRunAt(
      pipeline,
      new Date('2026-03-01T13:00:00Z'),
    );
    expect(await nextRunAt(hourly)).toEqual(now);
  });
});
