import type {
  DashboardApi,
  DashboardPipeline,
  OrganizationDashboard,
} from '../../../api/DashboardApi';

export const dashboardPipeline = (
  name: string,
  overrides: Partial<DashboardPipeline> = {},
): DashboardPipeline => ({
  id: `id-${name}`,
  name,
  owner: 'group:default/finance',
  pipelineType: 'batch',
  engine: 'local',
  schedule: '0 2 * * *',
  scheduleTimezone: 'UTC',
  health: 'healthy',
  lastRun: {
    id: `run-${name}`,
    status: 'succeeded',
    queuedAt: '2026-12-07T02:00:00Z',
    finishedAt: '2026-12-07T02:01:00Z',
  },
  ...overrides,
});

export const organizationDashboard = (
  overrides: Partial<OrganizationDashboard> = {},
): OrganizationDashboard => ({
  organization: 'finance',
  generatedAt: '2026-12-07T12:00:00Z',
  pipelines: { total: 7, failed: 1, quality_breached: 2, stale: 1, healthy: 3 },
  runsToday: {
    since: '2026-12-07T00:00:00Z',
    total: 12,
    succeeded: 9,
    failed: 2,
    active: 1,
    successRate: 81.8,
  },
  quality: { score: 92.5, rules: 20, passing: 18 },
  spend: {
    currency: 'USD',
    month: '2026-12',
    monthToDate: 412.5,
    forecast: 1826.3,
    budget: { monthly: 1000, progress: 0.41, forecastProgress: 1.83 },
    trend: [],
  },
  recentFailures: [
    {
      runId: 'aaaaaaaa-1111-4111-8111-111111111111',
      pipelineId: 'id-ledger',
      pipelineName: 'ledger',
      status: 'failed',
      queuedAt: '2026-12-07T03:00:00Z',
      error: 'Source unreachable: finance-db',
    },
  ],
  freshnessGraceMinutes: 30,
  ...overrides,
});

/** A dashboard API answering the fixtures above; override any method. */
export function mockDashboardApi(
  overrides: Partial<DashboardApi> = {},
): DashboardApi {
  return {
    getDashboard: async () => organizationDashboard(),
    listPipelines: async () => ({
      items: [dashboardPipeline('daily-transactions')],
      totalCount: 1,
    }),
    ...overrides,
  };
}
