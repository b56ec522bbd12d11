import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  describePiiMasking,
  masksPii,
  piiTypesOfName,
  validatePipelineSpec,
  type PiiMaskedColumn,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  deriveIdempotencyToken,
  type EngineOrganization,
  type EngineRunContext,
  type EngineRunResult,
  type EngineRunState,
  type IngestionEngine,
  type ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabasePipelinesStore } from '../database/DatabasePipelinesStore';
import { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiMasking } from '../pii/PiiMasking';
import { DriverPipeline, DriverRun, DriverStore } from './DriverStore';
import {
  FinishedRun,
  Pricing,
  RunPiiMasking,
  RunResultRecorder,
} from './RunResultRecorder';
import { nextFireTime, previousFireTime, scheduledRunId } from './schedules';

/** Retries of runs that failed with a retryable error. */
export interface RetryPolicy {
  /** Attempts in total, the first included; default 3. */
  maxAttempts: number;
  /** Delay before the second attempt; doubled for each further one. Default 30 s. */
  baseDelaySeconds: number;
  /** Longest delay; default 15 minutes. */
  maxDelaySeconds: number;
}

export interface RunDriverOptions {
  knex: Knex;
  directory: OrganizationDirectory;
  /** The engines by id (`local`, `databricks`); read on every tick, so modules may add later. */
  engines: ReadonlyMap<string, IngestionEngine>;
  /** A connection of an organization, with its secret (see the connections service). */
  resolveConnection(
    organizationId: string,
    name: string,
  ): Promise<ResolvedConnection>;
  logger: LoggerService;
  pricing: Pricing;
  retry?: Partial<RetryPolicy>;
  /** Engines whose pipelines the driver triggers on their schedule; default `['local']`. */
  scheduledEngines?: string[];
  /** Refuses scheduled runs while a budget is spent (`ingestion.costs.blockRunsAtBudget`). */
  budgetGate?: {
    checkRunAllowed(
      organization: OrganizationConfig,
      pipeline: { owner: string },
    ): Promise<void>;
  };
  clock?: () => Date;
}

/** Told about every run that reached a final state (tables written, quality, failures). */
export type RunFinishedListener = (event: FinishedRun) => void | Promise<void>;

/** Errors that are the spec's or the setup's fault: retrying cannot help. */
class PermanentError extends Error {}

const BATCH = 200;

/**
 * Drives runs from `queued` to a final state. Called on a schedule by the backend's scheduler
 * (which holds a distributed lock, so replicas never tick at the same time); every state change
 * is a compare-and-set in the runs store, so a run moves once even if two ticks overlap.
 *
 * Each tick:
 * 1. triggers batch and streaming pipelines whose schedule fired (one run per fire time, see
 *    schedules.ts), reading only those due (`next_run_at`);
 * 2. asks engines to stop runs cancelled through the API;
 * 3. polls submitted and running runs: `running` is recorded, final states are recorded with
 *    their tables, quality results, lineage and costs, retryable failures go back to `queued`
 *    with an exponential back-off, and runs an engine has forgotten (`unknown`, e.g. the local
 *    engine after a restart) are submitted again;
 * 4. submits queued runs, oldest first, while the organization has fewer than
 *    `maxConcurrentJobs` runs submitted or running and has DBU budget left this hour.
 */
export class RunDriver {
  readonly #options: RunDriverOptions;
  readonly #store: DriverStore;
  readonly #runs: DatabaseRunsStore;
  readonly #pipelines: DatabasePipelinesStore;
  readonly #recorder: RunResultRecorder;
  readonly #retry: RetryPolicy;
  readonly #listeners = new Set<RunFinishedListener>();
  readonly #specs = new Map<string, PipelineSpec>();
  readonly #masking: PiiMasking;
  /** The columns each context's spec masks because the target table tags them as PII. */
  readonly #maskedBySpec = new WeakMap<EngineRunContext, PiiMaskedColumn[]>();
  /** Columns masked after a review of staged output, by run (for their PII kinds). */
  readonly #maskedStaged = new Map<string, PiiMaskedColumn[]>();
  /** Cancelled runs whose engine was told, so it is told once per process. */
  readonly #cancelSignalled = new Set<string>();
  #ticking?: Promise<void>;

  constructor(options: RunDriverOptions) {
    this.#options = options;
    this.#store = new DriverStore(options.knex);
    this.#runs = new DatabaseRunsStore(options.knex);
    this.#pipelines = new DatabasePipelinesStore(options.knex);
    this.#recorder = new RunResultRecorder(options.knex, options.pricing);
    this.#masking = new PiiMasking(options.knex);
    this.#retry = {
      maxAttempts: options.retry?.maxAttempts ?? 3,
      baseDelaySeconds: options.retry?.baseDelaySeconds ?? 30,
      maxDelaySeconds: options.retry?.maxDelaySeconds ?? 900,
    };
  }

  #now(): Date {
    return this.#options.clock?.() ?? new Date();
  }

  /**
   * Adds a listener for finished runs (the catalog integration refreshes the tables a run
   * wrote); returns a function that removes it. Listener errors are logged, never thrown.
   */
  onRunFinished(listener: RunFinishedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One pass over schedules, cancellations, active and queued runs. Overlapping calls share a pass. */
  tick(): Promise<void> {
    if (!this.#ticking) {
      this.#ticking = this.#tick().finally(() => {
        this.#ticking = undefined;
      });
    }
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const steps: Array<[string, () => Promise<void>]> = [
      ['trigger scheduled pipelines', () => this.#triggerScheduled()],
      ['cancel runs', () => this.#signalCancellations()],
      ['poll runs', () => this.#pollActive()],
      ['submit runs', () => this.#submitQueued()],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.#options.logger.error(`Run driver could not ${what}: ${error}`);
      }
    }
  }

  // ---- schedules ---------------------------------------------------------

  async #triggerScheduled() {
    const now = this.#now();
    const engines = this.#options.scheduledEngines ?? ['local'];
    for (const organization of this.#options.directory.organizations) {
      for (const pipeline of await this.#store.duePipelines(
        organization.id,
        now,
        BATCH,
      )) {
        try {
          if (!engines.includes(pipeline.engine) || !pipeline.schedule) {
            // Scheduled elsewhere (Databricks runs the job on its own schedule): no more looks
            // until the pipeline is saved again.
            await this.#store.setNextRunAt(pipeline, null);
            continue;
          }
          const { schedule, scheduleTimezone } = pipeline;
          if (await this.#triggerIfDue(organization, pipeline, schedule, now)) {
            await this.#store.setNextRunAt(
              pipeline,
              nextFireTime(schedule, scheduleTimezone, now) ?? null,
            );
          }
        } catch (error) {
          this.#options.logger.warn(
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
    const fire = previousFireTime(schedule, pipeline.scheduleTimezone, now);
    // Only fire times after the pipeline's current version was saved (never a backlog).
    if (!fire || fire.getTime() < new Date(pipeline.updatedAt).getTime()) {
      return true;
    }
    const id = scheduledRunId(pipeline.id, fire);
    if (await this.#store.runExists(id)) return true;
    try {
      await this.#options.budgetGate?.checkRunAllowed(organization, pipeline);
    } catch (error) {
      // This fire time is skipped, as a run refused through the API would be.
      this.#options.logger.warn(
        `Skipped the scheduled run of pipeline ${pipeline.name} (${
          organization.id
        }) for ${fire.toISOString()}: ${(error as Error).message}`,
      );
      return true;
    }
    const queued = await this.#runs.countByStatus(organization.id, ['queued']);
    if (queued >= organization.quotas.databricks.maxConcurrentJobs) {
      // Tried again on the next tick, until a newer fire time replaces it.
      return false;
    }
    try {
      await this.#runs.create({
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
        watermarkIn: await this.#runs.lastWatermark(
          organization.id,
          pipeline.id,
        ),
        at: now,
      });
    } catch (error) {
      if (await this.#store.runExists(id)) return true; // another replica was first
      throw error;
    }
    this.#options.logger.info(
      `Triggered scheduled run ${id} of pipeline ${pipeline.name} (${
        organization.id
      }) for ${fire.toISOString()}`,
    );
    return true;
  }

  // ---- cancellations -----------------------------------------------------

  async #signalCancellations() {
    const since = new Date(this.#now().getTime() - 3600_000);
    for (const run of await this.#store.cancelledSince(since, BATCH)) {
      if (this.#cancelSignalled.has(run.id)) continue;
      const engine = this.#options.engines.get(run.engine);
      this.#cancelSignalled.add(run.id);
      if (!engine || !run.engineRunId) continue;
      try {
        const context = await this.#context(run);
        await engine.cancel(context, run.engineRunId);
        await this.#log(
          run,
          'info',
          `Asked the ${run.engine} engine to stop the run`,
        );
      } catch (error) {
        this.#options.logger.warn(`Could not cancel run ${run.id}: ${error}`);
      }
    }
    if (this.#cancelSignalled.size > 10_000) this.#cancelSignalled.clear();
  }

  // ---- active runs -------------------------------------------------------

  async #pollActive() {
    for (const run of await this.#store.runsIn(
      ['submitted', 'running'],
      BATCH,
    )) {
      try {
        await this.#pollRun(run);
      } catch (error) {
        if (error instanceof PermanentError) {
          await this.#fail(run, error.message);
        } else {
          this.#options.logger.warn(`Could not poll run ${run.id}: ${error}`);
        }
      }
    }
  }

  async #pollRun(run: DriverRun) {
    const engine = this.#engine(run);
    const context = await this.#context(run);
    if (!run.engineRunId) {
      // Submitted, but the backend stopped before the engine's id was saved.
      await this.#resubmit(
        engine,
        context,
        run,
        'was not known to have reached the engine',
      );
      return;
    }
    const state = await engine.poll(context, run.engineRunId);
    await this.#apply(run, context, state);
  }

  async #apply(
    run: DriverRun,
    context: EngineRunContext,
    state: EngineRunState,
  ) {
    const now = this.#now();
    switch (state.state) {
      case 'pending':
        return;
      case 'running':
        if (run.status === 'submitted') {
          await this.#runs.transition(
            run.organizationId,
            run.id,
            ['submitted'],
            'running',
            { startedAt: now },
            `Running on the ${run.engine} engine${
              state.message ? `: ${state.message}` : ''
            }`,
          );
        }
        return;
      case 'succeeded':
      case 'quality_failed':
        await this.#finish(run, context, {
          status: state.state,
          message:
            state.state === 'succeeded'
              ? `Succeeded: ${state.result.rowsWritten} rows written`
              : state.message,
          result: state.result,
        });
        return;
      case 'failed':
        if (state.retryable && run.attempt < this.#retry.maxAttempts) {
          await this.#retryLater(run, state.message);
        } else {
          await this.#finish(run, context, {
            status: 'failed',
            message:
              state.retryable && run.attempt > 1
                ? `${state.message} (gave up after ${run.attempt} attempts)`
                : state.message,
          });
        }
        return;
      case 'cancelled':
        await this.#runs.transition(
          run.organizationId,
          run.id,
          ['submitted', 'running'],
          'cancelled',
          { finishedAt: now },
          state.message ?? `Cancelled by the ${run.engine} engine`,
        );
        return;
      case 'unknown':
        await this.#resubmit(
          this.#engine(run),
          context,
          run,
          'was unknown to the engine (the backend restarted?)',
        );
        return;
      default:
        return;
    }
  }

  async #resubmit(
    engine: IngestionEngine,
    context: EngineRunContext,
    run: DriverRun,
    why: string,
  ) {
    const { engineRunId } = await engine.submit(context);
    await this.#runs.updateProgress(run.organizationId, run.id, {
      engineRunId,
    });
    await this.#log(
      run,
      'warn',
      `The run ${why}; submitted it again (attempt ${run.attempt}). Its writes are exactly-once per run, so nothing is written twice.`,
    );
  }

  async #retryLater(run: DriverRun, message: string) {
    const delay = Math.min(
      this.#retry.baseDelaySeconds * 2 ** Math.max(0, run.attempt - 1),
      this.#retry.maxDelaySeconds,
    );
    const next = new Date(this.#now().getTime() + delay * 1000);
    await this.#runs.transition(
      run.organizationId,
      run.id,
      ['submitted', 'running'],
      'queued',
      { nextAttemptAt: next, errorMessage: message },
      `Attempt ${run.attempt} of ${
        this.#retry.maxAttempts
      } failed: ${message}; retrying in ${delay} s`,
    );
  }

  async #finish(
    run: DriverRun,
    context: EngineRunContext,
    outcome: {
      status: 'succeeded' | 'failed' | 'quality_failed';
      message: string;
      result?: Extract<EngineRunState, { state: 'succeeded' }>['result'];
    },
  ) {
    const organization = this.#organization(run);
    const piiMasking =
      outcome.status === 'succeeded'
        ? this.#piiMasking(run, context, outcome.result)
        : undefined;
    this.#maskedStaged.delete(run.id);
    const masked = new Set(piiMasking?.columns.map(m => m.column));
    const result = outcome.result && {
      ...outcome.result,
      // Masked values no longer look like PII, so the tags come from the masking.
      tables: outcome.result.tables.map(table => ({
        ...table,
        piiColumns: [...new Set([...(table.piiColumns ?? []), ...masked])],
      })),
    };
    const finished = await this.#recorder.finish({
      organization,
      run,
      pipeline: { owner: context.pipeline.owner },
      spec: context.spec,
      status: outcome.status,
      message: outcome.message,
      result,
      piiMasking,
      now: this.#now(),
    });
    if (finished) {
      await this.#notify(finished);
    }
  }

  /**
   * What a succeeded run masked: the columns its spec masked for the governance policy, and
   * outside production every other PII column its engine found in the staged rows (which the
   * review masked; after a restart their kinds are read from their names).
   */
  #piiMasking(
    run: DriverRun,
    context: EngineRunContext,
    result: EngineRunResult | undefined,
  ): RunPiiMasking | undefined {
    const environment = context.organization.environment;
    if (!result || !masksPii(environment)) return undefined;
    const columns = [...(this.#maskedBySpec.get(context) ?? [])];
    const staged = this.#maskedStaged.get(run.id) ?? [];
    for (const column of result.tables.flatMap(t => t.piiColumns ?? [])) {
      if (columns.some(m => m.column === column)) continue;
      columns.push(
        staged.find(m => m.column === column) ?? {
          column,
          types: piiTypesOfName(column),
          source: 'staged',
        },
      );
    }
    return columns.length > 0 ? { environment, columns } : undefined;
  }

  /** Fails a run that cannot run at all (no engine, invalid spec, unknown organization). */
  async #fail(run: DriverRun, message: string) {
    const moved = await this.#runs.transition(
      run.organizationId,
      run.id,
      ['queued', 'submitted', 'running'],
      'failed',
      { finishedAt: this.#now(), errorMessage: message },
      message,
    );
    if (moved) {
      await this.#notify({ run: moved, tables: [] });
    }
  }

  async #notify(event: FinishedRun) {
    for (const listener of this.#listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.#options.logger.warn(`A run listener failed: ${error}`);
      }
    }
  }

  // ---- queued runs -------------------------------------------------------

  async #submitQueued() {
    const now = this.#now();
    for (const organization of this.#options.directory.organizations) {
      const quotas = organization.quotas.databricks;
      const active = await this.#runs.countByStatus(organization.id, [
        'submitted',
        'running',
      ]);
      const slots = quotas.maxConcurrentJobs - active;
      if (slots <= 0) continue;
      const dbus = await this.#runs.dbusSince(
        organization.id,
        new Date(now.getTime() - 3600_000),
      );
      if (dbus >= quotas.maxDbuPerHour) continue;
      for (const run of await this.#store.startableRuns(
        organization.id,
        now,
        slots,
      )) {
        try {
          await this.#submit(run);
        } catch (error) {
          this.#options.logger.warn(`Could not submit run ${run.id}: ${error}`);
        }
      }
    }
  }

  async #submit(queued: DriverRun) {
    const attempt = queued.attempt + 1;
    const moved = await this.#runs.transition(
      queued.organizationId,
      queued.id,
      ['queued'],
      'submitted',
      { submittedAt: this.#now(), attempt, nextAttemptAt: null },
      `Submitted to the ${queued.engine} engine (attempt ${attempt} of ${
        this.#retry.maxAttempts
      })`,
    );
    if (!moved) return; // cancelled meanwhile, or taken by another driver
    const run: DriverRun = {
      ...queued,
      status: 'submitted',
      attempt,
      submittedAt: moved.submittedAt,
    };
    let context: EngineRunContext;
    let engine: IngestionEngine;
    try {
      engine = this.#engine(run);
      context = await this.#context(run);
    } catch (error) {
      await this.#fail(
        run,
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    const masked = this.#maskedBySpec.get(context) ?? [];
    if (masked.length > 0) {
      await this.#log(
        run,
        'info',
        describePiiMasking(masked, context.organization.environment),
      );
    }
    try {
      const { engineRunId } = await engine.submit(context);
      await this.#runs.updateProgress(run.organizationId, run.id, {
        engineRunId,
      });
    } catch (error) {
      // Submission failed (engine unreachable): retry with back-off, within the attempt budget.
      const message = `Could not submit the run: ${
        error instanceof Error ? error.message : String(error)
      }`;
      await this.#apply(run, context, {
        state: 'failed',
        message,
        retryable: true,
      });
    }
  }

  // ---- context -----------------------------------------------------------

  #engine(run: DriverRun): IngestionEngine {
    const engine = this.#options.engines.get(run.engine);
    if (!engine) {
      throw new PermanentError(
        `No '${run.engine}' engine is installed in this backend (installed: ${
          [...this.#options.engines.keys()].join(', ') || 'none'
        })`,
      );
    }
    return engine;
  }

  #organization(run: DriverRun): OrganizationConfig {
    const organization = this.#options.directory.find(run.organizationId);
    if (!organization) {
      throw new PermanentError(
        `Organization '${run.organizationId}' is no longer configured`,
      );
    }
    return organization;
  }

  async #spec(run: DriverRun): Promise<PipelineSpec> {
    const key = `${run.pipelineId}@${run.pipelineVersion}`;
    const cached = this.#specs.get(key);
    if (cached) return cached;
    const version = await this.#pipelines.getVersion(
      run.organizationId,
      run.pipelineId,
      run.pipelineVersion,
    );
    if (!version?.spec) {
      throw new PermanentError(
        `Version ${run.pipelineVersion} of pipeline ${run.pipelineId} no longer exists`,
      );
    }
    // With the organization: a version saved before a tenant rule existed (or one naming what
    // the organization no longer owns) never reaches an engine.
    const validation = validatePipelineSpec(version.spec, {
      organization: this.#organization(run),
    });
    if (!validation.valid) {
      throw new PermanentError(
        `The spec of version ${
          run.pipelineVersion
        } is not valid: ${validation.problems
          .map(p => `${p.path || '(spec)'}: ${p.message}`)
          .join('; ')}`,
      );
    }
    if (this.#specs.size > 500) this.#specs.clear();
    this.#specs.set(key, validation.spec);
    return validation.spec;
  }

  async #context(run: DriverRun): Promise<EngineRunContext> {
    const organization = this.#organization(run);
    const pipeline = await this.#store.pipeline(
      run.organizationId,
      run.pipelineId,
    );
    if (!pipeline) {
      throw new PermanentError(`Pipeline ${run.pipelineId} no longer exists`);
    }
    // Outside production the engine runs a spec that masks the target's known PII columns.
    const governed = await this.#masking.effectiveSpec({
      organizationId: organization.id,
      environment: organization.environment,
      pipelineId: pipeline.id,
      spec: await this.#spec(run),
    });
    const attempt = Math.max(1, run.attempt);
    const context: EngineRunContext = {
      run: {
        id: run.id,
        attempt,
        // Each attempt has its own token: a retry after a failed job must start a new one, while a
        // repeated submit of the same attempt still returns the job it started.
        idempotencyToken:
          attempt === 1
            ? run.idempotencyToken
            : deriveIdempotencyToken(`${run.idempotencyToken}#${attempt}`),
        watermarkIn: run.watermarkIn,
      },
      pipeline: {
        id: pipeline.id,
        name: pipeline.name,
        owner: pipeline.owner,
        version: run.pipelineVersion,
      },
      spec: governed.spec,
      organization: engineOrganization(organization),
      resolveConnection: name =>
        this.#options.resolveConnection(organization.id, name),
      log: (level, message) => this.#log(run, level, message),
      reviewStagedOutput: async sample => {
        const review = PiiMasking.reviewStaged(
          sample,
          organization.environment,
          governed.masked.map(m => m.column),
        );
        if (review.masked.length > 0) {
          if (this.#maskedStaged.size > 10_000) this.#maskedStaged.clear();
          this.#maskedStaged.set(run.id, review.masked);
          await this.#log(
            run,
            'info',
            describePiiMasking(review.masked, organization.environment),
          );
        }
        return { piiColumns: review.piiColumns, transforms: review.transforms };
      },
    };
    this.#maskedBySpec.set(context, governed.masked);
    return context;
  }

  async #log(
    run: DriverRun,
    level: 'info' | 'warn' | 'error',
    message: string,
  ) {
    await this.#runs.appendLog(
      run.organizationId,
      run.id,
      level,
      message,
      this.#now(),
    );
  }
}

/** The organization as engines see it. */
export function engineOrganization(
  organization: OrganizationConfig,
): EngineOrganization {
  return {
    id: organization.id,
    name: organization.name,
    costCenter: organization.costCenter,
    environment: organization.environment,
    storage: organization.storage,
    icebergCatalog: organization.icebergCatalog,
    ...(organization.storageLocations && {
      storageLocations: organization.storageLocations,
    }),
    ...(organization.icebergCatalogs && {
      icebergCatalogs: organization.icebergCatalogs,
    }),
    quotas: {
      maxConcurrentJobs: organization.quotas.databricks.maxConcurrentJobs,
      maxDbuPerHour: organization.quotas.databricks.maxDbuPerHour,
    },
    databricks: organization.databricks,
    owner: organization.ownerGroup,
    project: organization.project,
  };
}
