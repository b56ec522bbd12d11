import type { LoggerService } from '@backstage/backend-plugin-api';
import { deriveIdempotencyToken } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { DriverPipeline, DriverStore } from './DriverStore';
import { nextFireTime, previousFireTime, scheduledRunId } from './schedules';

/** Refuses scheduled runs while a budget is spent (`ingestion.costs.blockRunsAtBudget`). */
export interface RunBudgetGate {
  checkRunAllowed(
    organization: OrganizationConfig,
    pipeline: { owner: string },
  ): Promise<void>;
}

export interface ScheduledRunTriggerOptions {
  store: DriverStore;
  runs: DatabaseRunsStore;
  directory: OrganizationDirectory;
  logger: LoggerService;
  /** Engines whose pipelines are triggered on their schedule. */
  engines: string[];
  budgetGate?: RunBudgetGate;
  /** Told when the budget gate refuses a scheduled run (alerts its owners). */
  onRunRefused?: (refusal: {
    organizationId: string;
    pipelineId: string;
    reason: 'budget';
    message: string;
    trigger: 'schedule';
  }) => Promise<void>;
  /** Due pipelines read per organization and tick. */
  batch: number;
}

/**
 * The run driver's first step: triggers batch and streaming pipelines whose schedule fired (one
 * run per fire time, see schedules.ts), reading only those due (`next_run_at`).
 */
export class ScheduledRunTrigger {
  readonly #options: ScheduledRunTriggerOptions;

  constructor(options: ScheduledRunTriggerOptions) {
    this.#options = options;
  }

  async triggerScheduled(now: Date) {
    const { store, directory, engines, logger, batch } = this.#options;
    // Organizations in service only: a retired organization's schedules stop (its data stays).
    for (const organization of directory.organizations) {
      for (const pipeline of await store.duePipelines(
        organization.id,
        now,
        batch,
      )) {
        try {
          if (!engines.includes(pipeline.engine) || !pipeline.schedule) {
            // Scheduled elsewhere (Databricks runs the job on its own schedule): no more looks
            // until the pipeline is saved again.
            await store.setNextRunAt(pipeline, null);
            continue;
          }
          const { schedule, scheduleTimezone } = pipeline;
          if (await this.#triggerIfDue(organization, pipeline, schedule, now)) {
            await store.setNextRunAt(
              pipeline,
              nextFireTime(schedule, scheduleTimezone, now) ?? null,
            );
          }
        } catch (error) {
          logger.warn(
            `Could not trigger the scheduled run of pipeline ${pipeline.id}: ${error}`,
          );
        }
      }
    }
  }

  /**
   * Triggers the run of the schedule's last fire time unless it exists; false when it must be
   * tried again on the next tick (queue full), so the pipeline stays due.
   */
  async #triggerIfDue(
    organization: OrganizationConfig,
    pipeline: DriverPipeline,
    schedule: string,
    now: Date,
  ): Promise<boolean> {
    const { store, runs, logger } = this.#options;
    const fire = previousFireTime(schedule, pipeline.scheduleTimezone, now);
    // Only fire times after the pipeline's current version was saved (never a backlog).
    if (!fire || fire.getTime() < new Date(pipeline.updatedAt).getTime()) {
      return true;
    }
    const id = scheduledRunId(pipeline.id, fire);
    if (await store.runExists(id)) return true;
    try {
      await this.#options.budgetGate?.checkRunAllowed(organization, pipeline);
    } catch (error) {
      // This fire time is skipped, as a run refused through the API would be.
      logger.warn(
        `Skipped the scheduled run of pipeline ${pipeline.name} (${
          organization.id
        }) for ${fire.toISOString()}: ${(error as Error).message}`,
      );
      await this.#options
        .onRunRefused?.({
          organizationId: organization.id,
          pipelineId: pipeline.id,
          reason: 'budget',
          message: (error as Error).message,
          trigger: 'schedule',
        })
        .catch(e => logger.warn(`A run refusal listener failed: ${e}`));
      return true;
    }
    const queued = await runs.countByStatus(organization.id, ['queued']);
    if (queued >= organization.quotas.databricks.maxConcurrentJobs) {
      // Tried again on the next tick, until a newer fire time replaces it.
      return false;
    }
    try {
      await runs.create({
        id,
        organizationId: organization.id,
        pipelineId: pipeline.id,
        pipelineVersion: pipeline.currentVersion,
        engine: pipeline.engine,
        trigger: 'schedule',
        triggeredBy: `schedule:${schedule}${
          pipeline.scheduleTimezone && pipeline.scheduleTimezone !== 'UTC'
            ? ` ${pipeline.scheduleTimezone}`
            : ''
        }`,
        idempotencyToken: deriveIdempotencyToken(id),
        watermarkIn: await runs.lastWatermark(organization.id, pipeline.id),
        at: now,
      });
    } catch (error) {
      if (await store.runExists(id)) return true; // another replica was first
      throw error;
    }
    logger.info(
      `Triggered scheduled run ${id} of pipeline ${pipeline.name} (${
        organization.id
      }) for ${fire.toISOString()}`,
    );
    return true;
  }
}
