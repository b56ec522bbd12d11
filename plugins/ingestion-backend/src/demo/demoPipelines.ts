import {
  financeTransactionsCsv,
  healthcareVisitsCsv,
  retailOrdersCsv,
  retailPageEventsJson,
} from './sampleData';

/** A demo pipeline: the sample files it reads (relative to the org's storage) and its spec. */
export interface DemoPipeline {
  organization: string;
  name: string;
  description: string;
  files: Record<string, () => string>;
  spec: Record<string, unknown>;
}

/** The demo pipelines of the embedded default, one or two per demo organization. */
export const DEMO_PIPELINES: DemoPipeline[] = [
  {
    organization: 'finance',
    name: 'daily-transactions',
    description:
      'Daily settled amount per customer, from the card transactions export',
    files: {
      'raw/transactions/transactions.csv': () => financeTransactionsCsv(),
    },
    spec: {
      pipeline_type: 'batch',
      schedule: '0 2 * * *',
      source: { type: 'file', path: 'raw/transactions/*.csv', format: 'csv' },
      transformations: [
        { type: 'filter', condition: "amount > 0 AND status <> 'refunded'" },
        {
          type: 'aggregate',
          group_by: ['customer_id', 'date'],
          aggregations: { amount: 'sum', count: 'count' },
        },
      ],
      target: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'analytics',
        table: 'daily_transactions',
      },
      data_quality: [
        {
          type: 'completeness',
          columns: ['customer_id', 'amount'],
          threshold: 0.95,
        },
      ],
    },
  },
  {
    organization: 'retail',
    name: 'orders',
    description: 'Shop orders, de-duplicated',
    files: { 'raw/orders/orders.csv': () => retailOrdersCsv() },
    spec: {
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
      transformations: [
        {
          type: 'dedupe',
          keys: ['order_id'],
          order_by: [{ column: 'ordered_at', direction: 'desc' }],
        },
        { type: 'derive', column: 'revenue', expression: 'quantity * price' },
      ],
      target: {
        type: 'iceberg',
        catalog: 'retail_catalog',
        schema: 'sales',
        table: 'orders',
      },
      data_quality: [
        { type: 'uniqueness', columns: ['order_id'] },
        {
          type: 'range',
          columns: ['quantity'],
          min: 1,
          max: 100,
          severity: 'drop',
        },
      ],
    },
  },
  {
    organization: 'retail',
    name: 'page-views-daily',
    description: 'Page events per page and event type',
    files: { 'raw/page_events/events.json': () => retailPageEventsJson() },
    spec: {
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/page_events/*.json', format: 'json' },
      transformations: [
        {
          type: 'aggregate',
          group_by: ['page', 'event_type'],
          aggregations: {
            events: 'count',
            users: { function: 'count_distinct', column: 'user_id' },
          },
        },
      ],
      target: {
        type: 'iceberg',
        catalog: 'retail_catalog',
        schema: 'web',
        table: 'page_views',
      },
    },
  },
  {
    organization: 'healthcare',
    name: 'patient-visits',
    description: 'Patient visits with identifiers masked outside production',
    files: { 'raw/visits/visits.csv': () => healthcareVisitsCsv() },
    spec: {
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/visits/*.csv', format: 'csv' },
      transformations: [
        {
          type: 'mask',
          columns: ['ssn'],
          method: 'partial',
          visible_characters: 4,
        },
        { type: 'mask', columns: ['email', 'patient_name'], method: 'hash' },
      ],
      target: {
        type: 'iceberg',
        catalog: 'healthcare_catalog',
        schema: 'clinical',
        table: 'visits',
      },
      data_quality: [
        { type: 'completeness', columns: ['visit_id', 'patient_id'] },
        {
          type: 'pattern',
          columns: ['visit_id'],
          pattern: '^V[0-9]{6}$',
          severity: 'warn',
        },
      ],
    },
  },
];
