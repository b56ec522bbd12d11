import type { HttpAuthService } from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../database/pagination';
import type { AuditService } from './AuditService';
import { AUDIT_OUTCOMES } from './types';
import { parseInput } from '../http/parseInput';
import { auditEventsCsv } from '../governance/auditCsv';

const isoTime = z
  .string()
  .refine(value => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 time')
  .transform(value => new Date(value));

const listQuery = z
  .object({
    organization: z.string().min(1, 'required'),
    action: z.string().min(1).max(64).optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    targetType: z.string().min(1).max(32).optional(),
    targetId: z.string().min(1).max(255).optional(),
    actor: z.string().min(1).max(255).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    format: z.enum(['json', 'csv']).optional(),
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

function parseQuery(query: unknown): ListQuery {
  return parseInput(listQuery, query, 'query');
}

/**
 * `GET /v1/audit?organization=&action=&outcome=&targetType=&targetId=&actor=&from=&to=&cursor=&limit=`:
 * `{ items, nextCursor }`, newest first; with `format=csv`, every matching event as CSV.
 * Mounted under `/v1/audit`.
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
    const { format, ...filters } = query;
    const list = (cursor: string | undefined, limit: number) =>
      options.audit.list(credentials, {
        ...filters,
        cursor,
        limit,
      });
    if (format === 'csv') {
      // The whole filtered log from the newest event (a given cursor is ignored), page by page.
      const csv = await auditEventsCsv(cursor => list(cursor, MAX_PAGE_SIZE));
      res
        .type('text/csv')
        .attachment(`audit-${query.organization}.csv`)
        .send(csv);
      return;
    }
    res.json(await list(query.cursor, query.limit ?? DEFAULT_PAGE_SIZE));
  });
  return router;
}
