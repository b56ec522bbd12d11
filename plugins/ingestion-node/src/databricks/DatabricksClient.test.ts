import { inspect } from 'node:util';
import { DatabricksClient, normalizeDatabricksHost } from './DatabricksClient';
import { DatabricksApiError } from './errors';
import { DatabricksTestServer } from './testServer';
import { testClient } from './__testUtils__/fixtures';

const NOTEBOOK_PATH = '/Shared/ingestion/finance/daily-transactions/v3';
const CLUSTER = {
  spark_version: '16.4.x-scala2.12',
  node_type_id: 'i3.xlarge',
  autoscale: { min_workers: 2, max_workers: 10 },
};

function submitRequest(token = 'a'.repeat(64)) {
  return {
    run_name: 'finance/daily-transactions (run r1)',
    idempotency_token: token,
    tasks: [
      {
        task_key: 'ingest',
        notebook_task: {
          notebook_path: NOTEBOOK_PATH,
          base_parameters: { watermark: '', run_id: 'r1' },
        },
        new_cluster: CLUSTER,
      },
    ],
  };
}

function jobSettings(
  name = 'finance/daily-transactions',
  cron = '0 0 2 * * ?',
) {
  return {
    name,
    tasks: [
      {
        task_key: 'ingest',
        job_cluster_key: 'ingestion_cluster',
        notebook_task: { notebook_path: NOTEBOOK_PATH },
      },
    ],
    job_clusters: [
      { job_cluster_key: 'ingestion_cluster', new_cluster: CLUSTER },
    ],
    schedule: { quartz_cron_expression: cron, timezone_id: 'UTC' },
  };
}

/** A PAT-shaped token, so redaction of anything that looks like one is exercised too. */
const SECRET = 'dapi0123456789abcdef0123456789abcdef';

describe('DatabricksClient', () => {
  let server: DatabricksTestServer;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({ token: SECRET });
  });

  afterEach(async () => {
    await server.stop();
  });

  it('imports a notebook, submits, polls, reads the output of the task run and cancels', async () => {
    const { client } = testClient(server);
    await client.importNotebook(
      NOTEBOOK_PATH,
      '# Databricks notebook source\nprint(1)\n',
    );
    expect(server.notebook(NOTEBOOK_PATH)).toEqual({
      language: 'PYTHON',
      content: '# Databricks notebook source\nprint(1)\n',
    });
    // Re-importing overwrites.
    await client.importNotebook(
      NOTEBOOK_PATH,
      '# Databricks notebook source\nprint(2)\n',
    );
    expect(server.notebook(NOTEBOOK_PATH)?.content).toContain('print(2)');

    const { runId } = await client.submitRun(submitRequest());
    expect(await client.getRun(runId)).toMatchObject({
      run_id: runId,
      state: { life_cycle_state: 'PENDING' },
    });
    server.finishRun(runId, {
      notebookResult: { status: 'succeeded', rows_read: 3 },
    });
    const run = await client.getRun(runId);
    expect(run.state).toMatchObject({
      life_cycle_state: 'TERMINATED',
      result_state: 'SUCCESS',
    });
    const output = await client.getRunOutput(run.tasks![0].run_id!);
    expect(JSON.parse(output.notebook_output!.result!)).toEqual({
      status: 'succeeded',
      rows_read: 3,
    });

    const second = await client.submitRun(submitRequest('b'.repeat(64)));
    await client.cancelRun(second.runId);
    expect((await client.getRun(second.runId)).state?.life_cycle_state).toBe(
      'TERMINATING',
    );
    expect((await client.getRun(second.runId)).state?.result_state).toBe(
      'CANCELED',
    );

    // Authenticated as a PAT, on the host given (scheme and port kept).
    expect(
      server.requests.every(r => r.authorization === `Bearer ${SECRET}`),
    ).toBe(true);
    expect(client.host).toBe(server.url);
  });

  it('returns the first run for a retried submit with the same idempotency token', async () => {
    const { client } = testClient(server);
    const first = await client.submitRun(submitRequest());
    const again = await client.submitRun(submitRequest());
    expect(again.runId).toBe(first.runId);
    expect(server.runs()).toHaveLength(1);
  });

  it('refuses to submit without an idempotency token', async () => {
    const { client } = testClient(server);
    const { idempotency_token: _token, ...request } = submitRequest();
    await expect(client.submitRun(request)).rejects.toThrow(
      /idempotency_token/,
    );
    expect(server.requests).toEqual([]);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const { client, sleeps } = testClient(server);
    server.rateLimit({
      path: '/api/2.2/jobs/runs/submit',
      times: 2,
      retryAfterSeconds: 2,
    });
    const { runId } = await client.submitRun(submitRequest());
    expect(runId).toBeGreaterThan(0);
    expect(sleeps).toEqual([2000, 2000]);
    expect(server.requests.map(r => r.status)).toEqual([429, 429, 200]);
  });

  it('does not wait for a Retry-After beyond its bound but reports it', async () => {
    const { client, sleeps } = testClient(server, {
      retry: { maxDelayMs: 10_000 },
    });
    server.rateLimit({ times: 1, retryAfterSeconds: 120 });
    const error = await client.getRun(1).catch(e => e);
    expect(error).toBeInstanceOf(DatabricksApiError);
    expect(error).toMatchObject({
      statusCode: 429,
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      retryable: true,
      retryAfterMs: 120_000,
      attempts: 1,
    });
    expect(sleeps).toEqual([]);
  });

  it('retries 5xx with exponential backoff and gives up after the configured attempts', async () => {
    const { client, sleeps } = testClient(server, {
      retry: { maxAttempts: 3, baseDelayMs: 100 },
    });
    const { runId } = await client.submitRun(submitRequest());
    server.injectFault({
      path: '/api/2.2/jobs/runs/get',
      times: 2,
      respond: { status: 500 },
    });
    await expect(client.getRun(runId)).resolves.toMatchObject({
      run_id: runId,
    });
    // random() = 0: half of 100 ms, then half of 200 ms.
    expect(sleeps).toEqual([50, 100]);

    server.injectFault({
      path: '/api/2.2/jobs/runs/get',
      times: 5,
      respond: { status: 503 },
    });
    const error = await client.getRun(runId).catch(e => e);
    expect(error).toBeInstanceOf(DatabricksApiError);
    expect(error).toMatchObject({
      statusCode: 503,
      attempts: 3,
      retryable: true,
    });
    expect(error.message).toMatch(
      /^Databricks GET \/api\/2\.2\/jobs\/runs\/get on http:\/\/127\.0\.0\.1:\d+ failed with 503 TEMPORARILY_UNAVAILABLE: .* \(after 3 attempts\)$/,
    );
  });

  it('never starts a second run when a submit fails after the server accepted it', async () => {
    const { client } = testClient(server);
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
    const { runId } = await client.submitRun(submitRequest());
    expect(server.runs()).toHaveLength(1);
    expect(server.run(runId)?.submitCount).toBe(3);
  });

  it('times out a hanging request and retries it when that is safe', async () => {
    const { client } = testClient(server, { requestTimeoutMs: 200 });
    const { runId } = await client.submitRun(submitRequest());
    server.injectFault({ path: '/api/2.2/jobs/runs/get', respond: 'hang' });
    await expect(client.getRun(runId)).resolves.toMatchObject({
      run_id: runId,
    });
    expect(
      server.requests.filter(r => r.path === '/api/2.2/jobs/runs/get'),
    ).toHaveLength(2);
  });

  it('reports a timeout after the last attempt', async () => {
    const { client } = testClient(server, {
      requestTimeoutMs: 100,
      retry: { maxAttempts: 1 },
    });
    server.injectFault({ respond: 'hang' });
    await expect(client.getRun(5)).rejects.toThrow(/timed out after 100 ms/);
  });

  it('does not retry client errors and names the problem', async () => {
    const { client } = testClient(server);
    const request = submitRequest();
    delete (request.tasks[0] as { new_cluster?: unknown }).new_cluster;
    const error = await client.submitRun(request).catch(e => e);
    expect(error).toMatchObject({
      statusCode: 400,
      errorCode: 'INVALID_PARAMETER_VALUE',
      retryable: false,
      attempts: 1,
    });
    expect(error.message).toMatch(
      /one of new_cluster or existing_cluster_id must be specified/,
    );
  });

  it('reports rejected credentials without the token', async () => {
    const wrong = 'dapifedcba9876543210fedcba9876543210';
    const { client, sleeps } = testClient(server, { token: wrong });
    const error = await client.getRun(1).catch(e => e);
    expect(error).toBeInstanceOf(DatabricksApiError);
    expect(error.isAuthError).toBe(true);
    expect(error.message).toBe(
      `Databricks rejected the credentials for ${server.url} (403 PERMISSION_DENIED: Invalid access token.) on GET /api/2.2/jobs/runs/get; check the workspace token configured for the organization`,
    );
    for (const text of [
      error.message,
      error.stack,
      inspect(error, { depth: 5 }),
      JSON.stringify(error),
    ]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(SECRET);
    }
    expect(sleeps).toEqual([]);
  });

  it('retries a refused connection, then reports it', async () => {
    const url = server.url;
    await server.stop();
    const { client, sleeps } = testClient(server, {
      retry: { maxAttempts: 2 },
    });
    const error = await client.getRun(1).catch(e => e);
    expect(error).toBeInstanceOf(DatabricksApiError);
    expect(error.message).toBe(
      `Databricks GET /api/2.2/jobs/runs/get on ${url} failed: ECONNREFUSED (after 2 attempts)`,
    );
    expect(sleeps).toHaveLength(1);
    server = await DatabricksTestServer.start({ token: SECRET });
  });

  describe('createOrUpdateJob', () => {
    it('creates the job once and resets it afterwards', async () => {
      const { client } = testClient(server);
      const created = await client.createOrUpdateJob(jobSettings());
      expect(created).toEqual({
        jobId: expect.any(Number),
        created: true,
        duplicateJobIds: [],
      });
      const updated = await client.createOrUpdateJob(
        jobSettings(undefined, '0 30 3 * * ?'),
      );
      expect(updated).toEqual({
        jobId: created.jobId,
        created: false,
        duplicateJobIds: [],
      });
      expect(server.jobs()).toHaveLength(1);
      expect(server.jobs()[0].settings.schedule).toEqual({
        quartz_cron_expression: '0 30 3 * * ?',
        timezone_id: 'UTC',
      });
    });

    it('updates the job with a known id even after a rename, and finds by name when it is gone', async () => {
      const { client } = testClient(server);
      const { jobId } = await client.createOrUpdateJob(
        jobSettings('finance/old-name'),
      );
      await expect(
        client.createOrUpdateJob(jobSettings('finance/new-name'), { jobId }),
      ).resolves.toMatchObject({ jobId, created: false });
      expect(server.jobs().map(j => j.settings.name)).toEqual([
        'finance/new-name',
      ]);

      await client.deleteJob(jobId);
      const again = await client.createOrUpdateJob(
        jobSettings('finance/new-name'),
        { jobId },
      );
      expect(again).toMatchObject({ created: true });
      expect(again.jobId).not.toBe(jobId);
    });

    it('does not create a second job when the create answer is lost', async () => {
      const { client } = testClient(server);
      server.injectFault({
        path: '/api/2.2/jobs/create',
        when: 'after',
        respond: { status: 500 },
      });
      const result = await client.createOrUpdateJob(jobSettings());
      expect(result.created).toBe(true);
      expect(server.jobs().map(j => j.jobId)).toEqual([result.jobId]);
      // jobs/create itself is never repeated after an ambiguous failure.
      expect(
        server.requests.filter(r => r.path === '/api/2.2/jobs/create'),
      ).toHaveLength(1);
    });

    it('creates again when a failed create did not happen', async () => {
      const { client } = testClient(server);
      server.injectFault({
        path: '/api/2.2/jobs/create',
        respond: { status: 502 },
      });
      const result = await client.createOrUpdateJob(jobSettings());
      expect(server.jobs().map(j => j.jobId)).toEqual([result.jobId]);
      expect(
        server.requests.filter(r => r.path === '/api/2.2/jobs/create'),
      ).toHaveLength(2);
    });

    it('reports duplicates it leaves alone', async () => {
      const { client } = testClient(server);
      const first = await client.createOrUpdateJob(jobSettings());
      // Someone created another job with the same name by hand.
      const manual = await fetch(`${server.url}/api/2.2/jobs/create`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET}` },
        body: JSON.stringify(jobSettings('FINANCE/daily-transactions')),
      }).then(r => r.json());
      await expect(client.createOrUpdateJob(jobSettings())).resolves.toEqual({
        jobId: first.jobId,
        created: false,
        duplicateJobIds: [manual.job_id],
      });
    });
  });

  it('deletes jobs idempotently', async () => {
    const { client } = testClient(server);
    const { jobId } = await client.createOrUpdateJob(jobSettings());
    await client.deleteJob(jobId);
    await client.deleteJob(jobId);
    expect(server.jobs()).toEqual([]);
    await expect(client.getJob(jobId)).resolves.toBeUndefined();
  });

  it('needs a host and a token', () => {
    expect(() => new DatabricksClient({ host: '', token: 't' })).toThrow(
      /host is required/,
    );
    expect(
      () =>
        new DatabricksClient({
          host: 'https://x.cloud.databricks.com',
          token: '',
        }),
    ).toThrow(/token is required for https:\/\/x.cloud.databricks.com/);
  });

  it('normalises hosts like the SDK', () => {
    expect(normalizeDatabricksHost('dbc-1.cloud.databricks.com')).toBe(
      'https://dbc-1.cloud.databricks.com',
    );
    expect(
      normalizeDatabricksHost('https://dbc-1.cloud.databricks.com/?o=1#x'),
    ).toBe('https://dbc-1.cloud.databricks.com');
    expect(normalizeDatabricksHost('http://127.0.0.1:8080/')).toBe(
      'http://127.0.0.1:8080',
    );
  });
});
