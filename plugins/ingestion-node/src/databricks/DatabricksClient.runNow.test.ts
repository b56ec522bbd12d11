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

  describe('listJobRuns', () => {
    it("reads every page of one job's runs since a time, newest first, with their triggers", async () => {
      let clock = 1_000;
      await server.stop();
      server = await DatabricksTestServer.start({ now: () => clock });
      const { client } = testClient(server);
      const { jobId } = await client.createOrUpdateJob(JOB);
      const { jobId: otherJob } = await client.createOrUpdateJob({
        ...JOB,
        name: 'finance/other',
      });
      server.fireSchedule(jobId); // at 1000: before the window
      const expected: number[] = [];
      for (let i = 0; i < 30; i++) {
        clock = 2_000 + i;
        expected.unshift(server.fireSchedule(jobId).runId);
        server.fireSchedule(otherJob);
      }
      clock = 3_000;
      const { runId: manual } = await client.runNow({
        job_id: jobId,
        idempotency_token: 'manual-1',
      });

      const runs = await client.listJobRuns(jobId, 2_000);
      expect(runs.map(r => r.run_id)).toEqual([manual, ...expected]);
      expect(runs.map(r => r.trigger)).toEqual([
        'ONE_TIME',
        ...expected.map(() => 'PERIODIC'),
      ]);
      const lists = server.requests.filter(
        r => r.path === '/api/2.2/jobs/runs/list',
      );
      // 31 runs in pages of 25: the second request carries the first's page_token.
      expect(lists.map(r => Boolean(r.query.page_token))).toEqual([
        false,
        true,
      ]);
      expect(lists[0].query).toMatchObject({
        job_id: String(jobId),
        start_time_from: '2000',
        limit: '25',
      });
    });

    it('retries rate limits, server errors and lost answers', async () => {
      const { client } = testClient(server);
      const { jobId } = await client.createOrUpdateJob(JOB);
      const fired = server.fireSchedule(jobId).runId;
      server.injectFault({
        path: '/api/2.2/jobs/runs/list',
        respond: { status: 429 },
      });
      server.injectFault({
        path: '/api/2.2/jobs/runs/list',
        respond: { status: 503 },
      });
      server.injectFault({ path: '/api/2.2/jobs/runs/list', respond: 'reset' });
      expect((await client.listJobRuns(jobId, 0)).map(r => r.run_id)).toEqual([
        fired,
      ]);
    });

    it('is refused by the server for queries the API rejects', async () => {
      const { client } = testClient(server);
      const { jobId } = await client.createOrUpdateJob(JOB);
      const get = (query: string) =>
        fetch(`${server.url}/api/2.2/jobs/runs/list?${query}`, {
          headers: { Authorization: 'Bearer dapi-test-token' },
        }).then(async r => ({ status: r.status, body: await r.json() }));
      for (const query of [
        `job_id=${jobId}&limit=26`,
        `job_id=${jobId}&active_only=true&completed_only=true`,
        'job_id=abc',
        `job_id=${jobId}&start_time_from=-1`,
        `job_id=${jobId}&run_type=NIGHTLY`,
        `job_id=${jobId}&page_token=bm9wZQ`,
      ]) {
        expect(await get(query)).toMatchObject({
          status: 400,
          body: { error_code: 'INVALID_PARAMETER_VALUE' },
        });
      }
      expect(await get(`job_id=${jobId}`)).toEqual({
        status: 200,
        body: { has_more: false },
      });
      await expect(client.listJobRuns(0, 0)).rejects.toThrow(/job id/);
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
