import { mockServices } from '@backstage/backend-test-utils';
import type {
  OrganizationSummary,
  OrgRole,
  PipelineDetails,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  buildSpecInput,
  validatePipelineSpec,
  withPiiMasking,
  type CostEstimateRequest,
  type PiiType,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  estimatePipelineCost,
  hashPipelineSpec,
  type DirectoryOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { randomUUID } from 'node:crypto';

/** Where `mockServices.discovery()` puts the ingestion backend. */
export const INGESTION_BASE_URL = 'http://localhost:0/api/ingestion';

/** The demo organizations as the API shows them (roles are filled in per caller). */
export function demoOrganization(
  id: string,
  overrides: Partial<OrganizationSummary> = {},
): OrganizationSummary {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    costCenter: `${id.slice(0, 3).toUpperCase()}-001`,
    environment: 'development',
    ownerGroup: `group:default/${id}`,
    engine: 'local',
    roles: [],
    quotas: {
      databricks: {
        maxDbuPerHour: 100,
        maxClusters: 10,
        maxConcurrentJobs: 20,
      },
      storage: { maxStorageGb: 10000, retentionDays: 2555 },
      compute: { maxEcsTasks: 50, maxCpuUnits: 10000 },
      api: { requestsPerMinute: 1000, requestsPerDay: 100000 },
    },
    usage: { concurrentRuns: 0, dbuLastHour: 0, storageGb: 12 },
    budget: { monthly: 5000, alertThresholds: [0.5, 0.8, 1] },
    ...overrides,
  };
}

/** A recorded request to the fake API. */
export interface FakeRequest {
  method: string;
  path: string;
  /** The user the token was issued on behalf of. */
  onBehalfOf?: string;
  /** The plugin the token was issued for. */
  target?: string;
  body?: unknown;
}

/**
 * The ingestion backend's HTTP API as far as the actions use it, in memory: organizations with the
 * caller's roles (demo naming: `user:default/finance-engineer` is an engineer of finance),
 * pipelines with versions and optimistic concurrency, cost estimates, deployments and connections. Requests are
 * recorded; `failNext` makes the next matching request fail like the backend does.
 */
export class FakeIngestionApi {
  readonly requests: FakeRequest[] = [];
  /**
   * `GET /v1/organizations/directory` (the scaffolder's service reads, kept apart from `requests`).
   * While `directory` is unset it answers 503, as a backend that is not up yet: the actions then
   * read `ingestion.organizations` from config.
   */
  readonly directoryReads: FakeRequest[] = [];
  directory?: DirectoryOrganization[];
  readonly pipelines = new Map<string, PipelineDetails>();
  organizations: OrganizationSummary[] = [
    demoOrganization('finance'),
    demoOrganization('retail', { costCenter: 'RET-001' }),
  ];
  connections: Record<string, string[]> = {
    finance: ['finance-db'],
    retail: ['retail-kafka'],
  };
  budgetRemaining: Record<string, number> = { finance: 4200, retail: 9100 };
  /** Pipeline id → the PII columns its target table is tagged with (runs, scans, discovery). */
  piiColumns: Record<string, Record<string, PiiType[]>> = {};
  private failures: Array<{
    method: string;
    path: RegExp;
    status: number;
    body: unknown;
    headers?: Record<string, string>;
  }> = [];

  constructor(server: { use(...handlers: HttpHandler[]): void }) {
    server.use(...this.handlers());
  }

  /** The next request matching method and path fails with this status and error body. */
  failNext(
    method: string,
    path: RegExp,
    status: number,
    error: { name: string; message: string },
    headers?: Record<string, string>,
  ) {
    this.failures.push({ method, path, status, body: { error }, headers });
  }

  /** Adds a pipeline as if it had been created through the API. */
  seedPipeline(
    organization: string,
    name: string,
    spec: unknown,
    id: string = randomUUID(),
  ): PipelineDetails {
    const valid = validatePipelineSpec(spec);
    if (!valid.valid) throw new Error('invalid seed spec');
    const now = new Date('2025-01-01T00:00:00Z').toISOString();
    const pipeline: PipelineDetails = {
      id,
      organization,
      name,
      owner: `user:default/${organization}-engineer`,
      pipelineType: valid.spec.pipeline_type,
      engine:
        this.organizations.find(o => o.id === organization)?.engine ?? 'local',
      currentVersion: 1,
      createdAt: now,
      createdBy: 'user:default/finance-engineer',
      updatedAt: now,
      updatedBy: 'user:default/finance-engineer',
      spec: valid.spec as Record<string, unknown>,
    };
    this.pipelines.set(pipeline.id, pipeline);
    return pipeline;
  }

  private rolesOf(user: string | undefined, organization: string): OrgRole[] {
    const match =
      /^user:default\/([a-z]+)-(admin|engineer|analyst|viewer)$/.exec(
        user ?? '',
      );
    return match && match[1] === organization ? [match[2] as OrgRole] : [];
  }

  private handlers(): HttpHandler[] {
    const base = INGESTION_BASE_URL;
    const record = async (request: Request) => {
      const url = new URL(request.url);
      const header = request.headers.get('authorization') ?? '';
      let onBehalfOf: string | undefined;
      let target: string | undefined;
      const token = header.replace(/^Bearer /, '');
      if (token.startsWith('mock-service-token:')) {
        const claims = JSON.parse(token.slice('mock-service-token:'.length));
        onBehalfOf = claims.obo;
        target = claims.target;
      }
      const body =
        request.method === 'GET'
          ? undefined
          : await request
              .clone()
              .json()
              .catch(() => undefined);
      const entry = {
        method: request.method,
        path: `${url.pathname.replace('/api/ingestion', '')}${url.search}`,
        onBehalfOf,
        target,
        body,
      };
      this.requests.push(entry);
      const failure = this.failures.findIndex(
        f => f.method === request.method && f.path.test(entry.path),
      );
      if (failure >= 0) {
        const [f] = this.failures.splice(failure, 1);
        return {
          entry,
          failed: HttpResponse.json(f.body as Record<string, unknown>, {
            status: f.status,
            headers: f.headers,
          }),
        };
      }
      return { entry, failed: undefined };
    };
    const memberOf = (user: string | undefined, organization: string) =>
      this.rolesOf(user, organization).length > 0;
    const error = (status: number, name: string, message: string) =>
      HttpResponse.json({ error: { name, message } }, { status });
    /** The pipeline a request names, if the caller may see it; a 404 otherwise. */
    const visiblePipeline = async (request: Request, id: unknown) => {
      const { entry, failed } = await record(request);
      if (failed) return { failed };
      const pipeline = this.pipelines.get(String(id));
      if (!pipeline || !memberOf(entry.onBehalfOf, pipeline.organization)) {
        return {
          failed: error(404, 'NotFoundError', `pipeline ${id} not found`),
        };
      }
      return { entry, pipeline };
    };

    return [
      http.get(`${base}/v1/organizations/directory`, async ({ request }) => {
        const token = (request.headers.get('authorization') ?? '').replace(
          /^Bearer /,
          '',
        );
        const claims = token.startsWith('mock-service-token:')
          ? JSON.parse(token.slice('mock-service-token:'.length))
          : {};
        const entry: FakeRequest = {
          method: 'GET',
          path: '/v1/organizations/directory',
          onBehalfOf: claims.obo,
          target: claims.target,
        };
        this.directoryReads.push(entry);
        if (!this.directory) {
          return error(503, 'ServiceUnavailableError', 'not up yet');
        }
        if (entry.onBehalfOf || entry.target !== 'ingestion') {
          return error(403, 'NotAllowedError', 'not a directory reader');
        }
        return HttpResponse.json({ items: this.directory, version: '1' });
      }),
      http.get(`${base}/v1/organizations`, async ({ request }) => {
        const { entry, failed } = await record(request);
        if (failed) return failed;
        return HttpResponse.json({
          items: this.organizations
            .map(o => ({ ...o, roles: this.rolesOf(entry.onBehalfOf, o.id) }))
            .filter(o => o.roles.length > 0),
        });
      }),
      // Estimates with the backend's own function, on the organization's default cluster sizing.
      http.post(`${base}/v1/costs/estimate`, async ({ request }) => {
        const { entry, failed } = await record(request);
        if (failed) return failed;
        const body = entry.body as CostEstimateRequest;
        const roles = this.rolesOf(entry.onBehalfOf, body.organization);
        if (roles.length === 0) {
          return error(
            404,
            'NotFoundError',
            `Organization '${body.organization}' not found`,
          );
        }
        if (!roles.includes('engineer') && !roles.includes('admin')) {
          return error(
            403,
            'NotAllowedError',
            `Your roles in organization '${body.organization}' do not allow ingestion.pipeline.create`,
          );
        }
        const org = this.organizations.find(o => o.id === body.organization)!;
        const { spec: built, applied } = buildSpecInput(
          body.spec as Record<string, unknown>,
          { icebergCatalog: `${org.id}_catalog` },
        );
        const valid = validatePipelineSpec(built);
        if (!valid.valid) {
          return HttpResponse.json(
            {
              error: { name: 'InputError', message: 'invalid spec' },
              problems: valid.problems,
            },
            { status: 400 },
          );
        }
        const monthly = org.budget?.monthly ?? 0;
        const result = estimatePipelineCost({
          organization: {
            id: org.id,
            name: org.name,
            costCenter: org.costCenter,
            environment: 'development',
            owner: org.ownerGroup,
            quotas: org.quotas.databricks,
          },
          spec: valid.spec,
          workloadType: body.workloadType,
          expectedVolumeGb: body.expectedVolumeGb,
          pricing: { dbu: 0.55, currency: 'USD' },
          quotas: org.quotas,
          usage: org.usage,
          budget: org.budget && {
            monthly,
            spentThisMonth: monthly - (this.budgetRemaining[org.id] ?? monthly),
          },
          appliedDefaults: applied,
        });
        return HttpResponse.json(result);
      }),
      http.get(`${base}/v1/connections`, async ({ request }) => {
        const { entry, failed } = await record(request);
        if (failed) return failed;
        const organization = new URL(request.url).searchParams.get(
          'organization',
        )!;
        const roles = this.rolesOf(entry.onBehalfOf, organization);
        if (!roles.includes('engineer') && !roles.includes('admin')) {
          return error(403, 'NotAllowedError', 'you may not read connections');
        }
        return HttpResponse.json({
          items: (this.connections[organization] ?? []).map(name => ({ name })),
        });
      }),
      http.get(`${base}/v1/pipelines`, async ({ request }) => {
        const { entry, failed } = await record(request);
        if (failed) return failed;
        const params = new URL(request.url).searchParams;
        const organization = params.get('organization');
        const q = params.get('q') ?? '';
        return HttpResponse.json({
          items: [...this.pipelines.values()]
            .filter(p => memberOf(entry.onBehalfOf, p.organization))
            .filter(p => !organization || p.organization === organization)
            .filter(p => p.name.includes(q))
            .map(({ spec: _spec, ...p }) => p),
        });
      }),
      http.get(`${base}/v1/pipelines/:id`, async ({ request, params }) => {
        const found = await visiblePipeline(request, params.id);
        if ('failed' in found) return found.failed;
        const { pipeline } = found;
        return HttpResponse.json(pipeline);
      }),
      http.post(`${base}/v1/pipelines`, async ({ request }) => {
        const { entry, failed } = await record(request);
        if (failed) return failed;
        const body = entry.body as {
          organization: string;
          name: string;
          owner?: string;
          description?: string;
          spec: unknown;
        };
        const roles = this.rolesOf(entry.onBehalfOf, body.organization);
        if (roles.length === 0) {
          return error(
            404,
            'NotFoundError',
            `organization '${body.organization}' not found`,
          );
        }
        if (!roles.includes('engineer') && !roles.includes('admin')) {
          return error(
            403,
            'NotAllowedError',
            `You may not create pipelines in organization '${body.organization}'`,
          );
        }
        const valid = validatePipelineSpec(body.spec);
        if (!valid.valid) {
          return HttpResponse.json(
            {
              error: { name: 'InputError', message: 'invalid spec' },
              problems: valid.problems.map(p => ({
                path: p.path,
                message: p.message,
              })),
            },
            { status: 400 },
          );
        }
        if (
          [...this.pipelines.values()].some(
            p => p.organization === body.organization && p.name === body.name,
          )
        ) {
          return error(
            409,
            'ConflictError',
            `name: a pipeline named '${body.name}' already exists`,
          );
        }
        const now = new Date().toISOString();
        const pipeline: PipelineDetails = {
          id: randomUUID(),
          organization: body.organization,
          name: body.name,
          ...(body.description ? { description: body.description } : {}),
          owner: body.owner ?? entry.onBehalfOf!,
          pipelineType: valid.spec.pipeline_type,
          engine: this.organizations.find(o => o.id === body.organization)!
            .engine,
          currentVersion: 1,
          createdAt: now,
          createdBy: entry.onBehalfOf!,
          updatedAt: now,
          updatedBy: entry.onBehalfOf!,
          spec: valid.spec as Record<string, unknown>,
        };
        this.pipelines.set(pipeline.id, pipeline);
        return HttpResponse.json(pipeline, { status: 201 });
      }),
      http.get(
        `${base}/v1/pipelines/:id/effective-spec`,
        async ({ request, params }) => {
          const found = await visiblePipeline(request, params.id);
          if ('failed' in found) return found.failed;
          const { pipeline } = found;
          const environment = this.organizations.find(
            o => o.id === pipeline.organization,
          )!.environment;
          const { spec, masked } = withPiiMasking(
            pipeline.spec as unknown as PipelineSpec,
            environment,
            this.piiColumns[pipeline.id] ?? {},
          );
          return HttpResponse.json({
            pipelineId: pipeline.id,
            version: pipeline.currentVersion,
            environment,
            spec,
            specHash: hashPipelineSpec(spec),
            maskedColumns: masked,
          });
        },
      ),
      http.put(
        `${base}/v1/pipelines/:id/deployment`,
        async ({ request, params }) => {
          const found = await visiblePipeline(request, params.id);
          if ('failed' in found) return found.failed;
          const { entry, pipeline } = found;
          const body = entry.body as {
            jobId: string;
            jobUrl?: string;
            workspaceUrl?: string;
            specHash?: string;
          };
          const updated: PipelineDetails = {
            ...pipeline,
            deployment: {
              databricksJobId: body.jobId,
              deployedVersion: pipeline.currentVersion,
              deployedAt: new Date().toISOString(),
              ...(body.jobUrl ? { jobUrl: body.jobUrl } : {}),
              ...(body.workspaceUrl ? { workspaceUrl: body.workspaceUrl } : {}),
              ...(body.specHash ? { specHash: body.specHash } : {}),
            },
          };
          this.pipelines.set(updated.id, updated);
          return HttpResponse.json(updated);
        },
      ),
      http.put(`${base}/v1/pipelines/:id`, async ({ request, params }) => {
        const found = await visiblePipeline(request, params.id);
        if ('failed' in found) return found.failed;
        const { entry, pipeline } = found;
        const roles = this.rolesOf(entry.onBehalfOf, pipeline.organization);
        if (!roles.includes('engineer') && !roles.includes('admin')) {
          return error(
            403,
            'NotAllowedError',
            `You may not update pipeline '${pipeline.name}'`,
          );
        }
        const body = entry.body as { spec: unknown; expectedVersion: number };
        if (body.expectedVersion !== pipeline.currentVersion) {
          return error(
            409,
            'ConflictError',
            `expectedVersion: pipeline is at version ${pipeline.currentVersion}`,
          );
        }
        const valid = validatePipelineSpec(body.spec);
        if (!valid.valid) {
          return error(400, 'InputError', 'invalid spec');
        }
        const updated = {
          ...pipeline,
          currentVersion: pipeline.currentVersion + 1,
          spec: valid.spec as Record<string, unknown>,
          updatedAt: new Date().toISOString(),
        };
        this.pipelines.set(updated.id, updated);
        return HttpResponse.json(updated);
      }),
    ];
  }
}

/** The services the actions need, as unit tests provide them. */
export function actionServices() {
  return {
    auth: mockServices.auth({ pluginId: 'scaffolder' }),
    discovery: mockServices.discovery(),
  };
}
