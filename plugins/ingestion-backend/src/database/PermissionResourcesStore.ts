import type { OwnedPermissionResource } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';

/**
 * Loads the fields permission rules look at, for the permission backend's apply-conditions calls.
 * The ids come from the permission backend itself, after it authenticated the caller.
 */
export class PermissionResourcesStore {
  constructor(private readonly knex: Knex) {}

  pipelines(ids: string[]) {
    return this.load('pipelines', ids);
  }

  tables(ids: string[]) {
    return this.load('data_tables', ids);
  }

  private async load(
    table: 'pipelines' | 'data_tables',
    ids: string[],
  ): Promise<Array<OwnedPermissionResource | undefined>> {
    const rows: Array<{ id: string; organization_id: string; owner: string }> =
      await this.knex(table)
        .select('id', 'organization_id', 'owner')
        .whereIn('id', ids);
    const byId = new Map(rows.map(row => [row.id, row]));
    return ids.map(id => {
      const row = byId.get(id);
      return row && { organizationId: row.organization_id, owner: row.owner };
    });
  }
}
