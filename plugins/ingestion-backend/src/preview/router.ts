import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import type { PreviewService } from './PreviewService';

/**
 * `POST /v1/specs/preview`. The OpenAPI router has checked the body (organization, spec,
 * sampleRows 1–1000) before this runs; statuses 422 and 504 come from the errors' `statusCode`.
 */
export function createPreviewRouter(options: {
  httpAuth: HttpAuthService;
  service: PreviewService;
}): express.Router {
  const router = Router();
  router.post('/preview', async (req, res) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // A caller that goes away stops its preview.
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    try {
      const body = req.body ?? {};
      res.json(
        await options.service.preview(credentials, {
          organization: body.organization,
          spec: body.spec,
          sampleRows: body.sampleRows,
          signal: abort.signal,
        }),
      );
    } finally {
      res.off('close', onClose);
    }
  });
  return router;
}
