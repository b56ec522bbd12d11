import { DatabricksTestServer } from './DatabricksTestServer';

const TOKEN = 'secret-token';
const NOTEBOOK = '/Shared/ingestion/finance/p/v1';
const CLUSTER = {
  spark_version: '16.4.x-scala2.12',
  node_type_id: 'i3.xlarge',
  num_workers: 2,
};
const JOB = {
  name: 'finance/p',
  tasks: [
    {
      task_key: 'ingest',
      job_cluster_key: 'main',
      notebook_task: {
        notebook_path: NOTEBOOK,
        base_parameters: { watermark: '', run_id: '{{job.run_id}}' },
      },
    },
  ],
  job_clusters: [{ job_cluster_key: 'main', new_cluster: CLUSTER }],
  max_concurrent_runs: 1,
};

describe('DatabricksTestServer: jobs/run-now and the SQL Statement Execution API', () => {
  let server: DatabricksTestServer;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({
      token: TOKEN,
      warehouses: ['wh-billing'],
    });
  });

  afterEach(async () => {
    await server.stop();
  });

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(new URL(path, server.url), {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
      },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    return { status: response.status, body: await response.json() };
  }

  async function createJob(settings: object = JOB): Promise<number> {
    const { body } = await call('POST', '/api/2.2/jobs/create', settings);
    return body.job_id;
  }

  describe('jobs/run-now', () => {
    it.each([
      [{}, /job_id is required/],
      [{ job_id: 'x' }, /job_id is required/],
      [{ job_id: 1, idempotency_token: 'x'.repeat(65) }, /at most 64/],
      [
        { job_id: 1, notebook_params: { watermark: 3 } },
        /notebook_params.watermark must be a string/,
      ],
      [
        { job_id: 1, notebook_params: {}, jar_params: ['a'] },
        /notebook_params cannot be specified in conjunction with jar_params/,
      ],
      [
        { job_id: 1, job_parameters: { a: 'b' }, notebook_params: { a: 'b' } },
        /job_parameters cannot be used together with task parameters/,
      ],
      [
        { job_id: 1, notebook_params: { w: 'x'.repeat(10_001) } },
        /10,000 bytes/,
      ],
    ])('rejects %j', async (body, message) => {
      const reply = await call('POST', '/api/2.2/jobs/run-now', body);
      expect(reply.status).toBe(400);
      expect(reply.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(reply.body.message).toMatch(message);
      expect(server.runs()).toEqual([]);
    });

    it('answers a job that does not exist with 400 "does not exist"', async () => {
      const reply = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: 999,
      });
      expect(reply).toMatchObject({
        status: 400,
        body: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message: 'Job 999 does not exist.',
        },
      });
    });

    it('starts a run of the job on its job cluster, notebook_params overriding base parameters', async () => {
      const jobId = await createJob();
      const reply = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        notebook_params: { watermark: '2026-01-01', run_id: 'run-1' },
      });
      expect(reply.status).toBe(200);
      const run = server.run(reply.body.run_id)!;
      expect(run).toMatchObject({
        runType: 'JOB_RUN',
        jobId,
        lifeCycleState: 'PENDING',
      });
      expect(run.tasks[0]).toMatchObject({
        jobClusterKey: 'main',
        baseParameters: { watermark: '2026-01-01', run_id: 'run-1' },
      });
      const got = await call(
        'GET',
        `/api/2.2/jobs/runs/get?run_id=${run.runId}`,
      );
      expect(got.body).toMatchObject({
        run_type: 'JOB_RUN',
        job_id: jobId,
        job_clusters: [{ job_cluster_key: 'main', new_cluster: CLUSTER }],
        tasks: [{ job_cluster_key: 'main' }],
      });
      expect(got.body.tasks[0].new_cluster).toBeUndefined();
    });

    it('starts one run per idempotency token, shared with runs/submit', async () => {
      const jobId = await createJob();
      const first = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        idempotency_token: 'token-1',
      });
      const again = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        idempotency_token: 'token-1',
      });
      const submitted = await call('POST', '/api/2.2/jobs/runs/submit', {
        idempotency_token: 'token-1',
        tasks: [
          {
            task_key: 'ingest',
            notebook_task: { notebook_path: NOTEBOOK },
            new_cluster: CLUSTER,
          },
        ],
      });
      expect(again.body.run_id).toBe(first.body.run_id);
      expect(submitted.body.run_id).toBe(first.body.run_id);
      expect(server.runs()).toHaveLength(1);
      expect(server.runs()[0].submitCount).toBe(3);
    });

    it('queues a run beyond max_concurrent_runs when the job queues, and skips it otherwise', async () => {
      const queued = await createJob({ ...JOB, queue: { enabled: true } });
      await call('POST', '/api/2.2/jobs/run-now', { job_id: queued });
      const second = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: queued,
      });
      expect(server.run(second.body.run_id)!.lifeCycleState).toBe('QUEUED');

      const skipping = await createJob({ ...JOB, name: 'finance/q' });
      await call('POST', '/api/2.2/jobs/run-now', { job_id: skipping });
      const skipped = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: skipping,
      });
      expect(server.run(skipped.body.run_id)!.lifeCycleState).toBe('SKIPPED');
    });

    it('refuses notebook_params for a job with job-level parameters', async () => {
      const jobId = await createJob({
        ...JOB,
        parameters: [{ name: 'watermark', default: '' }],
      });
      const reply = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        notebook_params: { watermark: 'x' },
      });
      expect(reply.status).toBe(400);
      const ok = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        job_parameters: { watermark: 'x' },
      });
      expect(
        server.run(ok.body.run_id)!.tasks[0].baseParameters.watermark,
      ).toBe('x');
    });

    it('injects faults after the run started: the retried token finds it', async () => {
      const jobId = await createJob();
      server.injectFault({
        path: '/api/2.2/jobs/run-now',
        when: 'after',
        respond: { status: 503 },
      });
      const lost = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        idempotency_token: 't',
      });
      expect(lost.status).toBe(503);
      expect(server.runs()).toHaveLength(1);
      const retried = await call('POST', '/api/2.2/jobs/run-now', {
        job_id: jobId,
        idempotency_token: 't',
      });
      expect(retried.body.run_id).toBe(server.runs()[0].runId);
    });
  });

  describe('SQL statements', () => {
    const billing = (
      params: Array<{ name: string; value?: string; type?: string }>,
    ) => ({
      warehouse_id: 'wh-billing',
      statement:
        'SELECT SUM(usage_quantity) AS dbus, COUNT(*) AS records FROM system.billing.usage WHERE usage_metadata.job_run_id = :job_run_id',
      parameters: params,
    });

    it.each([
      [{ warehouse_id: 'wh-billing' }, /statement is required/],
      [{ statement: 'SELECT 1' }, /warehouse_id is required/],
      [
        { ...billing([]), wait_timeout: '3s' },
        /wait_timeout must be 0s or between 5s and 50s/,
      ],
      [{ ...billing([]), wait_timeout: '51s' }, /wait_timeout/],
      [{ ...billing([]), on_wait_timeout: 'WAIT' }, /on_wait_timeout/],
      [{ ...billing([]), format: 'CSV' }, /supported only with EXTERNAL_LINKS/],
      [
        { ...billing([]), parameters: [{ value: '1' }] },
        /parameters\[0\].name is required/,
      ],
      [
        { ...billing([]), parameters: [{ name: 'a', value: 1 }] },
        /parameters\[0\].value must be a string or null/,
      ],
      [
        {
          warehouse_id: 'wh-billing',
          statement: 'SELECT * FROM t WHERE id = ?',
        },
        /positional/,
      ],
    ])('rejects %j with 400', async (body, message) => {
      const reply = await call('POST', '/api/2.0/sql/statements', body);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(message);
    });

    it('answers an unknown warehouse with 404', async () => {
      const reply = await call('POST', '/api/2.0/sql/statements', {
        ...billing([{ name: 'job_run_id', value: '1' }]),
        warehouse_id: 'wh-other',
      });
      expect(reply).toMatchObject({
        status: 404,
        body: { error_code: 'RESOURCE_DOES_NOT_EXIST' },
      });
    });

    it('sums billing usage for the bound job run, within the wait', async () => {
      server.addBillingUsage(
        { jobRunId: 1001, dbus: 1.25 },
        { jobRunId: 1001, dbus: 0.5 },
        { jobRunId: 1002, dbus: 9 },
      );
      const reply = await call(
        'POST',
        '/api/2.0/sql/statements',
        billing([{ name: 'job_run_id', value: '1001' }]),
      );
      expect(reply.body).toMatchObject({
        status: { state: 'SUCCEEDED' },
        manifest: {
          format: 'JSON_ARRAY',
          schema: { columns: [{ name: 'dbus' }, { name: 'records' }] },
        },
        result: { data_array: [['1.75', '2']] },
      });
    });

    it('goes PENDING → RUNNING → SUCCEEDED over polls when asked not to wait', async () => {
      await server.stop();
      server = await DatabricksTestServer.start({
        token: TOKEN,
        statementLatency: 1,
      });
      const started = await call('POST', '/api/2.0/sql/statements', {
        ...billing([{ name: 'job_run_id', value: '7' }]),
        wait_timeout: '0s',
      });
      expect(started.body.status.state).toBe('PENDING');
      const id = started.body.statement_id;
      const states: string[] = [];
      for (let i = 0; i < 2; i++) {
        states.push(
          (await call('GET', `/api/2.0/sql/statements/${id}`)).body.status
            .state,
        );
      }
      expect(states).toEqual(['RUNNING', 'SUCCEEDED']);
      expect(
        (await call('GET', `/api/2.0/sql/statements/${id}`)).body.result,
      ).toEqual({
        chunk_index: 0,
        row_offset: 0,
        row_count: 1,
        data_array: [[null, '0']],
      });
    });

    it('cancels a running statement, and CANCEL on wait timeout cancels it', async () => {
      await server.stop();
      server = await DatabricksTestServer.start({
        token: TOKEN,
        statementLatency: 5,
      });
      const running = await call('POST', '/api/2.0/sql/statements', {
        ...billing([{ name: 'job_run_id', value: '7' }]),
        wait_timeout: '0s',
      });
      const id = running.body.statement_id;
      expect(
        (await call('POST', `/api/2.0/sql/statements/${id}/cancel`)).status,
      ).toBe(200);
      expect(
        (await call('GET', `/api/2.0/sql/statements/${id}`)).body.status.state,
      ).toBe('CANCELED');
      const timedOut = await call('POST', '/api/2.0/sql/statements', {
        ...billing([{ name: 'job_run_id', value: '7' }]),
        wait_timeout: '5s',
        on_wait_timeout: 'CANCEL',
      });
      expect(timedOut.body.status.state).toBe('CANCELED');
    });

    it('fails a statement with an unbound marker or an injected failure', async () => {
      const unbound = await call(
        'POST',
        '/api/2.0/sql/statements',
        billing([]),
      );
      expect(unbound.body.status).toEqual({
        state: 'FAILED',
        error: {
          error_code: 'BAD_REQUEST',
          message: expect.stringContaining('UNBOUND_SQL_PARAMETER'),
        },
      });
      server.failNextStatement({ message: 'Warehouse is stopping' });
      const failed = await call(
        'POST',
        '/api/2.0/sql/statements',
        billing([{ name: 'job_run_id', value: '1' }]),
      );
      expect(failed.body.status).toMatchObject({
        state: 'FAILED',
        error: { message: 'Warehouse is stopping' },
      });
      expect(failed.body.result).toBeUndefined();
    });

    it('filters billing by workspace and date when those are bound', async () => {
      server.addBillingUsage(
        { jobRunId: 5, dbus: 1, workspaceId: 'ws-a', usageDate: '2026-01-02' },
        { jobRunId: 5, dbus: 2, workspaceId: 'ws-b', usageDate: '2026-01-02' },
        { jobRunId: 5, dbus: 4, workspaceId: 'ws-a', usageDate: '2025-12-31' },
      );
      const reply = await call('POST', '/api/2.0/sql/statements', {
        warehouse_id: 'wh-billing',
        statement:
          'SELECT SUM(usage_quantity), COUNT(*) FROM system.billing.usage WHERE usage_metadata.job_run_id = :job_run_id AND workspace_id = :workspace_id AND usage_date >= :from_date',
        parameters: [
          { name: 'job_run_id', value: '5' },
          { name: 'workspace_id', value: 'ws-a' },
          { name: 'from_date', value: '2026-01-01', type: 'DATE' },
        ],
      });
      expect(reply.body.result.data_array).toEqual([['1', '1']]);
    });

    it('answers an unknown statement id with 404 and injects faults by path prefix', async () => {
      expect((await call('GET', '/api/2.0/sql/statements/nope')).status).toBe(
        404,
      );
      server.injectFault({
        path: '/api/2.0/sql/statements/*',
        respond: { status: 503 },
      });
      expect((await call('GET', '/api/2.0/sql/statements/nope')).status).toBe(
        503,
      );
    });
  });
});
