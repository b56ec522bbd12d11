import type { PiiType } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';

/** What the catalog integration knows of a table beyond `data_tables` (`table_catalog_state`). */
export interface TableState {
  organizationId: string;
  tableId: string;
  /** `sql:<catalog>` or `rest:<configured catalog name>`. */
  discoveredIn?: string;
  metadataLocation?: string;
  snapshotId?: string;
  /** Column → PII kinds found in its samples. */
  piiFindings?: Record<string, PiiType[]>;
  piiScannedSnapshotId?: string;
}

type Row = {
  organization_id: string;
  table_id: string;
  discovered_in: string | null;
  metadata_location: string | null;
  snapshot_id: string | null;
  pii_findings: string | null;
  pii_scanned_snapshot_id: string | null;
};

const fromRow = (row: Row): TableState => ({
  organizationId: row.organization_id,
  tableId: row.table_id,
  discoveredIn: row.discovered_in ?? undefined,
  metadataLocation: row.metadata_location ?? undefined,
  snapshotId: row.snapshot_id ?? undefined,
  piiFindings: row.pii_findings ? JSON.parse(row.pii_findings) : undefined,
  piiScannedSnapshotId: row.pii_scanned_snapshot_id ?? undefined,
});

/** `table_catalog_state`, one row per table, always within one organization. */
export class TableStateStore {
  constructor(private readonly knex: Knex) {}

  async get(
    organizationId: string,
    tableId: string,
  ): Promise<TableState | undefined> {
    const row = await this.knex('table_catalog_state')
      .where({ organization_id: organizationId, table_id: tableId })
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Sets the given fields (others stay) and marks the row changed at `at`. */
  async upsert(state: TableState, at: Date): Promise<void> {
    const values: Record<string, unknown> = { updated_at: at };
    if (state.discoveredIn !== undefined) {
      values.discovered_in = state.discoveredIn;
    }
    if (state.metadataLocation !== undefined) {
      values.metadata_location = state.metadataLocation;
    }
    if (state.snapshotId !== undefined) values.snapshot_id = state.snapshotId;
    if (state.piiFindings !== undefined) {
      values.pii_findings = JSON.stringify(state.piiFindings);
    }
    if (state.piiScannedSnapshotId !== undefined) {
      values.pii_scanned_snapshot_id = state.piiScannedSnapshotId;
    }
    const key = {
      organization_id: state.organizationId,
      table_id: state.tableId,
    };
    await this.knex.transaction(async tx => {
      const updated = await tx('table_catalog_state').where(key).update(values);
      if (updated === 0) {
        await tx('table_catalog_state').insert({ ...key, ...values });
      }
    });
  }
}
