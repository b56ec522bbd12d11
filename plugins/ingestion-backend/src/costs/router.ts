import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { SPEND_TAGS } from '@ingestion-for-backstage/plugin-ingestion-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../database/pagination';
import { breakdownCsv } from './csv';
import type { SpendService } from './SpendService';
import { parseInput } from '../http/parseInput';

const organization = z.string().min(1, 'required').max(64);
const team = z.string().min(1).max(255).optional();
const limit = z
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
  .optional();

const queries = {
  spend: z
    .object({
      organization,
      from: z.string().optional(),
      to: z.string().optional(),
      granularity: z.enum(['day', 'week', 'month']).optional(),
      groupBy: z.enum(SPEND_TAGS).optional(),
      team,
    })
    .strict(),
  summary: z.object({ organization, team }).strict(),
  pipelines: z
    .object({
      organization,
      month: z.string().optional(),
      team,
      cursor: z.string().min(1).max(2048).optional(),
      limit,
    })
    .strict(),
  breakdown: z
    .object({
      organization,
      month: z.string().min(1, 'required'),
      by: z.enum(['costCenter', 'team']),
      format: z.enum(['json', 'csv']).optional(),
    })
    .strict(),
  budgets: z.object({ organization }).strict(),
  budget: z.object({ organization, team }).strict(),
  alerts: z
    .object({ organization, team, from: z.string().optional() })
    .strict(),
};

const budgetBody = z
  .object({
    organization,
    team,
    monthly: z.number({ message: 'must be a number' }),
    thresholds: z
      .array(z.number({ message: 'must be a number' }))
      .max(10)
      .optional(),
  })
  .strict();

/**
 * Spend routes, mounted under `/v1`: `costs/spend`, `costs/summary`, `costs/pipelines`,
 * `costs/chargeback?by=costCenter|team` (without `by`: the statement in src/router.ts), `budgets` (GET, PUT, DELETE) and `budgets/alerts`.
 */
export function createSpendRouter(options: {
  httpAuth: HttpAuthService;
  spend: SpendService;
}): express.Router {
  const { httpAuth, spend } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));
  const credentialsOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });

  router.get('/costs/spend', async (req, res) => {
    const query = parseInput(queries.spend, req.query, 'query');
    res.json(await spend.spend(await credentialsOf(req), query));
  });

  router.get('/costs/summary', async (req, res) => {
    const query = parseInput(queries.summary, req.query, 'query');
    res.json(await spend.summary(await credentialsOf(req), query));
  });

  router.get('/costs/pipelines', async (req, res) => {
    const query = parseInput(queries.pipelines, req.query, 'query');
    res.json(
      await spend.pipelines(await credentialsOf(req), {
        ...query,
        limit: query.limit ?? DEFAULT_PAGE_SIZE,
      }),
    );
  });

  router.get('/costs/chargeback', async (req, res) => {
    const query = parseInput(queries.breakdown, req.query, 'query');
    const statement = await spend.chargebackBreakdown(
      await credentialsOf(req),
      query,
    );
    if (query.format === 'csv') {
      res
        .type('text/csv')
        .attachment(
          `chargeback-${statement.organization}-${statement.month}-by-${statement.by}.csv`,
        )
        .send(breakdownCsv(statement));
      return;
    }
    res.json(statement);
  });

  router.get('/budgets', async (req, res) => {
    const query = parseInput(queries.budgets, req.query, 'query');
    res.json(await spend.budgets(await credentialsOf(req), query.organization));
  });

  router.put('/budgets', async (req, res) => {
    const body = parseInput(budgetBody, req.body, 'body');
    res.json(await spend.putBudget(await credentialsOf(req), body));
  });

  router.delete('/budgets', async (req, res) => {
    const query = parseInput(queries.budget, req.query, 'query');
    await spend.deleteBudget(await credentialsOf(req), query);
    res.status(204).end();
  });

  router.get('/budgets/alerts', async (req, res) => {
    const query = parseInput(queries.alerts, req.query, 'query');
    res.json(await spend.alerts(await credentialsOf(req), query));
  });

  return router;
}
