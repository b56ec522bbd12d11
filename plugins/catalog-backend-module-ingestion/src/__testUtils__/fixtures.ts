import type {
  CatalogOrganization,
  CatalogPipeline,
  CatalogTable,
} from '@ingestion-for-backstage/plugin-ingestion-common';

export function organization(
  id: string,
  overrides: Partial<CatalogOrganization> = {},
): CatalogOrganization {
  return {
    id,
    name: id,
    costCenter: 'CC-1',
    environment: 'production',
    ownerGroup: `group:default/${id}`,
    engine: 'local',
    icebergCatalog: `${id}_catalog`,
    ...overrides,
  };
}

export function pipeline(
  id: string,
  overrides: Partial<CatalogPipeline> & {
    source?: Record<string, unknown>;
    target?: Record<string, unknown>;
    transformations?: unknown[];
  } = {},
): CatalogPipeline {
  const { source, target, transformations, ...rest } = overrides;
  return {
    id,
    organization: 'finance',
    name: `pipeline-${id}`,
    owner: 'user:default/finance-engineer',
    pipelineType: 'batch',
    engine: 'local',
    currentVersion: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    spec: {
      version: 1,
      pipeline_type: 'batch',
      source: source ?? {
        type: 'mysql',
        connection: 'finance-db',
        table: 'transactions',
      },
      transformations: transformations ?? [],
      target: target ?? {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'analytics',
        table: `table_${id}`,
        mode: 'append',
      },
      data_quality: [],
    },
    ...rest,
  };
}

export function table(
  id: string,
  overrides: Partial<CatalogTable> = {},
): CatalogTable {
  return {
    id,
    organization: 'finance',
    format: 'iceberg',
    identifier: `finance_catalog.analytics.table_${id}`,
    location: `file:///warehouse/finance/analytics/table_${id}`,
    owner: 'user:default/finance-engineer',
    piiColumns: [],
    columns: [{ name: 'id', type: 'long', required: true }],
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
