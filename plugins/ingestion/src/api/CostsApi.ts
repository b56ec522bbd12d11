import {
  createApiRef,
  type DiscoveryApi,
  type FetchApi,
} from '@backstage/frontend-plugin-api';
import type {
  BudgetAlert,
  BudgetList,
  BudgetStatus,
  BudgetUpdate,
  ChargebackBreakdown,
  Page,
  PipelineSpend,
  SpendGranularity,
  SpendSeries,
  SpendSummary,
  SpendTag,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { IngestionHttp } from './IngestionHttp';

/** Whose spend: an organization, or one of its teams (a group ref; its sub-groups included). */
export interface SpendScope {
  organization: string;
  team?: string;
}

/** How a chargeback is broken down. */
export type ChargebackBy = ChargebackBreakdown['by'];

/**
 * Client of the ingestion backend's spend routes (`/api/ingestion/v1/costs/*` and
 * `/v1/budgets`). Every call needs `ingestion.cost.read` in the organization (admins, engineers,
 * analysts); another organization's spend answers 404. Setting and removing budgets needs
 * `ingestion.budget.manage` (admins).
 *
 * @public
 */
export interface CostsApi {
  /** Spend by period (day, ISO week or month) and tag value. Dates are `YYYY-MM-DD`. */
  getSpend(
    query: SpendScope & {
      from?: string;
      to?: string;
      granularity?: SpendGranularity;
      groupBy?: SpendTag;
    },
  ): Promise<SpendSeries>;
  /** Everything a cost card shows: month to date, forecast, budget, trend, by service, top pipelines. */
  getSummary(query: SpendScope): Promise<SpendSummary>;
  /** A month's cost, runs, cost per run and per good row of each pipeline, by name, a page at a time. */
  listPipelineSpend(
    query: SpendScope & { month?: string; cursor?: string; limit?: number },
  ): Promise<Page<PipelineSpend>>;
  /** The month's (`YYYY-MM`) chargeback by cost center or team, per service. */
  getChargeback(query: {
    organization: string;
    month: string;
    by: ChargebackBy;
  }): Promise<ChargebackBreakdown>;
  /** The same chargeback as CSV (ends with a `TOTAL` line). */
  getChargebackCsv(query: {
    organization: string;
    month: string;
    by: ChargebackBy;
  }): Promise<string>;
  listBudgets(organization: string): Promise<BudgetList>;
  putBudget(update: BudgetUpdate): Promise<BudgetStatus>;
  deleteBudget(scope: SpendScope): Promise<void>;
  /** Thresholds crossed, newest month first. `from` is a `YYYY-MM-DD` date. */
  listBudgetAlerts(
    query: SpendScope & { from?: string },
  ): Promise<{ items: BudgetAlert[] }>;
}

/** @public */
export const costsApiRef = createApiRef<CostsApi>({
  id: 'plugin.ingestion.costs',
});

/**
 * The default {@link CostsApi}, on the transport every ingestion client shares.
 *
 * @public
 */
export class CostsClient implements CostsApi {
  private readonly http: IngestionHttp;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.http = new IngestionHttp(options);
  }

  getSpend(
    query: SpendScope & {
      from?: string;
      to?: string;
      granularity?: SpendGranularity;
      groupBy?: SpendTag;
    },
  ): Promise<SpendSeries> {
    return this.http.get('/costs/spend', { ...query });
  }

  getSummary(query: SpendScope): Promise<SpendSummary> {
    return this.http.get('/costs/summary', { ...query });
  }

  listPipelineSpend(
    query: SpendScope & { month?: string; cursor?: string; limit?: number },
  ): Promise<Page<PipelineSpend>> {
    return this.http.get('/costs/pipelines', { ...query });
  }

  getChargeback(query: {
    organization: string;
    month: string;
    by: ChargebackBy;
  }): Promise<ChargebackBreakdown> {
    return this.http.get('/costs/chargeback', { ...query, format: 'json' });
  }

  getChargebackCsv(query: {
    organization: string;
    month: string;
    by: ChargebackBy;
  }): Promise<string> {
    return this.http.getText('/costs/chargeback', { ...query, format: 'csv' });
  }

  listBudgets(organization: string): Promise<BudgetList> {
    return this.http.get('/budgets', { organization });
  }

  putBudget(update: BudgetUpdate): Promise<BudgetStatus> {
    return this.http.put('/budgets', update);
  }

  deleteBudget(scope: SpendScope): Promise<void> {
    return this.http.delete('/budgets', { ...scope });
  }

  listBudgetAlerts(
    query: SpendScope & { from?: string },
  ): Promise<{ items: BudgetAlert[] }> {
    return this.http.get('/budgets/alerts', { ...query });
  }
}
