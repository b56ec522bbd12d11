import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  IMPORT_FORMATS,
  Problems,
  unboundMarkers,
  validateImport,
  validateJobSettings,
  validateListRuns,
  validateRunNow,
  validateStatement,
  validateSubmitRun,
} from './validation';

type Json = Record<string, unknown>;

/**
 * Life-cycle states of a run (Jobs API 2.2 `state.life_cycle_state`).
 *
 * @public
 */
export type DatabricksTestLifeCycleState =
  | 'QUEUED'
  | 'PENDING'
  | 'RUNNING'
  | 'TERMINATING'
  | 'TERMINATED'
  | 'SKIPPED'
  | 'INTERNAL_ERROR';

/**
 * How a run of the fake workspace ends.
 *
 * @public
 */
export interface DatabricksRunOutcome {
  /** Default `SUCCESS`. */
  resultState?: 'SUCCESS' | 'FAILED' | 'TIMEDOUT' | 'CANCELED';
  /** What the notebook passed to `dbutils.notebook.exit` (objects are sent as JSON). */
  notebookResult?: string | Record<string, unknown>;
  /** `runs/get-output` `error` of a failed notebook, e.g. `ValueError: bad input`. */
  error?: string;
  errorTrace?: string;
  stateMessage?: string;
  /** Timings reported by `runs/get` (default: measured with the server's clock). */
  durations?: { setupMs?: number; executionMs?: number; cleanupMs?: number };
}

/**
 * A task of a run of the fake workspace, as the test sees it.
 *
 * @public
 */
export interface DatabricksTestTaskRun {
  runId: number;
  taskKey: string;
  notebookPath: string;
  baseParameters: Record<string, string>;
  newCluster?: Json;
  /** Tasks of job runs (run-now) run on one of the job's clusters. */
  jobClusterKey?: string;
  notebookResult?: string;
  error?: string;
  errorTrace?: string;
}

/**
 * A run of the fake workspace, as the test sees it.
 *
 * @public
 */
export interface DatabricksTestRun {
  runId: number;
  runName?: string;
  idempotencyToken?: string;
  lifeCycleState: DatabricksTestLifeCycleState;
  resultState?: 'SUCCESS' | 'FAILED' | 'TIMEDOUT' | 'CANCELED';
  stateMessage: string;
  /** `SUBMIT_RUN` for `runs/submit`, `JOB_RUN` for `run-now`. */
  runType: 'SUBMIT_RUN' | 'JOB_RUN';
  /** The job a `run-now` (or the job's schedule, see `fireSchedule`) started this run of. */
  jobId?: number;
  /** `PERIODIC` for runs the job's schedule started (`fireSchedule`); unset for `run-now` (`ONE_TIME`). */
  trigger?: 'PERIODIC';
  /** The `runs/submit` or `run-now` body as received. */
  request: Json;
  tasks: DatabricksTestTaskRun[];
  /** How many `runs/submit` or `run-now` calls answered with this run (more than 1 for retried calls). */
  submitCount: number;
}

/**
 * A row of the fake `system.billing.usage` table (the columns the billing query reads).
 *
 * @public
 */
export interface DatabricksTestBillingRecord {
  /** `usage_metadata.job_run_id`. */
  jobRunId: number | string;
  /** `usage_quantity` in DBUs. */
  dbus: number;
  /** `workspace_id`; default `1234567890`. */
  workspaceId?: string;
  /** `usage_date` (YYYY-MM-DD); default today. */
  usageDate?: string;
}

/**
 * A statement of the fake SQL warehouse, as the test sees it.
 *
 * @public
 */
export interface DatabricksTestStatement {
  statementId: string;
  warehouseId: string;
  statement: string;
  parameters: Array<{ name: string; value?: string | null; type?: string }>;
  state: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';
}

/**
 * What a statement of the fake SQL warehouse returns: rows of string values (JSON_ARRAY), or an error that
 * makes it FAILED.
 *
 * @public
 */
export type DatabricksTestStatementResult =
  | { columns: string[]; rows: Array<Array<string | null>> }
  | { error: { errorCode: string; message: string } };

/**
 * A fault the fake workspace injects into matching requests.
 *
 * @public
 */
export interface DatabricksFault {
  /**
   * Request path, e.g. `/api/2.2/jobs/runs/submit`, or a prefix ending in `*` (`/api/2.0/sql/statements/*`);
   * every path when omitted.
   */
  path?: string;
  method?: string;
  /** How many matching requests it affects (default 1). */
  times?: number;
  /**
   * `before` (default): the request is rejected and has no effect. `after`: the request takes effect (a run is
   * submitted, a job created), then the response is lost to the fault, as with a failure after the server
   * accepted the call.
   */
  when?: 'before' | 'after';
  /**
   * An error response (with `Retry-After` for 429s), `hang` (no response until the client gives up) or `reset`
   * (the connection is dropped).
   */
  respond:
    | {
        status: number;
        retryAfter?: number | string;
        errorCode?: string;
        message?: string;
      }
    | 'hang'
    | 'reset';
}

/**
 * A request the fake workspace received.
 *
 * @public
 */
export interface DatabricksTestRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  /** The status sent; undefined for hung or dropped requests. */
  status?: number;
  authorization?: string;
}

/**
 * Options of {@link DatabricksTestServer.start}.
 *
 * @public
 */
export interface DatabricksTestServerOptions {
  /** The personal access token the workspace accepts (default `dapi-test-token`). */
  token?: string;
  /** Clock for run timestamps (default `Date.now`). */
  now?: () => number;
  /**
   * When set, each `runs/get` of an unfinished run moves it one step on (PENDING → RUNNING → TERMINATED), ending
   * with the given outcome (default: SUCCESS with an empty result), so code that only polls sees runs finish.
   */
  autoAdvance?: boolean | ((run: DatabricksTestRun) => DatabricksRunOutcome);
  /** `creator_user_name` of runs and jobs. */
  userName?: string;
  /** SQL warehouse ids statements may run on; any id when omitted. */
  warehouses?: string[];
  /**
   * How many status reads a statement stays PENDING/RUNNING before it finishes (default 0: it finishes within
   * the `wait_timeout` of its execute call, or at the first poll when that is `0s`).
   */
  statementLatency?: number;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type TaskState = DatabricksTestTaskRun;

interface RunState extends DatabricksTestRun {
  jobClusters?: Json[];
  startTime: number;
  runningAt?: number;
  endTime?: number;
  durations?: DatabricksRunOutcome['durations'];
  terminationCode?: string;
  terminationType?: string;
  userCancelled: boolean;
  terminatingReported?: boolean;
}

interface StatementState extends DatabricksTestStatement {
  body: Json;
  remaining: number;
  result?: DatabricksTestStatementResult;
}

interface JobState {
  jobId: number;
  settings: Json;
  createdTime: number;
}

type WorkspaceNode =
  | { type: 'DIRECTORY'; objectId: number }
  | { type: 'NOTEBOOK'; objectId: number; language: string; content: string };

const TERMINAL: DatabricksTestLifeCycleState[] = [
  'TERMINATED',
  'SKIPPED',
  'INTERNAL_ERROR',
];
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_NOTEBOOK_BYTES = 10 * 1024 * 1024;
const MULTI_TASK_OUTPUT =
  'Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.';

const error = (status: number, errorCode: string, message: string): Reply => ({
  status,
  body: { error_code: errorCode, message },
});
const invalid = (message: string) =>
  error(400, 'INVALID_PARAMETER_VALUE', message);
const ok = (body: unknown = {}): Reply => ({ status: 200, body });

function normalizePath(path: string): string {
  let result = path.replace(/\/{2,}/g, '/');
  if (result === '/Workspace' || result.startsWith('/Workspace/')) {
    result = result.slice('/Workspace'.length) || '/';
  }
  if (result.length > 1 && result.endsWith('/')) {
    result = result.slice(0, -1);
  }
  return result;
}

function parentOf(path: string): string {
  const index = path.lastIndexOf('/');
  return index <= 0 ? '/' : path.slice(0, index);
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/**
 * A fake Databricks workspace for tests: an HTTP server (plain HTTP on a random port of 127.0.0.1, which the
 * SDK accepts as host `http://127.0.0.1:<port>`) implementing the Jobs API 2.2 and Workspace API 2.0 endpoints
 * the ingestion plugins use, with the published request and response shapes:
 *
 * - `jobs/runs/submit` (idempotency tokens return the first run), `runs/get`, `runs/get-output` (per task run,
 *   as for real multi-task runs), `runs/cancel`;
 * - `jobs/create`, `jobs/reset`, `jobs/get`, `jobs/list` (by name, paginated), `jobs/delete`;
 * - `workspace/mkdirs`, `workspace/import` (SOURCE, parent folder must exist), `workspace/get-status`,
 *   `workspace/export`.
 *
 * Requests need `Authorization: Bearer <token>` (401 without, 403 with a wrong token) and are validated (400
 * `INVALID_PARAMETER_VALUE` naming the problem). Runs stay PENDING until the test moves them on
 * ({@link DatabricksTestServer.startRun}, {@link DatabricksTestServer.finishRun}, …) or `autoAdvance` is set.
 * Faults (429 with `Retry-After`, 5xx, hangs, dropped connections, before or after the request took effect)
 * are injected with {@link DatabricksTestServer.injectFault}.
 *
 * @public
 */
export class DatabricksTestServer {
  /** `http://127.0.0.1:<port>`: pass it as the workspace host. */
  readonly url: string;
  readonly token: string;
  /** Every request received, in order. */
  readonly requests: DatabricksTestRequest[] = [];

  readonly #server: http.Server;
  readonly #now: () => number;
  readonly #autoAdvance: DatabricksTestServerOptions['autoAdvance'];
  readonly #userName: string;
  readonly #warehouses?: string[];
  readonly #statementLatency: number;
  readonly #runs = new Map<number, RunState>();
  readonly #taskParents = new Map<number, number>();
  readonly #runsByToken = new Map<string, number>();
  readonly #jobs = new Map<number, JobState>();
  readonly #workspace = new Map<string, WorkspaceNode>();
  readonly #faults: Array<DatabricksFault & { remaining: number }> = [];
  readonly #statements = new Map<string, StatementState>();
  readonly #billing: Array<Required<DatabricksTestBillingRecord>> = [];
  readonly #statementFailures: Array<{ errorCode: string; message: string }> =
    [];
  #statementHandler?: (
    statement: DatabricksTestStatement,
  ) => DatabricksTestStatementResult | undefined;
  #nextStatementId = 1;
  readonly #hanging = new Set<http.ServerResponse>();
  #nextRunId = 1001;
  #nextJobId = 501;
  #nextObjectId = 1;

  private constructor(
    server: http.Server,
    url: string,
    options: DatabricksTestServerOptions,
  ) {
    this.#server = server;
    this.url = url;
    this.token = options.token ?? 'dapi-test-token';
    this.#now = options.now ?? Date.now;
    this.#autoAdvance = options.autoAdvance;
    this.#userName = options.userName ?? 'ingestion-service@example.com';
    this.#warehouses = options.warehouses;
    this.#statementLatency = options.statementLatency ?? 0;
    for (const path of ['/', '/Shared', '/Users']) {
      this.#workspace.set(path, {
        type: 'DIRECTORY',
        objectId: this.#nextObjectId++,
      });
    }
  }

  /** Starts a fake workspace on a random port of 127.0.0.1. */
  static async start(
    options: DatabricksTestServerOptions = {},
  ): Promise<DatabricksTestServer> {
    const holder: { instance?: DatabricksTestServer } = {};
    const server = http.createServer((req, res) => {
      holder.instance!.#handle(req, res).catch(e => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error_code: 'INTERNAL_ERROR',
              message: String(e),
            }),
          );
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    holder.instance = new DatabricksTestServer(
      server,
      `http://127.0.0.1:${port}`,
      options,
    );
    return holder.instance;
  }

  /** Stops the server, dropping open and hung connections. */
  async stop(): Promise<void> {
    for (const res of this.#hanging) {
      res.destroy();
    }
    this.#hanging.clear();
    await new Promise<void>(resolve => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------------------------------------- faults

  /** Injects a fault into the next matching request(s). Faults apply in the order they were injected. */
  injectFault(fault: DatabricksFault): void {
    this.#faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Answers the next `times` requests (to `path`, or any) with 429 `REQUEST_LIMIT_EXCEEDED` and `Retry-After`. */
  rateLimit(
    options: { path?: string; times?: number; retryAfterSeconds?: number } = {},
  ): void {
    this.injectFault({
      path: options.path,
      times: options.times ?? 1,
      respond: {
        status: 429,
        errorCode: 'REQUEST_LIMIT_EXCEEDED',
        message: 'Too many requests. Please wait a moment and try again.',
        retryAfter: options.retryAfterSeconds ?? 1,
      },
    });
  }

  /** Faults not yet used up. */
  pendingFaults(): DatabricksFault[] {
    return this.#faults.map(({ remaining, ...fault }) => ({
      ...fault,
      times: remaining,
    }));
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  // ------------------------------------------------------------------------------------------------ runs

  /** All runs, oldest first. */
  runs(): DatabricksTestRun[] {
    return [...this.#runs.values()].map(run => this.#snapshot(run));
  }

  /** A run by its id (or the id of one of its tasks). */
  run(runId: number): DatabricksTestRun | undefined {
    const run = this.#findRun(runId);
    return run && this.#snapshot(run);
  }

  /**
   * PENDING → RUNNING. A run whose notebook does not exist ends in INTERNAL_ERROR instead, as on a real
   * workspace.
   */
  startRun(runId: number): DatabricksTestRun {
    const run = this.#requireRun(runId);
    if (run.lifeCycleState !== 'PENDING' && run.lifeCycleState !== 'QUEUED') {
      throw new Error(`Run ${runId} is ${run.lifeCycleState}, not PENDING`);
    }
    const missing = run.tasks.find(task => {
      const node = this.#workspace.get(normalizePath(task.notebookPath));
      return !node || node.type !== 'NOTEBOOK';
    });
    if (missing) {
      this.#terminate(run, 'INTERNAL_ERROR', undefined, {
        message: `Unable to access the notebook "${missing.notebookPath}". Either it does not exist, or the identity used to run this job lacks the required permissions.`,
        code: 'RESOURCE_NOT_FOUND',
        type: 'CLIENT_ERROR',
      });
    } else {
      run.lifeCycleState = 'RUNNING';
      run.runningAt = this.#now();
      run.stateMessage = '';
    }
    return this.#snapshot(run);
  }

  /**
   * Starts a run of a job the way its own schedule does (trigger `PERIODIC`, the tasks' base parameters, no
   * idempotency token), as if the schedule fired now.
   */
  fireSchedule(jobId: number): DatabricksTestRun {
    const reply = this.#runNow({ job_id: jobId });
    if (reply.status !== 200) {
      throw new Error(
        `Cannot fire the schedule of job ${jobId}: ${JSON.stringify(
          reply.body,
        )}`,
      );
    }
    const run = this.#requireRun((reply.body as Json).run_id as number);
    run.trigger = 'PERIODIC';
    return this.#snapshot(run);
  }

  /** Ends a run (starting it first if it is still pending) with an outcome (default SUCCESS). */
  finishRun(
    runId: number,
    outcome: DatabricksRunOutcome = {},
  ): DatabricksTestRun {
    const run = this.#requireRun(runId);
    if (run.lifeCycleState === 'PENDING' || run.lifeCycleState === 'QUEUED') {
      this.startRun(run.runId);
    }
    if (
      run.lifeCycleState !== 'RUNNING' &&
      run.lifeCycleState !== 'TERMINATING'
    ) {
      throw new Error(
        `Run ${runId} is ${run.lifeCycleState} and cannot finish`,
      );
    }
    const resultState = outcome.resultState ?? 'SUCCESS';
    for (const task of run.tasks) {
      if (outcome.notebookResult !== undefined) {
        task.notebookResult =
          typeof outcome.notebookResult === 'string'
            ? outcome.notebookResult
            : JSON.stringify(outcome.notebookResult);
      }
      task.error = outcome.error;
      task.errorTrace = outcome.errorTrace;
    }
    run.durations = outcome.durations;
    const termination = {
      SUCCESS: { code: 'SUCCESS', type: 'SUCCESS' },
      FAILED: { code: 'RUN_EXECUTION_ERROR', type: 'CLIENT_ERROR' },
      TIMEDOUT: { code: 'CANCELED', type: 'CLIENT_ERROR' },
      CANCELED: { code: 'USER_CANCELED', type: 'SUCCESS' },
    }[resultState];
    const message =
      outcome.stateMessage ??
      {
        SUCCESS: '',
        FAILED: 'Workload failed, see run output for details',
        TIMEDOUT: 'Run timed out',
        CANCELED: 'Run cancelled.',
      }[resultState];
    this.#terminate(run, 'TERMINATED', resultState, {
      ...termination,
      message,
    });
    return this.#snapshot(run);
  }

  /** Ends a run in INTERNAL_ERROR (a failure of the Jobs service or the cloud, not of the notebook). */
  failRunInternally(
    runId: number,
    message = 'Cluster terminated unexpectedly: the cloud provider could not provision instances.',
  ): DatabricksTestRun {
    const run = this.#requireRun(runId);
    this.#terminate(run, 'INTERNAL_ERROR', undefined, {
      message,
      code: 'CLOUD_FAILURE',
      type: 'CLOUD_FAILURE',
    });
    return this.#snapshot(run);
  }

  /** Sets what `runs/get-output` reports as `notebook_output.result` for the run's (first) task. */
  setNotebookResult(
    runId: number,
    result: string | Record<string, unknown>,
  ): void {
    const run = this.#requireRun(runId);
    const task = run.tasks.find(t => t.runId === runId) ?? run.tasks[0];
    task.notebookResult =
      typeof result === 'string' ? result : JSON.stringify(result);
  }

  // ------------------------------------------------------------------------------------- SQL warehouse

  /** Adds rows to the fake `system.billing.usage` table the billing statement sums. */
  addBillingUsage(...records: DatabricksTestBillingRecord[]): void {
    for (const record of records) {
      this.#billing.push({
        jobRunId: record.jobRunId,
        dbus: record.dbus,
        workspaceId: record.workspaceId ?? '1234567890',
        usageDate:
          record.usageDate ?? new Date(this.#now()).toISOString().slice(0, 10),
      });
    }
  }

  /** Makes the next statement that runs end FAILED with this error (as a failing query would). */
  failNextStatement(
    failure: { errorCode?: string; message?: string } = {},
  ): void {
    this.#statementFailures.push({
      errorCode: failure.errorCode ?? 'INTERNAL_ERROR',
      message: failure.message ?? 'Query execution failed.',
    });
  }

  /**
   * Answers statements other than the billing query (return undefined to fall through to it). The server does
   * not parse SQL: without a handler, any statement on `system.billing.usage` is answered from the rows added
   * with {@link DatabricksTestServer.addBillingUsage}, summed for the `job_run_id` parameter (and `workspace_id`,
   * `from_date` when bound), as one row `[dbus, records]`; other statements fail.
   */
  setStatementHandler(
    handler: (
      statement: DatabricksTestStatement,
    ) => DatabricksTestStatementResult | undefined,
  ): void {
    this.#statementHandler = handler;
  }

  /** Statements received, oldest first. */
  statements(): DatabricksTestStatement[] {
    return [...this.#statements.values()].map(st =>
      this.#statementSnapshot(st),
    );
  }

  // ----------------------------------------------------------------------------------- jobs and notebooks

  /** All jobs, by job id. */
  jobs(): Array<{ jobId: number; settings: Json; createdTime: number }> {
    return [...this.#jobs.values()].map(job => clone(job));
  }

  /** The notebook imported at a path. */
  notebook(path: string): { language: string; content: string } | undefined {
    const node = this.#workspace.get(normalizePath(path));
    return node?.type === 'NOTEBOOK'
      ? { language: node.language, content: node.content }
      : undefined;
  }

  // -------------------------------------------------------------------------------------------- internals

  #snapshot(run: RunState): DatabricksTestRun {
    return clone({
      runId: run.runId,
      runName: run.runName,
      idempotencyToken: run.idempotencyToken,
      lifeCycleState: run.lifeCycleState,
      resultState: run.resultState,
      stateMessage: run.stateMessage,
      runType: run.runType,
      jobId: run.jobId,
      trigger: run.trigger,
      request: run.request,
      tasks: run.tasks,
      submitCount: run.submitCount,
    });
  }

  #findRun(runId: number): RunState | undefined {
    return (
      this.#runs.get(runId) ??
      this.#runs.get(this.#taskParents.get(runId) ?? -1)
    );
  }

  #requireRun(runId: number): RunState {
    const run = this.#findRun(runId);
    if (!run) {
      throw new Error(`The test server has no run ${runId}`);
    }
    return run;
  }

  #terminate(
    run: RunState,
    state: DatabricksTestLifeCycleState,
    resultState: RunState['resultState'],
    termination: { message: string; code: string; type: string },
  ): void {
    run.lifeCycleState = state;
    run.resultState = resultState;
    run.stateMessage = termination.message;
    run.terminationCode = termination.code;
    run.terminationType = termination.type;
    run.endTime = this.#now();
  }

  #advance(run: RunState): void {
    if (run.lifeCycleState === 'TERMINATING') {
      // Cancellation is asynchronous: runs/get reports TERMINATING once, then TERMINATED.
      if (!run.terminatingReported) {
        run.terminatingReported = true;
        return;
      }
      this.#terminate(run, 'TERMINATED', 'CANCELED', {
        message: 'Run cancelled.',
        code: 'USER_CANCELED',
        type: 'SUCCESS',
      });
      return;
    }
    if (!this.#autoAdvance || TERMINAL.includes(run.lifeCycleState)) {
      return;
    }
    if (run.lifeCycleState === 'PENDING' || run.lifeCycleState === 'QUEUED') {
      this.startRun(run.runId);
      return;
    }
    const outcome =
      typeof this.#autoAdvance === 'function'
        ? this.#autoAdvance(this.#snapshot(run))
        : {
            notebookResult: {
              status: 'succeeded',
              rows_read: 0,
              rows_written: 0,
              quality: [],
              watermark: null,
            },
          };
    this.finishRun(run.runId, outcome);
  }

  #stateJson(run: RunState): Json {
    return {
      life_cycle_state: run.lifeCycleState,
      ...(run.resultState ? { result_state: run.resultState } : {}),
      state_message: run.stateMessage,
      user_cancelled_or_timedout:
        run.userCancelled || run.resultState === 'TIMEDOUT',
    };
  }

  #statusJson(run: RunState): Json {
    const state = TERMINAL.includes(run.lifeCycleState)
      ? 'TERMINATED'
      : run.lifeCycleState;
    return {
      state,
      ...(run.terminationCode
        ? {
            termination_details: {
              code: run.terminationCode,
              type: run.terminationType,
              message: run.stateMessage,
            },
          }
        : {}),
    };
  }

  #timings(run: RunState): Json {
    const now = this.#now();
    const setup =
      run.durations?.setupMs ??
      (run.runningAt ?? run.endTime ?? now) - run.startTime;
    const execution =
      run.durations?.executionMs ??
      (run.runningAt ? (run.endTime ?? now) - run.runningAt : 0);
    const cleanup = run.durations?.cleanupMs ?? 0;
    return {
      start_time: run.startTime,
      setup_duration: setup,
      execution_duration: execution,
      cleanup_duration: cleanup,
      ...(run.endTime
        ? { end_time: run.startTime + setup + execution + cleanup }
        : {}),
    };
  }

  #taskJson(run: RunState, task: TaskState): Json {
    return {
      run_id: task.runId,
      task_key: task.taskKey,
      notebook_task: {
        notebook_path: task.notebookPath,
        base_parameters: task.baseParameters,
      },
      ...this.#taskCompute(task),
      ...(run.runningAt
        ? { cluster_instance: { cluster_id: `0101-000000-run${run.runId}` } }
        : {}),
      state: this.#stateJson(run),
      status: this.#statusJson(run),
      ...this.#timings(run),
      attempt_number: 0,
      run_page_url: `${this.url}/jobs/runs/${task.runId}`,
    };
  }

  /** Tasks of job runs name a job cluster; one-off runs carry their own. */
  #taskCompute(task: TaskState): Json {
    if (task.jobClusterKey) {
      return { job_cluster_key: task.jobClusterKey };
    }
    return task.newCluster ? { new_cluster: task.newCluster } : {};
  }

  #runJson(run: RunState): Json {
    const timings = this.#timings(run);
    const now = this.#now();
    return {
      run_id: run.runId,
      number_in_job: run.runId,
      original_attempt_run_id: run.runId,
      ...(run.runName ? { run_name: run.runName } : {}),
      creator_user_name: this.#userName,
      state: this.#stateJson(run),
      status: this.#statusJson(run),
      tasks: run.tasks.map(task => this.#taskJson(run, task)),
      // Multi-task runs report their length in run_duration; the per-phase durations are on the tasks.
      start_time: run.startTime,
      setup_duration: 0,
      execution_duration: 0,
      cleanup_duration: 0,
      ...(run.endTime ? { end_time: timings.end_time } : {}),
      run_duration:
        ((timings.end_time as number | undefined) ?? now) - run.startTime,
      run_type: run.runType,
      ...(run.jobId !== undefined
        ? {
            job_id: run.jobId,
            trigger: run.trigger ?? 'ONE_TIME',
            job_clusters: run.jobClusters,
          }
        : {}),
      format: 'MULTI_TASK',
      attempt_number: 0,
      run_page_url: `${this.url}/jobs/runs/${run.runId}`,
    };
  }

  async #handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const record: DatabricksTestRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    };
    this.requests.push(record);

    let body: unknown;
    const raw = await this.#readBody(req);
    if (raw === undefined) {
      this.#send(
        res,
        record,
        error(
          413,
          'MAX_REQUEST_SIZE_EXCEEDED',
          'The request body is too large.',
        ),
      );
      return;
    }
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
        record.body = body;
      } catch {
        this.#send(
          res,
          record,
          error(
            400,
            'MALFORMED_REQUEST',
            'Invalid JSON given in the body of the request - failed to parse',
          ),
        );
        return;
      }
    }

    const auth = req.headers.authorization;
    if (!auth || !/^Bearer\s+\S+$/.test(auth)) {
      this.#send(
        res,
        record,
        error(
          401,
          'UNAUTHENTICATED',
          'Credential was not sent or was of an unsupported type for this API.',
        ),
      );
      return;
    }
    if (auth.replace(/^Bearer\s+/, '') !== this.token) {
      this.#send(
        res,
        record,
        error(403, 'PERMISSION_DENIED', 'Invalid access token.'),
      );
      return;
    }

    const fault = this.#takeFault(method, url.pathname);
    if (fault && (fault.when ?? 'before') === 'before') {
      this.#applyFault(res, record, fault);
      return;
    }
    let reply: Reply;
    if (
      (method === 'POST' || method === 'PUT') &&
      body !== undefined &&
      (typeof body !== 'object' || body === null || Array.isArray(body))
    ) {
      reply = error(
        400,
        'MALFORMED_REQUEST',
        'The request body must be a JSON object',
      );
    } else {
      reply = this.#route(method, url, (body ?? {}) as Json);
    }
    if (fault) {
      this.#applyFault(res, record, fault);
      return;
    }
    this.#send(res, record, reply);
  }

  #readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true;
        } else {
          chunks.push(chunk);
        }
      });
      req.on('end', () =>
        resolve(tooLarge ? undefined : Buffer.concat(chunks)),
      );
      req.on('error', reject);
    });
  }

  #takeFault(method: string, path: string): DatabricksFault | undefined {
    const index = this.#faults.findIndex(
      fault =>
        (fault.path === undefined ||
          fault.path === path ||
          (fault.path.endsWith('*') &&
            path.startsWith(fault.path.slice(0, -1)))) &&
        (fault.method === undefined || fault.method.toUpperCase() === method),
    );
    if (index < 0) {
      return undefined;
    }
    const fault = this.#faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      this.#faults.splice(index, 1);
    }
    return fault;
  }

  #applyFault(
    res: http.ServerResponse,
    record: DatabricksTestRequest,
    fault: DatabricksFault,
  ): void {
    const { respond } = fault;
    if (respond === 'hang') {
      this.#hanging.add(res);
      res.on('close', () => this.#hanging.delete(res));
      return;
    }
    if (respond === 'reset') {
      res.socket?.destroy();
      return;
    }
    const defaults: Record<number, [string, string]> = {
      429: [
        'REQUEST_LIMIT_EXCEEDED',
        'Too many requests. Please wait a moment and try again.',
      ],
      500: ['INTERNAL_ERROR', 'Internal error, please try again later.'],
      502: ['BAD_GATEWAY', 'Bad gateway.'],
      503: [
        'TEMPORARILY_UNAVAILABLE',
        'The service is temporarily unavailable.',
      ],
      504: ['DEADLINE_EXCEEDED', 'The request timed out.'],
    };
    const [code, message] = defaults[respond.status] ?? [
      'INTERNAL_ERROR',
      'Injected fault.',
    ];
    this.#send(res, record, {
      ...error(
        respond.status,
        respond.errorCode ?? code,
        respond.message ?? message,
      ),
      headers:
        respond.retryAfter !== undefined
          ? { 'retry-after': String(respond.retryAfter) }
          : undefined,
    });
  }

  #send(
    res: http.ServerResponse,
    record: DatabricksTestRequest,
    reply: Reply,
  ): void {
    record.status = reply.status;
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      ...reply.headers,
    });
    res.end(JSON.stringify(reply.body));
  }

  #route(method: string, url: URL, body: Json): Reply {
    const query = url.searchParams;
    const route = `${method} ${url.pathname}`;
    switch (route) {
      case 'POST /api/2.2/jobs/runs/submit':
        return this.#submit(body);
      case 'POST /api/2.2/jobs/run-now':
        return this.#runNow(body);
      case 'POST /api/2.0/sql/statements':
      case 'POST /api/2.0/sql/statements/':
        return this.#executeStatement(body);
      case 'GET /api/2.2/jobs/runs/get':
        return this.#getRun(query);
      case 'GET /api/2.2/jobs/runs/get-output':
        return this.#getRunOutput(query);
      case 'POST /api/2.2/jobs/runs/cancel':
        return this.#cancelRun(body);
      case 'POST /api/2.2/jobs/create':
        return this.#createJob(body);
      case 'POST /api/2.2/jobs/reset':
        return this.#resetJob(body);
      case 'GET /api/2.2/jobs/get':
        return this.#getJob(query);
      case 'GET /api/2.2/jobs/list':
        return this.#listJobs(query);
      case 'GET /api/2.2/jobs/runs/list':
        return this.#listRuns(query);
      case 'POST /api/2.2/jobs/delete':
        return this.#deleteJob(body);
      case 'POST /api/2.0/workspace/mkdirs':
        return this.#mkdirs(body);
      case 'POST /api/2.0/workspace/import':
        return this.#import(body);
      case 'GET /api/2.0/workspace/get-status':
        return this.#getStatus(query);
      case 'GET /api/2.0/workspace/export':
        return this.#export(query);
      default: {
        const statement =
          /^\/api\/2\.0\/sql\/statements\/([^/]+)(\/cancel)?$/.exec(
            url.pathname,
          );
        if (statement && method === 'GET' && !statement[2]) {
          return this.#getStatement(decodeURIComponent(statement[1]));
        }
        if (statement && method === 'POST' && statement[2]) {
          return this.#cancelStatement(decodeURIComponent(statement[1]));
        }
        return error(404, 'ENDPOINT_NOT_FOUND', `No API found for '${route}'`);
      }
    }
  }

  #problems(problems: Problems): Reply | undefined {
    return problems.ok ? undefined : invalid(problems.list.join('; '));
  }

  #intParam(value: unknown, name: string): number | Reply {
    const number =
      typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (
      typeof number !== 'number' ||
      !Number.isSafeInteger(number) ||
      number <= 0
    ) {
      return invalid(`${name} is required and must be a positive integer`);
    }
    return number;
  }

  #submit(body: Json): Reply {
    const rejected = this.#problems(validateSubmitRun(body));
    if (rejected) {
      return rejected;
    }
    const token = body.idempotency_token as string | undefined;
    if (token !== undefined && this.#runsByToken.has(token)) {
      const existing = this.#runs.get(this.#runsByToken.get(token)!)!;
      existing.submitCount += 1;
      return ok({ run_id: existing.runId });
    }
    const runId = this.#nextRunId++;
    const tasks = (body.tasks as Json[]).map((task): TaskState => {
      const taskRunId = this.#nextRunId++;
      this.#taskParents.set(taskRunId, runId);
      const notebook = task.notebook_task as Json;
      return {
        runId: taskRunId,
        taskKey: task.task_key as string,
        notebookPath: notebook.notebook_path as string,
        baseParameters: clone(
          (notebook.base_parameters ?? {}) as Record<string, string>,
        ),
        newCluster: clone(task.new_cluster as Json | undefined),
      };
    });
    this.#runs.set(runId, {
      runId,
      runName: body.run_name as string | undefined,
      idempotencyToken: token,
      lifeCycleState: 'PENDING',
      stateMessage: 'Waiting for cluster',
      runType: 'SUBMIT_RUN',
      request: clone(body),
      tasks,
      submitCount: 1,
      startTime: this.#now(),
      userCancelled: false,
    });
    if (token !== undefined) {
      this.#runsByToken.set(token, runId);
    }
    return ok({ run_id: runId });
  }

  #runNow(body: Json): Reply {
    const rejected = this.#problems(validateRunNow(body));
    if (rejected) {
      return rejected;
    }
    const found = this.#lookupJob(body.job_id);
    if ('reply' in found) {
      return found.reply;
    }
    const token = body.idempotency_token as string | undefined;
    // One token, one run, whichever endpoint started it.
    if (token !== undefined && this.#runsByToken.has(token)) {
      const existing = this.#runs.get(this.#runsByToken.get(token)!)!;
      existing.submitCount += 1;
      return ok({ run_id: existing.runId, number_in_job: existing.runId });
    }
    const { job } = found;
    const settings = job.settings;
    const declared = (settings.parameters ?? []) as Json[];
    if (declared.length > 0 && body.notebook_params !== undefined) {
      return invalid(
        'notebook_params cannot be used with a job that defines job parameters: use job_parameters',
      );
    }
    const only = body.only as string[] | undefined;
    const allTasks = (settings.tasks ?? []) as Json[];
    const unknown = (only ?? []).filter(
      key => !allTasks.some(task => task.task_key === key),
    );
    if (unknown.length > 0) {
      return invalid(
        `only names tasks the job does not have: ${unknown.join(', ')}`,
      );
    }
    const jobParameters = {
      ...Object.fromEntries(
        declared.map(p => [String(p.name), String(p.default ?? '')]),
      ),
      ...((body.job_parameters ?? {}) as Record<string, string>),
    };
    const clusters = new Map(
      ((settings.job_clusters ?? []) as Json[]).map(c => [
        c.job_cluster_key as string,
        c.new_cluster as Json,
      ]),
    );
    const runId = this.#nextRunId++;
    const tasks = allTasks
      .filter(task => !only || only.includes(task.task_key as string))
      .map((task): TaskState => {
        const taskRunId = this.#nextRunId++;
        this.#taskParents.set(taskRunId, runId);
        const notebook = task.notebook_task as Json;
        const key = task.job_cluster_key as string | undefined;
        return {
          runId: taskRunId,
          taskKey: task.task_key as string,
          notebookPath: notebook.notebook_path as string,
          // notebook_params override the task's base parameters; job parameters reach every task.
          baseParameters: {
            ...((notebook.base_parameters ?? {}) as Record<string, string>),
            ...jobParameters,
            ...((body.notebook_params ?? {}) as Record<string, string>),
          },
          ...(key
            ? { jobClusterKey: key, newCluster: clone(clusters.get(key)) }
            : { newCluster: clone(task.new_cluster as Json | undefined) }),
        };
      });
    const active = [...this.#runs.values()].filter(
      run =>
        run.jobId === job.jobId &&
        !TERMINAL.includes(run.lifeCycleState) &&
        run.lifeCycleState !== 'QUEUED',
    ).length;
    const maxConcurrent = (settings.max_concurrent_runs as number) ?? 1;
    const queue = (body.queue ?? settings.queue) as Json | undefined;
    const run: RunState = {
      runId,
      runName: settings.name as string | undefined,
      idempotencyToken: token,
      lifeCycleState: 'PENDING',
      stateMessage: 'Waiting for cluster',
      runType: 'JOB_RUN',
      jobId: job.jobId,
      jobClusters: clone(settings.job_clusters as Json[] | undefined),
      request: clone(body),
      tasks,
      submitCount: 1,
      startTime: this.#now(),
      userCancelled: false,
    };
    this.#runs.set(runId, run);
    if (token !== undefined) {
      this.#runsByToken.set(token, runId);
    }
    if (active >= maxConcurrent) {
      if (queue?.enabled === true) {
        run.lifeCycleState = 'QUEUED';
        run.stateMessage = 'Queued: the job is at its maximum concurrent runs';
      } else {
        this.#terminate(run, 'SKIPPED', undefined, {
          message: 'Skipped: the job is at its maximum concurrent runs',
          code: 'MAX_CONCURRENT_RUNS_EXCEEDED',
          type: 'CLIENT_ERROR',
        });
      }
    }
    return ok({ run_id: runId, number_in_job: runId });
  }

  // ----------------------------------------------------------------------------------- SQL statements

  #statementSnapshot(st: StatementState): DatabricksTestStatement {
    return clone({
      statementId: st.statementId,
      warehouseId: st.warehouseId,
      statement: st.statement,
      parameters: st.parameters,
      state: st.state,
    });
  }

  #executeStatement(body: Json): Reply {
    const rejected = this.#problems(validateStatement(body));
    if (rejected) {
      return rejected;
    }
    const warehouseId = body.warehouse_id as string;
    if (this.#warehouses && !this.#warehouses.includes(warehouseId)) {
      return error(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `SQL warehouse ${warehouseId} does not exist.`,
      );
    }
    const statementId = `01ef-${String(this.#nextStatementId++).padStart(
      8,
      '0',
    )}`;
    const st: StatementState = {
      statementId,
      warehouseId,
      statement: body.statement as string,
      parameters: clone(
        (body.parameters ?? []) as StatementState['parameters'],
      ),
      state: 'PENDING',
      body: clone(body),
      remaining: this.#statementLatency,
    };
    this.#statements.set(statementId, st);
    const waits = (body.wait_timeout ?? '10s') !== '0s';
    if (waits) {
      // The call waits up to wait_timeout: one status read's worth of progress.
      this.#progress(st);
      if (
        (st.state === 'PENDING' || st.state === 'RUNNING') &&
        body.on_wait_timeout === 'CANCEL'
      ) {
        st.state = 'CANCELED';
      }
    }
    return ok(this.#statementJson(st));
  }

  #progress(st: StatementState): void {
    if (st.state !== 'PENDING' && st.state !== 'RUNNING') {
      return;
    }
    if (st.remaining > 0) {
      st.remaining -= 1;
      st.state = 'RUNNING';
      return;
    }
    const failure = this.#statementFailures.shift();
    const result: DatabricksTestStatementResult = failure
      ? { error: failure }
      : this.#evaluate(st);
    st.result = result;
    st.state = 'error' in result ? 'FAILED' : 'SUCCEEDED';
  }

  #evaluate(st: StatementState): DatabricksTestStatementResult {
    const unbound = unboundMarkers(st.body);
    if (unbound.length > 0) {
      return {
        error: {
          errorCode: 'BAD_REQUEST',
          message: `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${unbound[0]}.`,
        },
      };
    }
    const custom = this.#statementHandler?.(this.#statementSnapshot(st));
    if (custom) {
      return custom;
    }
    if (!/\bsystem\.billing\.usage\b/i.test(st.statement)) {
      return {
        error: {
          errorCode: 'BAD_REQUEST',
          message:
            'The test warehouse only answers queries on system.billing.usage.',
        },
      };
    }
    const param = (name: string) =>
      st.parameters.find(p => p.name === name)?.value ?? undefined;
    const jobRunId = param('job_run_id');
    const workspaceId = param('workspace_id');
    const fromDate = param('from_date');
    const rows = this.#billing.filter(
      record =>
        String(record.jobRunId) === jobRunId &&
        (workspaceId === undefined || record.workspaceId === workspaceId) &&
        (fromDate === undefined || record.usageDate >= fromDate),
    );
    const sum = rows.reduce((total, record) => total + record.dbus, 0);
    return {
      columns: ['dbus', 'records'],
      rows: [[rows.length > 0 ? String(sum) : null, String(rows.length)]],
    };
  }

  #statementJson(st: StatementState): Json {
    const result = st.result;
    return {
      statement_id: st.statementId,
      status: {
        state: st.state,
        ...(result && 'error' in result
          ? {
              error: {
                error_code: result.error.errorCode,
                message: result.error.message,
              },
            }
          : {}),
      },
      ...(st.state === 'SUCCEEDED' && result && !('error' in result)
        ? {
            manifest: {
              format: 'JSON_ARRAY',
              schema: {
                column_count: result.columns.length,
                columns: result.columns.map((name, position) => ({
                  name,
                  position,
                  type_name: 'STRING',
                  type_text: 'STRING',
                })),
              },
              total_chunk_count: 1,
              total_row_count: result.rows.length,
              chunks: [
                {
                  chunk_index: 0,
                  row_offset: 0,
                  row_count: result.rows.length,
                },
              ],
              truncated: false,
            },
            result: {
              chunk_index: 0,
              row_offset: 0,
              row_count: result.rows.length,
              data_array: result.rows,
            },
          }
        : {}),
    };
  }

  #lookupStatement(
    statementId: string,
  ): { statement: StatementState } | { reply: Reply } {
    const statement = this.#statements.get(statementId);
    return statement
      ? { statement }
      : {
          reply: error(
            404,
            'RESOURCE_DOES_NOT_EXIST',
            `Statement ${statementId} does not exist.`,
          ),
        };
  }

  #getStatement(statementId: string): Reply {
    const found = this.#lookupStatement(statementId);
    if ('reply' in found) {
      return found.reply;
    }
    this.#progress(found.statement);
    return ok(this.#statementJson(found.statement));
  }

  #cancelStatement(statementId: string): Reply {
    const found = this.#lookupStatement(statementId);
    if ('reply' in found) {
      return found.reply;
    }
    const st = found.statement;
    if (st.state === 'PENDING' || st.state === 'RUNNING') {
      st.state = 'CANCELED';
    }
    return ok({});
  }

  #lookupRun(
    value: unknown,
  ): { run: RunState; runId: number } | { reply: Reply } {
    const runId = this.#intParam(value, 'run_id');
    if (typeof runId !== 'number') {
      return { reply: runId };
    }
    const run = this.#findRun(runId);
    return run
      ? { run, runId }
      : { reply: invalid(`Run ${runId} does not exist.`) };
  }

  #getRun(query: URLSearchParams): Reply {
    const found = this.#lookupRun(query.get('run_id') ?? undefined);
    if ('reply' in found) {
      return found.reply;
    }
    const { run, runId } = found;
    this.#advance(run);
    if (runId !== run.runId) {
      const task = run.tasks.find(t => t.runId === runId)!;
      return ok({ ...this.#taskJson(run, task), run_type: run.runType });
    }
    return ok(this.#runJson(run));
  }

  #getRunOutput(query: URLSearchParams): Reply {
    const found = this.#lookupRun(query.get('run_id') ?? undefined);
    if ('reply' in found) {
      return found.reply;
    }
    const { run, runId } = found;
    if (runId === run.runId) {
      return invalid(MULTI_TASK_OUTPUT);
    }
    const task = run.tasks.find(t => t.runId === runId)!;
    const terminated = TERMINAL.includes(run.lifeCycleState);
    return ok({
      metadata: { ...this.#taskJson(run, task), run_type: run.runType },
      ...(terminated && task.notebookResult !== undefined
        ? { notebook_output: { result: task.notebookResult, truncated: false } }
        : {}),
      ...(terminated && task.error !== undefined ? { error: task.error } : {}),
      ...(terminated && task.errorTrace !== undefined
        ? { error_trace: task.errorTrace }
        : {}),
      ...(run.lifeCycleState === 'INTERNAL_ERROR' && task.error === undefined
        ? { error: run.stateMessage }
        : {}),
    });
  }

  #cancelRun(body: Json): Reply {
    const found = this.#lookupRun(body.run_id);
    if ('reply' in found) {
      return found.reply;
    }
    const { run } = found;
    if (
      !TERMINAL.includes(run.lifeCycleState) &&
      run.lifeCycleState !== 'TERMINATING'
    ) {
      run.lifeCycleState = 'TERMINATING';
      run.stateMessage = 'Run cancellation requested.';
      run.userCancelled = true;
    }
    return ok({});
  }

  #createJob(body: Json): Reply {
    const rejected = this.#problems(validateJobSettings(body));
    if (rejected) {
      return rejected;
    }
    const jobId = this.#nextJobId++;
    const settings = clone(body);
    delete settings.access_control_list;
    this.#jobs.set(jobId, { jobId, settings, createdTime: this.#now() });
    return ok({ job_id: jobId });
  }

  #lookupJob(value: unknown): { job: JobState } | { reply: Reply } {
    const jobId = this.#intParam(value, 'job_id');
    if (typeof jobId !== 'number') {
      return { reply: jobId };
    }
    const job = this.#jobs.get(jobId);
    return job ? { job } : { reply: invalid(`Job ${jobId} does not exist.`) };
  }

  #resetJob(body: Json): Reply {
    const found = this.#lookupJob(body.job_id);
    if ('reply' in found) {
      return found.reply;
    }
    const { job } = found;
    const settings = body.new_settings;
    if (
      typeof settings !== 'object' ||
      settings === null ||
      Array.isArray(settings)
    ) {
      return invalid('new_settings is required');
    }
    const rejected = this.#problems(
      validateJobSettings(settings as Json, 'new_settings.'),
    );
    if (rejected) {
      return rejected;
    }
    job.settings = clone(settings as Json);
    return ok({});
  }

  #jobJson(job: JobState, expandTasks: boolean): Json {
    const settings = clone(job.settings);
    if (!expandTasks) {
      // jobs/list leaves out tasks and job clusters unless expand_tasks is set.
      delete settings.tasks;
      delete settings.job_clusters;
    }
    return {
      job_id: job.jobId,
      creator_user_name: this.#userName,
      created_time: job.createdTime,
      settings,
    };
  }

  #getJob(query: URLSearchParams): Reply {
    const found = this.#lookupJob(query.get('job_id') ?? undefined);
    if ('reply' in found) {
      return found.reply;
    }
    return ok(this.#jobJson(found.job, true));
  }

  /**
   * One page of `items` by `limit` and `page_token` (or `offset`): `page_token` is opaque to clients; here it
   * encodes the offset of the page it points to.
   */
  #page<T>(
    items: T[],
    query: URLSearchParams,
    limit: number,
    key: string,
    toJson: (item: T) => Json,
  ): Reply {
    let offset = 0;
    const pageToken = query.get('page_token');
    if (pageToken) {
      const decoded = Buffer.from(pageToken, 'base64url').toString('utf8');
      if (!/^offset:\d+$/.test(decoded)) {
        return invalid('Invalid page_token');
      }
      offset = Number(decoded.slice('offset:'.length));
    } else if (query.has('offset')) {
      offset = Number(query.get('offset'));
    }
    const token = (at: number) =>
      Buffer.from(`offset:${at}`).toString('base64url');
    const page = items.slice(offset, offset + limit);
    const hasMore = offset + limit < items.length;
    return ok({
      ...(page.length > 0 ? { [key]: page.map(toJson) } : {}),
      has_more: hasMore,
      ...(hasMore ? { next_page_token: token(offset + limit) } : {}),
      ...(offset > 0
        ? { prev_page_token: token(Math.max(0, offset - limit)) }
        : {}),
    });
  }

  #listJobs(query: URLSearchParams): Reply {
    const limit = query.has('limit') ? Number(query.get('limit')) : 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return invalid('limit must be an integer between 1 and 100');
    }
    const name = query.get('name')?.toLowerCase();
    const matching = [...this.#jobs.values()]
      .filter(
        job =>
          name === undefined ||
          String(job.settings.name ?? '').toLowerCase() === name,
      )
      .sort((a, b) => a.jobId - b.jobId);
    const expand = query.get('expand_tasks') === 'true';
    return this.#page(matching, query, limit, 'jobs', job =>
      this.#jobJson(job, expand),
    );
  }

  /** `jobs/runs/list`: runs newest first, filtered by job, start time, state and type. */
  #listRuns(query: URLSearchParams): Reply {
    const rejected = this.#problems(validateListRuns(query));
    if (rejected) {
      return rejected;
    }
    // 0 (or no limit) means the largest page.
    const limit = Number(query.get('limit') ?? 0) || 25;
    const jobId = query.has('job_id') ? Number(query.get('job_id')) : undefined;
    if (jobId !== undefined && !this.#jobs.has(jobId)) {
      return invalid(`Job ${jobId} does not exist.`);
    }
    const from = Number(query.get('start_time_from') ?? 0);
    const to = query.has('start_time_to')
      ? Number(query.get('start_time_to'))
      : Infinity;
    const runType = query.get('run_type');
    const matching = [...this.#runs.values()]
      .filter(
        run =>
          (jobId === undefined || run.jobId === jobId) &&
          run.startTime >= from &&
          run.startTime <= to &&
          (runType === null || run.runType === runType) &&
          (query.get('active_only') !== 'true' ||
            !TERMINAL.includes(run.lifeCycleState)) &&
          (query.get('completed_only') !== 'true' ||
            TERMINAL.includes(run.lifeCycleState)),
      )
      .sort((a, b) => b.startTime - a.startTime || b.runId - a.runId);
    const expand = query.get('expand_tasks') === 'true';
    return this.#page(matching, query, limit, 'runs', run => {
      const json = this.#runJson(run);
      if (!expand) {
        delete json.tasks;
      }
      return json;
    });
  }

  #deleteJob(body: Json): Reply {
    const found = this.#lookupJob(body.job_id);
    if ('reply' in found) {
      return found.reply;
    }
    this.#jobs.delete(found.job.jobId);
    return ok({});
  }

  #mkdirs(body: Json): Reply {
    if (typeof body.path !== 'string' || !body.path.startsWith('/')) {
      return invalid('path is required: an absolute workspace path');
    }
    const path = normalizePath(body.path);
    const segments = path.split('/').filter(Boolean);
    let current = '';
    for (const segment of segments) {
      current = `${current}/${segment}`;
      const node = this.#workspace.get(current);
      if (node?.type === 'NOTEBOOK') {
        return error(
          400,
          'RESOURCE_ALREADY_EXISTS',
          `Cannot create directory ${path} because ${current} is an existing notebook.`,
        );
      }
      if (!node) {
        this.#workspace.set(current, {
          type: 'DIRECTORY',
          objectId: this.#nextObjectId++,
        });
      }
    }
    return ok({});
  }

  #import(body: Json): Reply {
    const rejected = this.#problems(validateImport(body));
    if (rejected) {
      return rejected;
    }
    const path = normalizePath(body.path as string);
    const parent = parentOf(path);
    const parentNode = this.#workspace.get(parent);
    if (!parentNode || parentNode.type !== 'DIRECTORY') {
      return error(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `The parent folder (${parent}) does not exist.`,
      );
    }
    const existing = this.#workspace.get(path);
    if (
      existing?.type === 'DIRECTORY' ||
      (existing && body.overwrite !== true)
    ) {
      return error(
        400,
        'RESOURCE_ALREADY_EXISTS',
        `Path (${path}) already exists.`,
      );
    }
    const content = Buffer.from(body.content as string, 'base64');
    if (content.length > MAX_NOTEBOOK_BYTES) {
      return error(
        400,
        'MAX_NOTEBOOK_SIZE_EXCEEDED',
        'File size imported is (more than 10485760 bytes) too large.',
      );
    }
    this.#workspace.set(path, {
      type: 'NOTEBOOK',
      objectId: existing?.objectId ?? this.#nextObjectId++,
      language: body.language as string,
      content: content.toString('utf8'),
    });
    return ok({});
  }

  #getStatus(query: URLSearchParams): Reply {
    const raw = query.get('path');
    if (!raw || !raw.startsWith('/')) {
      return invalid('path is required: an absolute workspace path');
    }
    const path = normalizePath(raw);
    const node = this.#workspace.get(path);
    if (!node) {
      return error(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Path (${path}) doesn't exist.`,
      );
    }
    return ok({
      object_type: node.type,
      path,
      object_id: node.objectId,
      ...(node.type === 'NOTEBOOK' ? { language: node.language } : {}),
    });
  }

  #export(query: URLSearchParams): Reply {
    const raw = query.get('path');
    if (!raw || !raw.startsWith('/')) {
      return invalid('path is required: an absolute workspace path');
    }
    const format = query.get('format') ?? 'SOURCE';
    if (!IMPORT_FORMATS.includes(format) || format !== 'SOURCE') {
      return invalid(`the test server exports SOURCE only, got ${format}`);
    }
    const path = normalizePath(raw);
    const node = this.#workspace.get(path);
    if (!node || node.type !== 'NOTEBOOK') {
      return error(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Path (${path}) doesn't exist.`,
      );
    }
    return ok({
      content: Buffer.from(node.content, 'utf8').toString('base64'),
      file_type: { PYTHON: 'py', SQL: 'sql', SCALA: 'scala', R: 'r' }[
        node.language
      ],
    });
  }
}
