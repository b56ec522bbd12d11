import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  deriveIdempotencyToken,
  type EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { toEpochMs } from '../../database/rows';
import { nameBasedUuid } from '../../runs/schedules';

/** The scheduler task that records the runs Databricks' own job schedules start. */
export const DATABRICKS_SCHEDULED_RUNS_TASK_ID =
  'ingestion-databricks-scheduled-runs';

/** A run a job's own schedule started. */
export interface ScheduledJobRun {
  engineRunId: string;
  startedAt: Date;
}

/** Lists the runs job schedules started (the Databricks engine). */
export interface ScheduledJobRunsSource {
  scheduledJobRuns(
    organization: EngineOrganization,
    jobId: number,
    since: Date,
  ): Promise<ScheduledJobRun[]>;
}

/** Options of {@link DatabricksScheduledRuns}. */
export interface DatabricksScheduledRunsOptions {
  knex: Knex;
  logger: LoggerService;
  /** Organizations to look at: those with a Databricks workspace. */
  organizations: () => readonly EngineOrganization[];
  source: ScheduledJobRunsSource;
  /** Runs of this last window are listed on every pass (default 24 h). */
  lookbackHours?: number;
  /**
   * After an outage, how far back a job's runs are listed at most: from its last recorded scheduled
   * run (or its deployment) but no further back than this (default 60 days, how long Databricks keeps
   * job runs).
   */
  catchUpDays?: number;
  now?: () => Date;
}

interface DeployedPipelineRow {
  id: string;
  databricks_job_id: string;
  deployed_version: number | null;
  deployed_at: Date | number | string | null;
  current_version: number;
}

/** The id of the backend run recording a Databricks run: one per organization and Databricks run. */
export function scheduledDatabricksRunId(
  organizationId: string,
  engineRunId: string,
): string {
  return nameBasedUuid(`databricks-run|${organizationId}|${engineRunId}`);
}

/**
 * Records the runs that Databricks started on a deployed job's own schedule, which the backend did not
 * submit, as backend runs (`submitted`, trigger `schedule`, with the engine run id), so the run driver polls
 * them to their end like any run: rows, quality, watermark, DBUs and cost from `runs/get-output`.
 *
 * Never records one Databricks run twice: runs whose engine run id the organization already has (those the
 * backend started with run-now) are skipped, and a recorded run's id is derived from the organization and
 * the Databricks run id, so a second replica, a retried pass or a pass after a fault that hid the first
 * insert's outcome hits the primary key instead of adding a row. Every query is scoped to one organization.
 */
export class DatabricksScheduledRuns {
  readonly #options: DatabricksScheduledRunsOptions;

  constructor(options: DatabricksScheduledRunsOptions) {
    this.#options = options;
  }

  /** One pass over the deployed pipelines of every organization. */
  async record(): Promise<{ recorded: number; errors: number }> {
    const totals = { recorded: 0, errors: 0 };
    const now = this.#options.now?.() ?? new Date();
    for (const organization of this.#options.organizations()) {
      if (!organization.databricks) continue;
      for (const pipeline of await this.#deployed(organization.id)) {
        const jobId = Number(pipeline.databricks_job_id);
        if (!Number.isSafeInteger(jobId) || jobId <= 0) continue;
        try {
          const runs = await this.#options.source.scheduledJobRuns(
            organization,
            jobId,
            await this.#since(organization.id, pipeline, now),
          );
          for (const run of await this.#unknown(organization.id, runs)) {
            if (await this.#insert(organization.id, pipeline, jobId, run)) {
              totals.recorded += 1;
            }
          }
        } catch (error) {
          // The runs are listed again on the next pass.
          totals.errors += 1;
          this.#options.logger.warn(
            `Could not list the scheduled runs of job ${jobId} (pipeline ${pipeline.id}, organization ${organization.id}): ${error}`,
          );
        }
      }
    }
    return totals;
  }

  async #deployed(organizationId: string): Promise<DeployedPipelineRow[]> {
    // Only jobs verified as the pipeline's own: another job's runs are not this pipeline's.
    return this.#options
      .knex('pipelines')
      .where({ organization_id: organizationId, engine: 'databricks' })
      .whereNotNull('databricks_job_id')
      .whereNotNull('databricks_job_verified_at')
      .orderBy('id')
      .select(
        'id',
        'databricks_job_id',
        'deployed_version',
        'deployed_at',
        'current_version',
      );
  }

  /**
   * Where to list a job's runs from: the last window (`lookbackHours`) on every pass, and further
   * back to its last recorded scheduled run (or its deployment) when that is older, so runs started
   * while the backend was down are recorded too, up to `catchUpDays` back.
   */
  async #since(
    organizationId: string,
    pipeline: DeployedPipelineRow,
    now: Date,
  ): Promise<Date> {
    const window =
      now.getTime() - (this.#options.lookbackHours ?? 24) * 3600_000;
    const floor = now.getTime() - (this.#options.catchUpDays ?? 60) * 86400_000;
    const [{ last }] = await this.#options
      .knex('runs')
      .where({
        organization_id: organizationId,
        pipeline_id: pipeline.id,
        engine: 'databricks',
        trigger: 'schedule',
      })
      .max({ last: 'queued_at' });
    const from = last ?? pipeline.deployed_at;
    if (from === null || from === undefined) return new Date(window);
    return new Date(Math.min(window, Math.max(toEpochMs(from), floor)));
  }

  async #unknown(
    organizationId: string,
    runs: ScheduledJobRun[],
  ): Promise<ScheduledJobRun[]> {
    if (runs.length === 0) return [];
    const known = new Set<string>(
      await this.#options
        .knex('runs')
        .where({ organization_id: organizationId, engine: 'databricks' })
        .whereIn(
          'engine_run_id',
          runs.map(r => r.engineRunId),
        )
        .pluck('engine_run_id'),
    );
    return runs.filter(r => !known.has(r.engineRunId));
  }

  /** False when another pass or replica recorded the run first. */
  async #insert(
    organizationId: string,
    pipeline: {
      id: string;
      deployed_version: number | null;
      current_version: number;
    },
    jobId: number,
    run: ScheduledJobRun,
  ): Promise<boolean> {
    const { knex } = this.#options;
    const id = scheduledDatabricksRunId(organizationId, run.engineRunId);
    try {
      await knex.transaction(async tx => {
        await tx('runs').insert({
          id,
          organization_id: organizationId,
          pipeline_id: pipeline.id,
          // The job runs the notebook of the version it was deployed with.
          pipeline_version: Number(
            pipeline.deployed_version ?? pipeline.current_version,
          ),
          engine: 'databricks',
          status: 'submitted',
          trigger: 'schedule',
          triggered_by: `databricks-job:${jobId}`,
          queued_at: run.startedAt,
          submitted_at: run.startedAt,
          engine_run_id: run.engineRunId,
          idempotency_token: deriveIdempotencyToken(id),
          attempt: 1,
        });
        await tx('run_events').insert({
          organization_id: organizationId,
          run_id: id,
          at: run.startedAt,
          kind: 'transition',
          level: 'info',
          status: 'submitted',
          message: `Started by the schedule of Databricks job ${jobId} (run ${run.engineRunId})`,
        });
      });
    } catch (error) {
      const exists = await knex('runs')
        .where({ organization_id: organizationId, id })
        .first('id');
      if (exists) return false;
      throw error;
    }
    this.#options.logger.info(
      `Recorded run ${run.engineRunId} of Databricks job ${jobId} as run ${id} (organization ${organizationId})`,
    );
    return true;
  }
}

/**
 * Schedules {@link DatabricksScheduledRuns} on the backend's scheduler (one replica at a time) when an
 * organization has a Databricks workspace. Config: `ingestion.databricksScheduledRuns.frequencyMinutes`
 * (default 5) and `lookbackHours` (default 24).
 */
export async function startDatabricksScheduledRuns(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  organizations:
    | readonly EngineOrganization[]
    | (() => readonly EngineOrganization[]);
  source: ScheduledJobRunsSource;
}): Promise<DatabricksScheduledRuns | undefined> {
  // A function reads the organizations on every pass (they change at run time).
  const { organizations } = options;
  const current =
    typeof organizations === 'function' ? organizations : () => organizations;
  const withWorkspace = () => current().filter(org => org.databricks);
  if (withWorkspace().length === 0) {
    return undefined;
  }
  const settings = options.config.getOptionalConfig(
    'ingestion.databricksScheduledRuns',
  );
  const logger = options.logger.child({
    task: DATABRICKS_SCHEDULED_RUNS_TASK_ID,
  });
  const recorder = new DatabricksScheduledRuns({
    knex: options.knex,
    logger,
    organizations: withWorkspace,
    source: options.source,
    lookbackHours: settings?.getOptionalNumber('lookbackHours'),
    catchUpDays: settings?.getOptionalNumber('catchUpDays'),
  });
  await options.scheduler.scheduleTask({
    id: DATABRICKS_SCHEDULED_RUNS_TASK_ID,
    frequency: {
      minutes: settings?.getOptionalNumber('frequencyMinutes') ?? 5,
    },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const { recorded, errors } = await recorder.record();
      if (recorded + errors > 0) {
        logger.info(
          `Databricks scheduled runs: ${recorded} recorded, ${errors} jobs could not be listed`,
        );
      }
    },
  });
  return recorder;
}
