import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import type {
  LineageDirection,
  LineageGraphService,
} from './LineageGraphService';

const single = (value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new InputError('query parameters may be given once');
  }
  return value;
};

const DIRECTIONS: LineageDirection[] = ['upstream', 'downstream', 'both'];

/** `/v1/lineage/graph`: table and column lineage of a pipeline or a dataset, N hops deep. */
export function createLineageRouter(options: {
  httpAuth: HttpAuthService;
  service: LineageGraphService;
}): express.Router {
  const router = Router();
  router.get('/graph', async (req, res) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const organization = single(req.query.organization);
    if (!organization) {
      throw new InputError('organization: required');
    }
    const direction = (single(req.query.direction) ??
      'both') as LineageDirection;
    if (!DIRECTIONS.includes(direction)) {
      throw new InputError(`direction: one of ${DIRECTIONS.join(', ')}`);
    }
    const depth = single(req.query.depth);
    const columns = single(req.query.columns);
    if (columns !== undefined && columns !== 'true' && columns !== 'false') {
      throw new InputError('columns: true or false');
    }
    res.json(
      await options.service.graph(credentials, {
        organization,
        pipelineId: single(req.query.pipelineId),
        dataset: single(req.query.dataset),
        direction,
        depth: depth === undefined ? 3 : Number(depth),
        columns: columns === 'true' || single(req.query.column) !== undefined,
        column: single(req.query.column),
      }),
    );
  });
  return router;
}
