import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { readTableMetadata } from '../iceberg/metadata/metadataFiles';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiScanner, type PiiFindings } from '../pii/PiiScanner';
import {
  describeIcebergMetadata,
  schemaFieldNames,
  type IcebergTableMetadataView,
} from './describeIcebergMetadata';
import type { EgressGuard } from '../egress';
import { IcebergRestClient } from './IcebergRestClient';
import type { RestCatalogConfig } from './restCatalogConfig';

/** What one discovery pass found. */
export interface DiscoveryReport {
  tables: number;
  changed: number;
  failed: Array<{ catalog: string; message: string }>;
}

interface DiscoveredTable {
  organizationId: string;
  catalogName: string;
  namespace: string[];
  name: string;
  metadataLocation?: string;
  discoveredIn: string;
  /** Loads the metadata (only for tables that changed). */
  load: () => Promise<{
    metadataLocation?: string;
    metadata: Record<string, unknown>;
  }>;
}

/**
 * Finds each organization's Iceberg tables in its catalogs (the local SQL catalog the local
 * engine writes, and the Iceberg REST catalogs configured for it) and records them as tables of
 * the organization: new tables are added, changed ones (a new metadata location) get their
 * schema, size and row count refreshed and are sampled for PII. Unchanged tables cost one
 * comparison, so a pass over a large catalog only writes what changed.
 */
export class IcebergDiscovery {
  constructor(
    private readonly options: {
      knex: Knex;
      logger: LoggerService;
      directory: OrganizationDirectory;
      restCatalogs: RestCatalogConfig[];
      pii: PiiScanner;
      /** Every catalog (and OAuth2 token URL) is called through its organization's guard. */
      egress: EgressGuard;
      pageSize?: number;
      clock?: () => Date;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  restClient(catalog: RestCatalogConfig) {
    return new IcebergRestClient(catalog, {
      fetch: this.options.egress.forOrganization(catalog.organizationId).fetch,
      pageSize: this.options.pageSize,
    });
  }

  /** One pass over every organization's catalogs. */
  async discover(): Promise<DiscoveryReport> {
    const report: DiscoveryReport = { tables: 0, changed: 0, failed: [] };
    for (const org of this.options.directory.organizations) {
      await this.discoverSqlCatalog(org.id, report);
      for (const catalog of this.options.restCatalogs.filter(
        c => c.organizationId === org.id,
      )) {
        try {
          await this.discoverRestCatalog(catalog, report);
        } catch (error) {
          const message =
            error instanceof Error ? error.message : String(error);
          report.failed.push({ catalog: catalog.name, message });
          this.options.logger.warn(
            `Iceberg REST catalog ${catalog.name} of ${org.id} could not be read: ${message}`,
          );
        }
      }
    }
    return report;
  }

  private async discoverSqlCatalog(
    organizationId: string,
    report: DiscoveryReport,
  ) {
    const rows: Array<{
      catalog_name: string;
      table_namespace: string;
      table_name: string;
      metadata_location: string | null;
    }> = await this.options
      .knex('iceberg_tables')
      .where('organization_id', organizationId)
      .where(q => q.where('iceberg_type', 'TABLE').orWhereNull('iceberg_type'))
      .select(
        'catalog_name',
        'table_namespace',
        'table_name',
        'metadata_location',
      );
    for (const row of rows) {
      if (!row.metadata_location) continue;
      await this.record(
        {
          organizationId,
          catalogName: row.catalog_name,
          namespace: row.table_namespace.split('.'),
          name: row.table_name,
          metadataLocation: row.metadata_location,
          discoveredIn: `sql:${row.catalog_name}`,
          load: async () => ({
            metadataLocation: row.metadata_location!,
            metadata: (await readTableMetadata(
              row.metadata_location!,
            )) as unknown as Record<string, unknown>,
          }),
        },
        report,
      );
    }
  }

  private async discoverRestCatalog(
    catalog: RestCatalogConfig,
    report: DiscoveryReport,
  ) {
    const client = this.restClient(catalog);
    for (const namespace of await client.listNamespaces()) {
      for (const table of await client.listTables(namespace)) {
        // The metadata location only comes with the table: load it, then compare.
        const loaded = await client.loadTable(table);
        await this.record(
          {
            organizationId: catalog.organizationId,
            catalogName: catalog.name,
            namespace: table.namespace,
            name: table.name,
            metadataLocation: loaded.metadataLocation,
            discoveredIn: `rest:${catalog.name}`,
            load: async () => loaded,
          },
          report,
        );
      }
    }
  }

  private async record(table: DiscoveredTable, report: DiscoveryReport) {
    const { knex } = this.options;
    report.tables++;
    const namespace = table.namespace.join('.');
    const identity = {
      organization_id: table.organizationId,
      format: 'iceberg',
      catalog_name: table.catalogName,
      namespace,
      table_name: table.name,
    };
    const existing = await knex('data_tables')
      .where(identity)
      .orderBy('updated_at', 'desc')
      .first('id');
    const state = existing
      ? await this.options.pii.state.get(table.organizationId, existing.id)
      : undefined;
    if (
      existing &&
      state?.metadataLocation !== undefined &&
      state.metadataLocation === table.metadataLocation
    ) {
      return; // unchanged since the last pass
    }
    const loaded = await table.load();
    const identifier = `${table.catalogName}.${namespace}.${table.name}`;
    const view = describeIcebergMetadata(
      identifier,
      loaded.metadata,
      loaded.metadataLocation,
    );
    const tableId: string = existing?.id ?? randomUUID();
    const at = this.now();
    const findings = await this.findings(table, tableId, view);
    const piiColumns = Object.keys(findings).sort();
    const values = {
      schema: view.currentSchema ? JSON.stringify(view.currentSchema) : null,
      row_count: view.rowCount,
      size_bytes: view.sizeBytes,
      updated_at: at,
    };
    if (existing) {
      await knex('data_tables').where({ id: tableId }).update(values);
    } else {
      const org = this.options.directory.get(table.organizationId);
      const writer = await knex('lineage_edges')
        .where({
          organization_id: table.organizationId,
          direction: 'output',
          dataset_ref: `iceberg:${identifier}`,
        })
        .first('pipeline_id');
      await knex('data_tables').insert({
        id: tableId,
        ...identity,
        location: view.location ?? null,
        owner: org.ownerGroup,
        pipeline_id: writer?.pipeline_id ?? null,
        classification: piiColumns.length > 0 ? 'restricted' : 'internal',
        pii_columns: JSON.stringify(piiColumns),
        ...values,
        created_at: at,
      });
    }
    await this.options.pii.state.upsert(
      {
        organizationId: table.organizationId,
        tableId,
        discoveredIn: table.discoveredIn,
        metadataLocation: loaded.metadataLocation,
        snapshotId: view.currentSnapshotId,
      },
      at,
    );
    report.changed++;
  }

  private async findings(
    table: DiscoveredTable,
    tableId: string,
    view: IcebergTableMetadataView,
  ): Promise<PiiFindings> {
    const location = table.metadataLocation;
    if (location?.startsWith('file:')) {
      try {
        return await this.options.pii.scanLocalTable({
          organizationId: table.organizationId,
          tableId,
          metadataLocation: location,
          discoveredIn: table.discoveredIn,
        });
      } catch (error) {
        this.options.logger.warn(
          `PII sampling of ${view.identifier} failed, judging by column names: ${error}`,
        );
      }
    }
    const findings = PiiScanner.fromColumnNames(
      schemaFieldNames(view.currentSchema),
    );
    await this.options.pii.state.upsert(
      {
        organizationId: table.organizationId,
        tableId,
        piiFindings: findings,
        piiScannedSnapshotId: view.currentSnapshotId ?? 'none',
      },
      this.now(),
    );
    return findings;
  }
}
