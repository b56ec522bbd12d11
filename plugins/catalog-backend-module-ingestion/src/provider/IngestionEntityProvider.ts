import type {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import type {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type { CatalogChanges } from '@ingestion-for-backstage/plugin-ingestion-common';
import { CatalogModel, type SubjectKey } from './CatalogModel';
import {
  entityDelta,
  fullSnapshot,
  sameEmitted,
  type Emitted,
} from './emittedEntities';
import type { EntityContext } from './entities';
import type { IngestionCatalogSource } from './IngestionCatalogClient';
import { fileChanges, readAllPages } from './modelChanges';
import type { TenantDirectory } from '../tenancy/TenantDirectory';

/** How the provider is scheduled. */
export interface IngestionEntityProviderSchedule {
  /** Full refreshes: everything read again and applied as one full mutation. */
  full: SchedulerServiceTaskScheduleDefinition;
  /** Change polls: what changed since the last poll, applied as delta mutations. */
  changes: SchedulerServiceTaskScheduleDefinition;
}

/** Statistics of the last refresh, for logs and the benchmark. */
export interface RefreshStats {
  type: 'full' | 'delta';
  entities: number;
  added: number;
  removed: number;
  readMs: number;
  buildMs: number;
  applyMs: number;
}

/**
 * Emits each organization's data platform (System), pipelines (Component, type data-pipeline),
 * tables and source datasets (Resource) from the ingestion backend's catalog export.
 *
 * `connect()` only schedules: a full refresh (every 30 minutes by default) and a change poll
 * that turns pipeline changes and deletions and table changes into delta mutations of just the
 * entities they affect, so the catalog follows a change within seconds. The poll is a long poll
 * (`changesWaitSeconds`): the backend answers as soon as something changed, or after the wait
 * with nothing changed, and the next poll starts right after, so an idle catalog costs one
 * request per wait rather than one a second. A full refresh with nothing changed produces the same entities byte for byte, which
 * the catalog does not process again.
 */
export class IngestionEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private model?: CatalogModel;
  /** The ref and hash of the entity each subject last emitted. */
  private emitted = new Map<SubjectKey, Emitted>();
  /** Epoch ms to ask for changes since. */
  private since = 0;
  /** Counts the reads that moved `since`: a long poll that waited across one is stale. */
  private reads = 0;
  /** The version of the organizations the model holds (see `CatalogChanges`). */
  private organizationsVersion?: string;
  /** Full refreshes and change polls never overlap in one instance. */
  private queue: Promise<unknown> = Promise.resolve();
  lastStats?: RefreshStats;

  constructor(
    private readonly options: {
      source: IngestionCatalogSource;
      logger: LoggerService;
      scheduler?: SchedulerService;
      schedule?: IngestionEntityProviderSchedule;
      context?: EntityContext;
      clock?: () => number;
      /** Told the organizations on every full refresh (the processor's directory). */
      tenants?: TenantDirectory;
      /**
       * How long a change poll may wait for a change, in seconds (a long poll, up to 25);
       * 0 asks and answers at once. Default 0.
       */
      changesWaitSeconds?: number;
    },
  ) {}

  getProviderName(): string {
    return 'ingestion';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    const { scheduler, schedule } = this.options;
    if (!scheduler || !schedule) return;
    await scheduler.scheduleTask({
      ...schedule.full,
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.refresh();
      },
    });
    await scheduler.scheduleTask({
      ...schedule.changes,
      id: `${this.getProviderName()}:changes`,
      fn: async abort => {
        try {
          await this.applyChanges(abort);
        } catch (error) {
          // The backend is stopping: the waiting poll was cut short, which is no failure.
          if (!abort?.aborted) throw error;
        }
      },
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private now() {
    return this.options.clock?.() ?? Date.now();
  }

  private requireConnection(): EntityProviderConnection {
    if (!this.connection) {
      throw new Error('IngestionEntityProvider is not connected yet');
    }
    return this.connection;
  }

  /** Reads everything and applies it as one full mutation. */
  refresh(): Promise<RefreshStats> {
    return this.exclusive(() => this.fullRefresh());
  }

  /**
   * Applies what changed since the last refresh or poll as a delta mutation. With
   * `changesWaitSeconds`, the request waits in the backend until something changes (or the wait
   * ends, or `signal` aborts); full refreshes are not held up meanwhile, and an answer that a
   * full refresh overtook while it waited is read again rather than applied.
   */
  async applyChanges(signal?: AbortSignal): Promise<RefreshStats> {
    const wait = this.options.changesWaitSeconds ?? 0;
    if (!this.model || wait <= 0) {
      return this.exclusive(async () =>
        this.model ? this.deltaRefresh(this.model) : this.fullRefresh(),
      );
    }
    const reads = this.reads;
    const started = this.now();
    const changes = await this.options.source.changes(this.since, {
      wait,
      signal,
    });
    return this.exclusive(async () => {
      if (!this.model) return this.fullRefresh();
      if (this.reads !== reads) return this.deltaRefresh(this.model);
      return this.applyDelta(this.model, changes, started);
    });
  }

  private async fullRefresh(): Promise<RefreshStats> {
    const connection = this.requireConnection();
    const { source, logger } = this.options;
    const started = this.now();
    const model = new CatalogModel(this.options.context);
    const organizations = await source.organizations();
    // Retired organizations keep their namespace (the processor's directory) and lose their entities.
    this.options.tenants?.update(organizations.items);
    model.setOrganizations(organizations.items.filter(o => !o.retired));
    // Pipelines and tables are read side by side; the model files each in whatever order.
    await Promise.all([
      readAllPages(
        cursor => source.pipelines(cursor),
        p => model.setPipeline(p),
      ),
      readAllPages(
        cursor => source.tables(cursor),
        t => model.setTable(t),
      ),
    ]);
    const read = this.now();

    const { entities, emitted } = fullSnapshot(model, logger);
    const built = this.now();
    await connection.applyMutation({ type: 'full', entities });
    const applied = this.now();

    const changed = !this.model || !sameEmitted(this.emitted, emitted);
    this.model = model;
    this.emitted = emitted;
    this.since = started;
    this.reads += 1;
    this.organizationsVersion = organizations.version;
    const stats: RefreshStats = {
      type: 'full',
      entities: entities.length,
      added: entities.length,
      removed: 0,
      readMs: read - started,
      buildMs: built - read,
      applyMs: applied - built,
    };
    const message = `Ingestion catalog: full refresh with ${
      entities.length
    } entities${changed ? '' : ', none changed'} (read ${
      stats.readMs
    } ms, build ${stats.buildMs} ms, apply ${stats.applyMs} ms)`;
    // Info at the first refresh and when the catalog changed; a refresh that finds everything as
    // it was is routine.
    if (changed) logger.info(message);
    else logger.debug(message);
    this.lastStats = stats;
    return stats;
  }

  private async deltaRefresh(model: CatalogModel): Promise<RefreshStats> {
    const started = this.now();
    const changes = await this.options.source.changes(this.since);
    return this.applyDelta(model, changes, started);
  }

  private async applyDelta(
    model: CatalogModel,
    changes: CatalogChanges,
    started: number,
  ): Promise<RefreshStats> {
    const connection = this.requireConnection();
    const { source, logger } = this.options;
    const affected = await fileChanges(
      model,
      changes,
      source,
      this.organizationsVersion,
    );
    if (!affected) return this.fullRefresh();
    const read = this.now();

    const { added, removed, nextEmitted } = entityDelta(
      model,
      affected,
      this.emitted,
    );
    const built = this.now();
    if (added.length > 0 || removed.length > 0) {
      await connection.applyMutation({ type: 'delta', added, removed });
      for (const [key, value] of nextEmitted) {
        if (value) this.emitted.set(key, value);
        else this.emitted.delete(key);
      }
      logger.info(
        `Ingestion catalog: delta with ${added.length} added or changed and ${removed.length} removed entities`,
      );
    } else {
      logger.debug('Ingestion catalog: no changes');
    }
    this.since = Number(changes.until);
    this.reads += 1;
    const stats: RefreshStats = {
      type: 'delta',
      entities: this.emitted.size,
      added: added.length,
      removed: removed.length,
      readMs: read - started,
      buildMs: built - read,
      applyMs: this.now() - built,
    };
    this.lastStats = stats;
    return stats;
  }
}
