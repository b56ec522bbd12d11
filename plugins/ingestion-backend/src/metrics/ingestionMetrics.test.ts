import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import type { Knex } from 'knex';
import { applyDatabaseMigrations } from '../database/migrations';
import {
  insertPipeline,
  insertQuality,
  insertRun,
} from '../alerts/__testUtils__/alertFixtures';
import { IngestionMetrics } from './IngestionMetrics';
import { startMetrics } from './index';

/** Collects on demand, as a Prometheus scrape does. */
class InMemoryReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    });
  }
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

async function collect(reader: InMemoryReader) {
  const { resourceMetrics } = await reader.collect();
  const points = new Map<string, Array<DataPoint<unknown>>>();
  for (const scope of resourceMetrics.scopeMetrics) {
    expect(scope.scope.name).toBe('ingestion');
    for (const metric of scope.metrics) {
      points.set(
        metric.descriptor.name,
        metric.dataPoints as Array<DataPoint<unknown>>,
      );
    }
  }
  return points;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('ingestion metrics', () => {
  let knex: Knex;
  let reader: InMemoryReader;
  let metrics: IngestionMetrics;

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    await applyDatabaseMigrations(knex);
    await insertPipeline(knex, 'ingest');
    reader = new InMemoryReader();
    const provider = new MeterProvider({ readers: [reader] });
    metrics = new IngestionMetrics(provider.getMeter('ingestion'));
  }, 120_000);

  it('records finished runs, quality results, cost and quota usage per organization', async () => {
    const telemetry = startMetrics({
      knex,
      organizations: () =>
        [
          {
            id: 'finance',
            quotas: {
              databricks: { maxConcurrentJobs: 5, maxDbuPerHour: 40 },
              storage: { maxStorageGb: 500 },
            },
          },
        ] as any,
      quotas: {
        usage: async () => ({
          concurrentRuns: 2,
          dbuLastHour: 12.5,
          storageGb: 3,
        }),
      },
      currency: 'USD',
      metrics,
    });
    const run = {
      ...(await insertRun(knex, 'ingest', 'quality_failed')),
      startedAt: '2026-11-11T09:59:00.000Z',
      rowsWritten: 1200,
      cost: 0.25,
    };
    await insertQuality(knex, run, [
      { severity: 'fail', passed: false },
      { severity: 'warn', passed: false },
      { severity: 'warn', passed: true },
      { severity: 'drop', passed: true },
    ]);
    await telemetry.onRunFinished({ run });
    // A cancellation counts; a run merely queued does not.
    telemetry.onStatusChanged({ ...run, id: 'c', status: 'cancelled' });
    telemetry.onStatusChanged({ ...run, id: 'q', status: 'queued' });
    metrics.recordRateLimitRefusal('finance', 'minute');
    metrics.recordRateLimitRefusal(undefined, 'minute');

    const points = await collect(reader);
    const values = (name: string) =>
      (points.get(name) ?? []).map(p => ({
        attributes: p.attributes,
        value: p.value,
      }));
    expect(values('ingestion.runs')).toEqual(
      expect.arrayContaining([
        {
          attributes: {
            organization: 'finance',
            status: 'quality_failed',
            engine: 'local',
          },
          value: 1,
        },
        {
          attributes: {
            organization: 'finance',
            status: 'cancelled',
            engine: 'local',
          },
          value: 1,
        },
      ]),
    );
    expect(values('ingestion.runs')).toHaveLength(2);
    const duration = points.get('ingestion.run.duration')![0];
    expect((duration.value as Histogram).sum).toBe(60);
    expect(duration.attributes.organization).toBe('finance');
    expect(values('ingestion.rows.written')).toEqual([
      { attributes: { organization: 'finance' }, value: 1200 },
    ]);
    expect(values('ingestion.cost')).toEqual([
      { attributes: { organization: 'finance', currency: 'USD' }, value: 0.25 },
    ]);
    expect(values('ingestion.quality.results')).toEqual(
      expect.arrayContaining([
        {
          attributes: { organization: 'finance', outcome: 'passed' },
          value: 2,
        },
        { attributes: { organization: 'finance', outcome: 'fail' }, value: 1 },
        { attributes: { organization: 'finance', outcome: 'warn' }, value: 1 },
      ]),
    );
    expect(values('ingestion.quality.results')).toHaveLength(3);
    expect(values('ingestion.ratelimit.refusals')).toEqual(
      expect.arrayContaining([
        { attributes: { organization: 'finance', window: 'minute' }, value: 1 },
        { attributes: { organization: '', window: 'minute' }, value: 1 },
      ]),
    );
    expect(values('ingestion.quota.usage')).toEqual(
      expect.arrayContaining([
        {
          attributes: { organization: 'finance', quota: 'dbu_per_hour' },
          value: 12.5,
        },
        {
          attributes: { organization: 'finance', quota: 'concurrent_runs' },
          value: 2,
        },
      ]),
    );
    expect(values('ingestion.quota.limit')).toEqual(
      expect.arrayContaining([
        {
          attributes: { organization: 'finance', quota: 'storage_gb' },
          value: 500,
        },
      ]),
    );
    telemetry.stop();
  }, 60_000);
});
