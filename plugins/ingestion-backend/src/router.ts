import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { InputError } from '@backstage/errors';
import {
  pipelineSpecJsonSchema,
  type CostGroupBy,
  type RunStatus,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import express from 'express';
import Router from 'express-promise-router';
import type { IngestionAuthorizer } from './authorization/IngestionAuthorizer';
import { installOpenApiRouteMatcherCache } from './http/openApiRouteMatchers';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './database/pagination';
import { spec } from './schema/openapi.generated';
import { rejectUnknownBodyFields } from './schema/unknownFields';
import type { CostEstimateService } from './service/CostEstimateService';
import { chargebackCsv, type CostsService } from './service/CostsService';
import type { LineageService } from './service/LineageService';
import type { OrganizationsService } from './service/OrganizationsService';
import type { PipelinesService } from './service/PipelinesService';
import { QuotaExceededError } from './service/QuotaExceededError';
import type { RunsService } from './service/RunsService';
import type { TablesService } from './service/TablesService';
import { SpecProblemsError } from './spec/SpecProblemsError';

export interface RouterOptions {
  config: RootConfigService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  authorizer: IngestionAuthorizer;
  organizations: OrganizationsService;
  pipelines: PipelinesService;
  runs: RunsService;
  tables: TablesService;
  lineage: LineageService;
  costs: CostsService;
  costEstimates: CostEstimateService;
  /** Sub-routers of other capabilities, mounted under `/v1<path>` after the core routes. */
  extraRouters?: Array<{ path: string; router: express.Router }>;
  /** Middleware that runs before every route but health (rate limits). */
  middleware?: express.RequestHandler[];
  /** Error handlers that observe errors before they become responses (quota refusals' record). */
  errorObservers?: express.ErrorRequestHandler[];
  /** Validate responses against the OpenAPI document too (tests turn this on). */
  validateResponses?: boolean;
}

/**
 * The OpenAPI document with the pipeline spec's JSON Schema (exported from the spec's zod source)
 * in place of its placeholder, so the one schema also checks every spec the API returns.
 */
function withSpecSchema(document: typeof spec): typeof spec {
  const { $schema: _dialect, ...specSchema } = pipelineSpecJsonSchema();
  return {
    ...document,
    components: {
      ...document.components,
      schemas: { ...document.components.schemas, PipelineSpec: specSchema },
    },
  } as unknown as typeof spec;
}

function pageSize(limit: string | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new InputError(
      `limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return n;
}

/**
 * Routes of `/api/ingestion/v1`: requests are validated against the OpenAPI document, then each
 * handler reads the caller's credentials and delegates to a service.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { config, logger, httpAuth } = options;
  const router = Router();
  // Bodies are parsed here (not in the OpenAPI router) so an oversized body stays a 413.
  router.use(express.json({ limit: '1mb' }));

  router.get('/v1/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  for (const middleware of options.middleware ?? []) {
    router.use('/v1', middleware);
  }

  // The validator checks every documented request against the OpenAPI document before a
  // handler runs; handlers then read validated strings from the query (see `params`). Its route
  // lookup compiles each documented path once, not on every request (see the function).
  installOpenApiRouteMatcherCache();
  const api = createValidatedOpenApiRouter(withSpecSchema(spec), {
    // The body is already parsed above (body-parser skips parsed bodies); this only satisfies
    // the router's need for at least one middleware.
    middleware: [express.json({ limit: '1mb' })],
    validatorOptions: options.validateResponses
      ? { validateResponses: true }
      : undefined,
  }) as unknown as express.Router;
  router.use(rejectUnknownBodyFields(spec));
  router.use(api);

  /** Query parameters after validation: each is a string or absent. */
  const params = (req: express.Request) =>
    req.query as Record<string, string | undefined>;
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const userCredentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user'] });

  api.get('/v1/organizations', async (req, res) => {
    res.json({
      items: await options.organizations.listMine(await userCredentialsOf(req)),
    });
  });

  api.get('/v1/quotas', async (req, res) => {
    res.json(
      await options.organizations.quotaReport(
        await credentialsOf(req),
        params(req).organization!,
      ),
    );
  });

  api.post('/v1/specs/validate', async (req, res) => {
    const validSpec = await options.pipelines.validateSpec(
      await credentialsOf(req),
      { spec: req.body.spec, organization: req.body.organization },
    );
    res.json({ valid: true, spec: validSpec });
  });

  api.get('/v1/specs/schema', async (req, res) => {
    await credentialsOf(req);
    res.json(pipelineSpecJsonSchema());
  });

  api.get('/v1/pipelines', async (req, res) => {
    const q = params(req);
    res.json(
      await options.pipelines.list(await credentialsOf(req), {
        organization: q.organization,
        owner: q.owner,
        type: q.type as 'batch' | 'streaming' | undefined,
        engine: q.engine,
        nameContains: q.q,
        sort: (q.sort ?? 'updatedAt') as 'name' | 'createdAt' | 'updatedAt',
        order: (q.order ?? (q.sort === 'name' ? 'asc' : 'desc')) as
          | 'asc'
          | 'desc',
        cursor: q.cursor,
        limit: pageSize(q.limit),
      }),
    );
  });

  api.post('/v1/pipelines', async (req, res) => {
    const created = await options.pipelines.create(
      await credentialsOf(req),
      req.body,
    );
    res.status(201).json(created);
  });

  api.get('/v1/pipelines/:pipelineId', async (req, res) => {
    res.json(
      await options.pipelines.get(
        await credentialsOf(req),
        req.params.pipelineId,
      ),
    );
  });

  api.put('/v1/pipelines/:pipelineId', async (req, res) => {
    res.json(
      await options.pipelines.update(
        await credentialsOf(req),
        req.params.pipelineId,
        req.body,
      ),
    );
  });

  api.delete('/v1/pipelines/:pipelineId', async (req, res) => {
    await options.pipelines.delete(
      await credentialsOf(req),
      req.params.pipelineId,
    );
    res.status(204).end();
  });

  api.put('/v1/pipelines/:pipelineId/deployment', async (req, res) => {
    res.json(
      await options.pipelines.recordDeployment(
        await credentialsOf(req),
        req.params.pipelineId,
        req.body,
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/effective-spec', async (req, res) => {
    res.json(
      await options.pipelines.effectiveSpec(
        await credentialsOf(req),
        req.params.pipelineId,
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/versions', async (req, res) => {
    res.json(
      await options.pipelines.listVersions(
        await credentialsOf(req),
        req.params.pipelineId,
        {
          cursor: params(req).cursor,
          limit: pageSize(params(req).limit),
        },
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/versions/:version', async (req, res) => {
    res.json(
      await options.pipelines.getVersion(
        await credentialsOf(req),
        req.params.pipelineId,
        Number(req.params.version),
      ),
    );
  });

  api.post('/v1/pipelines/:pipelineId/rollback', async (req, res) => {
    res.json(
      await options.pipelines.rollback(
        await credentialsOf(req),
        req.params.pipelineId,
        req.body,
      ),
    );
  });

  api.get('/v1/pipelines/:pipelineId/runs', async (req, res) => {
    res.json(
      await options.runs.list(await credentialsOf(req), {
        pipelineId: req.params.pipelineId,
        status: params(req).status as RunStatus | undefined,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.post('/v1/pipelines/:pipelineId/runs', async (req, res) => {
    const run = await options.runs.trigger(
      await credentialsOf(req),
      req.params.pipelineId,
      {
        watermark: req.body?.watermark,
        fullRefresh: req.body?.fullRefresh,
        trigger: 'api',
      },
    );
    res.status(202).json(run);
  });

  api.get('/v1/runs', async (req, res) => {
    res.json(
      await options.runs.list(await credentialsOf(req), {
        organization: params(req).organization,
        pipelineId: params(req).pipelineId,
        status: params(req).status as RunStatus | undefined,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/runs/:runId', async (req, res) => {
    res.json(
      await options.runs.get(await credentialsOf(req), req.params.runId),
    );
  });

  api.post('/v1/runs/:runId/cancel', async (req, res) => {
    res.json(
      await options.runs.cancel(await credentialsOf(req), req.params.runId),
    );
  });

  api.get('/v1/runs/:runId/logs', async (req, res) => {
    res.json(
      await options.runs.logs(await credentialsOf(req), req.params.runId, {
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/tables', async (req, res) => {
    res.json(
      await options.tables.list(await credentialsOf(req), {
        organization: params(req).organization,
        pipelineId: params(req).pipelineId,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/tables/:tableId', async (req, res) => {
    res.json(
      await options.tables.get(await credentialsOf(req), req.params.tableId),
    );
  });

  api.get('/v1/quality', async (req, res) => {
    res.json(
      await options.tables.quality(await credentialsOf(req), {
        organization: params(req).organization,
        pipelineId: params(req).pipelineId,
        runId: params(req).runId,
        cursor: params(req).cursor,
        limit: pageSize(params(req).limit),
      }),
    );
  });

  api.get('/v1/lineage', async (req, res) => {
    res.json(
      await options.lineage.graph(await credentialsOf(req), {
        organization: params(req).organization!,
        pipelineId: params(req).pipelineId!,
        depth: Number(params(req).depth ?? 3),
      }),
    );
  });

  api.get('/v1/costs', async (req, res) => {
    res.json(
      await options.costs.report(await credentialsOf(req), {
        organization: params(req).organization!,
        groupBy: (params(req).groupBy ?? 'pipeline') as CostGroupBy,
        from: params(req).from,
        to: params(req).to,
      }),
    );
  });

  api.post('/v1/costs/estimate', async (req, res) => {
    res.json(
      await options.costEstimates.estimate(await credentialsOf(req), req.body),
    );
  });

  api.get('/v1/costs/chargeback', async (req, res, next) => {
    // By cost center or team: the spend routes (src/costs/router.ts) answer.
    if (params(req).by !== undefined) {
      next();
      return;
    }
    const statement = await options.costs.chargeback(await credentialsOf(req), {
      organization: params(req).organization!,
      month: params(req).month!,
    });
    if (params(req).format === 'csv') {
      res
        .type('text/csv')
        .attachment(
          `chargeback-${statement.organization}-${statement.month}.csv`,
        )
        .send(chargebackCsv(statement));
      return;
    }
    res.json(statement);
  });

  for (const extra of options.extraRouters ?? []) {
    router.use(`/v1${extra.path}`, extra.router);
  }
  for (const observer of options.errorObservers ?? []) {
    router.use(observer);
  }

  router.use(
    (
      error: unknown,
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (error instanceof SpecProblemsError && !res.headersSent) {
        // Backstage's error body (request, response) so `ResponseError` clients read it too.
        res.status(400).json({
          error: { name: 'InputError', message: error.message },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 400 },
          problems: error.problems,
        });
        return;
      }
      if (error instanceof QuotaExceededError && error.retryAfterSeconds) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      next(error);
    },
  );
  // The standard Backstage error mapping (InputError → 400, NotFoundError → 404, …), but never
  // with a stack trace, not even in development: API clients should see a reason, not internals.
  router.use(
    MiddlewareFactory.create({ config, logger }).error({
      showStackTraces: false,
    }),
  );
  return router;
}
