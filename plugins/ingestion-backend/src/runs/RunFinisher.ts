import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  EngineRunContext,
  EngineRunResult,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { DatabaseRunsStore } from '../database/DatabaseRunsStore';
import type { DriverRun } from './DriverStore';
import type { RunContextFactory } from './RunContextFactory';
import {
  type RunPiiMaskingTracker,
  withMaskedPiiTags,
} from './RunPiiMaskingTracker';
import type { FinishedRun, RunResultRecorder } from './RunResultRecorder';

/** Told about every run that reached a final state (tables written, quality, failures). */
export type RunFinishedListener = (event: FinishedRun) => void | Promise<void>;

export interface RunFinisherOptions {
  runs: DatabaseRunsStore;
  recorder: RunResultRecorder;
  contexts: RunContextFactory;
  masked: RunPiiMaskingTracker;
  logger: LoggerService;
  now(): Date;
}

/**
 * Moves runs to a final state (`succeeded`, `quality_failed`, `failed`): records them with their
 * tables, quality results, lineage, costs and PII masking, and tells the listeners.
 */
export class RunFinisher {
  readonly #options: RunFinisherOptions;
  readonly #listeners = new Set<RunFinishedListener>();

  constructor(options: RunFinisherOptions) {
    this.#options = options;
  }

  /** Adds a listener for finished runs; returns a function that removes it. */
  onRunFinished(listener: RunFinishedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Records the final state an engine reported. */
  async finish(
    run: DriverRun,
    context: EngineRunContext,
    outcome: {
      status: 'succeeded' | 'failed' | 'quality_failed';
      message: string;
      result?: EngineRunResult;
    },
  ) {
    const { contexts, masked, recorder } = this.#options;
    const organization = contexts.organization(run);
    const piiMasking =
      outcome.status === 'succeeded'
        ? masked.piiMasking(run.id, context, outcome.result)
        : undefined;
    masked.forget(run.id);
    // Masked values no longer look like PII, so the tags come from the masking.
    const result =
      outcome.result && withMaskedPiiTags(outcome.result, piiMasking);
    const finished = await recorder.finish({
      organization,
      run,
      pipeline: { owner: context.pipeline.owner },
      spec: context.spec,
      status: outcome.status,
      message: outcome.message,
      result,
      piiMasking,
      now: this.#options.now(),
    });
    if (finished) {
      await this.#notify(finished);
    }
  }

  /** Fails a run that cannot run at all (no engine, invalid spec, unknown organization). */
  async fail(run: DriverRun, message: string) {
    const moved = await this.#options.runs.transition(
      run.organizationId,
      run.id,
      ['queued', 'submitted', 'running'],
      'failed',
      { finishedAt: this.#options.now(), errorMessage: message },
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
}
