import type { DataTable } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from './conditions';
import { openKeyset } from './keyset';
import { toEpochMs, toIso, toOptionalNumber, toOptionalString } from './rows';

type Timestamp = Date | number | string;

type TableRow = {
  id: string;
  organization_id: string;
  format: DataTable['format'];
  catalog_name: string | null;
  namespace: string | null;
  table_name: string | null;
  location: string | null;
  owner: string;
  pipeline_id: string | null;
  classification: string | null;
  pii_columns: string | null;
  schema: string | null;
  row_count: number | string | null;
  size_bytes: number | string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
};

/** A table as an engine reports it after a commit. */
export interface TableUpsert {
  id: string;
  organizationId: string;
  format: DataTable['format'];
  catalogName?: string;
  namespace?: string;
  tableName?: string;
  location?: string;
  owner: string;
  pipelineId?: string;
  classification?: string;
  piiColumns?: string[];
  schema?: Record<string, unknown>;
  rowCount?: number;
  sizeBytes?: number;
  at: Date;
}

function toTable(row: TableRow): DataTable {
  return {
    id: row.id,
    organization: row.organization_id,
    format: row.format,
    identifier:
      row.catalog_name && row.namespace && row.table_name
        ? `${row.catalog_name}.${row.namespace}.${row.table_name}`
        : undefined,
    location: toOptionalString(row.location),
    owner: row.owner,
    pipelineId: toOptionalString(row.pipeline_id),
    classification: toOptionalString(row.classification),
    piiColumns: row.pii_columns ? JSON.parse(row.pii_columns) : undefined,
    schema: row.schema ? JSON.parse(row.schema) : undefined,
    rowCount: toOptionalNumber(row.row_count),
    sizeBytes: toOptionalNumber(row.size_bytes),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** Tables the pipelines write. Reads take an access filter; the table's own owner and org apply. */
export interface TablesStore {
  list(
    filter: AccessFilter,
    query: { pipelineId?: string; cursor?: string; limit: number },
  ): Promise<{ items: DataTable[]; nextCursor?: string }>;
  get(filter: AccessFilter, id: string): Promise<DataTable | undefined>;
  /** Inserts or updates by identity (format, catalog, namespace, name, location) and returns the id. */
  upsert(table: TableUpsert): Promise<string>;
}

export class DatabaseTablesStore implements TablesStore {
  constructor(private readonly knex: Knex) {}

  async list(
    filter: AccessFilter,
    query: { pipelineId?: string; cursor?: string; limit: number },
  ) {
    const keyset = await openKeyset<TableRow>(this.knex, {
      list: 'tables',
      scope: { filter, pipelineId: query.pipelineId },
      column: 'updated_at',
      order: 'desc',
      valueType: 'timestamp',
      cursor: query.cursor,
      limit: query.limit,
      valueOf: row => toEpochMs(row.updated_at),
      idOf: row => row.id,
    });
    const builder = this.knex('data_tables as t').select('t.*');
    applyAccessFilter(builder, filter, 't');
    if (query.pipelineId) {
      builder.where('t.pipeline_id', query.pipelineId);
    }
    keyset.apply(builder, 't');
    const page = keyset.page((await builder) as TableRow[]);
    return { items: page.rows.map(toTable), nextCursor: page.nextCursor };
  }

  async get(filter: AccessFilter, id: string) {
    const builder = this.knex('data_tables as t')
      .select('t.*')
      .where('t.id', id)
      .first();
    applyAccessFilter(builder, filter, 't');
    const row = (await builder) as TableRow | undefined;
    return row && toTable(row);
  }

  async upsert(table: TableUpsert): Promise<string> {
    const identity = {
      organization_id: table.organizationId,
      format: table.format,
      catalog_name: table.catalogName ?? null,
      namespace: table.namespace ?? null,
      table_name: table.tableName ?? null,
      location: table.location ?? null,
    };
    const values = {
      owner: table.owner,
      pipeline_id: table.pipelineId ?? null,
      classification: table.classification ?? null,
      pii_columns: table.piiColumns ? JSON.stringify(table.piiColumns) : null,
      schema: table.schema ? JSON.stringify(table.schema) : null,
      row_count: table.rowCount ?? null,
      size_bytes: table.sizeBytes ?? null,
      updated_at: table.at,
    };
    return this.knex.transaction(async tx => {
      const existing = await tx('data_tables')
        .select('id')
        .where(identity)
        .first();
      if (existing) {
        await tx('data_tables').where({ id: existing.id }).update(values);
        return existing.id as string;
      }
      await tx('data_tables').insert({
        id: table.id,
        ...identity,
        ...values,
        created_at: table.at,
      });
      return table.id;
    });
  }
}
