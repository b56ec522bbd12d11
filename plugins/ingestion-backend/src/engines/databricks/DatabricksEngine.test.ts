import { mockServices } from '@backstage/backend-test-utils';
import {
  DatabricksApiError,
  DatabricksClient,
  DatabricksTestServer,
  deriveIdempotencyToken,
  type EngineRunContext,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { DatabricksEngine } from './DatabricksEngine';
import {
  engineRunContext,
  financeOrganization,
  NOTEBOOK_PATH,
  TOKEN,
} from './__testUtils__/engineContext';

function summary(overrides: Record<string, unknown> = {}) {
  return {
    organization: 'finance',
    pipeline_id: 'pl-7f3a2c',
    pipeline_version: '3',
    run_id: 'run-1',
    status: 'succeeded',
    rows_read: 1000,
    rows_written: 990,
    quality: [
      {
        rule: 'completeness(customer_id, amount)',
        kind: 'completeness',
        severity: 'fail',
        passed: true,
        total: 1000,
        failed: 10,
        pass_rate: 0.99,
        threshold: 0.95,
      },
      {
        rule: 'row_count',
        kind: 'row_count',
        severity: 'warn',
        passed: true,
        total: 990,
        min: 1,
        max: null,
      },
    ],
    watermark: '2026-11-24T23:59:00',
    ...overrides,
  };
}

describe('DatabricksEngine', () => {
  let server: DatabricksTestServer;
  let logs: Array<{ level: string; message: string }>;
  let engine: DatabricksEngine;
  const logger = mockServices.logger.mock();

  beforeEach(async () => {
    server = await DatabricksTestServer.start({ token: TOKEN });
    logs = [];
    engine = new DatabricksEngine({
      logger,
      client: {
        sleep: async () => {},
        random: () => 0,
        requestTimeoutMs: 2000,
      },
    });
  });

  afterEach(async () => {
    await server.stop();
  });

  function context(
    run: Partial<EngineRunContext['run']> = {},
    databricks = true,
  ): EngineRunContext {
    return engineRunContext({
      organization: financeOrganization(
        databricks ? { host: server.url } : undefined,
      ),
      logs,
      run,
    });
  }

  async function submitted(run: Partial<EngineRunContext['run']> = {}) {
    const ctx = context(run);
    const { engineRunId } = await engine.submit(ctx);
    return { ctx, engineRunId, runId: Number(engineRunId) };
  }

  describe('submit', () => {
    it('imports the notebook for the version and submits it on the generated job cluster', async () => {
      const { engineRunId, runId } = await submitted();
      expect(engineRunId).toMatch(/^\d+$/);
      expect(server.notebook(NOTEBOOK_PATH)?.content).toMatch(
        /^# Databricks notebook source\n/,
      );

      const run = server.run(runId)!;
      expect(run.idempotencyToken).toBe(deriveIdempotencyToken('run-1'));
      expect(run.request.run_name).toBe(
        'finance/daily-transactions (run run-1)',
      );
      expect(run.tasks).toEqual([
        expect.objectContaining({
          notebookPath: NOTEBOOK_PATH,
          baseParameters: {
            watermark: '2026-11-23T23:59:00',
            full_refresh: '',
            run_id: 'run-1',
          },
          newCluster: expect.objectContaining({
            node_type_id: 'i3.xlarge',
            autoscale: { min_workers: 2, max_workers: 10 },
            policy_id: 'E0631F5C0D000123',
            custom_tags: expect.objectContaining({
              Organization: 'finance',
              CostCenter: 'FIN-001',
            }),
          }),
        }),
      ]);
      expect(logs).toEqual([
        {
          level: 'info',
          message: `Submitted Databricks run ${runId} of notebook ${NOTEBOOK_PATH} to ${server.url}`,
        },
      ]);
    });

    it('never starts a second run: neither when the submit answer is lost nor when submit is called again', async () => {
      server.injectFault({
        path: '/api/2.2/jobs/runs/submit',
        when: 'after',
        respond: { status: 500 },
      });
      server.injectFault({
        path: '/api/2.2/jobs/runs/submit',
        when: 'after',
        respond: 'reset',
      });
      const first = await submitted();
      const again = await engine.submit(context());
      expect(again.engineRunId).toBe(first.engineRunId);
      expect(server.runs()).toHaveLength(1);
      expect(server.run(first.runId)?.submitCount).toBe(4);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Databricks POST \/api\/2\.2\/jobs\/runs\/submit for organization finance failed \(attempt 1\)/,
        ),
      );
    });

    it('starts a new run for a new attempt, which gets its own token', async () => {
      const first = await submitted();
      const second = await submitted({
        attempt: 2,
        idempotencyToken: deriveIdempotencyToken('run-1#2'),
      });
      expect(second.runId).not.toBe(first.runId);
      expect(server.run(second.runId)?.request.run_name).toBe(
        'finance/daily-transactions (run run-1), attempt 2',
      );
      // Same ingestion run id: the notebook's commit guard keeps the write exactly-once.
      expect(server.run(second.runId)?.tasks[0].baseParameters.run_id).toBe(
        'run-1',
      );
    });

    it('sends an empty watermark for a full load and shortens over-long tokens', async () => {
      const { runId } = await submitted({
        watermarkIn: undefined,
        idempotencyToken: 'x'.repeat(100),
      });
      const run = server.run(runId)!;
      expect(run.tasks[0].baseParameters.watermark).toBe('');
      // Read every row: not from the mark of the target's last commit, which only the job's
      // own schedule follows.
      expect(run.tasks[0].baseParameters.full_refresh).toBe('true');
      expect(run.idempotencyToken).toMatch(/^[0-9a-f]{64}$/);
    });

    it('needs a Databricks workspace for the organization', async () => {
      await expect(engine.submit(context({}, false))).rejects.toThrow(
        'Organization "finance" has no Databricks workspace configured (ingestion.organizations[].databricks)',
      );
    });

    it('reports rejected credentials without the token', async () => {
      const ctx = context();
      ctx.organization.databricks!.token =
        'dapiffffffffffffffffffffffffffffffff';
      const error = await engine.submit(ctx).catch(e => e);
      expect(error).toBeInstanceOf(DatabricksApiError);
      expect(error.message).toMatch(
        /^Databricks rejected the credentials for http:\/\/127\.0\.0\.1:\d+ \(403/,
      );
      expect(
        JSON.stringify({ message: error.message, stack: error.stack }),
      ).not.toMatch(/dapif{32}/);
    });
  });

  describe('poll', () => {
    it('reports pending and running with the Databricks state message', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'pending',
        message: 'Waiting for cluster',
      });
      server.startRun(runId);
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'running',
      });
    });

    it('reads the notebook summary of a successful run, with estimated DBUs', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      server.finishRun(runId, {
        notebookResult: summary(),
        durations: { setupMs: 120_000, executionMs: 480_000, cleanupMs: 0 },
      });
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'succeeded',
        result: {
          rowsRead: 1000,
          rowsWritten: 990,
          bytesWritten: 0,
          // i3.xlarge driver (1 DBU/h) + 6 workers (midpoint of 2–10) × 1 DBU/h, for 10 minutes.
          dbus: 1.1667,
          watermarkOut: '2026-11-24T23:59:00',
          quality: [
            expect.objectContaining({
              ruleIndex: 0,
              ruleType: 'completeness',
              columns: ['customer_id', 'amount'],
              observed: 0.99,
              threshold: 0.95,
              failedRows: 10,
              passed: true,
            }),
            expect.objectContaining({
              ruleIndex: 1,
              ruleType: 'row_count',
              observed: 990,
              passed: true,
            }),
          ],
          tables: [
            {
              format: 'iceberg',
              catalogName: 'finance_catalog',
              namespace: 'analytics',
              tableName: 'daily_transactions',
            },
          ],
        },
      });
    });

    it('maps a notebook stopped by a fail rule to quality_failed', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      const failed = summary({
        status: 'quality_failed',
        rows_written: 0,
        watermark: '2026-11-23T23:59:00',
        quality: [
          {
            ...summary().quality[0],
            passed: false,
            pass_rate: 0.8,
            failed: 200,
          },
          summary().quality[1],
        ],
      });
      server.finishRun(runId, {
        resultState: 'FAILED',
        error: `QualityFailure: ${JSON.stringify(failed)}`,
        errorTrace: `---------------------------------------------------------------------------\nQualityFailure                            Traceback (most recent call last)\n...`,
        durations: { setupMs: 60_000, executionMs: 60_000 },
      });
      const state = await engine.poll(ctx, engineRunId);
      expect(state).toMatchObject({
        state: 'quality_failed',
        message:
          'Quality rules failed, nothing was written: completeness(customer_id, amount) (fail)',
        result: {
          rowsRead: 1000,
          rowsWritten: 0,
          tables: [],
          quality: [
            expect.objectContaining({
              passed: false,
              observed: 0.8,
              failedRows: 200,
            }),
            expect.anything(),
          ],
        },
      });
      expect(
        state.state === 'quality_failed' && state.result.watermarkOut,
      ).toBeUndefined();
      expect(
        state.state === 'quality_failed' && state.result.dbus,
      ).toBeGreaterThan(0);
    });

    it('reports a failing notebook with its error, not to be retried', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      server.finishRun(runId, {
        resultState: 'FAILED',
        error:
          'Py4JJavaError: An error occurred while calling o123.load: java.sql.SQLException: Access denied',
      });
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'failed',
        message: `Databricks run ${runId} failed (${server.url}/jobs/runs/${runId}): Py4JJavaError: An error occurred while calling o123.load: java.sql.SQLException: Access denied`,
        retryable: false,
      });
    });

    it('reports an internal error as retryable, unless the notebook was missing', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      server.failRunInternally(runId);
      await expect(engine.poll(ctx, engineRunId)).resolves.toMatchObject({
        state: 'failed',
        message: expect.stringContaining('ended with an internal error'),
        retryable: true,
      });

      // A run of a notebook that was never imported.
      const client = new DatabricksClient({ host: server.url, token: TOKEN });
      const run = server.run(runId)!;
      const { runId: orphan } = await client.submitRun({
        ...(run.request as object),
        idempotency_token: 'orphan',
        tasks: [
          {
            task_key: 'ingest',
            notebook_task: {
              notebook_path: '/Shared/ingestion/finance/nowhere/v1',
            },
            new_cluster: run.tasks[0].newCluster as never,
          },
        ],
      });
      server.startRun(orphan);
      await expect(engine.poll(ctx, String(orphan))).resolves.toMatchObject({
        state: 'failed',
        message: expect.stringContaining(
          'Unable to access the notebook "/Shared/ingestion/finance/nowhere/v1"',
        ),
        retryable: false,
      });
    });

    it('reports a timed-out run as failed', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      server.finishRun(runId, { resultState: 'TIMEDOUT' });
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'failed',
        message: `Databricks run ${runId} timed out (${server.url}/jobs/runs/${runId}): Run timed out`,
        retryable: false,
      });
    });

    it('reports runs Databricks does not know as unknown', async () => {
      const ctx = context();
      await expect(engine.poll(ctx, '987654')).resolves.toEqual({
        state: 'unknown',
      });
      await expect(engine.poll(ctx, 'local-1')).resolves.toEqual({
        state: 'unknown',
      });
    });

    it('succeeds without a summary when the notebook returned none, and says so', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      server.finishRun(runId, { notebookResult: 'done' });
      await expect(engine.poll(ctx, engineRunId)).resolves.toMatchObject({
        state: 'succeeded',
        result: { rowsRead: 0, rowsWritten: 0, quality: [], tables: [] },
      });
      expect(logs.at(-1)).toEqual({
        level: 'warn',
        message: expect.stringContaining(
          'succeeded but its summary is unreadable: The notebook result is not JSON',
        ),
      });
    });

    it('lets transport failures through once the retries are spent, for the run driver to poll again', async () => {
      const { ctx, engineRunId } = await submitted();
      server.injectFault({
        path: '/api/2.2/jobs/runs/get',
        times: 10,
        respond: { status: 503 },
      });
      await expect(engine.poll(ctx, engineRunId)).rejects.toMatchObject({
        name: 'DatabricksApiError',
        statusCode: 503,
        retryable: true,
      });
    });
  });

  describe('cancel', () => {
    it('cancels the run; polls see it running until it is terminated', async () => {
      const { ctx, engineRunId, runId } = await submitted();
      server.startRun(runId);
      await engine.cancel(ctx, engineRunId);
      expect(server.run(runId)?.lifeCycleState).toBe('TERMINATING');
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'running',
        message: 'Run cancellation requested.',
      });
      await expect(engine.poll(ctx, engineRunId)).resolves.toEqual({
        state: 'cancelled',
        message: 'Run cancelled.',
      });
      expect(logs.at(-1)).toEqual({
        level: 'info',
        message: `Requested cancellation of Databricks run ${runId}`,
      });
    });

    it('ignores runs that do not exist', async () => {
      await expect(engine.cancel(context(), '424242')).resolves.toBeUndefined();
      await expect(engine.cancel(context(), 'nope')).resolves.toBeUndefined();
    });
  });
});
