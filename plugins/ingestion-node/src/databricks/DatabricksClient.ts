import { Config, jobs, sql, workspace } from '@databricks/sdk-experimental';
import { DatabricksApiError } from './errors';
import { DEFAULT_RETRY, type DatabricksRetryOptions } from './retry';
import { RetryingApiClient, type DatabricksRetryEvent } from './transport';

/**
 * Jobs API 2.2 types used by the client, re-exported so callers need no direct dependency on the SDK.
 *
 * @public
 */
export type DatabricksRun = jobs.Run;
/** @public */
export type DatabricksBaseRun = jobs.BaseRun;
/** @public */
export type DatabricksRunOutput = jobs.RunOutput;
/** @public */
export type DatabricksSubmitRun = jobs.SubmitRun;
/** @public */
export type DatabricksJobSettings = jobs.JobSettings;
/** @public */
export type DatabricksJob = jobs.BaseJob;
/** @public */
export type DatabricksRunNow = jobs.RunNow;
/** @public */
export type DatabricksStatementParameter = sql.StatementParameterListItem;

/**
 * A SQL statement to run on a SQL warehouse through the Statement Execution API.
 *
 * @public
 */
export interface DatabricksStatementRequest {
  warehouseId: string;
  /** SQL with named parameter markers (`:name`); values go in `parameters`, never into the text. */
  statement: string;
  parameters?: DatabricksStatementParameter[];
  /** How long `executeStatement` itself waits (0 or 5 to 50 s; default 10 s) before polling. */
  waitTimeoutSeconds?: number;
  /** Pause between polls of a statement still running (default 1 s). */
  pollIntervalMs?: number;
  /** Longest time to wait for the result before cancelling the statement (default 5 min). */
  timeoutMs?: number;
}

/**
 * The first result chunk of a statement that succeeded (`JSON_ARRAY`: every value a string or null).
 *
 * @public
 */
export interface DatabricksStatementResult {
  statementId: string;
  columns: string[];
  rows: Array<Array<string | null>>;
}

/**
 * Options of {@link DatabricksClient}.
 *
 * @public
 */
export interface DatabricksClientOptions {
  /**
   * The workspace URL, e.g. `https://dbc-1234.cloud.databricks.com`. Without a scheme, `https://` is assumed;
   * `http://host:port` is kept as given (local test servers).
   */
  host: string;
  /** A personal access token. Never logged nor included in errors. */
  token: string;
  retry?: DatabricksRetryOptions;
  /** Time limit of one HTTP request, response body included (default 60 s). */
  requestTimeoutMs?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (event: DatabricksRetryEvent) => void;
  /** Replaces the wait between retries (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1) (tests). */
  random?: () => number;
}

/**
 * The result of {@link DatabricksClient.createOrUpdateJob}.
 *
 * @public
 */
export interface JobDeployment {
  jobId: number;
  /** True when the job was created, false when an existing one was reset to the settings. */
  created: boolean;
  /** Further jobs with the same name (left untouched); normally empty. */
  duplicateJobIds: number[];
}

const LANGUAGES = ['PYTHON', 'SQL', 'SCALA', 'R'] as const;

/** `https://host[:port]` from a configured host, the way the SDK normalises it. */
export function normalizeDatabricksHost(host: string): string {
  const trimmed = host.trim();
  const parsed = new URL(
    /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`,
  );
  return `${parsed.protocol}//${parsed.host}`;
}

function requireIdempotencyToken(token: string | undefined): void {
  if (!token || token.length > 64) {
    throw new Error(
      'A run needs an idempotency_token of 1 to 64 characters, so a retried request cannot start a second run',
    );
  }
}

function requireRunId(runId: number): number {
  if (!Number.isSafeInteger(runId) || runId <= 0) {
    throw new Error(`Invalid Databricks run id ${runId}`);
  }
  return runId;
}

/**
 * A client for one Databricks workspace (one organization): notebooks, one-time runs and jobs, over the
 * `@databricks/sdk-experimental` services. Calls are retried on rate limiting (honouring `Retry-After`),
 * server errors and network failures when repeating them is safe; errors are {@link DatabricksApiError}s that
 * never contain the token.
 *
 * @public
 */
export class DatabricksClient {
  /** The normalised workspace URL. */
  readonly host: string;
  readonly #jobs: jobs.JobsService;
  readonly #workspace: workspace.WorkspaceService;
  readonly #statements: sql.StatementExecutionService;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: DatabricksClientOptions) {
    if (!options.host) {
      throw new Error('A Databricks workspace host is required');
    }
    if (!options.token) {
      throw new Error(`A Databricks token is required for ${options.host}`);
    }
    this.host = normalizeDatabricksHost(options.host);
    const config = new Config({
      host: this.host,
      token: options.token,
      authType: 'pat',
      // Tenants must never pick up DATABRICKS_* variables or ~/.databrickscfg of the backend's machine.
      env: {},
      loaders: [],
    });
    this.#sleep =
      options.sleep ?? (ms => new Promise(resolve => setTimeout(resolve, ms)));
    const transport = new RetryingApiClient(config, {
      token: options.token,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      sleep: this.#sleep,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
    });
    this.#jobs = new jobs.JobsService(transport);
    this.#workspace = new workspace.WorkspaceService(transport);
    this.#statements = new sql.StatementExecutionService(transport);
  }

  /** The job's page in the workspace UI. */
  jobUrl(jobId: number): string {
    return `${this.host}/jobs/${jobId}`;
  }

  /**
   * Creates the notebook's folder (with its parents) and imports the notebook in SOURCE format, replacing what is
   * at `path`.
   */
  async importNotebook(
    path: string,
    content: string,
    options: { language?: (typeof LANGUAGES)[number] } = {},
  ): Promise<void> {
    if (!path.startsWith('/') || path.endsWith('/')) {
      throw new Error(
        `Notebook path "${path}" must be an absolute workspace path`,
      );
    }
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent) {
      await this.#workspace.mkdirs({ path: parent });
    }
    await this.#workspace.import({
      path,
      format: 'SOURCE',
      language: options.language ?? 'PYTHON',
      content: Buffer.from(content, 'utf8').toString('base64'),
      overwrite: true,
    });
  }

  /**
   * Submits a one-time run (`jobs/runs/submit`). The request must carry an `idempotency_token`: a repeated
   * submit with the same token returns the run the first one started, so retries never start a second run.
   */
  async submitRun(request: DatabricksSubmitRun): Promise<{ runId: number }> {
    requireIdempotencyToken(request.idempotency_token);
    return this.#runId(await this.#jobs.submit(request));
  }

  /**
   * Starts a run of a deployed job (`jobs/run-now`). Like {@link DatabricksClient.submitRun} it requires an
   * `idempotency_token`: Databricks launches exactly one run per token, so a retried call returns that run.
   */
  async runNow(request: DatabricksRunNow): Promise<{ runId: number }> {
    requireIdempotencyToken(request.idempotency_token);
    // The SDK wraps the response in a waiter; only the response's run_id is used.
    return this.#runId(await this.#jobs.runNow(request));
  }

  #runId(response: { run_id?: number }): { runId: number } {
    if (typeof response.run_id !== 'number') {
      throw new Error(
        `Databricks ${this.host} accepted the run but returned no run_id`,
      );
    }
    return { runId: response.run_id };
  }

  /**
   * Runs a SQL statement on a SQL warehouse (`POST /api/2.0/sql/statements`, then
   * `GET /api/2.0/sql/statements/{id}` until it leaves PENDING/RUNNING) and returns its first result chunk
   * (INLINE, JSON_ARRAY). A FAILED, CANCELED or CLOSED statement throws; one that outlives `timeoutMs` is
   * cancelled and throws.
   */
  async executeStatement(
    request: DatabricksStatementRequest,
  ): Promise<DatabricksStatementResult> {
    const wait = request.waitTimeoutSeconds ?? 10;
    const pollIntervalMs = request.pollIntervalMs ?? 1000;
    const deadline = Date.now() + (request.timeoutMs ?? 300_000);
    let response = await this.#statements.executeStatement({
      warehouse_id: request.warehouseId,
      statement: request.statement,
      parameters: request.parameters ?? [],
      wait_timeout: `${wait}s`,
      on_wait_timeout: 'CONTINUE',
      disposition: 'INLINE',
      format: 'JSON_ARRAY',
    });
    const statementId = response.statement_id;
    if (!statementId) {
      throw new Error(
        `Databricks ${this.host} accepted the statement but returned no statement_id`,
      );
    }
    while (
      response.status?.state === 'PENDING' ||
      response.status?.state === 'RUNNING'
    ) {
      if (Date.now() >= deadline) {
        await this.#statements
          .cancelExecution({ statement_id: statementId })
          .catch(() => undefined);
        throw new Error(
          `Statement ${statementId} on warehouse ${request.warehouseId} did not finish in time and was cancelled`,
        );
      }
      await this.#sleep(pollIntervalMs);
      response = await this.#statements.getStatement({
        statement_id: statementId,
      });
    }
    const state = response.status?.state;
    if (state !== 'SUCCEEDED') {
      const detail = response.status?.error;
      throw new Error(
        `Statement ${statementId} on warehouse ${request.warehouseId} ended ${
          state ?? 'without a state'
        }${
          detail
            ? `: ${[detail.error_code, detail.message]
                .filter(Boolean)
                .join(': ')}`
            : ''
        }`,
      );
    }
    return {
      statementId,
      columns: (response.manifest?.schema?.columns ?? []).map(
        column => column.name ?? '',
      ),
      rows: (response.result?.data_array ?? []) as Array<Array<string | null>>,
    };
  }

  /**
   * `jobs/runs/list` of one job: its runs started at or after `startTimeFrom` (epoch ms), newest first, every
   * page (`page_token`) read. Tasks are left out (`runs/get` has them).
   */
  async listJobRuns(
    jobId: number,
    startTimeFrom: number,
  ): Promise<DatabricksBaseRun[]> {
    if (!Number.isSafeInteger(jobId) || jobId <= 0) {
      throw new Error(`Invalid Databricks job id ${jobId}`);
    }
    const runs: DatabricksBaseRun[] = [];
    for await (const run of this.#jobs.listRuns({
      job_id: jobId,
      start_time_from: Math.max(0, Math.floor(startTimeFrom)),
      // The API's largest page.
      limit: 25,
    })) {
      runs.push(run);
    }
    return runs;
  }

  /** `jobs/runs/get`: state, timings, tasks and cluster of a run. */
  async getRun(runId: number): Promise<DatabricksRun> {
    return this.#jobs.getRun({ run_id: requireRunId(runId) });
  }

  /**
   * `jobs/runs/get-output` of a task run: `notebook_output.result` is what the notebook passed to
   * `dbutils.notebook.exit`, `error`/`error_trace` why it failed. Multi-task runs (every run submitted with
   * `tasks`) only answer for the run id of a task (`run.tasks[].run_id`).
   */
  async getRunOutput(runId: number): Promise<DatabricksRunOutput> {
    return this.#jobs.getRunOutput({ run_id: requireRunId(runId) });
  }

  /** `jobs/runs/cancel`. Cancellation is asynchronous: poll the run until it is terminated. */
  async cancelRun(runId: number): Promise<void> {
    await this.#jobs.cancelRun({ run_id: requireRunId(runId) });
  }

  /** Jobs with exactly this name (the API compares names case-insensitively), lowest job id first. */
  async findJobsByName(name: string): Promise<DatabricksJob[]> {
    const found: DatabricksJob[] = [];
    for await (const job of this.#jobs.list({ name, limit: 100 })) {
      if (job.settings?.name?.toLowerCase() === name.toLowerCase()) {
        found.push(job);
      }
    }
    return found.sort((a, b) => (a.job_id ?? 0) - (b.job_id ?? 0));
  }

  /** `jobs/get`, or undefined when the job does not exist. */
  async getJob(jobId: number): Promise<DatabricksJob | undefined> {
    try {
      return await this.#jobs.get({ job_id: jobId });
    } catch (error) {
      if (error instanceof DatabricksApiError && error.isNotFound) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Creates the job, or resets the existing one to `settings`: the job with `options.jobId` when it still
   * exists, else the job with the same name. Calling it twice leaves one job. A create whose outcome is unknown
   * (timeout, 5xx) is not blindly repeated: the job is looked up by name first.
   */
  async createOrUpdateJob(
    settings: DatabricksJobSettings,
    options: { jobId?: number } = {},
  ): Promise<JobDeployment> {
    const name = settings.name;
    if (!name) {
      throw new Error(
        'A deployed job needs a name: jobs are found again by name',
      );
    }
    if (options.jobId !== undefined && (await this.getJob(options.jobId))) {
      await this.#jobs.reset({ job_id: options.jobId, new_settings: settings });
      return { jobId: options.jobId, created: false, duplicateJobIds: [] };
    }
    const existing = await this.findJobsByName(name);
    if (existing.length > 0) {
      const [job, ...duplicates] = existing;
      await this.#jobs.reset({ job_id: job.job_id!, new_settings: settings });
      return {
        jobId: job.job_id!,
        created: false,
        duplicateJobIds: duplicates.map(d => d.job_id!),
      };
    }
    const maxCreates = 3;
    for (let attempt = 1; ; attempt++) {
      try {
        const { job_id } = await this.#jobs.create(settings);
        if (typeof job_id !== 'number') {
          throw new Error(
            `Databricks ${this.host} created a job but returned no job_id`,
          );
        }
        return { jobId: job_id, created: true, duplicateJobIds: [] };
      } catch (error) {
        if (!(error instanceof DatabricksApiError) || !error.retryable) {
          throw error;
        }
        // The create may have happened even though the answer was lost.
        const [job, ...duplicates] = await this.findJobsByName(name);
        if (job) {
          await this.#jobs.reset({
            job_id: job.job_id!,
            new_settings: settings,
          });
          return {
            jobId: job.job_id!,
            created: true,
            duplicateJobIds: duplicates.map(d => d.job_id!),
          };
        }
        if (attempt >= maxCreates) {
          throw error;
        }
      }
    }
  }

  /** Deletes a job; deleting a job that does not exist (any more) succeeds. */
  async deleteJob(jobId: number): Promise<void> {
    try {
      await this.#jobs.delete({ job_id: jobId });
    } catch (error) {
      if (error instanceof DatabricksApiError && error.isNotFound) {
        return;
      }
      throw error;
    }
  }
}
