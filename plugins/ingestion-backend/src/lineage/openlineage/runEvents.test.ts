import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { batchSpec } from '../../__testUtils__/specs';
import { buildRunEvents, openLineageName } from './runEvents';

const spec = (input: unknown): PipelineSpec => {
  const result = validatePipelineSpec(input);
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  return result.spec;
};

const base = {
  producer: 'https://portal.example/api/ingestion',
  jobNamespace: 'ingestion.finance',
  pipeline: { id: 'p1', name: 'daily-transactions' },
  spec: spec(batchSpec()),
};
const run = {
  id: '0f8fad5b-d9cb-469f-a165-70867728950e',
  engine: 'local',
  queuedAt: '2026-01-01T00:00:00.000Z',
  submittedAt: '2026-01-01T00:00:01.000Z',
  startedAt: '2026-01-01T00:00:02.000Z',
  finishedAt: '2026-01-01T00:01:00.000Z',
};

describe('buildRunEvents', () => {
  it('describes a successful run with START and COMPLETE and its facets', () => {
    const events = buildRunEvents({
      ...base,
      run: { ...run, status: 'succeeded', rowsWritten: 3, bytesWritten: 2048 },
      quality: [
        {
          ruleType: 'completeness',
          columns: ['customer_id', 'amount'],
          passed: true,
          severity: 'warn',
        },
      ],
      schemas: new Map([
        [
          'iceberg:finance_catalog.analytics.daily_transactions',
          [
            { name: 'customer_id', type: 'string' },
            { name: 'date', type: 'date' },
            { name: 'amount', type: 'decimal(18,2)' },
            { name: 'count', type: 'long' },
          ],
        ],
      ]),
    });
    expect(events.map(e => [e.eventType, e.eventTime])).toEqual([
      ['START', run.startedAt],
      ['COMPLETE', run.finishedAt],
    ]);
    const complete = events[1];
    expect(complete).toMatchObject({
      producer: base.producer,
      schemaURL:
        'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: { runId: run.id },
      job: {
        namespace: 'ingestion.finance',
        name: 'daily-transactions',
        facets: { jobType: { processingType: 'BATCH' } },
      },
      inputs: [{ namespace: 'mysql://finance-db', name: 'transactions' }],
      outputs: [
        {
          namespace: 'iceberg://finance_catalog',
          name: 'analytics.daily_transactions',
          outputFacets: { outputStatistics: { rowCount: 3, size: 2048 } },
        },
      ],
    });
    const facets = complete.outputs[0].facets!;
    expect(facets.schema.fields).toHaveLength(4);
    expect((facets.columnLineage.fields as any).amount).toEqual({
      inputFields: [
        {
          namespace: 'mysql://finance-db',
          name: 'transactions',
          field: 'amount',
          transformations: [
            {
              type: 'DIRECT',
              subtype: 'AGGREGATION',
              description: 'sum(amount)',
              masking: false,
            },
          ],
        },
      ],
    });
    expect(facets.columnLineage.dataset).toContainEqual({
      namespace: 'mysql://finance-db',
      name: 'transactions',
      field: 'amount',
      transformations: [
        { type: 'INDIRECT', subtype: 'FILTER', masking: false },
      ],
    });
    expect(facets.dataQualityAssertions.assertions).toEqual([
      {
        assertion: 'completeness',
        success: true,
        column: 'customer_id',
        severity: 'warn',
      },
      {
        assertion: 'completeness',
        success: true,
        column: 'amount',
        severity: 'warn',
      },
    ]);
    for (const facet of [
      ...Object.values(facets),
      ...Object.values(complete.run.facets!),
      ...Object.values(complete.job.facets!),
    ]) {
      expect(facet._producer).toBe(base.producer);
      expect(facet._schemaURL).toMatch(
        /^https:\/\/openlineage\.io\/spec\/facets\//,
      );
    }
  });

  it('ends failed runs with FAIL and the error, cancelled ones with ABORT', () => {
    const failed = buildRunEvents({
      ...base,
      run: {
        ...run,
        status: 'quality_failed',
        errorMessage: 'completeness 0.5 < 0.95',
      },
    });
    expect(failed.map(e => e.eventType)).toEqual(['START', 'FAIL']);
    expect(failed[1].run.facets!.errorMessage).toMatchObject({
      message: 'completeness 0.5 < 0.95',
    });
    expect(failed[1].outputs[0].outputFacets).toBeUndefined();
    expect(
      buildRunEvents({ ...base, run: { ...run, status: 'cancelled' } }).map(
        e => e.eventType,
      ),
    ).toEqual(['START', 'ABORT']);
    expect(
      buildRunEvents({
        ...base,
        run: {
          id: run.id,
          engine: 'local',
          queuedAt: run.queuedAt,
          status: 'queued',
        },
      }),
    ).toEqual([]);
  });

  it('names datasets by the OpenLineage naming conventions', () => {
    expect(
      openLineageName({ kind: 'postgres-table', name: 'crm/public.customers' }),
    ).toEqual({ namespace: 'postgres://crm', name: 'public.customers' });
    expect(
      openLineageName({
        kind: 'kafka-topic',
        name: 'user-events',
        location: 'kafka-1:9092,kafka-2:9092',
      }),
    ).toEqual({ namespace: 'kafka://kafka-1:9092', name: 'user-events' });
    expect(
      openLineageName({ kind: 's3-prefix', name: 's3://lake/raw/orders/' }),
    ).toEqual({ namespace: 's3://lake', name: 'raw/orders/' });
    expect(
      openLineageName({
        kind: 'http-api',
        name: 'https://api.example.com/v1/items?x=1',
      }),
    ).toEqual({ namespace: 'https://api.example.com', name: '/v1/items?x=1' });
    expect(
      openLineageName({ kind: 'file-path', name: 'raw/orders/*.csv' }),
    ).toEqual({ namespace: 'file', name: 'raw/orders/*.csv' });
  });
});
