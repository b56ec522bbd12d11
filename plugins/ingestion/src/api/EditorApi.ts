import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  FieldProblem,
  PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp, segment } from './IngestionHttp';

/** A column of a preview's output, with the local engine's (DuckDB) type. */
export interface PreviewColumn {
  name: string;
  type: string;
  nullable: boolean;
}

/** One quality rule's result on the preview's sample, in the spec's order. */
export interface PreviewRuleResult {
  name: string;
  type?: string;
  severity: 'warn' | 'fail' | 'drop';
  passed: boolean;
  metric?: number;
  threshold?: number | string;
  message?: string;
}

/** What `POST /v1/specs/preview` answers: a draft run on the first rows of its source. */
export interface SpecPreview {
  rows: Record<string, unknown>[];
  schema: PreviewColumn[];
  pii: { column: string; kind: string; masked?: boolean }[];
  quality: PreviewRuleResult[];
  /** Rows read from the source. */
  sampleRows: number;
  /** Rows the draft outputs from them. */
  outputRows: number;
  elapsedMs: number;
  /** The source had more rows than were read, or the output more than `rows` holds. */
  truncated: boolean;
}

/** `GET /v1/pipelines/{id}/deployment`: the Databricks job and whether it is behind. */
export interface DeploymentStatus {
  pipelineId: string;
  /** The organization's engine (`databricks`, `local`, …). */
  engine: string;
  currentVersion: number;
  /** A Databricks job is recorded for the pipeline. */
  deployed: boolean;
  /** The job runs an older version (`version`) or an older effective spec (`spec`). */
  behind: boolean;
  behindReason?: 'version' | 'spec';
  effectiveSpecHash?: string;
  deployment?: {
    databricksJobId: string;
    deployedVersion: number;
    deployedAt: string;
    jobUrl?: string;
    workspaceUrl?: string;
    specHash?: string;
  };
}

/** What `POST /v1/pipelines/{id}/deployment/redeploy` answers. */
export interface RedeployResult {
  jobId: string;
  jobUrl: string;
  jobName: string;
  notebookPath: string;
  /** A job was created (none was recorded), rather than the recorded one updated. */
  created: boolean;
  version: number;
  status: DeploymentStatus;
}

/** The result of {@link EditorApi.validateSpec}: valid, or every problem with its path. */
export type SpecCheck =
  | { valid: true }
  | { valid: false; problems: FieldProblem[] };

/**
 * Client of the routes the pipeline editor uses: server-side validation, preview on a sample,
 * creating a pipeline and saving a new version. Reading the pipeline and starting runs are
 * {@link IngestionApi}'s.
 *
 * @public
 */
export interface EditorApi {
  /**
   * `POST /v1/specs/validate`. With `organization`, also checks that the catalogs and storage
   * locations named are that organization's. A 400 with problems resolves as `{ valid: false }`;
   * any other failure (403, 404, 5xx) is thrown.
   */
  validateSpec(spec: unknown, organization?: string): Promise<SpecCheck>;
  /**
   * `POST /v1/specs/preview`: the local engine runs the draft on the first `sampleRows` rows
   * (1 to 1000, default 100) without committing. Throws on 400 (problems: {@link specProblems}),
   * 403/404, 422/502 (source unreachable) and 408/504 (time box).
   */
  previewSpec(request: {
    organization: string;
    spec: unknown;
    sampleRows?: number;
  }): Promise<SpecPreview>;
  /** `POST /v1/pipelines`: a new pipeline at version 1. */
  createPipeline(request: {
    organization: string;
    name: string;
    description?: string;
    spec: unknown;
    comment?: string;
  }): Promise<PipelineDetails>;
  /**
   * `PUT /v1/pipelines/{id}`: saves a new version; refused (409) when `expectedVersion` is not
   * the current version any more.
   */
  savePipelineVersion(
    pipelineId: string,
    request: { spec: unknown; expectedVersion: number; comment?: string },
  ): Promise<PipelineDetails>;
  /** `GET /v1/pipelines/{id}/deployment`: whoever may read the pipeline. */
  getDeploymentStatus(pipelineId: string): Promise<DeploymentStatus>;
  /**
   * `POST /v1/pipelines/{id}/deployment/redeploy`: deploys the current version by the code path
   * of the scaffolder action `ingestion:databricks:deploy`. Engineers and admins; 409 when the
   * organization does not run on Databricks, 503 when its workspace cannot be reached.
   */
  redeployPipeline(pipelineId: string): Promise<RedeployResult>;
}

/** @public */
export const editorApiRef = createApiRef<EditorApi>({
  id: 'plugin.ingestion.editor',
});

/**
 * The field-path problems of a 400 answer (`{ error, problems: [{ path, message }] }`), or
 * undefined for any other error.
 */
export function specProblems(error: unknown): FieldProblem[] | undefined {
  const e = error as {
    statusCode?: number;
    body?: { problems?: unknown };
  } | null;
  if (e?.statusCode !== 400) return undefined;
  const problems = e.body?.problems;
  if (!Array.isArray(problems)) return undefined;
  return problems.filter(
    (p): p is FieldProblem =>
      typeof p?.path === 'string' && typeof p?.message === 'string',
  );
}

/** The server's own message of a failed call (`ResponseError`s say only the status). */
export function serverMessage(error: unknown): string {
  const e = error as {
    message?: string;
    body?: { error?: { message?: unknown } };
  };
  const message = e?.body?.error?.message;
  return typeof message === 'string' && message ? message : String(e?.message);
}

/**
 * The default {@link EditorApi}, on the transport every ingestion client shares.
 *
 * @public
 */
export class EditorClient implements EditorApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  async validateSpec(spec: unknown, organization?: string): Promise<SpecCheck> {
    try {
      await this.http.post('/specs/validate', {
        spec,
        ...(organization ? { organization } : {}),
      });
      return { valid: true };
    } catch (error) {
      const problems = specProblems(error);
      if (problems) return { valid: false, problems };
      throw error;
    }
  }

  previewSpec(request: {
    organization: string;
    spec: unknown;
    sampleRows?: number;
  }): Promise<SpecPreview> {
    return this.http.post('/specs/preview', request);
  }

  createPipeline(request: {
    organization: string;
    name: string;
    description?: string;
    spec: unknown;
    comment?: string;
  }): Promise<PipelineDetails> {
    return this.http.post('/pipelines', request);
  }

  savePipelineVersion(
    pipelineId: string,
    request: { spec: unknown; expectedVersion: number; comment?: string },
  ): Promise<PipelineDetails> {
    return this.http.put(`/pipelines/${segment(pipelineId)}`, request);
  }

  getDeploymentStatus(pipelineId: string): Promise<DeploymentStatus> {
    return this.http.get(`/pipelines/${segment(pipelineId)}/deployment`);
  }

  redeployPipeline(pipelineId: string): Promise<RedeployResult> {
    return this.http.post(
      `/pipelines/${segment(pipelineId)}/deployment/redeploy`,
      {},
    );
  }
}
