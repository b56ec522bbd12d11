import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  deriveIdempotencyToken,
  type EngineOrganization,
  type EngineRunContext,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { batchSpec as seedBatchSpec } from '../../../__testUtils__/specs';

export const TOKEN = 'dapi00112233445566778899aabbccddeeff';
export const NOTEBOOK_PATH = '/Shared/ingestion/finance/daily-transactions/v3';

/**
 * The brief's batch pipeline (MySQL → Iceberg, incremental) without its aggregate, so the notebook summary's
 * rows map straight onto the table, plus a warn rule.
 */
export function batchSpec(): PipelineSpec {
  const seed = seedBatchSpec();
  const result = validatePipelineSpec({
    ...seed,
    transformations: seed.transformations.slice(0, 1),
    data_quality: [
      ...seed.data_quality,
      { type: 'row_count', min: 1, severity: 'warn' },
    ],
  });
  if (!result.valid) {
    throw new Error(JSON.stringify(result.problems));
  }
  return result.spec;
}

/** The finance organization with its workspace at `host` (none when `databricks` is undefined). */
export function financeOrganization(
  databricks?: Partial<NonNullable<EngineOrganization['databricks']>> & {
    host: string;
  },
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
    ...(databricks
      ? {
          databricks: {
            token: TOKEN,
            clusterPolicyId: 'E0631F5C0D000123',
            notificationEmails: ['data-oncall@finance.example.com'],
            ...databricks,
          },
        }
      : {}),
  };
}

export const PIPELINE = {
  id: 'pl-7f3a2c',
  name: 'daily-transactions',
  owner: 'group:default/finance-analytics',
  version: 3,
};

/** A run context of version 3 of the pipeline; log lines go to `logs`. */
export function engineRunContext(options: {
  organization: EngineOrganization;
  logs: Array<{ level: string; message: string }>;
  run?: Partial<EngineRunContext['run']>;
}): EngineRunContext {
  return {
    run: {
      id: 'run-1',
      attempt: 1,
      idempotencyToken: deriveIdempotencyToken('run-1'),
      watermarkIn: '2026-11-23T23:59:00',
      ...options.run,
    },
    pipeline: { ...PIPELINE },
    spec: batchSpec(),
    organization: options.organization,
    resolveConnection: async () => {
      throw new Error(
        'The Databricks engine reads credentials from secret scopes',
      );
    },
    log: async (level, message) => {
      options.logs.push({ level, message });
    },
  };
}
