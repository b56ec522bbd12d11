import seedBatch from '../spec/__fixtures__/seed-batch.json';
import seedStreaming from '../spec/__fixtures__/seed-streaming.json';
import type { PipelineSpec } from '../spec/pipelineSpec';
import { validatePipelineSpec } from '../spec/validate';
import { deriveColumnLineage } from './columnLineage';

function spec(input: unknown): PipelineSpec {
  const result = validatePipelineSpec(input);
  if (!result.valid) {
    throw new Error(JSON.stringify(result.problems));
  }
  return result.spec;
}

const transactions = { kind: 'mysql-table', name: 'finance-db/transactions' };
const customers = { kind: 'postgres-table', name: 'crm/public.customers' };
const withTransforms = (transformations: unknown[]) =>
  spec({ ...seedBatch, transformations });

describe('deriveColumnLineage', () => {
  it('derives the batch example: group-by columns are identity, aggregates aggregated', () => {
    const lineage = deriveColumnLineage(spec(seedBatch));
    expect(lineage.target).toEqual({
      kind: 'iceberg-table',
      name: 'finance_catalog.analytics.daily_transactions',
    });
    expect(lineage.columns).toEqual([
      {
        column: 'customer_id',
        kind: 'identity',
        inputs: [{ dataset: transactions, column: 'customer_id' }],
      },
      {
        column: 'date',
        kind: 'identity',
        inputs: [{ dataset: transactions, column: 'date' }],
      },
      {
        column: 'amount',
        kind: 'aggregated',
        inputs: [{ dataset: transactions, column: 'amount' }],
        transformation: 'sum(amount)',
      },
      {
        column: 'count',
        kind: 'aggregated',
        inputs: [],
        transformation: 'count(*)',
      },
    ]);
    expect(lineage.passthrough).toEqual({ datasets: [], excluded: [] });
    expect(lineage.indirect).toEqual(
      expect.arrayContaining([
        { type: 'filter', dataset: transactions, column: 'amount' },
        { type: 'group_by', dataset: transactions, column: 'customer_id' },
        { type: 'group_by', dataset: transactions, column: 'date' },
      ]),
    );
  });

  it('derives windowed aggregates of the streaming example', () => {
    const lineage = deriveColumnLineage(spec(seedStreaming));
    const topic = { kind: 'kafka-topic', name: 'user-events' };
    expect(lineage.columns.map(c => [c.column, c.kind])).toEqual([
      ['user_id', 'identity'],
      ['event_type', 'identity'],
      ['window_start', 'derived'],
      ['window_end', 'derived'],
      ['count', 'aggregated'],
      ['avg_value', 'aggregated'],
    ]);
    expect(lineage.columns[2].inputs).toEqual([
      { dataset: topic, column: 'timestamp' },
    ]);
    expect(lineage.indirect).toContainEqual({
      type: 'window',
      dataset: topic,
      column: 'timestamp',
    });
  });

  it('follows renames, casts, derives and masks through a select', () => {
    const lineage = deriveColumnLineage(
      withTransforms([
        { type: 'rename', columns: { amount: 'amount_eur', email: 'mail' } },
        { type: 'cast', columns: { amount_eur: 'decimal(18,2)' } },
        {
          type: 'derive',
          column: 'total',
          expression: 'amount_eur * 1.2 + fee',
        },
        { type: 'derive', column: 'customer', expression: 'customer_id' },
        { type: 'mask', columns: ['mail'], method: 'partial' },
        {
          type: 'select',
          columns: ['customer', 'amount_eur', 'total', 'mail', 'status'],
        },
      ]),
    );
    const col = (dataset: typeof transactions, column: string) => ({
      dataset,
      column,
    });
    expect(lineage.columns).toEqual([
      {
        column: 'customer',
        kind: 'identity',
        inputs: [col(transactions, 'customer_id')],
      },
      {
        column: 'amount_eur',
        kind: 'derived',
        inputs: [col(transactions, 'amount')],
        transformation: 'cast as decimal(18, 2)',
      },
      {
        column: 'total',
        kind: 'derived',
        inputs: [col(transactions, 'amount'), col(transactions, 'fee')],
        transformation: 'amount_eur * 1.2 + fee',
      },
      {
        column: 'mail',
        kind: 'masked',
        inputs: [col(transactions, 'email')],
        transformation: 'mask (partial)',
      },
      {
        column: 'status',
        kind: 'identity',
        inputs: [col(transactions, 'status')],
      },
    ]);
    expect(lineage.passthrough.datasets).toEqual([]);
  });

  it('reports pass-through columns when the schema is not known', () => {
    const lineage = deriveColumnLineage(
      withTransforms([{ type: 'rename', columns: { amount: 'value' } }]),
    );
    expect(lineage.columns).toEqual([
      {
        column: 'value',
        kind: 'identity',
        inputs: [{ dataset: transactions, column: 'amount' }],
      },
    ]);
    expect(lineage.passthrough).toEqual({
      datasets: [transactions],
      excluded: ['amount'],
    });
  });

  it('attributes joined columns to the joined dataset when schemas are known', () => {
    const lineage = deriveColumnLineage(
      withTransforms([
        {
          type: 'join',
          dataset: {
            type: 'postgres',
            connection: 'crm',
            schema: 'public',
            table: 'customers',
          },
          keys: [{ left: 'customer_id', right: 'id' }],
          join_type: 'left',
        },
        {
          type: 'derive',
          column: 'label',
          expression: "concat(name, ' ', status)",
        },
      ]),
      {
        columnsOf: dataset =>
          dataset.kind === 'mysql-table'
            ? ['customer_id', 'amount', 'status']
            : ['id', 'name', 'segment'],
        targetColumns: ['customer_id', 'amount', 'name', 'segment', 'label'],
      },
    );
    expect(
      lineage.columns.map(c => [
        c.column,
        c.kind,
        c.inputs.map(i => `${i.dataset.kind}:${i.column}`),
      ]),
    ).toEqual([
      ['customer_id', 'identity', ['mysql-table:customer_id']],
      ['amount', 'identity', ['mysql-table:amount']],
      ['name', 'identity', ['postgres-table:name']],
      ['segment', 'identity', ['postgres-table:segment']],
      ['label', 'derived', ['postgres-table:name', 'mysql-table:status']],
    ]);
    expect(lineage.indirect).toEqual(
      expect.arrayContaining([
        { type: 'join', dataset: transactions, column: 'customer_id' },
        { type: 'join', dataset: customers, column: 'id' },
      ]),
    );
  });

  it('keeps the kind of a copied column and of masked columns after an aggregate', () => {
    const lineage = deriveColumnLineage(
      withTransforms([
        { type: 'mask', columns: ['email'] },
        {
          type: 'aggregate',
          group_by: ['email'],
          aggregations: { n: { function: 'count_distinct', column: 'id' } },
        },
        { type: 'derive', column: 'n_copy', expression: 'n' },
        { type: 'dedupe', keys: ['email'], order_by: [{ column: 'n' }] },
      ]),
    );
    expect(lineage.columns.map(c => [c.column, c.kind])).toEqual([
      ['email', 'masked'],
      ['n', 'aggregated'],
      ['n_copy', 'aggregated'],
    ]);
  });
});
