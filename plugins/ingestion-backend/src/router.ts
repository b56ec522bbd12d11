import type {
  HttpAuthService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import express from 'express';
import Router from 'express-promise-router';
import type { OrganizationsService } from './service/OrganizationsService';
import type { IngestionAuthorizer } from './authorization/IngestionAuthorizer';

/** Routes of `/api/ingestion`; every handler parses input and delegates to a service. */
export async function createRouter(options: {
  config: RootConfigService;
  logger: LoggerService;
  httpAuth: HttpAuthService;
  organizations: OrganizationsService;
  authorizer: IngestionAuthorizer;
}): Promise<express.Router> {
  const { config, logger, httpAuth, organizations } = options;
  const router = Router();
  router.use(express.json({ limit: '1mb' }));

  router.get('/v1/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/v1/organizations', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ items: await organizations.listMine(credentials) });
  });

  // The standard Backstage error mapping (InputError → 400, NotFoundError → 404, …), but never
  // with a stack trace, not even in development: API clients should see a reason, not internals.
  router.use(
    MiddlewareFactory.create({ config, logger }).error({
      showStackTraces: false,
    }),
  );
  return router;
}
