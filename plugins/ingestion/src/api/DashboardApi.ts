import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { IngestionHttp, segment } from './IngestionHttp';

/**
 * A pipeline's health, the first that applies: its latest finished run failed; it ended
 * quality_failed or a rule failed in its latest checked run; scheduled and no success within its
 * interval plus the freshness grace; none of these.
 *
 * @public
 */
export type PipelineHealth =
  | 'failed'
  | 'quality_breached'
  | 'stale'
  | 'healthy';

/** @public */
export const PIPELINE_HEALTHS: readonly PipelineHealth[] = [
  'failed',
  'quality_breached',
  'stale',
  'healthy',
];

/** `GET /v1/organizations/{id}/dashboard`. @public */
export interface OrganizationDashboard {
  organization: string;
  generatedAt: string;
  pipelines: Record<PipelineHealth, number> & { total: number };
  runsToday: {
    since: string;
    total: number;
    succeeded: number;
    failed: number;
    active: number;
    /** Percent of today's finished runs that succeeded; null without finished runs. */
    successRate: number | null;
  };
  quality: { score: number | null; rules: number; passing: number };
  /** Absent when the caller's roles do not include cost read. */
  spend?: {
    currency: string;
    month: string;
    monthToDate: number;
    forecast: number;
    budget?: { monthly: number; progress: number; forecastProgress: number };
    trend: Array<{ month: string; amount: number }>;
  };
  recentFailures: Array<{
    runId: string;
    pipelineId: string;
    pipelineName: string;
    status: string;
    queuedAt: string;
    finishedAt?: string;
    error?: string;
  }>;
  freshnessGraceMinutes: number;
}

/** A row of `GET /v1/organizations/{id}/dashboard/pipelines`. @public */
export interface DashboardPipeline {
  id: string;
  name: string;
  owner: string;
  pipelineType: string;
  engine: string;
  schedule?: string;
  scheduleTimezone?: string;
  health: PipelineHealth;
  lastRun?: {
    id: string;
    status: string;
    queuedAt: string;
    finishedAt?: string;
  };
}

/** Server-side filters of the dashboard's pipelines. @public */
export interface DashboardPipelineFilters {
  name?: string;
  owner?: string;
  type?: 'batch' | 'streaming';
  engine?: string;
  status?: PipelineHealth;
  tag?: string;
}

/**
 * Client of the organization dashboard routes. Members with pipeline read see their
 * organization's dashboard (spend only with cost read); another organization answers 404.
 *
 * @public
 */
export interface DashboardApi {
  getDashboard(organization: string): Promise<OrganizationDashboard>;
  listPipelines(
    organization: string,
    query: DashboardPipelineFilters & { offset?: number; limit?: number },
  ): Promise<{ items: DashboardPipeline[]; totalCount: number }>;
}

/** @public */
export const dashboardApiRef = createApiRef<DashboardApi>({
  id: 'plugin.ingestion.dashboard',
});

/**
 * The default {@link DashboardApi}, on the transport every ingestion client shares.
 *
 * @public
 */
export class DashboardClient implements DashboardApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  getDashboard(organization: string): Promise<OrganizationDashboard> {
    return this.http.get(`/organizations/${segment(organization)}/dashboard`);
  }

  listPipelines(
    organization: string,
    query: DashboardPipelineFilters & { offset?: number; limit?: number },
  ): Promise<{ items: DashboardPipeline[]; totalCount: number }> {
    return this.http.get(
      `/organizations/${segment(organization)}/dashboard/pipelines`,
      { ...query },
    );
  }
}
