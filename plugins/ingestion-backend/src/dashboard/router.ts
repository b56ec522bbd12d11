import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../http/parseInput';
import type { DashboardService } from './DashboardService';
import { PIPELINE_HEALTHS } from './healthSql';

/** Rows of the pipelines table per page, at most. */
export const MAX_DASHBOARD_PAGE = 100;

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, `must be an integer from ${min} to ${max}`)
        .max(max, `must be an integer from ${min} to ${max}`),
    );

const text = (max: number) => z.string().min(1).max(max).optional();

const pipelinesQuery = z
  .object({
    name: text(128),
    owner: text(255),
    type: z.enum(['batch', 'streaming']).optional(),
    engine: text(32),
    status: z.enum(PIPELINE_HEALTHS).optional(),
    tag: text(63),
    offset: integer(0, 1_000_000).optional(),
    limit: integer(1, MAX_DASHBOARD_PAGE).optional(),
  })
  .strict();

/** The path parameters of both routes. */
const organizationPath = z.object({
  organizationId: z.string().min(1).max(64),
});

/**
 * `/v1/organizations/{organizationId}/dashboard`: the organization's summary, and
 * `.../dashboard/pipelines`: its pipelines with health, filtered and paged on the server.
 */
export function createDashboardRouter(options: {
  httpAuth: HttpAuthService;
  service: DashboardService;
}): express.Router {
  const router = Router();
  const credentialsOf = (req: express.Request) =>
    options.httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/organizations/:organizationId/dashboard', async (req, res) => {
    const { organizationId: organization } = parseInput(
      organizationPath,
      req.params,
      'path',
    );
    res.json(
      await options.service.dashboard(await credentialsOf(req), organization),
    );
  });

  router.get(
    '/organizations/:organizationId/dashboard/pipelines',
    async (req, res) => {
      const { organizationId: organization } = parseInput(
        organizationPath,
        req.params,
        'path',
      );
      const query = parseInput(pipelinesQuery, req.query, 'query');
      res.json(
        await options.service.pipelines(
          await credentialsOf(req),
          organization,
          {
            ...query,
            offset: query.offset ?? 0,
            limit: query.limit ?? 20,
          },
        ),
      );
    },
  );
  return router;
}
