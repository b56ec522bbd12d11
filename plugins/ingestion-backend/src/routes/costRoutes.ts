import type { CostGroupBy } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { CostEstimateService } from '../service/CostEstimateService';
import { chargebackCsv, type CostsService } from '../service/CostsService';
import type { RouteContext } from './routeContext';

/** `/v1/costs`, `/v1/costs/estimate` and `/v1/costs/chargeback` by pipeline (the spend routes answer the rest). */
export function registerCostRoutes(
  route: RouteContext,
  options: { costs: CostsService; costEstimates: CostEstimateService },
): void {
  const { api, params, credentialsOf } = route;
  api.get('/v1/costs', async (req, res) => {
    res.json(
      await options.costs.report(await credentialsOf(req), {
        organization: params(req).organization!,
        groupBy: (params(req).groupBy ?? 'pipeline') as CostGroupBy,
        from: params(req).from,
        to: params(req).to,
      }),
    );
  });

  api.post('/v1/costs/estimate', async (req, res) => {
    res.json(
      await options.costEstimates.estimate(await credentialsOf(req), req.body),
    );
  });

  api.get('/v1/costs/chargeback', async (req, res, next) => {
    // By cost center or team: the spend routes (src/costs/router.ts) answer.
    if (params(req).by !== undefined) {
      next();
      return;
    }
    const statement = await options.costs.chargeback(await credentialsOf(req), {
      organization: params(req).organization!,
      month: params(req).month!,
    });
    if (params(req).format === 'csv') {
      res
        .type('text/csv')
        .attachment(
          `chargeback-${statement.organization}-${statement.month}.csv`,
        )
        .send(chargebackCsv(statement));
      return;
    }
    res.json(statement);
  });
}
