import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import type { QualityScoresService } from './QualityScoresService';

const single = (name: string, value: unknown): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`${name}: give it once`);
  }
  return value;
};

/** `/v1/quality/scores`: quality scores, their trend and open breaches. */
export function createQualityScoresRouter(options: {
  httpAuth: HttpAuthService;
  service: QualityScoresService;
}): express.Router {
  const router = Router();
  router.get('/scores', async (req, res) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const q = (name: string) => single(name, req.query[name]);
    const organization = q('organization');
    if (!organization) throw new InputError('organization: required');
    res.json(
      await options.service.scores(credentials, {
        organization,
        pipelineId: q('pipeline'),
        tableId: q('table'),
        from: q('from'),
        to: q('to'),
        bucket: q('bucket'),
      }),
    );
  });
  return router;
}
