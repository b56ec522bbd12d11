import { DatabricksTestServer } from './testServer';
import { testClient } from './__testUtils__/fixtures';

const NOTEBOOK_PATH = '/Shared/ingestion/finance/daily-transactions/v3';
const CLUSTER = {
  spark_version: '16.4.x-scala2.12',
  node_type_id: 'i3.xlarge',
  num_workers: 2,
};
const JOB = {
  name: 'finance/daily-transactions',
  tasks: [
    {
      task_key: 'ingest',
      job_cluster_key: 'ingestion_cluster',
      notebook_task: {
        notebook_path: NOTEBOOK_PATH,
        base_parameters: { watermark: '', run_id: '{{job.run_id}}' },
      },
    },
  ],
  job_clusters: [
    { job_cluster_key: 'ingestion_cluster', new_cluster: CLUSTER },
  ],
};
const BILLING_SQL =
  'SELECT SUM(usage_quantity) AS dbus, COUNT(*) AS records FROM system.billing.usage WHERE usage_metadata.job_run_id = :job_run_id';

describe('DatabricksClient: run-now and SQL statements', () => {
  let server: DatabricksTestServer;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({ warehouses: ['wh-1'] });
  });

  afterEach(async () => {
    await server.stop();
  });

  describe('runNow', () => {
    it('requires an idempotency token and sends nothing without one', async () => {
      const { client } = testClient(server);
      await expect(client.runNow({ job_id: 1 })).rejects.toThrow(
        /idempotency_token of 1 to 64 characters/,
      );
      await expect(
        client.runNow({ job_id: 1, idempotency_token: 'x'.repeat(65) }),
      ).rejects.toThrow(/idempotency_token/);
      expect(server.requests).toEqual([]);
    });

    it('retries a lost answer with the same token: one run', async () => {
      const { client } = testClient(server);
      const { jobId } = await client.createOrUpdateJob(JOB);
      server.injectFault({
        path: '/api/2.2/jobs/run-now',
        when: 'after',
        respond: 'reset',
      });
      server.injectFault({
        path: '/api/2.2/jobs/run-now',
        when: 'after',
        respond: { status: 503 },
      });
      server.rateLimit({ path: '/api/2.2/jobs/run-now', retryAfterSeconds: 2 });
      const { runId } = await client.runNow({
        job_id: jobId,
        idempotency_token: 'run-1',
        notebook_params: { watermark: 'w', run_id: 'run-1' },
      });
      expect(server.runs()).toHaveLength(1);
      expect(server.run(runId)).toMatchObject({
        jobId,
        submitCount: 3,
        tasks: [{ baseParameters: { watermark: 'w', run_id: 'run-1' } }],
      });
    });

    it('reports a deleted job as not found', async () => {
      const { client } = testClient(server);
      await expect(
        client.runNow({ job_id: 4242, idempotency_token: 't' }),
      ).rejects.toMatchObject({ isNotFound: true, retryable: false });
    });
  });

  describe('executeStatement', () => {
    it('returns the rows of a statement that finishes within the wait', async () => {
      server.addBillingUsage({ jobRunId: 1001, dbus: 2.5 });
      const { client, sleeps } = testClient(server);
      await expect(
        client.executeStatement({
          warehouseId: 'wh-1',
          statement: BILLING_SQL,
          parameters: [{ name: 'job_run_id', value: '1001' }],
        }),
      ).resolves.toMatchObject({
        columns: ['dbus', 'records'],
        rows: [['2.5', '1']],
      });
      expect(sleeps).toEqual([]);
      expect(server.requests.map(r => r.body)).toEqual([
        expect.objectContaining({
          wait_timeout: '10s',
          on_wait_timeout: 'CONTINUE',
          disposition: 'INLINE',
          format: 'JSON_ARRAY',
          parameters: [{ name: 'job_run_id', value: '1001' }],
        }),
      ]);
    });

    it('polls a statement until it succeeds, through faults on the polls', async () => {
      await server.stop();
      server = await DatabricksTestServer.start({ statementLatency: 2 });
      server.addBillingUsage({ jobRunId: 7, dbus: 1 });
      server.injectFault({
        path: '/api/2.0/sql/statements/*',
        method: 'GET',
        respond: { status: 503 },
      });
      const { client, sleeps } = testClient(server);
      const result = await client.executeStatement({
        warehouseId: 'wh-1',
        statement: BILLING_SQL,
        parameters: [{ name: 'job_run_id', value: '7' }],
        waitTimeoutSeconds: 0,
        pollIntervalMs: 5,
      });
      expect(result.rows).toEqual([['1', '1']]);
      expect(server.statements()[0].state).toBe('SUCCEEDED');
      // Three polls (RUNNING, RUNNING, SUCCEEDED) and one backoff for the 503.
      expect(sleeps.filter(ms => ms === 5)).toHaveLength(3);
    });

    it('throws the error of a FAILED statement', async () => {
      server.failNextStatement({
        errorCode: 'BAD_REQUEST',
        message: '[TABLE_OR_VIEW_NOT_FOUND] system.billing.usage',
      });
      const { client } = testClient(server);
      await expect(
        client.executeStatement({
          warehouseId: 'wh-1',
          statement: BILLING_SQL,
          parameters: [{ name: 'job_run_id', value: '1' }],
        }),
      ).rejects.toThrow(
        /ended FAILED: BAD_REQUEST: \[TABLE_OR_VIEW_NOT_FOUND\]/,
      );
    });

    it('cancels a statement that outlives its time limit', async () => {
      await server.stop();
      server = await DatabricksTestServer.start({ statementLatency: 1000 });
      const { client } = testClient(server);
      await expect(
        client.executeStatement({
          warehouseId: 'wh-1',
          statement: BILLING_SQL,
          parameters: [{ name: 'job_run_id', value: '1' }],
          waitTimeoutSeconds: 0,
          timeoutMs: 0,
        }),
      ).rejects.toThrow(/did not finish in time and was cancelled/);
      expect(server.statements()[0].state).toBe('CANCELED');
    });

    it('names an unknown warehouse', async () => {
      const { client } = testClient(server);
      await expect(
        client.executeStatement({
          warehouseId: 'wh-missing',
          statement: BILLING_SQL,
          parameters: [{ name: 'job_run_id', value: '1' }],
        }),
      ).rejects.toMatchObject({
        statusCode: 404,
        message: expect.stringContaining(
          'SQL warehouse wh-missing does not exist',
        ),
      });
    });
  });
});
