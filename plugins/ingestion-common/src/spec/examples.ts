/**
 * The product brief's two example configurations, as written there: the reference pipelines that
 * documentation, examples and tests across the packages start from. Functions, so that each
 * caller gets its own copy to change.
 */

/** Batch: MySQL transactions, incremental by `updated_at`, into Iceberg daily totals per customer. */
export function briefBatchExample(table = 'daily_transactions') {
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

/** Streaming: Kafka user events in 5-minute tumbling windows into a Delta table. */
export function briefStreamingExample() {
  return {
    pipeline_type: 'streaming',
    source: {
      type: 'kafka',
      bootstrap_servers: 'kafka-cluster:9092',
      topic: 'user-events',
      consumer_group: 'finance-analytics',
    },
    transformations: [
      { type: 'window', window_type: 'tumbling', duration: '5 minutes' },
      {
        type: 'aggregate',
        group_by: ['user_id', 'event_type'],
        aggregations: { count: 'count', avg_value: 'avg' },
      },
    ],
    target: {
      type: 'delta',
      path: 's3://finance-data-lake/streaming/user-events',
      mode: 'append',
      output_mode: 'update',
    },
  };
}
