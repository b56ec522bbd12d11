import { mockServices } from '@backstage/backend-test-utils';
import {
  DatabricksClient,
  DatabricksTestServer,
  deployJob,
  deriveIdempotencyToken,
  type EngineRunContext,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { withPiiMasking } from '@ingestion-for-backstage/plugin-ingestion-common';
import { billedDbusStatement, DatabricksEngine } from './DatabricksEngine';
import type { DatabricksDeployment } from './deployments';
import {
  batchSpec,
  engineRunContext,
  financeOrganization,
  NOTEBOOK_PATH,
  PIPELINE,
  TOKEN,
} from './__testUtils__/engineContext';

describe('DatabricksEngine: deployed jobs and billed DBUs', () => {
  let server: DatabricksTestServer;
  let logs: Array<{ level: string; message: string }>;
  let deployment: DatabricksDeployment | undefined;
  let lookups: Array<[string, string]>;
  let engine: DatabricksEngine;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({
      token: TOKEN,
      warehouses: ['wh-billing'],
    });
    logs = [];
    lookups = [];
    deployment = undefined;
    engine = new DatabricksEngine({
      logger: mockServices.logger.mock(),
      client: { sleep: async () => {}, random: () => 0 },
      deployments: {
        deployedJob: async (organizationId, pipelineId) => {
          lookups.push([organizationId, pipelineId]);
          return deployment;
        },
        markVerified: async () => {
          throw new Error('verified deployments are not verified again');
        },
      },
    });
  });

  afterEach(async () => {
    await server.stop();
  });

  function context(
    run: Partial<EngineRunContext['run']> = {},
    databricks: { billingWarehouseId?: string; workspaceId?: string } = {},
  ) {
    return engineRunContext({
      organization: financeOrganization({ host: server.url, ...databricks }),
      logs,
      run,
    });
  }

  /** Deploys version `version` of the pipeline as a job, the way the deploy action does. */
  async function deploy(version = PIPELINE.version): Promise<number> {
    const { jobId } = await deployJob(
      financeOrganization({ host: server.url }),
      { ...PIPELINE, version },
      batchSpec(),
    );
    server.requests.length = 0;
    return jobId;
  }

  const paths = () => server.requests.map(r => `${r.method} ${r.path}`);

  describe('submit', () => {
    it('starts the deployed job with run-now, passing the watermark and run id', async () => {
      const jobId = await deploy();
      deployment = { jobId, version: PIPELINE.version, verified: true };
      const { engineRunId } = await engine.submit(context());

      expect(lookups).toEqual([['finance', PIPELINE.id]]);
      expect(paths()).toEqual([
        'POST /api/2.0/workspace/mkdirs',
        'POST /api/2.0/workspace/import',
        'POST /api/2.2/jobs/run-now',
      ]);
      expect(server.requests[2].body).toEqual({
        job_id: jobId,
        idempotency_token: deriveIdempotencyToken('run-1'),
        notebook_params: {
          watermark: '2026-11-23T23:59:00',
          full_refresh: '',
          run_id: 'run-1',
        },
      });
      const run = server.run(Number(engineRunId))!;
      expect(run).toMatchObject({ runType: 'JOB_RUN', jobId });
      expect(run.tasks[0]).toMatchObject({
        notebookPath: NOTEBOOK_PATH,
        jobClusterKey: 'ingestion_cluster',
        baseParameters: { watermark: '2026-11-23T23:59:00', run_id: 'run-1' },
      });
      expect(logs).toEqual([
        {
          level: 'info',
          message: `Started Databricks run ${engineRunId} of job ${jobId} (${server.url}/jobs/${jobId})`,
        },
      ]);
    });

    it('starts the job as a full refresh when the run has no watermark', async () => {
      const jobId = await deploy();
      deployment = { jobId, version: PIPELINE.version, verified: true };
      await engine.submit(context({ watermarkIn: undefined }));
      expect(server.requests.at(-1)!.body).toMatchObject({
        job_id: jobId,
        notebook_params: {
          watermark: '',
          full_refresh: 'true',
          run_id: 'run-1',
        },
      });
    });

    it('never starts a second run of the job for one attempt, even when answers are lost', async () => {
      const jobId = await deploy();
      deployment = { jobId, version: PIPELINE.version, verified: true };
      server.injectFault({
        path: '/api/2.2/jobs/run-now',
        when: 'after',
        respond: { status: 503 },
      });
      const first = await engine.submit(context());
      const again = await engine.submit(context());
      expect(again.engineRunId).toBe(first.engineRunId);
      expect(server.runs()).toHaveLength(1);
      const retry = await engine.submit(
        context({
          attempt: 2,
          idempotencyToken: deriveIdempotencyToken('run-1#2'),
        }),
      );
      expect(retry.engineRunId).not.toBe(first.engineRunId);
    });

    it('submits a one-off run when the job runs another version', async () => {
      deployment = { jobId: await deploy(2), version: 2, verified: true };
      const { engineRunId } = await engine.submit(context());
      expect(paths()).toContain('POST /api/2.2/jobs/runs/submit');
      expect(paths()).not.toContain('POST /api/2.2/jobs/run-now');
      expect(server.run(Number(engineRunId))!.runType).toBe('SUBMIT_RUN');
      expect(logs[0]).toEqual({
        level: 'info',
        message: `Pipeline is deployed as job ${deployment.jobId} at version 2; version 3 runs as a one-off run`,
      });
    });

    it("runs the job on this run's effective spec: PII masks known since the deployment included", async () => {
      const jobId = await deploy();
      deployment = { jobId, version: PIPELINE.version, verified: true };
      expect(server.notebook(NOTEBOOK_PATH)?.content).not.toContain('F.sha2(');
      const masked = context();
      masked.organization = { ...masked.organization, environment: 'staging' };
      masked.spec = withPiiMasking(masked.spec, 'staging', {
        customer_id: ['email'],
      }).spec;
      const { engineRunId } = await engine.submit(masked);
      expect(paths()).toEqual([
        'POST /api/2.0/workspace/mkdirs',
        'POST /api/2.0/workspace/import',
        'POST /api/2.2/jobs/run-now',
      ]);
      const run = server.run(Number(engineRunId))!;
      expect(run).toMatchObject({ runType: 'JOB_RUN', jobId });
      expect(run.tasks[0].notebookPath).toBe(NOTEBOOK_PATH);
      expect(server.notebook(NOTEBOOK_PATH)?.content).toContain(
        'F.sha2(F.col("customer_id").cast("string"), 256)',
      );
    });

    it('submits a one-off run when the deployed job was deleted in the workspace', async () => {
      deployment = { jobId: 4242, version: PIPELINE.version, verified: true };
      const { engineRunId } = await engine.submit(context());
      expect(paths().slice(-2)).toEqual([
        'POST /api/2.2/jobs/run-now',
        'POST /api/2.2/jobs/runs/submit',
      ]);
      expect(server.run(Number(engineRunId))!.runType).toBe('SUBMIT_RUN');
      expect(logs[0]).toMatchObject({
        level: 'warn',
        message: expect.stringContaining('Deployed job 4242 no longer exists'),
      });
    });

    it('does not fall back to a one-off run when run-now fails otherwise', async () => {
      const jobId = await deploy();
      deployment = { jobId, version: PIPELINE.version, verified: true };
      server.injectFault({
        path: '/api/2.2/jobs/run-now',
        times: 10,
        respond: { status: 503 },
      });
      await expect(engine.submit(context())).rejects.toMatchObject({
        statusCode: 503,
      });
      expect(paths()).not.toContain('POST /api/2.2/jobs/runs/submit');
      expect(server.runs()).toEqual([]);
    });
  });

  describe('poll of a job run', () => {
    it('estimates DBUs from the job cluster the run names', async () => {
      const jobId = await deploy();
      deployment = { jobId, version: PIPELINE.version, verified: true };
      // Someone resized the job in the workspace: the run uses the job's cluster, not the generated one.
      const client = new DatabricksClient({ host: server.url, token: TOKEN });
      const job = (await client.getJob(jobId))!;
      const [cluster] = job.settings!.job_clusters!;
      const { autoscale, ...fixed } = cluster.new_cluster;
      await client.createOrUpdateJob(
        {
          ...job.settings,
          job_clusters: [
            { ...cluster, new_cluster: { ...fixed, num_workers: 2 } },
          ],
        },
        { jobId },
      );
      const ctx = context();
      const { engineRunId } = await engine.submit(ctx);
      server.finishRun(Number(engineRunId), {
        notebookResult: {
          status: 'succeeded',
          rows_read: 10,
          rows_written: 10,
          quality: [],
          watermark: '2026-11-24T00:00:00',
        },
        durations: { setupMs: 120_000, executionMs: 480_000 },
      });
      const state = await engine.poll(ctx, engineRunId);
      // i3.xlarge driver (1 DBU/h) + 2 workers × 1 DBU/h, for 10 minutes.
      expect(state).toMatchObject({
        state: 'succeeded',
        result: { dbus: 0.5, watermarkOut: '2026-11-24T00:00:00' },
      });
    });
  });

  describe('billedDbus', () => {
    const since = new Date('2026-11-24T10:00:00Z');

    it('reads nothing without a billing warehouse', async () => {
      server.addBillingUsage({ jobRunId: 1001, dbus: 3 });
      await expect(
        engine.billedDbus(context().organization, '1001', since),
      ).resolves.toBeUndefined();
      expect(server.requests).toEqual([]);
    });

    it('sums the run’s DBU records with bound parameters, never in the SQL text', async () => {
      server.addBillingUsage(
        { jobRunId: 1001, dbus: 1.23456, usageDate: '2026-11-24' },
        { jobRunId: 1001, dbus: 2, usageDate: '2026-11-25' },
        { jobRunId: 1001, dbus: 50, usageDate: '2026-11-01' },
        { jobRunId: 1002, dbus: 7, usageDate: '2026-11-24' },
      );
      const organization = context(
        {},
        { billingWarehouseId: 'wh-billing' },
      ).organization;
      await expect(
        engine.billedDbus(organization, '1001', since),
      ).resolves.toBe(3.2346);
      const [statement] = server.statements();
      expect(statement).toMatchObject({
        warehouseId: 'wh-billing',
        statement: billedDbusStatement(false),
        parameters: [
          { name: 'job_run_id', value: '1001' },
          { name: 'from_date', value: '2026-11-24', type: 'DATE' },
        ],
      });
      expect(statement.statement).not.toContain('1001');
    });

    it('counts only the organization’s workspace when its id is configured', async () => {
      server.addBillingUsage(
        { jobRunId: 1001, dbus: 1, workspaceId: 'ws-finance' },
        { jobRunId: 1001, dbus: 5, workspaceId: 'ws-retail' },
      );
      const organization = context(
        {},
        { billingWarehouseId: 'wh-billing', workspaceId: 'ws-finance' },
      ).organization;
      await expect(
        engine.billedDbus(organization, '1001', new Date()),
      ).resolves.toBe(1);
    });

    it('is undefined while billing has no record of the run', async () => {
      const organization = context(
        {},
        { billingWarehouseId: 'wh-billing' },
      ).organization;
      await expect(
        engine.billedDbus(organization, '1001', since),
      ).resolves.toBeUndefined();
      await expect(
        engine.billedDbus(organization, 'not-a-run', since),
      ).resolves.toBeUndefined();
    });

    it('throws when the statement fails', async () => {
      server.failNextStatement({ message: 'Warehouse stopped' });
      const organization = context(
        {},
        { billingWarehouseId: 'wh-billing' },
      ).organization;
      await expect(
        engine.billedDbus(organization, '1001', since),
      ).rejects.toThrow(/FAILED: INTERNAL_ERROR: Warehouse stopped/);
    });
  });
});
