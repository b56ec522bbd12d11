import type { Knex } from 'knex';

/** The org-scoped resources addressed by id in the API's paths, and their tables. */
const TABLES = {
  pipelines: 'pipelines',
  runs: 'runs',
  tables: 'data_tables',
  connections: 'connections',
} as const;

/** A path segment of `/v1/<kind>/:id…` whose id names an org-scoped row. */
export type ResourceKind = keyof typeof TABLES;

export function isResourceKind(value: string): value is ResourceKind {
  return Object.prototype.hasOwnProperty.call(TABLES, value);
}

/** Ids are UUIDs (36 characters); anything much longer cannot name a row. */
const MAX_ID_LENGTH = 64;

/**
 * Which organization a pipeline, run, table or connection belongs to, so a request addressing it by
 * id can be charged to that organization's API quota. A lookup is one primary-key read of one
 * column; answers are remembered (a row never moves to another organization), misses are not (the
 * row may be created a moment later).
 *
 * This is attribution only, not authorization: the route still checks the caller's permissions.
 */
export class OrganizationOfResourceStore {
  static create(options: { knex: Knex; cacheSize?: number }) {
    return new OrganizationOfResourceStore(
      options.knex,
      options.cacheSize ?? 10_000,
    );
  }

  private readonly known = new Map<string, string>();

  private constructor(
    private readonly knex: Knex,
    private readonly cacheSize: number,
  ) {}

  async organizationOf(
    kind: ResourceKind,
    id: string,
  ): Promise<string | undefined> {
    if (id.length === 0 || id.length > MAX_ID_LENGTH) {
      return undefined;
    }
    const key = `${kind}/${id}`;
    const cached = this.known.get(key);
    if (cached !== undefined) {
      // Refresh its place: the map iterates oldest first, which is what gets evicted.
      this.known.delete(key);
      this.known.set(key, cached);
      return cached;
    }
    const row: { organization_id: string } | undefined = await this.knex(
      TABLES[kind],
    )
      .select('organization_id')
      .where('id', id)
      .first();
    if (!row) {
      return undefined;
    }
    this.known.set(key, row.organization_id);
    if (this.known.size > this.cacheSize) {
      this.known.delete(this.known.keys().next().value!);
    }
    return row.organization_id;
  }
}
