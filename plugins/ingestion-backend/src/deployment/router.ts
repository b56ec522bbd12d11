import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { WorkloadType } from '@ingestion-for-backstage/plugin-ingestion-node';
import express from 'express';
import Router from 'express-promise-router';
import type { DeploymentService } from './DeploymentService';

/**
 * `GET /v1/pipelines/{id}/deployment` and `POST /v1/pipelines/{id}/deployment/redeploy` (the
 * OpenAPI router has checked the path and body; `PUT .../deployment` is the core router's).
 */
export function createDeploymentRouter(options: {
  httpAuth: HttpAuthService;
  service: DeploymentService;
}): express.Router {
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    options.httpAuth.credentials(req, { allow: ['user', 'service'] });
  router.get('/:pipelineId/deployment', async (req, res) => {
    res.json(
      await options.service.status(
        await credentialsOf(req),
        req.params.pipelineId,
      ),
    );
  });
  router.post('/:pipelineId/deployment/redeploy', async (req, res) => {
    res.json(
      await options.service.redeploy(
        await credentialsOf(req),
        req.params.pipelineId,
        { workloadType: req.body?.workloadType as WorkloadType | undefined },
      ),
    );
  });
  return router;
}
