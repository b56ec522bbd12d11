import type {
  CatalogColumn,
  CatalogPipeline,
  CatalogTable,
  PiiType,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { toIso, toOptionalString } from '../database/rows';

type Timestamp = Date | number | string;

type PipelineRow = {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  owner: string;
  pipeline_type: 'batch' | 'streaming';
  schedule: string | null;
  engine: string;
  current_version: number | string;
  databricks_job_id: string | null;
  updated_at: Timestamp;
  spec: string;
};

type TableRow = {
  id: string;
  organization_id: string;
  format: CatalogTable['format'];
  catalog_name: string | null;
  namespace: string | null;
  table_name: string | null;
  location: string | null;
  owner: string;
  pipeline_id: string | null;
  classification: string | null;
  pii_columns: string | null;
  schema: string | null;
  updated_at: Timestamp;
  iceberg_metadata_location: string | null;
  state_metadata_location: string | null;
  state_pii_findings: string | null;
  state_discovered_in: string | null;
};

/** PII findings per column, as `table_catalog_state.pii_findings` holds them. */
export type PiiFindings = Record<string, PiiType[]>;

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** The columns of a stored schema: an Iceberg schema (`fields`) or a list of `{name, type}`. */
export function schemaColumns(schema: unknown): CatalogColumn[] {
  const fields = Array.isArray(schema)
    ? schema
    : (schema as { fields?: unknown })?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.flatMap(field => {
    const f = field as { name?: unknown; type?: unknown; required?: unknown };
    if (typeof f.name !== 'string') return [];
    let type = 'unknown';
    if (typeof f.type === 'string') {
      type = f.type;
    } else if (typeof (f.type as { type?: unknown })?.type === 'string') {
      type = (f.type as { type: string }).type;
    }
    return [
      {
        name: f.name,
        type,
        ...(typeof f.required === 'boolean' ? { required: f.required } : {}),
      },
    ];
  });
}

function toPipeline(row: PipelineRow): CatalogPipeline {
  return {
    id: row.id,
    organization: row.organization_id,
    name: row.name,
    description: toOptionalString(row.description),
    owner: row.owner,
    pipelineType: row.pipeline_type,
    schedule: toOptionalString(row.schedule),
    engine: row.engine,
    currentVersion: Number(row.current_version),
    databricksJobId: toOptionalString(row.databricks_job_id),
    spec: JSON.parse(row.spec),
    updatedAt: toIso(row.updated_at),
  };
}

function toTable(row: TableRow): CatalogTable {
  const findings = parseJson<PiiFindings>(row.state_pii_findings, {});
  const piiColumns = [
    ...new Set([
      ...parseJson<string[]>(row.pii_columns, []),
      ...Object.keys(findings).filter(c => findings[c].length > 0),
    ]),
  ].sort();
  const columns = schemaColumns(parseJson(row.schema, undefined)).map(
    column => {
      const pii = findings[column.name];
      return pii?.length ? { ...column, pii } : column;
    },
  );
  return {
    id: row.id,
    organization: row.organization_id,
    format: row.format,
    identifier:
      row.catalog_name && row.namespace && row.table_name
        ? `${row.catalog_name}.${row.namespace}.${row.table_name}`
        : undefined,
    location: toOptionalString(row.location),
    metadataLocation:
      toOptionalString(row.state_metadata_location) ??
      toOptionalString(row.iceberg_metadata_location),
    owner: row.owner,
    pipelineId: toOptionalString(row.pipeline_id),
    classification: toOptionalString(row.classification),
    piiColumns,
    columns,
    discoveredIn: toOptionalString(row.state_discovered_in),
    updatedAt: toIso(row.updated_at),
  };
}

/**
 * Read-only queries behind the catalog export: pipelines with their current spec and tables
 * with what the Iceberg catalogs and the PII scan know of them, across the given organizations.
 */
export class CatalogExportStore {
  constructor(private readonly knex: Knex) {}

  private pipelineQuery(organizationIds: readonly string[]) {
    return this.knex('pipelines as p')
      .join('pipeline_versions as v', join =>
        join
          .on('v.pipeline_id', 'p.id')
          .andOn('v.version', 'p.current_version'),
      )
      .whereIn('p.organization_id', organizationIds)
      .select(
        'p.id',
        'p.organization_id',
        'p.name',
        'p.description',
        'p.owner',
        'p.pipeline_type',
        'p.schedule',
        'p.engine',
        'p.current_version',
        'p.databricks_job_id',
        'p.updated_at',
        'v.spec',
      );
  }

  private tableQuery(organizationIds: readonly string[]) {
    return this.knex('data_tables as t')
      .leftJoin('iceberg_tables as i', join =>
        join
          .on('i.organization_id', 't.organization_id')
          .andOn('i.catalog_name', 't.catalog_name')
          .andOn('i.table_namespace', 't.namespace')
          .andOn('i.table_name', 't.table_name'),
      )
      .leftJoin('table_catalog_state as s', join =>
        join
          .on('s.organization_id', 't.organization_id')
          .andOn('s.table_id', 't.id'),
      )
      .whereIn('t.organization_id', organizationIds)
      .select(
        't.*',
        'i.metadata_location as iceberg_metadata_location',
        's.metadata_location as state_metadata_location',
        's.pii_findings as state_pii_findings',
        's.discovered_in as state_discovered_in',
      );
  }

  /** A page of pipelines ordered by id, after the id `after`. */
  async pipelines(
    organizationIds: readonly string[],
    page: { after?: string; limit: number },
  ): Promise<CatalogPipeline[]> {
    const builder = this.pipelineQuery(organizationIds)
      .orderBy('p.id')
      .limit(page.limit);
    if (page.after) builder.where('p.id', '>', page.after);
    return ((await builder) as PipelineRow[]).map(toPipeline);
  }

  /** A page of tables ordered by id, after the id `after`. */
  async tables(
    organizationIds: readonly string[],
    page: { after?: string; limit: number },
  ): Promise<CatalogTable[]> {
    const builder = this.tableQuery(organizationIds)
      .orderBy('t.id')
      .limit(page.limit);
    if (page.after) builder.where('t.id', '>', page.after);
    return ((await builder) as TableRow[]).map(toTable);
  }

  /** Pipelines changed at or after `since`, oldest change first, at most `limit`. */
  async pipelinesChangedSince(
    organizationIds: readonly string[],
    since: Date,
    limit: number,
  ): Promise<CatalogPipeline[]> {
    const rows = (await this.pipelineQuery(organizationIds)
      .where('p.updated_at', '>=', since)
      .orderBy('p.updated_at')
      .orderBy('p.id')
      .limit(limit)) as PipelineRow[];
    return rows.map(toPipeline);
  }

  /**
   * Tables changed (or scanned, or re-discovered) at or after `since`; more than `limit` of them
   * means there were more than `limit`.
   */
  async tablesChangedSince(
    organizationIds: readonly string[],
    since: Date,
    limit: number,
  ): Promise<CatalogTable[]> {
    // Two indexed lookups (the table's own change, a scan or discovery of it) rather than an OR
    // across the join, which would read every table.
    const [changed, scanned] = await Promise.all([
      this.knex('data_tables')
        .whereIn('organization_id', organizationIds)
        .where('updated_at', '>=', since)
        .orderBy('updated_at')
        .limit(limit)
        .select('id'),
      this.knex('table_catalog_state')
        .whereIn('organization_id', organizationIds)
        .where('updated_at', '>=', since)
        .orderBy('updated_at')
        .limit(limit)
        .select('table_id as id'),
    ]);
    const ids = [...new Set([...changed, ...scanned].map(r => r.id as string))];
    if (ids.length === 0) return [];
    // Up to twice `limit`: more than `limit` tells the caller the list was cut.
    const rows = (await this.tableQuery(organizationIds)
      .whereIn('t.id', ids)
      .orderBy('t.updated_at')
      .orderBy('t.id')) as TableRow[];
    return rows.map(toTable);
  }

  /**
   * How many pipelines, tables and table scans changed at or after `since`, and the latest such
   * change: cheap (indexed on `updated_at`), for a long poll to compare from one look to the next.
   */
  async changeMark(
    organizationIds: readonly string[],
    since: Date,
  ): Promise<{ rows: number; latest: string[] }> {
    const marks = await Promise.all(
      ['pipelines', 'data_tables', 'table_catalog_state'].map(
        async table =>
          (await this.knex(table)
            .whereIn('organization_id', organizationIds)
            .where('updated_at', '>=', since)
            .count({ n: '*' })
            .max({ latest: 'updated_at' })
            .first()) as { n: number | string; latest: Timestamp | null },
      ),
    );
    return {
      rows: marks.reduce((sum, m) => sum + Number(m.n), 0),
      latest: marks.map(m => (m.latest === null ? '' : toIso(m.latest))),
    };
  }

  async counts(
    organizationIds: readonly string[],
  ): Promise<Record<string, { pipelines: number; tables: number }>> {
    const counts = Object.fromEntries(
      organizationIds.map(id => [id, { pipelines: 0, tables: 0 }]),
    );
    const [pipelines, tables] = await Promise.all([
      this.knex('pipelines')
        .whereIn('organization_id', organizationIds)
        .groupBy('organization_id')
        .select('organization_id')
        .count({ n: '*' }),
      this.knex('data_tables')
        .whereIn('organization_id', organizationIds)
        .groupBy('organization_id')
        .select('organization_id')
        .count({ n: '*' }),
    ]);
    for (const row of pipelines as Array<{
      organization_id: string;
      n: number | string;
    }>) {
      counts[row.organization_id].pipelines = Number(row.n);
    }
    for (const row of tables as Array<{
      organization_id: string;
      n: number | string;
    }>) {
      counts[row.organization_id].tables = Number(row.n);
    }
    return counts;
  }

  async ids(
    organizationId: string,
    kind: 'pipelines' | 'tables',
  ): Promise<string[]> {
    const rows = await this.knex(
      kind === 'pipelines' ? 'pipelines' : 'data_tables',
    )
      .where('organization_id', organizationId)
      .orderBy('id')
      .select('id');
    return rows.map(r => r.id as string);
  }
}
