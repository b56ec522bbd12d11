import type {
  BudgetStatus,
  SpendSeries,
  SpendSummary,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { CostsApi } from '../../../api/CostsApi';

/**
 * A {@link CostsApi} for tests: anything a test did not override fails loudly, so a test never
 * passes on a call it did not expect.
 */
export function mockCostsApi(overrides: Partial<CostsApi> = {}): CostsApi {
  const unexpected = (name: string) => async () => {
    throw new Error(`CostsApi.${name} was not expected in this test`);
  };
  return {
    getSpend: unexpected('getSpend'),
    getSummary: unexpected('getSummary'),
    listPipelineSpend: unexpected('listPipelineSpend'),
    getChargeback: unexpected('getChargeback'),
    getChargebackCsv: unexpected('getChargebackCsv'),
    listBudgets: unexpected('listBudgets'),
    putBudget: unexpected('putBudget'),
    deleteBudget: unexpected('deleteBudget'),
    listBudgetAlerts: unexpected('listBudgetAlerts'),
    ...overrides,
  };
}

/** `YYYY-MM` of the month `offset` months from now (UTC, like the cost records). */
export function monthFromNow(offset: number, now = new Date()): string {
  const d = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1),
  );
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(
    2,
    '0',
  )}`;
}

export const financeBudget: BudgetStatus = {
  monthly: 5000,
  thresholds: [0.5, 0.8, 1],
  origin: 'configured',
  spent: 1250,
  forecast: 3100,
  progress: 0.25,
  forecastProgress: 0.62,
};

/** A team's card: six months of trend, two services, two pipelines. */
export function summary(overrides: Partial<SpendSummary> = {}): SpendSummary {
  return {
    organization: 'finance',
    team: 'group:default/finance',
    currency: 'USD',
    month: monthFromNow(0),
    monthToDate: 1250.5,
    forecast: 3100,
    budget: financeBudget,
    trend: [-5, -4, -3, -2, -1, 0].map(offset => ({
      month: monthFromNow(offset),
      amount: offset === 0 ? 1250.5 : 2000 + offset,
    })),
    byService: [
      { service: 'compute', amount: 1000.25 },
      { service: 'storage', amount: 250.25 },
    ],
    topPipelines: [
      { id: 'p-1', name: 'daily-transactions', amount: 800.5 },
      { id: 'p-2', name: 'ledger-sync', amount: 200 },
    ],
    ...overrides,
  };
}

/** Spend of finance by service over two days. */
export function series(overrides: Partial<SpendSeries> = {}): SpendSeries {
  return {
    organization: 'finance',
    currency: 'USD',
    from: '2026-11-08',
    to: '2026-12-07',
    granularity: 'day',
    groupBy: 'service',
    total: 30,
    keys: [
      { key: 'compute', label: 'compute', amount: 20 },
      { key: 'storage', label: 'storage', amount: 10 },
    ],
    points: [
      { period: '2026-12-06', key: 'compute', amount: 12 },
      { period: '2026-12-06', key: 'storage', amount: 5 },
      { period: '2026-12-07', key: 'compute', amount: 8 },
      { period: '2026-12-07', key: 'storage', amount: 5 },
    ],
    ...overrides,
  };
}
