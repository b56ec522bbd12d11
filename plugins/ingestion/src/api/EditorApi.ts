import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  DeploymentStatus,
  FieldProblem,
  PipelineDetails,
  Redeployment,
  SpecPreview,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp, segment } from './IngestionHttp';

export type {
  DeploymentStatus,
  PreviewColumn,
  PreviewRuleResult,
  SpecPreview,
} from '@ingestion-for-backstage/plugin-ingestion-common';
/** What redeploy answers (the common package's `Redeployment`). @public */
export type RedeployResult = Redeployment;

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
