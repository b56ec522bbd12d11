import seedBatch from './__fixtures__/seed-batch.json';
import seedStreaming from './__fixtures__/seed-streaming.json';
import { getSourceDatasets, getTargetDataset } from './datasets';
import { PipelineSpec } from './pipelineSpec';
import { validatePipelineSpec } from './validate';

function spec(input: unknown): PipelineSpec {
  const result = validatePipelineSpec(input);
  if (!result.valid) {
    throw new Error(JSON.stringify(result.problems));
  }
  return result.spec;
}

describe('datasets', () => {
  it('describes the batch example', () => {
    const batch = spec(seedBatch);
    expect(getSourceDatasets(batch)).toEqual([
      {
        kind: 'mysql-table',
        name: 'finance-db/transactions',
        connection: 'finance-db',
        role: 'source',
      },
    ]);
    expect(getTargetDataset(batch)).toEqual({
      kind: 'iceberg-table',
      name: 'finance_catalog.analytics.daily_transactions',
      role: 'target',
    });
  });

  it('describes the streaming example', () => {
    const streaming = spec(seedStreaming);
    expect(getSourceDatasets(streaming)).toEqual([
      {
        kind: 'kafka-topic',
        name: 'user-events',
        location: 'kafka-cluster:9092',
        role: 'source',
      },
    ]);
    expect(getTargetDataset(streaming)).toEqual({
      kind: 'delta-table',
      name: 's3://finance-data-lake/streaming/user-events',
      role: 'target',
    });
  });

  it('includes the datasets of joins, each once', () => {
    const customers = {
      type: 'postgres',
      connection: 'crm',
      schema: 'public',
      table: 'customers',
    };
    const joined = spec({
      ...seedBatch,
      transformations: [
        { type: 'join', dataset: customers, keys: ['customer_id'] },
        {
          type: 'join',
          dataset: {
            type: 'file',
            path: 's3://ref-data/fx/',
            format: 'parquet',
          },
          keys: ['currency'],
        },
        {
          type: 'join',
          dataset: customers,
          keys: ['customer_id'],
          join_type: 'left',
        },
      ],
      target: { type: 'parquet', path: 'curated/transactions' },
    });
    expect(getSourceDatasets(joined)).toEqual([
      expect.objectContaining({ kind: 'mysql-table', role: 'source' }),
      {
        kind: 'postgres-table',
        name: 'crm/public.customers',
        connection: 'crm',
        role: 'join',
      },
      { kind: 's3-prefix', name: 's3://ref-data/fx/', role: 'join' },
    ]);
    expect(getTargetDataset(joined)).toEqual({
      kind: 'file-path',
      name: 'curated/transactions',
      role: 'target',
    });
  });
});
