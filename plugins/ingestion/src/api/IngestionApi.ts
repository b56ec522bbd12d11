import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  CostEstimateRequest,
  CostEstimateResult,
  CostGroupBy,
  CostReport,
  DataTable,
  EffectivePipelineSpec,
  OrganizationSummary,
  Page,
  Pipeline,
  PipelineDetails,
  PipelineVersion,
  QualityResult,
  Run,
  RunEvent,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { TableMetadata } from './types';

import { IngestionHttp, segment, type ListQuery } from './IngestionHttp';

export type { ListQuery } from './IngestionHttp';

/**
 * Client of the ingestion backend's HTTP API (`/api/ingestion/v1`).
 *
 * @public
 */
export interface IngestionApi {
  listOrganizations(): Promise<Page<OrganizationSummary>>;
  listPipelines(query?: ListQuery): Promise<Page<Pipeline>>;
  listRuns(query?: ListQuery): Promise<Page<Run>>;
  /** The pipeline with the spec of its current version. */
  getPipeline(pipelineId: string): Promise<PipelineDetails>;
  /** What the current version executes in the organization's environment (PII masks included). */
  getEffectiveSpec(pipelineId: string): Promise<EffectivePipelineSpec>;
  /** Versions, newest first. */
  listPipelineVersions(
    pipelineId: string,
    query?: ListQuery,
  ): Promise<Page<PipelineVersion>>;
  /** One version with its spec. */
  getPipelineVersion(
    pipelineId: string,
    version: number,
  ): Promise<PipelineVersion>;
  /** Saves a new version whose spec equals `version`'s. */
  rollbackPipeline(
    pipelineId: string,
    request: { version: number; expectedVersion?: number; comment?: string },
  ): Promise<PipelineDetails>;
  listPipelineRuns(pipelineId: string, query?: ListQuery): Promise<Page<Run>>;
  /** Queues a run of the current version. */
  triggerRun(pipelineId: string): Promise<Run>;
  cancelRun(runId: string): Promise<Run>;
  /** Log lines and state transitions, oldest first. */
  listRunLogs(runId: string, query?: ListQuery): Promise<Page<RunEvent>>;
  listQualityResults(query?: ListQuery): Promise<Page<QualityResult>>;
  getCosts(query: {
    organization: string;
    groupBy?: CostGroupBy;
    /** First month (`YYYY-MM`), inclusive. */
    from?: string;
    /** Last month (`YYYY-MM`), inclusive. */
    to?: string;
  }): Promise<CostReport>;
  /**
   * What a new pipeline would cost, with the organization's remaining budget and quota headroom
   * (the templates' review step). Needs the right to create pipelines in the organization.
   */
  estimateCost(request: CostEstimateRequest): Promise<CostEstimateResult>;
  listTables(query?: ListQuery): Promise<Page<DataTable>>;
  getTable(tableId: string): Promise<DataTable>;
  /** An Iceberg table's schema, snapshots, partition spec, properties, size and PII findings. */
  getTableMetadata(tableId: string): Promise<TableMetadata>;
}

/** @public */
export const ingestionApiRef = createApiRef<IngestionApi>({
  id: 'plugin.ingestion.api',
});

/**
 * The default {@link IngestionApi}: `fetchApi` attaches the user's token; non-2xx answers are
 * thrown as `ResponseError`s that carry the server's message.
 *
 * @public
 */
export class IngestionClient implements IngestionApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  listOrganizations(): Promise<Page<OrganizationSummary>> {
    return this.get('/organizations');
  }

  listPipelines(query: ListQuery = {}): Promise<Page<Pipeline>> {
    return this.get('/pipelines', query);
  }

  listRuns(query: ListQuery = {}): Promise<Page<Run>> {
    return this.get('/runs', query);
  }

  getPipeline(pipelineId: string): Promise<PipelineDetails> {
    return this.get(`/pipelines/${segment(pipelineId)}`);
  }

  getEffectiveSpec(pipelineId: string): Promise<EffectivePipelineSpec> {
    return this.get(`/pipelines/${segment(pipelineId)}/effective-spec`);
  }

  listPipelineVersions(
    pipelineId: string,
    query: ListQuery = {},
  ): Promise<Page<PipelineVersion>> {
    return this.get(`/pipelines/${segment(pipelineId)}/versions`, query);
  }

  getPipelineVersion(
    pipelineId: string,
    version: number,
  ): Promise<PipelineVersion> {
    return this.get(
      `/pipelines/${segment(pipelineId)}/versions/${segment(String(version))}`,
    );
  }

  rollbackPipeline(
    pipelineId: string,
    request: { version: number; expectedVersion?: number; comment?: string },
  ): Promise<PipelineDetails> {
    return this.post(`/pipelines/${segment(pipelineId)}/rollback`, request);
  }

  listPipelineRuns(pipelineId: string, query: ListQuery = {}) {
    return this.get<Page<Run>>(`/pipelines/${segment(pipelineId)}/runs`, query);
  }

  triggerRun(pipelineId: string): Promise<Run> {
    return this.post(`/pipelines/${segment(pipelineId)}/runs`, {});
  }

  cancelRun(runId: string): Promise<Run> {
    return this.post(`/runs/${segment(runId)}/cancel`);
  }

  listRunLogs(runId: string, query: ListQuery = {}) {
    return this.get<Page<RunEvent>>(`/runs/${segment(runId)}/logs`, query);
  }

  listQualityResults(query: ListQuery = {}): Promise<Page<QualityResult>> {
    return this.get('/quality', query);
  }

  getCosts(query: {
    organization: string;
    groupBy?: CostGroupBy;
    from?: string;
    to?: string;
  }): Promise<CostReport> {
    return this.get('/costs', query);
  }

  estimateCost(request: CostEstimateRequest): Promise<CostEstimateResult> {
    return this.post('/costs/estimate', request);
  }

  listTables(query: ListQuery = {}): Promise<Page<DataTable>> {
    return this.get('/tables', query);
  }

  getTable(tableId: string): Promise<DataTable> {
    return this.get(`/tables/${segment(tableId)}`);
  }

  getTableMetadata(tableId: string): Promise<TableMetadata> {
    return this.get(`/tables/${segment(tableId)}/metadata`);
  }

  private get<T>(path: string, query: ListQuery = {}): Promise<T> {
    return this.http.get<T>(path, query);
  }

  private post<T>(path: string, body?: object): Promise<T> {
    return this.http.post<T>(path, body);
  }
}
