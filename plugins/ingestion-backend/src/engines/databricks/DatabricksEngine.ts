import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  DatabricksApiError,
  type DatabricksClientOptions,
  type EngineOrganization,
  type EngineRunContext,
  type EngineRunState,
  type IngestionEngine,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { queryBilledDbus } from './billedDbus';
import type { DatabricksDeployments } from './deployments';
import { verifyPipelineJob, type JobVerification } from './jobVerification';
import { parseRunId } from './runIdentifiers';
import { pollRunState } from './runState';
import { submitDatabricksRun } from './runSubmission';
import type { ScheduledJobRun } from './scheduledRuns';
import { DatabricksWorkspaceClients } from './workspaceClients';

export { billedDbusStatement } from './billedDbus';

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
  readonly #clients: DatabricksWorkspaceClients;

  constructor(options: DatabricksEngineOptions) {
    this.#options = options;
    this.#clients = new DatabricksWorkspaceClients(
      options.logger,
      options.client,
    );
  }

  async submit(context: EngineRunContext): Promise<{ engineRunId: string }> {
    return submitDatabricksRun(
      context,
      this.#clients.get(context.organization),
      this.#options.deployments,
    );
  }

  /** Imports (overwrites) a notebook in the organization's workspace, through its client. */
  async importNotebook(
    organization: EngineOrganization,
    path: string,
    content: string,
  ): Promise<void> {
    await this.#clients.get(organization).importNotebook(path, content);
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
    return verifyPipelineJob(this.#clients.get(organization), {
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
    return queryBilledDbus(this.#clients.get(organization), {
      organization,
      warehouseId,
      runId,
      since,
      statements: this.#options.statements,
    });
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
    const runs = await this.#clients
      .get(organization)
      .listJobRuns(jobId, since.getTime());
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
    return pollRunState(
      context,
      this.#clients.get(context.organization),
      runId,
      this.#options.dbuRates,
    );
  }

  async cancel(context: EngineRunContext, engineRunId: string): Promise<void> {
    const runId = parseRunId(engineRunId);
    if (runId === undefined) {
      return;
    }
    try {
      await this.#clients.get(context.organization).cancelRun(runId);
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
}
