import type { LineageGraphResponse } from '../../../api/ExploreApi';

export const MYSQL = 'dataset:mysql:finance-db/transactions';
export const DAILY =
  'dataset:iceberg:finance_catalog.analytics.daily_transactions';
export const TOTALS =
  'dataset:iceberg:finance_catalog.analytics.customer_totals';
export const DAILY_PIPELINE = 'pipeline:p-daily';
export const ENRICH_PIPELINE = 'pipeline:p-enrich';

/**
 * mysql transactions → [daily-transactions] → daily_transactions → [enrich] → customer_totals,
 * with `amount` renamed to `total` by enrich, and two hidden pipelines downstream of the totals.
 */
export function financeGraph(): LineageGraphResponse {
  return {
    root: DAILY_PIPELINE,
    nodes: [
      {
        id: DAILY_PIPELINE,
        kind: 'pipeline',
        name: 'daily-transactions',
        pipelineId: 'p-daily',
        entityRef: 'component:finance/daily-transactions',
        depth: 0,
        lastRun: { status: 'succeeded', queuedAt: '2026-11-24T02:00:00Z' },
      },
      {
        id: MYSQL,
        kind: 'mysql-table',
        name: 'finance-db/transactions',
        datasetRef: 'mysql:finance-db/transactions',
        entityRef: 'resource:finance/mysql-finance-db-transactions',
        depth: 1,
      },
      {
        id: DAILY,
        kind: 'iceberg-table',
        name: 'finance_catalog.analytics.daily_transactions',
        datasetRef: 'iceberg:finance_catalog.analytics.daily_transactions',
        entityRef:
          'resource:finance/finance_catalog.analytics.daily_transactions',
        depth: 1,
        updatedAt: '2026-11-24T01:00:00Z',
      },
      {
        id: ENRICH_PIPELINE,
        kind: 'pipeline',
        name: 'enrich',
        pipelineId: 'p-enrich',
        entityRef: 'component:finance/enrich',
        depth: 2,
        lastRun: { status: 'failed', queuedAt: '2026-11-24T03:00:00Z' },
      },
      {
        id: TOTALS,
        kind: 'iceberg-table',
        name: 'finance_catalog.analytics.customer_totals',
        datasetRef: 'iceberg:finance_catalog.analytics.customer_totals',
        entityRef: 'resource:finance/finance_catalog.analytics.customer_totals',
        depth: 2,
      },
    ],
    edges: [
      { from: MYSQL, to: DAILY_PIPELINE },
      { from: DAILY_PIPELINE, to: DAILY },
      { from: DAILY, to: ENRICH_PIPELINE },
      { from: ENRICH_PIPELINE, to: TOTALS },
    ],
    columnEdges: [
      {
        from: { node: MYSQL, column: 'amount' },
        to: { node: DAILY, column: 'amount' },
        pipelineId: 'p-daily',
        kind: 'identity',
      },
      {
        from: { node: MYSQL, column: 'customer_id' },
        to: { node: DAILY, column: 'customer_id' },
        pipelineId: 'p-daily',
        kind: 'identity',
      },
      {
        from: { node: DAILY, column: 'amount' },
        to: { node: TOTALS, column: 'total' },
        pipelineId: 'p-enrich',
        kind: 'identity',
        transformation: 'rename',
      },
      {
        from: { node: DAILY, column: 'customer_id' },
        to: { node: TOTALS, column: 'customer_id' },
        pipelineId: 'p-enrich',
        kind: 'masked',
      },
    ],
    truncated: false,
    hidden: [{ node: TOTALS, direction: 'downstream', count: 2 }],
  };
}
