import { mockApis } from '@backstage/frontend-test-utils';
import { createElement, type ReactElement } from 'react';
import { SWRConfig } from 'swr';
import type {
  OrganizationSummary,
  PipelineDetails,
  PipelineVersion,
  QualityResult,
  Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';

/** The product brief's batch example: MySQL transactions → Iceberg daily totals. */
export const seedBatchSpec = briefBatchExample();

export const financeOrganization: OrganizationSummary = {
  id: 'finance',
  name: 'Finance',
  costCenter: 'FIN-001',
  environment: 'production',
  ownerGroup: 'group:default/finance',
  engine: 'local',
  roles: ['engineer'],
  quotas: {
    databricks: { maxDbuPerHour: 100, maxClusters: 10, maxConcurrentJobs: 20 },
    storage: { maxStorageGb: 10000, retentionDays: 2555 },
    compute: { maxEcsTasks: 50, maxCpuUnits: 10000 },
    api: { requestsPerMinute: 1000, requestsPerDay: 100000 },
  },
  usage: { concurrentRuns: 0, dbuLastHour: 0, storageGb: 0 },
};

/** Another organization of the same user, with `roles` (viewer unless given). */
export const retailOrganization = (
  roles: OrganizationSummary['roles'] = ['viewer'],
): OrganizationSummary => ({
  ...financeOrganization,
  id: 'retail',
  name: 'Retail',
  costCenter: 'RET-001',
  roles,
});

export const pipeline: PipelineDetails = {
  id: 'p-1',
  organization: 'finance',
  name: 'daily-transactions',
  description: 'Daily totals per customer',
  owner: 'group:default/finance',
  pipelineType: 'batch',
  schedule: '0 2 * * *',
  scheduleTimezone: 'Europe/Paris',
  engine: 'databricks',
  currentVersion: 3,
  deployment: {
    databricksJobId: '8812',
    deployedVersion: 3,
    deployedAt: '2026-11-20T10:00:00Z',
    specHash: 'hash-of-version-3',
  },
  createdAt: '2026-11-01T00:00:00Z',
  createdBy: 'user:default/finance-engineer',
  updatedAt: '2026-11-20T00:00:00Z',
  updatedBy: 'user:default/finance-engineer',
  spec: seedBatchSpec,
};

export function run(id: string, overrides: Partial<Run> = {}): Run {
  return {
    id,
    organization: 'finance',
    pipelineId: 'p-1',
    pipelineVersion: 3,
    engine: 'databricks',
    status: 'succeeded',
    trigger: 'schedule',
    triggeredBy: 'scheduler',
    queuedAt: '2026-11-24T02:00:00Z',
    startedAt: '2026-11-24T02:00:05Z',
    finishedAt: '2026-11-24T02:01:05Z',
    durationMs: 60_000,
    rowsRead: 1200,
    rowsWritten: 1150,
    dbus: 1.5,
    cost: 0.83,
    attempt: 1,
    ...overrides,
  };
}

export function version(
  n: number,
  spec: Record<string, unknown>,
  overrides: Partial<PipelineVersion> = {},
): PipelineVersion {
  return {
    pipelineId: 'p-1',
    version: n,
    spec,
    specHash: `hash${n}`.padEnd(16, '0'),
    comment: `change ${n}`,
    createdAt: `2026-11-0${n}T00:00:00Z`,
    createdBy: 'user:default/finance-engineer',
    ...overrides,
  };
}

export function qualityResult(
  runId: string,
  ruleIndex: number,
  passed: boolean,
  overrides: Partial<QualityResult> = {},
): QualityResult {
  return {
    id: `${runId}-${ruleIndex}`,
    runId,
    pipelineId: 'p-1',
    ruleIndex,
    ruleType: ruleIndex === 0 ? 'completeness' : 'uniqueness',
    columns: ruleIndex === 0 ? ['customer_id'] : ['id'],
    severity: 'fail',
    threshold: 0.95,
    observed: passed ? 0.99 : 0.5,
    passed,
    failedRows: passed ? 0 : 42,
    createdAt: '2026-11-24T02:01:00Z',
    ...overrides,
  };
}

const allowed = (names: string[], request: { permission: { name: string } }) =>
  names.includes(request.permission.name);

/**
 * Renders `element` with a permission cache of its own. `usePermission` keeps decisions in SWR's
 * global cache, keyed by permission and resource only: without this, a test would see the
 * decisions of the test before it (another permission API) for as long as SWR dedupes them.
 */
export function withOwnPermissionCache(element: ReactElement): ReactElement {
  return createElement(
    SWRConfig,
    { value: { provider: () => new Map() } },
    element,
  );
}

/** A permission API that allows exactly the named permissions. */
export function allowOnly(...names: string[]) {
  return mockApis.permission({
    // The enum values of AuthorizeResult; the package that defines it is not a dependency here.
    authorize: ((request: { permission: { name: string } }) =>
      allowed(names, request) ? 'ALLOW' : 'DENY') as any,
  });
}
