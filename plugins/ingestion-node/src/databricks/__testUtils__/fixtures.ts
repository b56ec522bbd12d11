import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { EngineOrganization } from '../../engines/types';
import {
  DatabricksClient,
  type DatabricksClientOptions,
} from '../DatabricksClient';
import type { DatabricksTestServer } from '../testServer';

/** The architecture guide's batch example (MySQL → Iceberg) with a fail rule, validated. */
export function batchSpec(
  overrides: Record<string, unknown> = {},
): PipelineSpec {
  const result = validatePipelineSpec({
    pipeline_type: 'batch',
    schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    source: {
      type: 'mysql',
      connection: 'finance-db',
      table: 'transactions',
      incremental_column: 'updated_at',
    },
    transformations: [{ type: 'filter', condition: 'amount > 0' }],
    target: {
      type: 'iceberg',
      catalog: 'finance_catalog',
      schema: 'analytics',
      table: 'daily_transactions',
    },
    data_quality: [
      {
        type: 'completeness',
        columns: ['customer_id', 'amount'],
        threshold: 0.95,
      },
      { type: 'row_count', min: 1, severity: 'warn' },
    ],
    ...overrides,
  });
  if (!result.valid) {
    throw new Error(JSON.stringify(result.problems));
  }
  return result.spec;
}

/** The finance organization of the guide, on a given workspace. */
export function financeOrganization(
  workspace: { host: string; token: string } | undefined,
): EngineOrganization {
  return {
    id: 'finance',
    name: 'Finance',
    costCenter: 'FIN-001',
    environment: 'production',
    storage: 's3://finance-data-lake',
    icebergCatalog: 'finance_catalog',
    quotas: { maxConcurrentJobs: 20, maxDbuPerHour: 100 },
    owner: 'group:default/finance-data',
    ...(workspace
      ? {
          databricks: {
            ...workspace,
            clusterPolicyId: 'E0631F5C0D000123',
            notificationEmails: ['data-oncall@finance.example.com'],
          },
        }
      : {}),
  };
}

export const pipeline = {
  id: 'pl-7f3a2c',
  name: 'daily-transactions',
  owner: 'group:default/finance-analytics',
  version: 3,
};

/** A client for the test server that records waits instead of sleeping. */
export function testClient(
  server: DatabricksTestServer,
  options: Partial<DatabricksClientOptions> = {},
): { client: DatabricksClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const client = new DatabricksClient({
    host: server.url,
    token: server.token,
    random: () => 0,
    sleep: async ms => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { client, sleeps };
}
