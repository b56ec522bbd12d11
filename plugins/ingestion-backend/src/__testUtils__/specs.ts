/** The product brief's batch example (MySQL → Iceberg), as a spec the API accepts. */
export function batchSpec(table = 'daily_transactions') {
  return {
    pipeline_type: 'batch',
    schedule: '0 2 * * *',
    source: {
      type: 'mysql',
      connection: 'finance-db',
      table: 'transactions',
      incremental_column: 'updated_at',
    },
    transformations: [
      { type: 'filter', condition: 'amount > 0' },
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
      table,
    },
    data_quality: [
      {
        type: 'completeness',
        columns: ['customer_id', 'amount'],
        threshold: 0.95,
      },
    ],
  };
}
