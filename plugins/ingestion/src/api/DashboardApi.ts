import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  DashboardPipeline,
  OrganizationDashboard,
  PipelineHealth,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp, segment } from './IngestionHttp';

export {
  PIPELINE_HEALTHS,
  type DashboardPipeline,
  type OrganizationDashboard,
  type PipelineHealth,
  type RecentFailure,
} from '@ingestion-for-backstage/plugin-ingestion-common';

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
