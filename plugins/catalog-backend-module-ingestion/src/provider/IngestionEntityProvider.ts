import type {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import type { CatalogChanges } from '@ingestion-for-backstage/plugin-ingestion-common';
import { hash } from 'node:crypto';
import { CatalogModel, type SubjectKey } from './CatalogModel';
import { locationKeyOf, type EntityContext } from './entities';
import type { IngestionCatalogSource } from './IngestionCatalogClient';
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

const ORGANIZATION_OF = 'ingestion.backstage.io/organization';

/** What a subject last emitted: its entity ref, content hash and location key. */
interface Emitted {
  ref: string;
  hash: string;
  locationKey: string;
}

function sameEmitted(
  before: ReadonlyMap<SubjectKey, Emitted>,
  after: ReadonlyMap<SubjectKey, Emitted>,
): boolean {
  if (before.size !== after.size) return false;
  for (const [key, state] of after) {
    const previous = before.get(key);
    if (previous?.ref !== state.ref || previous.hash !== state.hash) {
      return false;
    }
  }
  return true;
}

function hashOf(entity: Entity): string {
  // One-shot hashing: no Hash object per entity, which a full refresh builds by the hundred thousand.
  return hash('sha1', JSON.stringify(entity), 'base64');
}

function deferred(entity: Entity): DeferredEntity {
  return {
    entity,
    locationKey: locationKeyOf(entity.metadata.annotations![ORGANIZATION_OF]),
  };
}

function emittedOf(item: DeferredEntity): Emitted {
  return {
    ref: stringifyEntityRef(item.entity),
    hash: hashOf(item.entity),
    locationKey: item.locationKey!,
  };
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
    // Pipelines and tables are read side by side; the model files each in whatever order. The
    // next page is asked for before this one is filed, so the ingestion database works meanwhile.
    const readAll = async <T>(
      read: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
      add: (item: T) => unknown,
    ) => {
      for (let page = await read(); ; ) {
        const next = page.nextCursor ? read(page.nextCursor) : undefined;
        next?.catch(() => undefined); // awaited below; filing may throw first
        page.items.forEach(add);
        if (!next) return;
        page = await next;
      }
    };
    await Promise.all([
      readAll(
        cursor => source.pipelines(cursor),
        p => model.setPipeline(p),
      ),
      readAll(
        cursor => source.tables(cursor),
        t => model.setTable(t),
      ),
    ]);
    const read = this.now();

    const emitted = new Map<SubjectKey, Emitted>();
    const entities: DeferredEntity[] = [];
    const refs = new Set<string>();
    for (const key of model.eachSubject()) {
      const entity = model.entityOf(key);
      if (!entity) continue;
      const item = deferred(entity);
      const state = emittedOf(item);
      if (refs.has(state.ref)) {
        // Names are collision-free by construction; should two subjects still meet, keep one.
        logger.warn(`Two ingestion subjects map to ${state.ref}; keeping one`);
        continue;
      }
      refs.add(state.ref);
      emitted.set(key, state);
      entities.push(item);
    }
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
    const organizations = Object.keys(changes.counts).sort();
    if (
      changes.truncated ||
      organizations.join('\n') !== model.organizationIds().join('\n') ||
      // An organization was added, changed or retired: its System, and all it holds, again.
      (changes.organizationsVersion !== undefined &&
        changes.organizationsVersion !== this.organizationsVersion)
    ) {
      return this.fullRefresh();
    }
    const affected = new Set<SubjectKey>();
    changes.pipelines.forEach(p =>
      model.setPipeline(p).forEach(k => affected.add(k)),
    );
    changes.tables.forEach(t =>
      model.setTable(t).forEach(k => affected.add(k)),
    );
    // Deletions show as counts below what the model holds: compare ids then.
    for (const org of organizations) {
      const held = model.count(org);
      const counted = changes.counts[org];
      if (held.pipelines !== counted.pipelines) {
        const ids = new Set(await source.ids(org, 'pipelines'));
        for (const id of model.pipelineIds(org)) {
          if (!ids.has(id)) {
            model.removePipeline(id).forEach(k => affected.add(k));
          }
        }
      }
      if (held.tables !== counted.tables) {
        const ids = new Set(await source.ids(org, 'tables'));
        for (const id of model.tableIds(org)) {
          if (!ids.has(id)) model.removeTable(id).forEach(k => affected.add(k));
        }
      }
      const now = model.count(org);
      if (
        now.pipelines !== counted.pipelines ||
        now.tables !== counted.tables
      ) {
        // Something was created and is not in the change list (it fell outside the overlap).
        return this.fullRefresh();
      }
    }
    const read = this.now();

    const added: DeferredEntity[] = [];
    const removed: Array<{ entityRef: string; locationKey: string }> = [];
    const nextEmitted = new Map<SubjectKey, Emitted | undefined>();
    for (const key of affected) {
      const entity = model.entityOf(key);
      const before = this.emitted.get(key);
      if (!entity) {
        if (before) {
          removed.push({
            entityRef: before.ref,
            locationKey: before.locationKey,
          });
          nextEmitted.set(key, undefined);
        }
        continue;
      }
      const item = deferred(entity);
      const state = emittedOf(item);
      if (before?.ref === state.ref && before.hash === state.hash) continue;
      if (before && before.ref !== state.ref) {
        removed.push({
          entityRef: before.ref,
          locationKey: before.locationKey,
        });
      }
      added.push(item);
      nextEmitted.set(key, state);
    }
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
