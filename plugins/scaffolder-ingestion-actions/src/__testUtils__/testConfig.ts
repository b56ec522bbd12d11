import {
  briefBatchExample,
  ORG_ROLES,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** An organization entry of `ingestion.organizations`, as the embedded default configures them. */
export function organizationConfig(
  id: string,
  storage: string,
  overrides: Record<string, unknown> = {},
) {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    costCenter: `${id.slice(0, 3).toUpperCase()}-001`,
    environment: 'development',
    ownerGroup: `group:default/${id}`,
    project: 'DATA-INGEST',
    roles: Object.fromEntries(
      ORG_ROLES.map(role => [role, [`group:default/${id}-${role}s`]]),
    ),
    engine: 'local',
    storage,
    iceberg: { catalog: `${id}_catalog`, type: 'sql' },
    budget: { monthly: 5000, alertThresholds: [0.5, 0.8, 1] },
    ...overrides,
  };
}

/** Config with finance (local engine) and retail (Databricks), storage under `root`. */
export function testConfig(
  root: string,
  options: { databricksHost?: string; databricksToken?: string } = {},
) {
  return {
    app: { baseUrl: 'http://localhost:3000' },
    ingestion: {
      pricing: { dbu: 0.55, storageGbMonth: 0.023, currency: 'USD' },
      organizations: [
        // The S3 locations each owns: specs may name s3:// paths only there.
        organizationConfig('finance', `${root}/finance`, {
          storageLocations: ['s3://finance-data-lake'],
        }),
        organizationConfig('retail', `${root}/retail`, {
          storageLocations: ['s3://retail-data-lake', 's3://retail-landing'],
          engine: 'databricks',
          databricks: {
            host:
              options.databricksHost ?? 'https://retail.cloud.databricks.com',
            token: options.databricksToken ?? 'dapi-test-token',
          },
        }),
      ],
    },
  };
}

/** The finance batch pipeline of the architecture guide, without a catalog (the org's is used). */
export const BATCH_SPEC = (() => {
  const { catalog: _catalog, ...target } = briefBatchExample().target;
  return { ...briefBatchExample(), target };
})();

/** The answers the batch template's form gives for the guide's batch example. */
export function batchAnswers(overrides: Record<string, unknown> = {}) {
  return {
    organization: 'finance',
    name: 'daily-transactions',
    description: 'Daily totals per customer',
    database: 'mysql',
    connection: 'finance-db',
    sourceTable: 'transactions',
    incrementalColumn: 'updated_at',
    filter: 'amount > 0',
    groupBy: ['customer_id', 'date'],
    aggregations: { amount: 'sum', count: 'count' },
    requiredColumns: ['customer_id', 'amount'],
    completenessThreshold: 0.95,
    targetSchema: 'analytics',
    targetTable: 'daily_transactions',
    mode: 'append',
    schedule: '0 2 * * *',
    expectedVolumeGb: 5,
    ...overrides,
  };
}
