import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import type { OrganizationAdminService } from './OrganizationAdminService';

/**
 * `/v1/organizations/*` writes and the directory: platform admins create, update and retire
 * organizations; the permission policy and the catalog module read the directory with service
 * credentials. `GET /v1/organizations` (the caller's own) stays with the core router.
 */
export function createOrganizationsRouter(options: {
  httpAuth: HttpAuthService;
  service: OrganizationAdminService;
}): express.Router {
  const { httpAuth, service } = options;
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/directory', async (req, res) => {
    res.json(await service.list(await credentialsOf(req)));
  });

  router.post('/', async (req, res) => {
    res
      .status(201)
      .json(await service.create(await credentialsOf(req), req.body, req));
  });

  router.put('/:organizationId', async (req, res) => {
    res.json(
      await service.update(
        await credentialsOf(req),
        req.params.organizationId,
        req.body,
        req,
      ),
    );
  });

  router.post('/:organizationId/retire', async (req, res) => {
    res.json(
      await service.retire(
        await credentialsOf(req),
        req.params.organizationId,
        req,
      ),
    );
  });

  return router;
}
