import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../http/parseInput';
import type { GovernanceService } from './GovernanceService';

const organizationQuery = z
  .object({ organization: z.string().min(1, 'required').max(64) })
  .strict();

/**
 * `/v1/governance`: `GET quota-usage`, `GET roles` and `GET connection-usage`, each with
 * `?organization=`. Thin: parse, authenticate, delegate.
 */
export function createGovernanceRouter(options: {
  httpAuth: HttpAuthService;
  governance: GovernanceService;
}): express.Router {
  const { httpAuth, governance } = options;
  const router = Router();
  const organizationOf = (req: express.Request) =>
    parseInput(organizationQuery, req.query, 'query').organization;
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/quota-usage', async (req, res) => {
    const organization = organizationOf(req);
    res.json(
      await governance.quotaUsage(await credentialsOf(req), organization),
    );
  });

  router.get('/roles', async (req, res) => {
    const organization = organizationOf(req);
    res.json(
      await governance.roleGroups(await credentialsOf(req), organization),
    );
  });

  router.get('/connection-usage', async (req, res) => {
    const organization = organizationOf(req);
    res.json(
      await governance.connectionUsage(await credentialsOf(req), organization),
    );
  });

  return router;
}
