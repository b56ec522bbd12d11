import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabricksTestServer,
  deployJob,
  deriveIdempotencyToken,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabasePipelinesStore } from '../../database/DatabasePipelinesStore';
import { DatabaseRunsStore } from '../../database/DatabaseRunsStore';
import { toEpochMs } from '../../database/rows';
import { applyDatabaseMigrations } from '../../database/migrations';
import {
  DEFAULT_QUOTAS,
  OrganizationConfig,
} from '../../organizations/organizationConfig';
import { OrganizationDirectory } from '../../organizations/OrganizationDirectory';
import { engineOrganization, RunDriver } from '../../runs/RunDriver';
import { injectFaults } from './__testUtils__/faults';
import { prng } from './__testUtils__/prng';
import { DatabricksEngine } from './DatabricksEngine';
import { pipelineDeployments } from './deployments';
import { financeOrganization } from './__testUtils__/engineContext';
import { testOrganizationConfig } from '../../__testUtils__/organizationConfig';
import {
  DatabricksScheduledRuns,
  scheduledDatabricksRunId,
  startDatabricksScheduledRuns,
  type ScheduledJobRun,
} from './scheduledRuns';

/**
 * Runs Databricks starts on a deployed job's own schedule become backend runs, once each, and the run driver
 * polls them to their end, with 30% of the workspace requests failing and two replicas recording at once.
 */

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const TOKEN = 'dapi00112233445566778899aabbccddeeff';
const FINAL = ['succeeded', 'failed', 'quality_failed', 'cancelled'];
const SPEC = {
  pipeline_type: 'batch',
  schedule: { cron: '0 * * * *', timezone: 'UTC' },
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
  },
  data_quality: [],
};

function organization(id: string, host: string): OrganizationConfig {
  return testOrganizationConfig(id, {
    quotas: {
      ...DEFAULT_QUOTAS,
      databricks: { maxDbuPerHour: 1e6, maxClusters: 10, maxConcurrentJobs: 8 },
    },
    databricks: { host, token: TOKEN, notificationEmails: [] },
  });
}

describe.each(databases.eachSupportedId())(
  'Runs of Databricks job schedules on %s',
  databaseId => {
    let knex: Knex;
    let server: DatabricksTestServer;
    let fetchSpy: jest.SpyInstance | undefined;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      server = await DatabricksTestServer.start({ token: TOKEN });
    });

    afterEach(async () => {
      fetchSpy?.mockRestore();
      fetchSpy = undefined;
      await server.stop();
      await knex.destroy();
    });

    it('records each scheduled run once, per organization, and drives it to its end under 30% faults', async () => {
      let now = new Date('2026-03-01T12:00:00Z');
      const finance = organization('finance', server.url);
      const retail = organization('retail', server.url);
      const pipelines = new DatabasePipelinesStore(knex);
      const engine = new DatabricksEngine({
        logger: mockServices.logger.mock(),
        client: {
          sleep: async () => {},
          random: () => 0,
          requestTimeoutMs: 250,
          retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 30_000 },
        },
        deployments: pipelineDeployments(pipelines),
      });

      const deploy = async (org: OrganizationConfig) => {
        // Each organization writes to its own catalog.
        const spec = {
          ...SPEC,
          target: { ...SPEC.target, catalog: org.icebergCatalog },
        };
        const pipeline = await pipelines.create({
          id: `pl-${org.id}`,
          organizationId: org.id,
          name: `hourly-${org.id}`,
          owner: `group:default/${org.id}-team`,
          pipelineType: 'batch',
          schedule: SPEC.schedule,
          engine: 'databricks',
          spec,
          specHash: org.id,
          createdBy: 'user:default/test',
          at: now,
        });
        const { jobId } = await deployJob(
          engineOrganization(org),
          {
            id: pipeline.id,
            name: pipeline.name,
            owner: pipeline.owner,
            version: 1,
          },
          spec as any,
        );
        await pipelines.recordDeployment(org.id, pipeline.id, {
          databricksJobId: String(jobId),
          deployedVersion: 1,
          at: now,
          verifiedAt: now,
        });
        return { pipelineId: pipeline.id, jobId };
      };
      const financeJob = await deploy(finance);
      const retailJob = await deploy(retail);

      // A run the backend starts itself (run-now) is in the job's run list too: it must not be recorded again.
      const manual = 'manual-run';
      await new DatabaseRunsStore(knex).create({
        id: manual,
        organizationId: finance.id,
        pipelineId: financeJob.pipelineId,
        pipelineVersion: 1,
        engine: 'databricks',
        trigger: 'manual',
        triggeredBy: 'user:default/test',
        idempotencyToken: deriveIdempotencyToken(manual),
        at: now,
      });
      const directory = new OrganizationDirectory([finance, retail]);
      const driver = new RunDriver({
        knex,
        directory,
        engines: new Map([['databricks', engine]]),
        resolveConnection: async () => ({
          type: 'mysql',
          settings: {},
          password: 'x',
        }),
        logger: mockServices.logger.mock(),
        pricing: { dbu: 0.55, storageGbMonth: 0.023, currency: 'USD' },
        scheduledEngines: [],
        clock: () => now,
      });
      await driver.tick();

      const scheduled = [
        ...[1, 2, 3, 4, 5].map(() => ({
          org: finance.id,
          runId: server.fireSchedule(financeJob.jobId).runId,
        })),
        ...[1, 2].map(() => ({
          org: retail.id,
          runId: server.fireSchedule(retailJob.jobId).runId,
        })),
      ];

      // Two replicas recording at once (the scheduler normally runs one at a time).
      const replicas = [1, 2].map(
        () =>
          new DatabricksScheduledRuns({
            knex,
            logger: mockServices.logger.mock(),
            organizations: () =>
              directory.organizations.map(engineOrganization),
            source: engine,
            now: () => now,
          }),
      );

      const random = prng(20260301);
      let injected = 0;
      const kinds = [
        { respond: { status: 429, retryAfter: 1 } },
        { respond: { status: 503 } },
        { when: 'after' as const, respond: { status: 503 } },
        { respond: 'reset' as const },
        { when: 'after' as const, respond: 'reset' as const },
      ];
      fetchSpy = injectFaults(server, (path, method) => {
        if (random() >= 0.3) return undefined;
        injected += 1;
        return { path, method, ...kinds[Math.floor(random() * kinds.length)] };
      });

      const rows = () => knex('runs').orderBy('id') as Promise<any[]>;
      for (let tick = 0; tick < 100; tick++) {
        await Promise.all(replicas.map(replica => replica.record()));
        await driver.tick();
        for (const run of server.runs()) {
          // The job runs one at a time: the others wait QUEUED until this loop starts them.
          if (['PENDING', 'QUEUED'].includes(run.lifeCycleState)) {
            server.startRun(run.runId);
          } else if (run.lifeCycleState === 'RUNNING') {
            server.finishRun(run.runId, {
              notebookResult: {
                status: 'succeeded',
                rows_read: 10,
                rows_written: 7,
                quality: [],
                watermark: '2026-03-01T00:00:00',
              },
              durations: { setupMs: 60_000, executionMs: 240_000 },
            });
          }
        }
        now = new Date(now.getTime() + 5 * 60_000);
        const current = await rows();
        if (
          current.length === scheduled.length + 1 &&
          current.every(r => FINAL.includes(r.status))
        ) {
          break;
        }
      }
      fetchSpy.mockRestore();
      fetchSpy = undefined;
      expect(injected).toBeGreaterThan(0);

      const final = await rows();
      // The manual run and each scheduled run exactly once; nothing else.
      expect(final).toHaveLength(scheduled.length + 1);
      expect(final.filter(r => r.id === manual)).toHaveLength(1);
      const byEngineRun = new Map(final.map(r => [r.engine_run_id, r]));
      expect(byEngineRun.size).toBe(final.length);
      for (const { org, runId } of scheduled) {
        const row = byEngineRun.get(String(runId));
        expect(row).toMatchObject({
          id: scheduledDatabricksRunId(org, String(runId)),
          organization_id: org,
          pipeline_id: `pl-${org}`,
          trigger: 'schedule',
          status: 'succeeded',
        });
        expect(Number(row.rows_written)).toBe(7);
        expect(Number(row.dbus)).toBeGreaterThan(0);
        expect(row.watermark_out).toBe('2026-03-01T00:00:00');
      }
    });

    it('catches up on the runs of an outage longer than the lookback, from the last recorded run', async () => {
      const hour = 3600_000;
      const deployedAt = new Date('2026-03-01T00:00:00Z');
      const at = (hours: number) =>
        new Date(deployedAt.getTime() + hours * hour);
      const finance = organization('finance', server.url);
      const pipelines = new DatabasePipelinesStore(knex);
      await pipelines.create({
        id: 'pl-finance',
        organizationId: 'finance',
        name: 'hourly',
        owner: 'group:default/finance-team',
        pipelineType: 'batch',
        engine: 'databricks',
        spec: SPEC,
        specHash: 'h',
        createdBy: 'user:default/test',
        at: deployedAt,
      });
      await pipelines.recordDeployment('finance', 'pl-finance', {
        databricksJobId: '7',
        deployedVersion: 1,
        at: deployedAt,
        verifiedAt: deployedAt,
      });
      // The workspace's run list, answered like jobs/runs/list with start_time_from.
      const started: ScheduledJobRun[] = [];
      const asked: Date[] = [];
      let now = at(50);
      const recorderWith = (
        options: Partial<
          ConstructorParameters<typeof DatabricksScheduledRuns>[0]
        >,
      ) =>
        new DatabricksScheduledRuns({
          knex,
          logger: mockServices.logger.mock(),
          organizations: () => [engineOrganization(finance)],
          source: {
            async scheduledJobRuns(_org, _jobId, since) {
              asked.push(since);
              return started.filter(r => r.startedAt >= since);
            },
          },
          ...options,
        });
      const recorder = recorderWith({ lookbackHours: 24, now: () => now });
      const recordedStarts = async () =>
        (
          await knex('runs')
            .where({ organization_id: 'finance', trigger: 'schedule' })
            .orderBy('queued_at')
            .select('queued_at')
        ).map(r => toEpochMs(r.queued_at));

      // The backend was down for two days after the deployment: runs older than the 24 h window.
      started.push(
        { engineRunId: '101', startedAt: at(1) },
        { engineRunId: '102', startedAt: at(25) },
        { engineRunId: '103', startedAt: at(49) },
      );
      expect(await recorder.record()).toEqual({ recorded: 3, errors: 0 });
      expect(asked.at(-1)).toEqual(deployedAt);

      // Down again for two days: listed from the last recorded run.
      started.push({ engineRunId: '104', startedAt: at(60) });
      now = at(100);
      expect(await recorder.record()).toEqual({ recorded: 1, errors: 0 });
      expect(asked.at(-1)).toEqual(at(49));
      expect(await recordedStarts()).toEqual(
        [1, 25, 49, 60].map(h => at(h).getTime()),
      );

      // Nothing new: listed again from the last recorded run, nothing recorded twice.
      now = at(101);
      expect(await recorder.record()).toEqual({ recorded: 0, errors: 0 });
      expect(asked.at(-1)).toEqual(at(60));
      // A recent run: then the 24 h window is the older bound.
      started.push({ engineRunId: '105', startedAt: at(100) });
      expect(await recorder.record()).toEqual({ recorded: 1, errors: 0 });
      now = at(102);
      await recorder.record();
      expect(asked.at(-1)).toEqual(at(78));

      // Never further back than catchUpDays.
      const bounded = recorderWith({ catchUpDays: 1, now: () => at(24 * 30) });
      started.length = 0;
      await knex('runs').where({ organization_id: 'finance' }).delete();
      await bounded.record();
      expect(asked.at(-1)).toEqual(at(24 * 29));
    });

    it('lists no runs of a recorded job that was never verified as the pipeline’s', async () => {
      const finance = organization('finance', server.url);
      const pipelines = new DatabasePipelinesStore(knex);
      const at = new Date('2026-03-01T00:00:00Z');
      await pipelines.create({
        id: 'pl-finance',
        organizationId: 'finance',
        name: 'hourly',
        owner: 'group:default/finance-team',
        pipelineType: 'batch',
        engine: 'databricks',
        spec: SPEC,
        specHash: 'h',
        createdBy: 'user:default/test',
        at,
      });
      await pipelines.recordDeployment('finance', 'pl-finance', {
        databricksJobId: '7',
        deployedVersion: 1,
        at,
        verifiedAt: at,
      });
      // As recorded before verification existed (the migration leaves such rows unverified).
      await knex('pipelines')
        .where({ id: 'pl-finance' })
        .update({ databricks_job_verified_at: null });
      const asked: number[] = [];
      const recorder = new DatabricksScheduledRuns({
        knex,
        logger: mockServices.logger.mock(),
        organizations: () => [engineOrganization(finance)],
        source: {
          async scheduledJobRuns(_org, jobId) {
            asked.push(jobId);
            return [{ engineRunId: '101', startedAt: at }];
          },
        },
        now: () => new Date('2026-03-01T01:00:00Z'),
      });
      expect(await recorder.record()).toEqual({ recorded: 0, errors: 0 });
      expect(asked).toEqual([]);
    });

    it('lists no job for an organization without deployed pipelines', async () => {
      const finance = organization('finance', server.url);
      const calls: number[] = [];
      const recorder = new DatabricksScheduledRuns({
        knex,
        logger: mockServices.logger.mock(),
        organizations: () => [engineOrganization(finance)],
        source: {
          async scheduledJobRuns(_org, jobId) {
            calls.push(jobId);
            return [];
          },
        },
      });
      // No deployed pipeline: no job is listed.
      expect(await recorder.record()).toEqual({ recorded: 0, errors: 0 });
      expect(calls).toEqual([]);
    });
  },
);

describe('startDatabricksScheduledRuns', () => {
  const start = (organizations: ReturnType<typeof financeOrganization>[]) => {
    const scheduler = mockServices.scheduler.mock();
    const started = startDatabricksScheduledRuns({
      config: mockServices.rootConfig({
        data: {
          ingestion: { databricksScheduledRuns: { frequencyMinutes: 2 } },
        },
      }),
      logger: mockServices.logger.mock(),
      knex: {} as Knex,
      scheduler,
      organizations,
      source: { scheduledJobRuns: async () => [] },
    });
    return { scheduler, started };
  };

  it('schedules nothing when no organization has a Databricks workspace', async () => {
    const { scheduler, started } = start([financeOrganization()]);
    await expect(started).resolves.toBeUndefined();
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });

  it('schedules the recording at the configured frequency', async () => {
    const { scheduler, started } = start([
      financeOrganization({ host: 'http://127.0.0.1:9' }),
    ]);
    await expect(started).resolves.toBeInstanceOf(DatabricksScheduledRuns);
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'ingestion-databricks-scheduled-runs',
        frequency: { minutes: 2 },
      }),
    );
  });
});
