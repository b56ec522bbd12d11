import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import type {
  CatalogChanges,
  CatalogOrganization,
  CatalogPage,
  CatalogPipeline,
  CatalogTable,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { CATALOG_EXPORT_SUBJECT } from '../authorization/servicePrincipals';
import type { CursorCodec, CursorContext } from '../database/pagination';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { CatalogExportStore } from './CatalogExportStore';

/** Changes committed up to this long before a read are still returned by the next one. */
export const CHANGES_OVERLAP_MS = 5_000;
export const MAX_EXPORT_PAGE = 2_000;
const DEFAULT_EXPORT_PAGE = 500;
const MAX_CHANGES = 1_000;
/** The longest a change request may wait for a change (`wait`, seconds). */
export const MAX_CHANGES_WAIT_S = 25;
/** How often a waiting change request looks for a change. */
const CHANGES_CHECK_MS = 1_000;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function sinceOf(since: string): number {
  const sinceMs = Number(since);
  if (!Number.isSafeInteger(sinceMs) || sinceMs < 0) {
    throw new InputError('since: epoch milliseconds, as `until` returned');
  }
  return sinceMs;
}

/**
 * The export holds every organization's pipelines and tables: only the catalog backend reads it
 * (its own policy then shows each entity to its organization's members). Other services, such as
 * automation tokens, get what `ingestion.servicePrincipals` grants them through the API instead.
 */
function requireService(credentials: BackstageCredentials) {
  const principal = credentials.principal as {
    type?: string;
    subject?: string;
  };
  if (
    principal.type !== 'service' ||
    principal.subject !== CATALOG_EXPORT_SUBJECT
  ) {
    throw new NotAllowedError(
      `The catalog export is for the catalog backend (${CATALOG_EXPORT_SUBJECT}) only`,
    );
  }
}

function limitOf(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_EXPORT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EXPORT_PAGE) {
    throw new InputError(
      `limit: must be an integer from 1 to ${MAX_EXPORT_PAGE}`,
    );
  }
  return limit;
}

/**
 * Page cursors carry the last id of the previous page, signed for the list and the organizations
 * it covers (see `CursorCodec`), so a forged one is a 400 and never reaches SQL.
 */
class IdCursors {
  constructor(
    private readonly codec: CursorCodec,
    private readonly context: CursorContext,
  ) {}

  after(cursor: string | undefined): string | undefined {
    if (cursor === undefined) return undefined;
    const { id } = this.codec.decode(this.context, cursor);
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
      throw new InputError('cursor: not a cursor this API returned');
    }
    return id;
  }

  pageOf<T extends { id: string }>(items: T[], limit: number): CatalogPage<T> {
    if (items.length < limit) return { items };
    const id = items[items.length - 1].id;
    return {
      items,
      nextCursor: this.codec.encode(this.context, { value: id, id }),
    };
  }
}

/**
 * Everything the catalog shows, for the catalog module (service credentials only): the
 * organizations, pipelines with their current spec, tables, and what changed since a time.
 * Organization scoping stays with the catalog: its entities carry the organization annotation
 * that the permission policy filters on.
 */
export class CatalogExportService {
  constructor(
    private readonly options: {
      store: CatalogExportStore;
      directory: OrganizationDirectory;
      /** The installation's cursor codec (`cursorCodec(knex)`). */
      cursors: () => Promise<CursorCodec>;
      clock?: () => Date;
      /** How often a waiting change request looks for a change (default a second). */
      checkIntervalMs?: number;
      /** Aborts when the backend stops: waiting change requests answer at once then. */
      stopping?: AbortSignal;
    },
  ) {}

  private get organizationIds() {
    return this.options.directory.organizations.map(org => org.id);
  }

  private async cursors(list: string) {
    return new IdCursors(await this.options.cursors(), {
      list,
      sort: { column: 'id', order: 'asc' },
      scope: { organizationIds: this.organizationIds },
    });
  }

  async organizations(
    credentials: BackstageCredentials,
  ): Promise<{ items: CatalogOrganization[]; version: string }> {
    requireService(credentials);
    const { directory } = this.options;
    await directory.ensureFresh();
    return {
      // Retired ones too (flagged): their catalog namespace stays theirs, their entities go.
      version: directory.version,
      items: directory.all.map(org => ({
        id: org.id,
        name: org.name,
        costCenter: org.costCenter,
        environment: org.environment,
        ownerGroup: org.ownerGroup,
        engine: org.engine,
        icebergCatalog: org.icebergCatalog,
        ...(org.databricks ? { databricksHost: org.databricks.host } : {}),
        roles: org.roles,
        ...(org.retiredAt ? { retired: true } : {}),
      })),
    };
  }

  async pipelines(
    credentials: BackstageCredentials,
    query: { cursor?: string; limit?: number },
  ): Promise<CatalogPage<CatalogPipeline>> {
    requireService(credentials);
    const limit = limitOf(query.limit);
    const cursors = await this.cursors('catalog-pipelines');
    return cursors.pageOf(
      await this.options.store.pipelines(this.organizationIds, {
        after: cursors.after(query.cursor),
        limit,
      }),
      limit,
    );
  }

  async tables(
    credentials: BackstageCredentials,
    query: { cursor?: string; limit?: number },
  ): Promise<CatalogPage<CatalogTable>> {
    requireService(credentials);
    const limit = limitOf(query.limit);
    const cursors = await this.cursors('catalog-tables');
    return cursors.pageOf(
      await this.options.store.tables(this.organizationIds, {
        after: cursors.after(query.cursor),
        limit,
      }),
      limit,
    );
  }

  async changes(
    credentials: BackstageCredentials,
    query: { since: string },
  ): Promise<CatalogChanges> {
    requireService(credentials);
    const sinceMs = sinceOf(query.since);
    // Read the time first: whatever commits from now on is at or after it.
    const until = (this.options.clock?.() ?? new Date()).getTime();
    const since = new Date(sinceMs - CHANGES_OVERLAP_MS);
    const organizations = this.organizationIds;
    const [pipelines, tables, counts] = await Promise.all([
      this.options.store.pipelinesChangedSince(
        organizations,
        since,
        MAX_CHANGES + 1,
      ),
      this.options.store.tablesChangedSince(
        organizations,
        since,
        MAX_CHANGES + 1,
      ),
      this.options.store.counts(organizations),
    ]);
    const truncated =
      pipelines.length > MAX_CHANGES || tables.length > MAX_CHANGES;
    return {
      pipelines: truncated ? [] : pipelines,
      tables: truncated ? [] : tables,
      counts,
      until: String(until),
      truncated,
      organizationsVersion: this.options.directory.version,
    };
  }

  /**
   * The long poll in front of {@link changes}: resolves at once when a pipeline or table changed
   * at or after `since`, else as soon as one changes, one is deleted or the organizations change
   * (looked for every second in the database, so a change made through any replica counts),
   * and at the latest after `wait` seconds. Stops looking when `signal` aborts (the caller left)
   * or the backend stops.
   */
  async waitForChanges(
    credentials: BackstageCredentials,
    query: { since: string; wait: string; signal?: AbortSignal },
  ): Promise<void> {
    requireService(credentials);
    const sinceMs = sinceOf(query.since);
    const wait = Number(query.wait);
    if (!Number.isInteger(wait) || wait < 0 || wait > MAX_CHANGES_WAIT_S) {
      throw new InputError(
        `wait: whole seconds from 0 to ${MAX_CHANGES_WAIT_S}`,
      );
    }
    const { store, directory, checkIntervalMs, clock, stopping } = this.options;
    const now = () => (clock?.() ?? new Date()).getTime();
    const deadline = now() + wait * 1000;
    const signals = [query.signal, stopping].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    if (wait === 0 || signal?.aborted) return;
    const newer = await store.changeMark(
      this.organizationIds,
      new Date(sinceMs),
    );
    if (newer.rows > 0) return;
    // From here on, any write moves the mark: a new `updated_at` (at or after now, so inside the
    // window), a late commit inside the overlap, a deletion (the counts) or a new organization.
    const mark = async () => {
      await directory.ensureFresh();
      const organizations = this.organizationIds;
      const [changed, counts] = await Promise.all([
        store.changeMark(organizations, new Date(sinceMs - CHANGES_OVERLAP_MS)),
        store.counts(organizations),
      ]);
      return JSON.stringify([directory.version, changed, counts]);
    };
    const before = await mark();
    for (;;) {
      const left = deadline - now();
      if (left <= 0 || signal?.aborted) return;
      await pause(Math.min(checkIntervalMs ?? CHANGES_CHECK_MS, left), signal);
      if (signal?.aborted || (await mark()) !== before) return;
    }
  }

  async ids(
    credentials: BackstageCredentials,
    query: { organization: string; kind: 'pipelines' | 'tables' },
  ): Promise<{ items: string[] }> {
    requireService(credentials);
    this.options.directory.get(query.organization);
    return {
      items: await this.options.store.ids(query.organization, query.kind),
    };
  }
}
