import type { LoggerService } from '@backstage/backend-plugin-api';
import type { DuckDBInstance } from '@duckdb/node-api';
import {
  detectPii,
  piiTypesOfName,
  type PiiType,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import type { FinishedRun } from '../runs';
import { currentSnapshotId, sampleIcebergTable } from './sampleIcebergTable';
import { TableStateStore } from './TableStateStore';

export type PiiFindings = Record<string, PiiType[]>;

/**
 * A column found to hold PII stays tagged while the table has it: outside production its values
 * are masked (hashed) from then on, so a later sample no longer shows what it holds.
 */
function stickyFindings(
  found: PiiFindings,
  before: PiiFindings | undefined,
  columns: string[],
): PiiFindings {
  const merged: PiiFindings = { ...found };
  for (const column of columns) {
    const earlier = before?.[column];
    if (earlier?.length) {
      merged[column] = [...new Set([...(merged[column] ?? []), ...earlier])];
    }
  }
  return merged;
}

/**
 * Samples tables when they are written or discovered and records the PII found per column
 * (`table_catalog_state.pii_findings`), which the catalog shows as tags. A table is sampled once
 * per snapshot. Local tables are sampled from their data files; tables in remote storage are
 * judged by their column names.
 */
export class PiiScanner {
  readonly state: TableStateStore;

  constructor(
    private readonly options: {
      knex: Knex;
      logger: LoggerService;
      duckdb: () => Promise<DuckDBInstance>;
      sampleRows?: number;
      threshold?: number;
      clock?: () => Date;
    },
  ) {
    this.state = new TableStateStore(options.knex);
  }

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  /**
   * Samples a local Iceberg table (a `file:` metadata location) unless its current snapshot was
   * sampled already; returns the findings either way.
   */
  async scanLocalTable(
    table: {
      organizationId: string;
      tableId: string;
      metadataLocation: string;
      discoveredIn?: string;
    },
    /** Findings known from elsewhere (a run that masked them), kept like earlier ones. */
    known: PiiFindings = {},
  ): Promise<PiiFindings> {
    const before = await this.state.get(table.organizationId, table.tableId);
    const current = await currentSnapshotId(table.metadataLocation);
    if (
      before?.piiScannedSnapshotId === (current ?? 'none') &&
      before.piiFindings
    ) {
      if (before.metadataLocation !== table.metadataLocation) {
        await this.state.upsert({ ...table, snapshotId: current }, this.now());
      }
      return before.piiFindings;
    }
    const sample = await sampleIcebergTable(table.metadataLocation, {
      duckdb: this.options.duckdb,
      rows: this.options.sampleRows,
    });
    const snapshot = sample.snapshotId ?? 'none';
    const findings = stickyFindings(
      detectPii(sample.samples, { threshold: this.options.threshold }),
      { ...before?.piiFindings, ...known },
      Object.keys(sample.samples),
    );
    await this.state.upsert(
      {
        ...table,
        snapshotId: sample.snapshotId,
        piiFindings: findings,
        piiScannedSnapshotId: snapshot,
      },
      this.now(),
    );
    return findings;
  }

  /** Findings from column names only, for tables whose data cannot be read from here. */
  static fromColumnNames(columns: string[]): PiiFindings {
    const findings: PiiFindings = {};
    for (const column of columns) {
      const types = piiTypesOfName(column);
      if (types.length > 0) findings[column] = types;
    }
    return findings;
  }

  /**
   * Samples the Iceberg tables a finished run committed to (a run driver listener). Columns the
   * run masked keep the PII kinds found before masking, as the masked values no longer show them.
   */
  async onRunFinished(event: FinishedRun): Promise<void> {
    const masked: PiiFindings = Object.fromEntries(
      (event.piiMasking?.columns ?? [])
        .filter(c => c.types.length > 0)
        .map(c => [c.column, c.types]),
    );
    for (const table of event.tables) {
      if (Object.keys(masked).length > 0) {
        // Kept for tables that cannot be sampled from here (remote storage) too.
        const before = await this.state.get(event.run.organization, table.id);
        await this.state.upsert(
          {
            organizationId: event.run.organization,
            tableId: table.id,
            piiFindings: { ...before?.piiFindings, ...masked },
          },
          this.now(),
        );
      }
      if (
        table.format !== 'iceberg' ||
        !table.catalogName ||
        !table.namespace ||
        !table.tableName
      ) {
        continue;
      }
      const row = await this.options
        .knex('iceberg_tables')
        .where({
          organization_id: event.run.organization,
          catalog_name: table.catalogName,
          table_namespace: table.namespace,
          table_name: table.tableName,
        })
        .first('metadata_location');
      if (!row?.metadata_location?.startsWith('file:')) continue;
      try {
        await this.scanLocalTable(
          {
            organizationId: event.run.organization,
            tableId: table.id,
            metadataLocation: row.metadata_location,
            discoveredIn: `sql:${table.catalogName}`,
          },
          masked,
        );
      } catch (error) {
        this.options.logger.warn(
          `PII scan of ${table.catalogName}.${table.namespace}.${table.tableName} failed: ${error}`,
        );
      }
    }
  }
}
