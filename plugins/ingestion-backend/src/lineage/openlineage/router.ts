import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import type { OpenLineageService } from './OpenLineageService';

/** `/v1/pipelines/{pipelineId}/openlineage`: the OpenLineage RunEvents of a pipeline's runs. */
export function createOpenLineageRouter(options: {
  httpAuth: HttpAuthService;
  service: OpenLineageService;
}): express.Router {
  const router = Router();
  router.get('/:pipelineId/openlineage', async (req, res) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const limitText = req.query.limit;
    const limit = limitText === undefined ? 20 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
      throw new InputError('limit: runs, an integer from 1 to 200');
    }
    res.json({
      items: await options.service.exportEvents(
        credentials,
        req.params.pipelineId,
        limit,
      ),
    });
  });
  return router;
}
