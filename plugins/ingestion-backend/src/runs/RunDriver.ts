import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  describePiiMasking,
  type Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  EngineRunState,
  IngestionEngine,
  ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { DriverRun, DriverStore } from './DriverStore';
import { CancellationSignaller } from './CancellationSignaller';
import {
  type RetryPolicy,
  resolveRetryPolicy,
  retryDelaySeconds,
} from './retryPolicy';
import { PermanentError, RunContextFactory } from './RunContextFactory';
import { RunFinisher, type RunFinishedListener } from './RunFinisher';
import { RunPiiMaskingTracker } from './RunPiiMaskingTracker';
import { Pricing, RunResultRecorder } from './RunResultRecorder';
import {
  type RunBudgetGate,
  ScheduledRunTrigger,
  type ScheduledRunTriggerOptions,
} from './ScheduledRunTrigger';

export type { RetryPolicy } from './retryPolicy';
export { engineOrganization } from './RunContextFactory';
export type { RunFinishedListener } from './RunFinisher';

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
  budgetGate?: RunBudgetGate;
  /** Told when the budget gate refuses a scheduled run (alerts its owners). */
  onRunRefused?: ScheduledRunTriggerOptions['onRunRefused'];
  /** Told about the driver's non-final status changes (running, cancelled, back to queued). */
  onStatusChanged?: (run: Run) => void | Promise<void>;
  clock?: () => Date;
}

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
  readonly #retry: RetryPolicy;
  readonly #masked = new RunPiiMaskingTracker();
  readonly #contexts: RunContextFactory;
  readonly #scheduled: ScheduledRunTrigger;
  readonly #cancellations: CancellationSignaller;
  readonly #finisher: RunFinisher;
  #ticking?: Promise<void>;

  constructor(options: RunDriverOptions) {
    this.#options = options;
    this.#store = new DriverStore(options.knex);
    this.#runs = new DatabaseRunsStore(options.knex);
    this.#retry = resolveRetryPolicy(options.retry);
    this.#contexts = new RunContextFactory({
      knex: options.knex,
      store: this.#store,
      directory: options.directory,
      engines: options.engines,
      resolveConnection: options.resolveConnection,
      log: (run, level, message) => this.#log(run, level, message),
      masked: this.#masked,
    });
    this.#scheduled = new ScheduledRunTrigger({
      store: this.#store,
      runs: this.#runs,
      directory: options.directory,
      logger: options.logger,
      engines: options.scheduledEngines ?? ['local'],
      budgetGate: options.budgetGate,
      onRunRefused: options.onRunRefused,
      batch: BATCH,
    });
    this.#cancellations = new CancellationSignaller({
      store: this.#store,
      engines: options.engines,
      contexts: this.#contexts,
      logger: options.logger,
      log: (run, level, message) => this.#log(run, level, message),
      now: () => this.#now(),
      batch: BATCH,
    });
    this.#finisher = new RunFinisher({
      runs: this.#runs,
      recorder: new RunResultRecorder(options.knex, options.pricing),
      contexts: this.#contexts,
      masked: this.#masked,
      logger: options.logger,
      now: () => this.#now(),
    });
  }

  #now(): Date {
    return this.#options.clock?.() ?? new Date();
  }

  /**
   * Adds a listener for finished runs (the catalog integration refreshes the tables a run
   * wrote); returns a function that removes it. Listener errors are logged, never thrown.
   */
  onRunFinished(listener: RunFinishedListener): () => void {
    return this.#finisher.onRunFinished(listener);
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
      [
        'trigger scheduled pipelines',
        () => this.#scheduled.triggerScheduled(this.#now()),
      ],
      ['cancel runs', () => this.#cancellations.signalCancellations()],
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
          await this.#finisher.fail(run, error.message);
        } else {
          this.#options.logger.warn(`Could not poll run ${run.id}: ${error}`);
        }
      }
    }
  }

  async #pollRun(run: DriverRun) {
    const engine = this.#contexts.engine(run);
    const context = await this.#contexts.context(run);
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
          await this.#changed(
            this.#runs.transition(
              run.organizationId,
              run.id,
              ['submitted'],
              'running',
              { startedAt: now },
              `Running on the ${run.engine} engine${
                state.message ? `: ${state.message}` : ''
              }`,
            ),
          );
        }
        return;
      case 'succeeded':
      case 'quality_failed':
        await this.#finisher.finish(run, context, {
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
          await this.#finisher.finish(run, context, {
            status: 'failed',
            message:
              state.retryable && run.attempt > 1
                ? `${state.message} (gave up after ${run.attempt} attempts)`
                : state.message,
          });
        }
        return;
      case 'cancelled':
        await this.#changed(
          this.#runs.transition(
            run.organizationId,
            run.id,
            ['submitted', 'running'],
            'cancelled',
            { finishedAt: now },
            state.message ?? `Cancelled by the ${run.engine} engine`,
          ),
        );
        return;
      case 'unknown':
        await this.#resubmit(
          this.#contexts.engine(run),
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
    const delay = retryDelaySeconds(this.#retry, run.attempt);
    const next = new Date(this.#now().getTime() + delay * 1000);
    await this.#changed(
      this.#runs.transition(
        run.organizationId,
        run.id,
        ['submitted', 'running'],
        'queued',
        { nextAttemptAt: next, errorMessage: message },
        `Attempt ${run.attempt} of ${
          this.#retry.maxAttempts
        } failed: ${message}; retrying in ${delay} s`,
      ),
    );
  }

  /** Tells the status listener about a transition that happened (errors are logged). */
  async #changed(transition: Promise<Run | undefined>) {
    const moved = await transition;
    if (!moved || !this.#options.onStatusChanged) return;
    try {
      await this.#options.onStatusChanged(moved);
    } catch (error) {
      this.#options.logger.warn(`A run status listener failed: ${error}`);
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
    await this.#changed(Promise.resolve(moved));
    const run: DriverRun = {
      ...queued,
      status: 'submitted',
      attempt,
      submittedAt: moved.submittedAt,
    };
    let context: EngineRunContext;
    let engine: IngestionEngine;
    try {
      engine = this.#contexts.engine(run);
      context = await this.#contexts.context(run);
    } catch (error) {
      await this.#finisher.fail(
        run,
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    const masked = this.#masked.maskedBySpec(context);
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
