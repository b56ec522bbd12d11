import { DatabricksTestServer } from './DatabricksTestServer';

const CLUSTER = {
  spark_version: '16.4.x-scala2.12',
  node_type_id: 'i3.xlarge',
  num_workers: 2,
};

function notebookTask(path = '/Shared/ingestion/finance/p/v1') {
  return {
    task_key: 'ingest',
    notebook_task: { notebook_path: path, base_parameters: { watermark: '' } },
    new_cluster: CLUSTER,
  };
}

describe('DatabricksTestServer', () => {
  let server: DatabricksTestServer;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({ token: 'secret-token' });
  });

  afterEach(async () => {
    await server.stop();
  });

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    token: string | null = 'secret-token',
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const url = new URL(path, server.url);
    if (method === 'GET' && body) {
      for (const [key, value] of Object.entries(body as object)) {
        url.searchParams.set(key, String(value));
      }
    }
    const response = await fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    return {
      status: response.status,
      body: await response.json(),
      headers: response.headers,
    };
  }

  describe('authentication', () => {
    it('answers 401 without credentials and 403 with a wrong token', async () => {
      await expect(
        call('GET', '/api/2.2/jobs/list', undefined, null),
      ).resolves.toMatchObject({
        status: 401,
        body: { error_code: 'UNAUTHENTICATED' },
      });
      await expect(
        call('GET', '/api/2.2/jobs/list', undefined, 'nope'),
      ).resolves.toMatchObject({
        status: 403,
        body: {
          error_code: 'PERMISSION_DENIED',
          message: 'Invalid access token.',
        },
      });
    });
  });

  describe('jobs/runs/submit', () => {
    it.each([
      [{}, /tasks is required/],
      [
        { tasks: [{ task_key: 'ingest', new_cluster: CLUSTER }] },
        /exactly one task type/,
      ],
      [
        { tasks: [{ ...notebookTask(), new_cluster: undefined }] },
        /one of new_cluster or existing_cluster_id must be specified/,
      ],
      [
        {
          tasks: [
            {
              ...notebookTask(),
              new_cluster: { node_type_id: 'i3.xlarge', num_workers: 1 },
            },
          ],
        },
        /tasks\[0\]\.new_cluster\.spark_version is required/,
      ],
      [
        {
          tasks: [
            {
              ...notebookTask(),
              new_cluster: {
                ...CLUSTER,
                num_workers: undefined,
                autoscale: { min_workers: 5, max_workers: 2 },
              },
            },
          ],
        },
        /autoscale needs integer min_workers and max_workers/,
      ],
      [
        {
          tasks: [
            {
              ...notebookTask(),
              notebook_task: { notebook_path: 'relative/path' },
            },
          ],
        },
        /must be an absolute workspace path/,
      ],
      [
        {
          tasks: [
            {
              ...notebookTask(),
              notebook_task: { notebook_path: '/a', base_parameters: { n: 1 } },
            },
          ],
        },
        /base_parameters\.n must be a string/,
      ],
      [
        { tasks: [notebookTask()], idempotency_token: 'x'.repeat(65) },
        /idempotency_token must be at most 64/,
      ],
      [
        { tasks: [notebookTask(), notebookTask()] },
        /task_key "ingest" is not unique/,
      ],
    ])(
      'rejects an invalid payload with 400 INVALID_PARAMETER_VALUE (%#)',
      async (body, message) => {
        const response = await call('POST', '/api/2.2/jobs/runs/submit', body);
        expect(response.status).toBe(400);
        expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
        expect(response.body.message).toMatch(message);
        expect(server.runs()).toEqual([]);
      },
    );

    it('returns the first run for a repeated idempotency token', async () => {
      const first = await call('POST', '/api/2.2/jobs/runs/submit', {
        tasks: [notebookTask()],
        idempotency_token: 'token-1',
      });
      const second = await call('POST', '/api/2.2/jobs/runs/submit', {
        tasks: [notebookTask()],
        idempotency_token: 'token-1',
      });
      const other = await call('POST', '/api/2.2/jobs/runs/submit', {
        tasks: [notebookTask()],
        idempotency_token: 'token-2',
      });
      expect(second.body.run_id).toBe(first.body.run_id);
      expect(other.body.run_id).not.toBe(first.body.run_id);
      expect(server.run(first.body.run_id)?.submitCount).toBe(2);
      expect(server.runs()).toHaveLength(2);
    });
  });

  describe('run life cycle', () => {
    async function submitted(): Promise<number> {
      await call('POST', '/api/2.0/workspace/mkdirs', {
        path: '/Shared/ingestion/finance/p',
      });
      await call('POST', '/api/2.0/workspace/import', {
        path: '/Shared/ingestion/finance/p/v1',
        format: 'SOURCE',
        language: 'PYTHON',
        content: Buffer.from('# Databricks notebook source\n').toString(
          'base64',
        ),
      });
      const response = await call('POST', '/api/2.2/jobs/runs/submit', {
        run_name: 'finance/p (run r1)',
        tasks: [notebookTask()],
        idempotency_token: 'r1',
      });
      return response.body.run_id;
    }

    it('goes PENDING → RUNNING → TERMINATED with the task output per task run', async () => {
      const runId = await submitted();
      let run = await call('GET', '/api/2.2/jobs/runs/get', { run_id: runId });
      expect(run.body).toMatchObject({
        run_id: runId,
        run_type: 'SUBMIT_RUN',
        state: { life_cycle_state: 'PENDING' },
        status: { state: 'PENDING' },
        tasks: [{ task_key: 'ingest', new_cluster: CLUSTER }],
      });
      const taskRunId = run.body.tasks[0].run_id;
      expect(taskRunId).not.toBe(runId);

      server.startRun(runId);
      run = await call('GET', '/api/2.2/jobs/runs/get', { run_id: runId });
      expect(run.body.state.life_cycle_state).toBe('RUNNING');

      server.finishRun(runId, {
        notebookResult: { status: 'succeeded' },
        durations: { setupMs: 60_000, executionMs: 120_000 },
      });
      run = await call('GET', '/api/2.2/jobs/runs/get', { run_id: runId });
      expect(run.body).toMatchObject({
        state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' },
        status: {
          state: 'TERMINATED',
          termination_details: { code: 'SUCCESS', type: 'SUCCESS' },
        },
        tasks: [
          {
            setup_duration: 60_000,
            execution_duration: 120_000,
            cleanup_duration: 0,
          },
        ],
      });

      const parentOutput = await call('GET', '/api/2.2/jobs/runs/get-output', {
        run_id: runId,
      });
      expect(parentOutput.status).toBe(400);
      expect(parentOutput.body.message).toMatch(
        /runs with multiple tasks is not supported/,
      );
      const output = await call('GET', '/api/2.2/jobs/runs/get-output', {
        run_id: taskRunId,
      });
      expect(output.body).toMatchObject({
        notebook_output: { result: '{"status":"succeeded"}', truncated: false },
        metadata: { run_id: taskRunId },
      });
    });

    it('ends a run whose notebook was never imported in INTERNAL_ERROR', async () => {
      const response = await call('POST', '/api/2.2/jobs/runs/submit', {
        tasks: [notebookTask('/Shared/missing')],
      });
      expect(server.startRun(response.body.run_id)).toMatchObject({
        lifeCycleState: 'INTERNAL_ERROR',
        stateMessage: expect.stringContaining('/Shared/missing'),
      });
    });

    it('cancels asynchronously: TERMINATING, then TERMINATED with CANCELED', async () => {
      const runId = await submitted();
      await call('POST', '/api/2.2/jobs/runs/cancel', { run_id: runId });
      expect(server.run(runId)?.lifeCycleState).toBe('TERMINATING');
      const terminating = await call('GET', '/api/2.2/jobs/runs/get', {
        run_id: runId,
      });
      expect(terminating.body.state.life_cycle_state).toBe('TERMINATING');
      const run = await call('GET', '/api/2.2/jobs/runs/get', {
        run_id: runId,
      });
      expect(run.body.state).toMatchObject({
        life_cycle_state: 'TERMINATED',
        result_state: 'CANCELED',
        user_cancelled_or_timedout: true,
      });
    });

    it('reports unknown runs like the API does', async () => {
      const response = await call('GET', '/api/2.2/jobs/runs/get', {
        run_id: 99,
      });
      expect(response).toMatchObject({
        status: 400,
        body: {
          error_code: 'INVALID_PARAMETER_VALUE',
          message: 'Run 99 does not exist.',
        },
      });
    });

    it('moves runs on by itself with autoAdvance', async () => {
      await server.stop();
      server = await DatabricksTestServer.start({
        token: 'secret-token',
        autoAdvance: () => ({
          resultState: 'FAILED',
          error: 'ValueError: boom',
        }),
      });
      const runId = await submitted();
      const states: string[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await call('GET', '/api/2.2/jobs/runs/get', {
          run_id: runId,
        });
        states.push(
          `${run.body.state.life_cycle_state}/${
            run.body.state.result_state ?? '-'
          }`,
        );
      }
      expect(states).toEqual([
        'RUNNING/-',
        'TERMINATED/FAILED',
        'TERMINATED/FAILED',
      ]);
    });
  });

  describe('workspace', () => {
    it('needs the parent folder, refuses to overwrite unless asked, and accepts /Workspace paths', async () => {
      const notebook = {
        path: '/Shared/ingestion/finance/nb',
        format: 'SOURCE',
        language: 'PYTHON',
        content: Buffer.from('print(1)\n').toString('base64'),
      };
      await expect(
        call('POST', '/api/2.0/workspace/import', notebook),
      ).resolves.toMatchObject({
        status: 404,
        body: {
          error_code: 'RESOURCE_DOES_NOT_EXIST',
          message:
            'The parent folder (/Shared/ingestion/finance) does not exist.',
        },
      });
      await call('POST', '/api/2.0/workspace/mkdirs', {
        path: '/Workspace/Shared/ingestion/finance',
      });
      await expect(
        call('POST', '/api/2.0/workspace/import', notebook),
      ).resolves.toMatchObject({ status: 200 });
      await expect(
        call('POST', '/api/2.0/workspace/import', notebook),
      ).resolves.toMatchObject({
        status: 400,
        body: { error_code: 'RESOURCE_ALREADY_EXISTS' },
      });
      await expect(
        call('POST', '/api/2.0/workspace/import', {
          ...notebook,
          overwrite: true,
          content: Buffer.from('print(2)\n').toString('base64'),
        }),
      ).resolves.toMatchObject({ status: 200 });
      expect(server.notebook('/Workspace/Shared/ingestion/finance/nb')).toEqual(
        {
          language: 'PYTHON',
          content: 'print(2)\n',
        },
      );
      await expect(
        call('GET', '/api/2.0/workspace/get-status', {
          path: '/Shared/ingestion/finance/nb',
        }),
      ).resolves.toMatchObject({
        body: { object_type: 'NOTEBOOK', language: 'PYTHON' },
      });
    });

    it('validates imports', async () => {
      const response = await call('POST', '/api/2.0/workspace/import', {
        path: '/Shared/x',
        format: 'SOURCE',
        content: 'not base64!',
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(
        /language is required .*; content must be base64-encoded/,
      );
    });
  });

  describe('jobs', () => {
    const settings = (name: string) => ({
      name,
      tasks: [
        { ...notebookTask(), new_cluster: undefined, job_cluster_key: 'c' },
      ],
      job_clusters: [{ job_cluster_key: 'c', new_cluster: CLUSTER }],
      schedule: { quartz_cron_expression: '0 0 2 * * ?', timezone_id: 'UTC' },
    });

    it('creates, finds by name (case-insensitively, paginated), resets and deletes jobs', async () => {
      const a = await call(
        'POST',
        '/api/2.2/jobs/create',
        settings('finance/a'),
      );
      await call('POST', '/api/2.2/jobs/create', settings('finance/b'));
      const a2 = await call(
        'POST',
        '/api/2.2/jobs/create',
        settings('Finance/A'),
      );
      expect(a.status).toBe(200);

      const page1 = await call('GET', '/api/2.2/jobs/list', {
        name: 'finance/a',
        limit: 1,
      });
      expect(page1.body.jobs.map((j: any) => j.job_id)).toEqual([
        a.body.job_id,
      ]);
      expect(page1.body.jobs[0].settings.tasks).toBeUndefined();
      expect(page1.body.has_more).toBe(true);
      const page2 = await call('GET', '/api/2.2/jobs/list', {
        name: 'finance/a',
        limit: 1,
        page_token: page1.body.next_page_token,
        expand_tasks: true,
      });
      expect(page2.body.jobs.map((j: any) => j.job_id)).toEqual([
        a2.body.job_id,
      ]);
      expect(page2.body.jobs[0].settings.tasks).toHaveLength(1);
      expect(page2.body.has_more).toBe(false);

      await expect(
        call('POST', '/api/2.2/jobs/reset', {
          job_id: a.body.job_id,
          new_settings: settings('finance/c'),
        }),
      ).resolves.toMatchObject({ status: 200 });
      await expect(
        call('GET', '/api/2.2/jobs/get', { job_id: a.body.job_id }),
      ).resolves.toMatchObject({
        body: { settings: { name: 'finance/c' } },
      });
      await call('POST', '/api/2.2/jobs/delete', { job_id: a.body.job_id });
      await expect(
        call('POST', '/api/2.2/jobs/delete', { job_id: a.body.job_id }),
      ).resolves.toMatchObject({
        status: 400,
        body: { message: `Job ${a.body.job_id} does not exist.` },
      });
      const empty = await call('GET', '/api/2.2/jobs/list', {
        name: 'nothing',
      });
      expect(empty.body).toEqual({ has_more: false });
    });

    it('validates job settings', async () => {
      const response = await call('POST', '/api/2.2/jobs/create', {
        ...settings('x'),
        job_clusters: [],
        schedule: { quartz_cron_expression: '0 2 * * *' },
        max_concurrent_runs: 5000,
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(
        /job_cluster_key "c" does not name one of the job's job_clusters; schedule.quartz_cron_expression is required.*; schedule.timezone_id is required; max_concurrent_runs must be an integer between 0 and 1000/,
      );
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After, then serves the request', async () => {
      server.rateLimit({
        path: '/api/2.2/jobs/list',
        times: 1,
        retryAfterSeconds: 7,
      });
      const limited = await call('GET', '/api/2.2/jobs/list');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(limited.body.error_code).toBe('REQUEST_LIMIT_EXCEEDED');
      await expect(call('GET', '/api/2.2/jobs/list')).resolves.toMatchObject({
        status: 200,
      });
      expect(server.pendingFaults()).toEqual([]);
    });

    it('fails before or after the request took effect', async () => {
      server.injectFault({
        path: '/api/2.2/jobs/runs/submit',
        respond: { status: 503 },
      });
      const before = await call('POST', '/api/2.2/jobs/runs/submit', {
        tasks: [notebookTask()],
      });
      expect(before.status).toBe(503);
      expect(server.runs()).toHaveLength(0);

      server.injectFault({
        path: '/api/2.2/jobs/runs/submit',
        when: 'after',
        respond: { status: 500 },
      });
      const after = await call('POST', '/api/2.2/jobs/runs/submit', {
        tasks: [notebookTask()],
      });
      expect(after.status).toBe(500);
      expect(server.runs()).toHaveLength(1);
    });

    it('drops the connection', async () => {
      server.injectFault({ respond: 'reset' });
      await expect(call('GET', '/api/2.2/jobs/list')).rejects.toThrow();
      expect(server.requests.map(r => r.status)).toEqual([undefined]);
    });

    it('answers unknown endpoints with 404 ENDPOINT_NOT_FOUND', async () => {
      await expect(call('GET', '/api/2.2/jobs/nope')).resolves.toMatchObject({
        status: 404,
        body: { error_code: 'ENDPOINT_NOT_FOUND' },
      });
    });
  });
});
