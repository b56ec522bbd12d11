import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import { IngestionHttp } from './IngestionHttp';

/** Which way a lineage graph grows from its start. @public */
export type LineageDirection = 'upstream' | 'downstream' | 'both';

/** A node of `/v1/lineage/graph`: a pipeline or a dataset. @public */
export interface LineageNode {
  id: string;
  /** `pipeline`, or a dataset kind (`iceberg-table`, `mysql-table`, `s3-prefix`, …). */
  kind: string;
  name: string;
  pipelineId?: string;
  datasetRef?: string;
  /** The node's catalog entity. */
  entityRef: string;
  depth: number;
  lastRun?: { status: string; queuedAt: string; finishedAt?: string };
  updatedAt?: string;
}

/** One column flowing into another through a pipeline. @public */
export interface ColumnEdge {
  from: { node: string; column: string };
  to: { node: string; column: string };
  pipelineId: string;
  kind: 'identity' | 'derived' | 'aggregated' | 'masked';
  transformation?: string;
}

/** Neighbours the caller may not see, only counted. @public */
export interface HiddenNeighbours {
  node: string;
  direction: 'upstream' | 'downstream';
  count: number;
}

/** The answer of `/v1/lineage/graph`. @public */
export interface LineageGraphResponse {
  root: string;
  nodes: LineageNode[];
  edges: Array<{ from: string; to: string }>;
  columnEdges?: ColumnEdge[];
  truncated: boolean;
  hidden?: HiddenNeighbours[];
}

/** Where a lineage graph starts. @public */
export interface LineageQuery {
  organization: string;
  pipelineId?: string;
  /** A dataset's lineage ref, e.g. `iceberg:finance_catalog.analytics.daily_transactions`. */
  dataset?: string;
  direction?: LineageDirection;
  depth?: number;
  /** Include column-level lineage. */
  columns?: boolean;
}

/** One rule's outcome in a pipeline's latest checked run. @public */
export interface QualityCheck {
  id: string;
  runId: string;
  pipelineId: string;
  pipelineName: string;
  ruleIndex: number;
  ruleType: string;
  columns: string[];
  severity: string;
  threshold?: number;
  observed?: number;
  passed: boolean;
  failedRows?: number;
  message?: string;
  checkedAt: string;
}

/** A score: 0–100, the severity-weighted share of rules that passed (null: nothing checked). @public */
export interface QualityScoreSummary {
  score: number | null;
  rules: number;
  passing: number;
}

/** The answer of `/v1/quality/scores`. @public */
export interface QualityScores {
  organization: string;
  from: string;
  to: string;
  bucket: 'day';
  weights: Record<string, number>;
  current: QualityScoreSummary;
  trend: Array<{ day: string; score: number; checks: number; failed: number }>;
  breaches: QualityCheck[];
  pipelines: Array<
    QualityScoreSummary & {
      pipelineId: string;
      name: string;
      runId: string;
      checkedAt: string;
      breaches: number;
    }
  >;
}

/** @public */
export interface QualityScoresQuery {
  organization: string;
  pipeline?: string;
  table?: string;
  from?: string;
  to?: string;
}

/**
 * The explore views' client: lineage graphs (one request per expansion) and quality scores.
 *
 * @public
 */
export interface ExploreApi {
  getLineage(query: LineageQuery): Promise<LineageGraphResponse>;
  getQualityScores(query: QualityScoresQuery): Promise<QualityScores>;
}

/** @public */
export const exploreApiRef = createApiRef<ExploreApi>({
  id: 'plugin.ingestion.explore',
});

/** The default {@link ExploreApi}, on the plugin's shared HTTP transport. @public */
export class ExploreClient implements ExploreApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  getLineage(query: LineageQuery): Promise<LineageGraphResponse> {
    return this.http.get('/lineage/graph', {
      organization: query.organization,
      pipelineId: query.pipelineId,
      dataset: query.dataset,
      direction: query.direction,
      depth: query.depth,
      columns: query.columns ? 'true' : undefined,
    });
  }

  getQualityScores(query: QualityScoresQuery): Promise<QualityScores> {
    return this.http.get('/quality/scores', { ...query, bucket: 'day' });
  }
}
