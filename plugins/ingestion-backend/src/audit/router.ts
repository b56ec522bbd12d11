import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../database/pagination';
import type { AuditService } from './AuditService';
import { AUDIT_OUTCOMES } from './types';

const listQuery = z
  .object({
    organization: z.string().min(1, 'required'),
    action: z.string().min(1).max(64).optional(),
    outcome: z.enum(AUDIT_OUTCOMES as [string, ...string[]]).optional(),
    targetType: z.string().min(1).max(32).optional(),
    targetId: z.string().min(1).max(255).optional(),
    actor: z.string().min(1).max(255).optional(),
    cursor: z.string().min(1).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, `must be an integer from 1 to ${MAX_PAGE_SIZE}`)
          .max(MAX_PAGE_SIZE, `must be an integer from 1 to ${MAX_PAGE_SIZE}`),
      )
      .optional(),
  })
  .strict();

type ListQuery = z.infer<typeof listQuery>;

/** Turns zod issues into one InputError naming each field: `limit: must be …; outcome: …`. */
function parseQuery(query: unknown): ListQuery {
  const parsed = listQuery.safeParse(query);
  if (parsed.success) {
    return parsed.data;
  }
  const problems = parsed.error.issues.flatMap(issue => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map(key => `${key}: unknown parameter`);
    }
    const path = issue.path.map(String).join('.') || 'query';
    if (issue.code === 'invalid_type') {
      const given = (query as Record<string, unknown>)[String(issue.path[0])];
      return [
        given === undefined
          ? `${path}: required`
          : `${path}: must be given once, as a string`,
      ];
    }
    return [`${path}: ${issue.message}`];
  });
  throw new InputError(problems.join('; '));
}

/**
 * `GET /v1/audit?organization=&action=&outcome=&targetType=&targetId=&actor=&cursor=&limit=`:
 * `{ items, nextCursor }`, newest first. Mounted under `/v1/audit`.
 */
export function createAuditRouter(options: {
  httpAuth: HttpAuthService;
  audit: AuditService;
}): express.Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const query = parseQuery(req.query);
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(
      await options.audit.list(credentials, {
        ...query,
        outcome: query.outcome as 'success' | 'denied' | 'failure' | undefined,
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
      }),
    );
  });
  return router;
}
