import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type {
  CostEstimateRequest,
  CostEstimateResult,
  EffectivePipelineSpec,
  FieldProblem,
  OrganizationSummary,
  Page,
  Pipeline,
  PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';

/**
 * The ingestion backend refused a request because an organization's quota or rate limit does not
 * allow it now (HTTP 429).
 */
export class QuotaExceededError extends CustomErrorBase {
  name = 'QuotaExceededError' as const;

  constructor(message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

/** What the caller was doing, for error messages: "register pipeline 'x' in finance". */
type Doing = string;

interface ErrorBody {
  error?: { name?: string; message?: string };
  problems?: FieldProblem[];
}

/**
 * A small client for the ingestion backend's HTTP API (`/api/ingestion/v1`), as documented in its
 * OpenAPI document. The actions call the backend only through it, with a token issued on behalf of
 * the user who runs the template, so the backend's permissions, quotas and audit apply as if the
 * user called the API.
 */
export class IngestionApiClient {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /**
   * A client acting for the user who started the task: a token for the ingestion plugin issued on
   * behalf of the task's initiator (the scaffolder keeps the user's credentials for the task).
   */
  static async forTask(
    ctx: Pick<ActionContext<any, any>, 'getInitiatorCredentials'>,
    deps: { auth: AuthService; discovery: DiscoveryService },
  ): Promise<IngestionApiClient> {
    const credentials = await ctx.getInitiatorCredentials();
    const { token } = await deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'ingestion',
    });
    const baseUrl = await deps.discovery.getBaseUrl('ingestion');
    return new IngestionApiClient(baseUrl, token);
  }

  /** The organizations the user belongs to, with the user's roles, quotas, usage and budget. */
  async listOrganizations(): Promise<OrganizationSummary[]> {
    const page = await this.request<{ items: OrganizationSummary[] }>(
      'GET',
      '/v1/organizations',
      'list your organizations',
    );
    return page.items;
  }

  /**
   * What a pipeline would cost, with the organization's remaining budget and quota headroom, as
   * the templates' review step shows it. Needs the right to create pipelines in the organization.
   */
  async estimateCost(body: CostEstimateRequest): Promise<CostEstimateResult> {
    return this.request<CostEstimateResult>(
      'POST',
      '/v1/costs/estimate',
      `estimate the cost of a pipeline in organization '${body.organization}'`,
      body,
    );
  }

  /** Records the Databricks job a pipeline's current version is deployed as. */
  async recordDeployment(
    id: string,
    body: {
      jobId: string;
      jobUrl?: string;
      workspaceUrl?: string;
      specHash?: string;
    },
  ): Promise<PipelineDetails> {
    return this.request<PipelineDetails>(
      'PUT',
      `/v1/pipelines/${encodeURIComponent(id)}/deployment`,
      `record the deployment of pipeline ${id}`,
      body,
    );
  }

  /** The connection names of an organization (never their secrets). */
  async listConnectionNames(organization: string): Promise<string[]> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ organization, limit: '500' });
      if (cursor) query.set('cursor', cursor);
      const page = await this.request<Page<{ name: string }>>(
        'GET',
        `/v1/connections?${query}`,
        `list the connections of organization '${organization}'`,
      );
      names.push(...page.items.map(c => c.name));
      cursor = page.nextCursor;
    } while (cursor);
    return names;
  }

  /** The pipeline with exactly this name in the organization, if the user may see it. */
  async findPipelineByName(
    organization: string,
    name: string,
  ): Promise<Pipeline | undefined> {
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({
        organization,
        q: name,
        limit: '500',
      });
      if (cursor) query.set('cursor', cursor);
      const page = await this.request<Page<Pipeline>>(
        'GET',
        `/v1/pipelines?${query}`,
        `look up pipeline '${name}' in organization '${organization}'`,
      );
      const found = page.items.find(
        p => p.organization === organization && p.name === name,
      );
      if (found) return found;
      cursor = page.nextCursor;
    } while (cursor);
    return undefined;
  }

  async getPipeline(id: string): Promise<PipelineDetails> {
    return this.request<PipelineDetails>(
      'GET',
      `/v1/pipelines/${encodeURIComponent(id)}`,
      `read pipeline ${id}`,
    );
  }

  /** What the pipeline's current version executes in its environment (PII masks included). */
  async getEffectiveSpec(id: string): Promise<EffectivePipelineSpec> {
    return this.request<EffectivePipelineSpec>(
      'GET',
      `/v1/pipelines/${encodeURIComponent(id)}/effective-spec`,
      `read the effective spec of pipeline ${id}`,
    );
  }

  async createPipeline(body: {
    organization: string;
    name: string;
    description?: string;
    owner?: string;
    spec: unknown;
    comment?: string;
  }): Promise<PipelineDetails> {
    return this.request<PipelineDetails>(
      'POST',
      '/v1/pipelines',
      `create pipeline '${body.name}' in organization '${body.organization}'`,
      body,
    );
  }

  async updatePipeline(
    id: string,
    body: {
      spec: unknown;
      expectedVersion: number;
      description?: string;
      owner?: string;
      comment?: string;
    },
  ): Promise<PipelineDetails> {
    return this.request<PipelineDetails>(
      'PUT',
      `/v1/pipelines/${encodeURIComponent(id)}`,
      `save a new version of pipeline ${id}`,
      body,
    );
  }

  private async request<T>(
    method: string,
    path: string,
    doing: Doing,
    body?: unknown,
  ): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) {
      // Parsed here rather than by `fetch`, so the objects (which become action outputs) belong to
      // this realm: the scaffolder's templater refuses arrays of another one (as under jest's vm).
      return JSON.parse(await response.text()) as T;
    }
    throw await toError(response, doing);
  }
}

async function toError(response: Response, doing: Doing): Promise<Error> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not JSON: keep the status only.
  }
  const reason = body.error?.message ?? response.statusText;
  const prefix = `The ingestion backend refused to ${doing}`;
  switch (response.status) {
    case 400: {
      const problems = body.problems ?? [];
      const list = problems.map(p => `\n- ${p.path || '(spec)'}: ${p.message}`);
      return new InputError(`${prefix}: ${reason}${list.join('')}`);
    }
    case 401:
      return new AuthenticationError(
        `${prefix}: the request was not authenticated (${reason})`,
      );
    case 403:
      return new NotAllowedError(`${prefix}: ${reason}`);
    case 404:
      return new NotFoundError(`${prefix}: ${reason}`);
    case 409:
      return new ConflictError(`${prefix}: ${reason}`);
    case 429: {
      const retryAfter = Number(response.headers.get('retry-after'));
      const hint =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? ` Try again in ${retryAfter} s.`
          : '';
      return new QuotaExceededError(
        `${prefix}: ${reason}.${hint}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    default:
      return new Error(`${prefix}: HTTP ${response.status} ${reason}`);
  }
}
