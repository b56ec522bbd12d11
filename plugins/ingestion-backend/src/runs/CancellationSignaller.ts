import type { LoggerService } from '@backstage/backend-plugin-api';
import type { IngestionEngine } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { DriverRun, DriverStore } from './DriverStore';
import type { RunContextFactory } from './RunContextFactory';

export interface CancellationSignallerOptions {
  store: DriverStore;
  engines: ReadonlyMap<string, IngestionEngine>;
  contexts: RunContextFactory;
  logger: LoggerService;
  /** Appends to the run's log. */
  log(run: DriverRun, level: 'info', message: string): Promise<void>;
  now(): Date;
  /** Cancelled runs read per tick. */
  batch: number;
}

/** Asks engines to stop the runs cancelled through the API in the last hour. */
export class CancellationSignaller {
  readonly #options: CancellationSignallerOptions;
  /** Cancelled runs whose engine was told, so it is told once per process. */
  readonly #cancelSignalled = new Set<string>();

  constructor(options: CancellationSignallerOptions) {
    this.#options = options;
  }

  async signalCancellations() {
    const { store, engines, contexts, logger } = this.#options;
    const since = new Date(this.#options.now().getTime() - 3600_000);
    for (const run of await store.cancelledSince(since, this.#options.batch)) {
      if (this.#cancelSignalled.has(run.id)) continue;
      const engine = engines.get(run.engine);
      this.#cancelSignalled.add(run.id);
      if (!engine || !run.engineRunId) continue;
      try {
        const context = await contexts.context(run);
        await engine.cancel(context, run.engineRunId);
        await this.#options.log(
          run,
          'info',
          `Asked the ${run.engine} engine to stop the run`,
        );
      } catch (error) {
        logger.warn(`Could not cancel run ${run.id}: ${error}`);
      }
    }
    if (this.#cancelSignalled.size > 10_000) this.#cancelSignalled.clear();
  }
}
