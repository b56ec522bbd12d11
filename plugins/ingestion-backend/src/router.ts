import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import { pipelineSpecJsonSchema } from '@ingestion-for-backstage/plugin-ingestion-common';
import express from 'express';
import Router from 'express-promise-router';
import type { IngestionAuthorizer } from './authorization/IngestionAuthorizer';
import { installOpenApiRouteMatcherCache } from './http/openApiRouteMatchers';
import { withCodeCheckedBodiesAsObjects } from './schema/codeCheckedBodies';
import { spec } from './schema/openapi.generated';
import { rejectUnknownBodyFields } from './schema/unknownFields';
import { registerCostRoutes } from './routes/costRoutes';
import { registerDataRoutes } from './routes/dataRoutes';
import { specProblemsAndRetryAfter } from './routes/errorResponses';
import { registerOrganizationRoutes } from './routes/organizationRoutes';
import { registerPipelineRoutes } from './routes/pipelineRoutes';
import { routeContext } from './routes/routeContext';
import { registerRunRoutes } from './routes/runRoutes';
import type { CostEstimateService } from './service/CostEstimateService';
import type { CostsService } from './service/CostsService';
import type { LineageService } from './service/LineageService';
import type { OrganizationsService } from './service/OrganizationsService';
import type { PipelinesService } from './service/PipelinesService';
import type { RunsService } from './service/RunsService';
import type { TablesService } from './service/TablesService';

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
  // handler runs; handlers then read validated strings from the query (see `RouteContext`).
  // Its route lookup compiles each documented path once, not on every request (see the function).
  // Bodies the services check themselves (`x-checked-in-code`) only need to be objects here.
  installOpenApiRouteMatcherCache();
  const validated = withCodeCheckedBodiesAsObjects(spec);
  const api = createValidatedOpenApiRouter(withSpecSchema(validated), {
    // The body is already parsed above (body-parser skips parsed bodies); this only satisfies
    // the router's need for at least one middleware.
    middleware: [express.json({ limit: '1mb' })],
    validatorOptions: options.validateResponses
      ? { validateResponses: true }
      : undefined,
  }) as unknown as express.Router;
  router.use(rejectUnknownBodyFields(validated));
  router.use(api);

  const route = routeContext(api, httpAuth);
  registerOrganizationRoutes(route, options);
  registerPipelineRoutes(route, options);
  registerRunRoutes(route, options);
  registerDataRoutes(route, options);
  registerCostRoutes(route, options);

  for (const extra of options.extraRouters ?? []) {
    router.use(`/v1${extra.path}`, extra.router);
  }
  for (const observer of options.errorObservers ?? []) {
    router.use(observer);
  }

  router.use(specProblemsAndRetryAfter());
  // The standard Backstage error mapping (InputError → 400, NotFoundError → 404, …), but never
  // with a stack trace, not even in development: API clients should see a reason, not internals.
  router.use(
    MiddlewareFactory.create({ config, logger }).error({
      showStackTraces: false,
    }),
  );
  return router;
}
