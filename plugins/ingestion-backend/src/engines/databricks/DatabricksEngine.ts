import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  buildRunSubmitRequest,
  DatabricksApiError,
  DatabricksClient,
  deriveIdempotencyToken,
  findQualityFailureSummary,
  generateWorkspaceArtifacts,
  notebookRunResult,
  parseNotebookSummary,
  type DatabricksClientOptions,
  type DatabricksRun,
  type DatabricksRunOutput,
  type EngineOrganization,
  type EngineRunContext,
  type EngineRunResult,
  type EngineRunState,
  type IngestionEngine,
  type NotebookRunSummary,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { createHash } from 'node:crypto';
import { estimateRunDbus, type ClusterSpec } from './dbus';
import type { DatabricksDeployments } from './deployments';
import { startDeployedJob } from './deployedJobRun';
import { verifyPipelineJob, type JobVerification } from './jobVerification';
import type { ScheduledJobRun } from './scheduledRuns';

/** Options of {@link DatabricksEngine}. */
export interface DatabricksEngineOptions {
  logger: LoggerService;
  /** Retry, timeout and test hooks for the workspace clients (host and token come from the organization). */
  client?: Omit<DatabricksClientOptions, 'host' | 'token'>;
  /** DBUs per node-hour by node type, added to the defaults of the DBU estimate. */
  dbuRates?: Record<string, number>;
  /** Which pipelines are deployed as jobs: their runs start the job (`run-now`) instead of a one-off run. */
  deployments?: DatabricksDeployments;
  /** Polling of billing statements (tests shorten it). */
  statements?: { pollIntervalMs?: number; timeoutMs?: number };
}

/**
 * DBUs billed for one job run. `usage_metadata.job_run_id` is a string column; `usage_date` bounds the scan to
 * the partitions since the run began. Values are bound as parameters, never written into the SQL.
 */
export function billedDbusStatement(byWorkspace: boolean): string {
  return [
    'SELECT SUM(usage_quantity) AS dbus, COUNT(*) AS records',
    'FROM system.billing.usage',
    'WHERE usage_metadata.job_run_id = :job_run_id',
    "  AND usage_unit = 'DBU'",
    '  AND usage_date >= :from_date',
    ...(byWorkspace ? ['  AND workspace_id = :workspace_id'] : []),
  ].join('\n');
}

const MAX_MESSAGE = 2000;

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** The Databricks run id of an engine run id, or undefined when it cannot be one. */
function parseRunId(engineRunId: string): number | undefined {
  if (!/^\d{1,16}$/.test(engineRunId)) {
    return undefined;
  }
  const runId = Number(engineRunId);
  return Number.isSafeInteger(runId) && runId > 0 ? runId : undefined;
}

/** The Jobs API takes idempotency tokens of at most 64 characters. */
function submitToken(run: EngineRunContext['run']): string {
  const token = run.idempotencyToken;
  if (!token) {
    return deriveIdempotencyToken(`${run.id}#${run.attempt}`);
  }
  return token.length <= 64
    ? token
    : createHash('sha256').update(token).digest('hex');
}

/**
 * The notebook's watermark parameters of a run the backend starts. Without a watermark (a full
 * refresh, or nothing recorded yet) the notebook reads every row: the backend's record decides,
 * not the mark of the target's last commit, which only runs of the job's own schedule follow.
 */
function watermarkParameters(context: EngineRunContext) {
  const { watermarkIn } = context.run;
  return {
    watermark: watermarkIn ?? '',
    full_refresh: watermarkIn === undefined ? 'true' : '',
  };
}

/**
 * The Databricks engine: each run of a pipeline version executes the notebook generated for the organization on
 * a job cluster of its workspace.
 *
 * - `submit` generates the notebook and job for the organization (cluster policy, sizing, spot, Spark settings
 *   and cost tags) and imports the notebook at `/Shared/ingestion/<organization>/<pipeline>/v<version>`. When the
 *   pipeline is deployed as a job at this version, it starts that job (`jobs/run-now`); otherwise it submits a
 *   one-time run (`jobs/runs/submit`). Either way the run's watermark and id go as notebook parameters and the
 *   run's idempotency token with the request, so a retried or repeated submit returns the run the first started.
 * - `poll` maps the run's life-cycle and result states; a finished run's task output carries the notebook's JSON
 *   summary (rows, quality results, new watermark). A notebook stopped by a `fail` quality rule raises
 *   `QualityFailure(<summary>)` and ends as `quality_failed`. DBUs are estimated from the cluster and the run's
 *   durations (see `estimateRunDbus`); {@link DatabricksEngine.billedDbus} reads the billed figure later.
 * - `cancel` cancels the run (asynchronously: polls report it as running until it is terminated).
 *
 * Each organization has its own client (its workspace host and token); nothing is shared between tenants.
 */
export class DatabricksEngine implements IngestionEngine {
  readonly id = 'databricks';

  readonly #options: DatabricksEngineOptions;
  readonly #clients = new Map<string, DatabricksClient>();

  constructor(options: DatabricksEngineOptions) {
    this.#options = options;
  }

  async submit(context: EngineRunContext): Promise<{ engineRunId: string }> {
    const client = this.#client(context.organization);
    const artifacts = this.#artifacts(context);
    // Also the deployed job's notebook (same versioned path): run-now then runs this run's
    // effective spec, with the PII masks known now, whatever the job was deployed with.
    await client.importNotebook(
      artifacts.notebook.path,
      artifacts.notebook.content,
    );
    const started = await startDeployedJob({
      context,
      client,
      deployments: this.#options.deployments,
      idempotencyToken: submitToken(context.run),
      notebookParams: {
        ...watermarkParameters(context),
        run_id: context.run.id,
      },
    });
    if (started) {
      return started;
    }
    const request = buildRunSubmitRequest({
      job: artifacts.job,
      runId: context.run.id,
      parameters: watermarkParameters(context),
    });
    const { runId } = await client.submitRun({
      ...request,
      run_name:
        context.run.attempt > 1
          ? `${request.run_name}, attempt ${context.run.attempt}`
          : request.run_name,
      idempotency_token: submitToken(context.run),
    });
    await context.log(
      'info',
      `Submitted Databricks run ${runId} of notebook ${artifacts.notebook.path} to ${client.host}`,
    );
    return { engineRunId: String(runId) };
  }

  /** Imports (overwrites) a notebook in the organization's workspace, through its client. */
  async importNotebook(
    organization: EngineOrganization,
    path: string,
    content: string,
  ): Promise<void> {
    await this.#client(organization).importNotebook(path, content);
  }

  /**
   * Whether job `jobId` of the organization's workspace is the pipeline's own (see
   * `verifyPipelineJob`); throws when the workspace cannot answer.
   */
  async verifyPipelineJob(
    organization: EngineOrganization,
    pipelineId: string,
    jobId: number,
  ): Promise<JobVerification> {
    return verifyPipelineJob(this.#client(organization), {
      organizationId: organization.id,
      pipelineId,
      jobId,
    });
  }

  /**
   * DBUs `system.billing.usage` has for a run, summed through the organization's billing SQL warehouse; undefined
   * without a warehouse, or while billing has no record of the run yet (it lags by hours).
   */
  async billedDbus(
    organization: EngineOrganization,
    engineRunId: string,
    since: Date,
  ): Promise<number | undefined> {
    const warehouseId = organization.databricks?.billingWarehouseId;
    const runId = parseRunId(engineRunId);
    if (!warehouseId || runId === undefined) {
      return undefined;
    }
    const workspaceId = organization.databricks?.workspaceId;
    const { rows } = await this.#client(organization).executeStatement({
      warehouseId,
      statement: billedDbusStatement(workspaceId !== undefined),
      parameters: [
        { name: 'job_run_id', value: String(runId) },
        {
          name: 'from_date',
          value: since.toISOString().slice(0, 10),
          type: 'DATE',
        },
        ...(workspaceId !== undefined
          ? [{ name: 'workspace_id', value: workspaceId }]
          : []),
      ],
      ...this.#options.statements,
    });
    const [dbus, records] = rows[0] ?? [];
    if (
      !records ||
      Number(records) === 0 ||
      dbus === null ||
      dbus === undefined
    ) {
      return undefined;
    }
    const value = Number(dbus);
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(
        `system.billing.usage returned ${dbus} DBUs for run ${runId}, which is not a number of DBUs`,
      );
    }
    return Math.round(value * 10_000) / 10_000;
  }

  /**
   * Runs of a deployed job that the job's own schedule started (trigger `PERIODIC`) at or after `since`: runs
   * the backend started itself (`run-now`, trigger `ONE_TIME`) and Databricks' retries are left out.
   */
  async scheduledJobRuns(
    organization: EngineOrganization,
    jobId: number,
    since: Date,
  ): Promise<ScheduledJobRun[]> {
    const runs = await this.#client(organization).listJobRuns(
      jobId,
      since.getTime(),
    );
    return runs.flatMap(run =>
      run.trigger === 'PERIODIC' && typeof run.run_id === 'number'
        ? [
            {
              engineRunId: String(run.run_id),
              startedAt: new Date(run.start_time ?? since.getTime()),
            },
          ]
        : [],
    );
  }

  async poll(
    context: EngineRunContext,
    engineRunId: string,
  ): Promise<EngineRunState> {
    const runId = parseRunId(engineRunId);
    if (runId === undefined) {
      return { state: 'unknown' };
    }
    const client = this.#client(context.organization);
    let run: DatabricksRun;
    try {
      run = await client.getRun(runId);
    } catch (error) {
      if (error instanceof DatabricksApiError && error.isNotFound) {
        return { state: 'unknown' };
      }
      throw error;
    }
    const state = run.state ?? {};
    const message = state.state_message || undefined;
    switch (state.life_cycle_state) {
      case 'QUEUED':
      case 'PENDING':
      case 'BLOCKED':
      case 'WAITING_FOR_RETRY':
      case undefined:
        return { state: 'pending', ...(message ? { message } : {}) };
      case 'RUNNING':
      case 'TERMINATING':
        return { state: 'running', ...(message ? { message } : {}) };
      case 'SKIPPED':
        return {
          state: 'failed',
          message: this.#failure(run, 'was skipped', message),
          retryable: true,
        };
      case 'INTERNAL_ERROR': {
        // A missing notebook or a bad cluster setting (CLIENT_ERROR) fails again; cloud or service trouble may not.
        const type = run.status?.termination_details?.type;
        return {
          state: 'failed',
          message: this.#failure(run, 'ended with an internal error', message),
          retryable: type !== 'CLIENT_ERROR',
        };
      }
      case 'TERMINATED':
        return this.#terminated(context, client, run);
      default:
        return {
          state: 'running',
          message: `Databricks reports ${state.life_cycle_state}`,
        };
    }
  }

  async cancel(context: EngineRunContext, engineRunId: string): Promise<void> {
    const runId = parseRunId(engineRunId);
    if (runId === undefined) {
      return;
    }
    try {
      await this.#client(context.organization).cancelRun(runId);
    } catch (error) {
      if (error instanceof DatabricksApiError && error.isNotFound) {
        return;
      }
      throw error;
    }
    await context.log(
      'info',
      `Requested cancellation of Databricks run ${runId}`,
    );
  }

  async #terminated(
    context: EngineRunContext,
    client: DatabricksClient,
    run: DatabricksRun,
  ): Promise<EngineRunState> {
    const message = run.state?.state_message || undefined;
    switch (run.state?.result_state) {
      case 'SUCCESS': {
        const output = await this.#output(context, client, run);
        const text = output?.notebook_output?.result;
        let summary: NotebookRunSummary | undefined;
        if (text === undefined) {
          await context.log(
            'warn',
            `Databricks run ${run.run_id} succeeded without a run summary (the notebook did not call dbutils.notebook.exit); rows and quality results are unknown`,
          );
        } else {
          try {
            summary = parseNotebookSummary(text);
          } catch (error) {
            await context.log(
              'warn',
              `Databricks run ${
                run.run_id
              } succeeded but its summary is unreadable: ${
                (error as Error).message
              }`,
            );
          }
        }
        const result = summary
          ? this.#result(context, run, summary)
          : this.#emptyResult(context, run);
        if (summary?.status === 'quality_failed') {
          return {
            state: 'quality_failed',
            result,
            message: this.#qualityMessage(summary),
          };
        }
        return { state: 'succeeded', result };
      }
      case 'FAILED': {
        const output = await this.#output(context, client, run);
        const qualityFailure = findQualityFailureSummary(
          output?.error,
          output?.error_trace,
        );
        if (qualityFailure) {
          return {
            state: 'quality_failed',
            result: this.#result(context, run, qualityFailure),
            message: this.#qualityMessage(qualityFailure),
          };
        }
        const type = run.status?.termination_details?.type;
        return {
          state: 'failed',
          message: this.#failure(run, 'failed', output?.error ?? message),
          retryable: type === 'CLOUD_FAILURE' || type === 'INTERNAL_ERROR',
        };
      }
      case 'CANCELED':
        return { state: 'cancelled', ...(message ? { message } : {}) };
      case 'TIMEDOUT':
        return {
          state: 'failed',
          message: this.#failure(run, 'timed out', message),
          retryable: false,
        };
      case 'MAXIMUM_CONCURRENT_RUNS_REACHED':
        return {
          state: 'failed',
          message: this.#failure(
            run,
            'was not started: the concurrent runs limit was reached',
            message,
          ),
          retryable: true,
        };
      default:
        return {
          state: 'failed',
          message: this.#failure(
            run,
            `ended with result ${run.state?.result_state ?? 'unknown'}`,
            message,
          ),
          retryable: false,
        };
    }
  }

  /** The output of the run's notebook task; undefined (logged) when it cannot be read. */
  async #output(
    context: EngineRunContext,
    client: DatabricksClient,
    run: DatabricksRun,
  ): Promise<DatabricksRunOutput | undefined> {
    // Runs submitted with `tasks` are multi-task runs: only a task run has an output.
    const task = run.tasks?.find(t => t.notebook_task) ?? run.tasks?.[0];
    const outputRunId = task?.run_id ?? run.run_id;
    if (outputRunId === undefined) {
      return undefined;
    }
    try {
      return await client.getRunOutput(outputRunId);
    } catch (error) {
      if (error instanceof DatabricksApiError && !error.retryable) {
        await context.log(
          'warn',
          `The output of Databricks run ${outputRunId} cannot be read: ${error.message}`,
        );
        return undefined;
      }
      throw error;
    }
  }

  #result(
    context: EngineRunContext,
    run: DatabricksRun,
    summary: NotebookRunSummary,
  ): EngineRunResult {
    return notebookRunResult(summary, {
      spec: context.spec,
      storage: context.organization.storage,
      dbus: this.#dbus(context, run),
    });
  }

  #emptyResult(context: EngineRunContext, run: DatabricksRun): EngineRunResult {
    return {
      rowsRead: 0,
      rowsWritten: 0,
      bytesWritten: 0,
      dbus: this.#dbus(context, run),
      quality: [],
      tables: [],
    };
  }

  #dbus(context: EngineRunContext, run: DatabricksRun): number {
    const needsFallback = (run.tasks ?? []).some(
      t =>
        !t.new_cluster &&
        !t.existing_cluster_id &&
        !run.job_clusters?.some(c => c.job_cluster_key === t.job_cluster_key),
    );
    let fallbackCluster: ClusterSpec | undefined;
    if (needsFallback) {
      // The cluster the run was submitted with, generated again (generation is deterministic).
      fallbackCluster =
        this.#artifacts(context).job.job_clusters?.[0]?.new_cluster;
    }
    return estimateRunDbus(run, {
      rates: this.#options.dbuRates,
      fallbackCluster,
    });
  }

  #qualityMessage(summary: NotebookRunSummary): string {
    const failed = summary.quality
      .filter(entry => entry.severity !== 'warn' && !entry.passed)
      .map(entry => `${entry.rule} (${entry.severity})`);
    return `Quality rules failed, nothing was written: ${
      failed.join(', ') || 'see the quality results'
    }`;
  }

  #failure(
    run: DatabricksRun,
    what: string,
    detail: string | undefined,
  ): string {
    const page = run.run_page_url ? ` (${run.run_page_url})` : '';
    return truncate(
      `Databricks run ${run.run_id} ${what}${page}${
        detail ? `: ${detail}` : ''
      }`,
    );
  }

  #artifacts(context: EngineRunContext) {
    return generateWorkspaceArtifacts({
      spec: context.spec,
      organization: context.organization,
      pipeline: {
        id: context.pipeline.id,
        name: context.pipeline.name,
        owner: context.pipeline.owner,
        version: context.pipeline.version,
      },
    });
  }

  #client(organization: EngineOrganization): DatabricksClient {
    const workspace = organization.databricks;
    if (!workspace) {
      throw new Error(
        `Organization "${organization.id}" has no Databricks workspace configured (ingestion.organizations[].databricks)`,
      );
    }
    // Keyed by the token's hash, so a rotated token gets a new client and no token is kept as a map key.
    const key = `${organization.id}\n${workspace.host}\n${createHash('sha256')
      .update(workspace.token)
      .digest('hex')}`;
    let client = this.#clients.get(key);
    if (!client) {
      const { logger } = this.#options;
      client = new DatabricksClient({
        ...this.#options.client,
        host: workspace.host,
        token: workspace.token,
        onRetry: event => {
          logger.warn(
            `Databricks ${event.operation} for organization ${organization.id} failed (attempt ${event.attempt}): ${event.error.message}; retrying in ${event.delayMs} ms`,
          );
          this.#options.client?.onRetry?.(event);
        },
      });
      this.#clients.set(key, client);
    }
    return client;
  }
}
