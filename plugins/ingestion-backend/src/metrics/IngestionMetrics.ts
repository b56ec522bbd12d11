import type { QuotaUsage } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  metrics,
  type Counter,
  type Histogram,
  type Meter,
} from '@opentelemetry/api';

/** The meter's name, as Backstage's plugins name theirs after the plugin. */
export const INGESTION_METER = 'ingestion';

/** How a quality rule ended: passed, or breached at its severity. */
export type QualityOutcome = 'passed' | 'warn' | 'drop' | 'fail';

/** An organization's quotas and what it uses of them, for the quota gauges. */
export interface QuotaSample {
  organization: string;
  usage: QuotaUsage;
  limits: { concurrentRuns: number; dbuPerHour: number; storageGb: number };
}

const FINAL = new Set(['succeeded', 'failed', 'quality_failed', 'cancelled']);

/**
 * The plugin's OpenTelemetry instruments (see the README's "Metrics"), all with an
 * `organization` attribute. Without an SDK registered (tests, portals without OpenTelemetry)
 * the API's no-op meter makes every call free.
 */
export class IngestionMetrics {
  readonly #runs: Counter;
  readonly #duration: Histogram;
  readonly #rows: Counter;
  readonly #quality: Counter;
  readonly #cost: Counter;
  readonly #rateLimitRefusals: Counter;
  readonly #meter: Meter;

  constructor(meter: Meter = metrics.getMeter(INGESTION_METER)) {
    this.#meter = meter;
    this.#runs = meter.createCounter('ingestion.runs', {
      description: 'Runs that reached a final state, by status',
      unit: '{run}',
    });
    this.#duration = meter.createHistogram('ingestion.run.duration', {
      description:
        'Duration of finished runs, from start (or submission) to end',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [
          1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400,
        ],
      },
    });
    this.#rows = meter.createCounter('ingestion.rows.written', {
      description: 'Rows finished runs wrote to their targets',
      unit: '{row}',
    });
    this.#quality = meter.createCounter('ingestion.quality.results', {
      description: 'Quality rule results of finished runs, by outcome',
      unit: '{result}',
    });
    this.#cost = meter.createCounter('ingestion.cost', {
      description:
        'Cost recorded for finished runs (compute), in the pricing currency',
      unit: '{currency}',
    });
    this.#rateLimitRefusals = meter.createCounter(
      'ingestion.ratelimit.refusals',
      {
        description: 'API requests refused by a rate limit (HTTP 429)',
        unit: '{request}',
      },
    );
  }

  /** Counts a run that reached a final state (others are ignored), with its duration, rows and cost. */
  recordRun(run: Run, currency: string): void {
    if (!FINAL.has(run.status)) return;
    const organization = run.organization;
    this.#runs.add(1, { organization, status: run.status, engine: run.engine });
    if (run.status === 'cancelled') return;
    const began = run.startedAt ?? run.submittedAt;
    const durationMs =
      run.durationMs ??
      (began && run.finishedAt
        ? new Date(run.finishedAt).getTime() - new Date(began).getTime()
        : undefined);
    if (durationMs !== undefined && durationMs >= 0) {
      this.#duration.record(durationMs / 1000, {
        organization,
        status: run.status,
        engine: run.engine,
      });
    }
    if (run.rowsWritten) this.#rows.add(run.rowsWritten, { organization });
    if (run.cost) this.#cost.add(run.cost, { organization, currency });
  }

  /** Counts quality results of a run by outcome. */
  recordQuality(
    organization: string,
    outcomes: Array<{ outcome: QualityOutcome; count: number }>,
  ): void {
    for (const { outcome, count } of outcomes) {
      if (count > 0) this.#quality.add(count, { organization, outcome });
    }
  }

  /** Counts a request the rate limits refused (`organization` is `''` when unattributed). */
  recordRateLimitRefusal(organization: string | undefined, window: string) {
    this.#rateLimitRefusals.add(1, {
      organization: organization ?? '',
      window,
    });
  }

  /**
   * Observable gauges of quota usage and limits, read when the exporter collects (a scrape):
   * `ingestion.quota.usage` and `ingestion.quota.limit` with a `quota` attribute
   * (`concurrent_runs`, `dbu_per_hour`, `storage_gb`). Returns a function that stops observing.
   */
  observeQuotas(sample: () => Promise<QuotaSample[]>): () => void {
    const usage = this.#meter.createObservableGauge('ingestion.quota.usage', {
      description:
        'What an organization uses of a quota (runs, DBU in the last hour, GB stored)',
    });
    const limit = this.#meter.createObservableGauge('ingestion.quota.limit', {
      description: "An organization's quota",
    });
    const callback = async (observer: {
      observe(
        instrument: typeof usage,
        value: number,
        attributes: Record<string, string>,
      ): void;
    }) => {
      for (const { organization, usage: used, limits } of await sample()) {
        const pairs: Array<[string, number, number]> = [
          ['concurrent_runs', used.concurrentRuns, limits.concurrentRuns],
          ['dbu_per_hour', used.dbuLastHour, limits.dbuPerHour],
          ['storage_gb', used.storageGb, limits.storageGb],
        ];
        for (const [quota, value, max] of pairs) {
          observer.observe(usage, value, { organization, quota });
          observer.observe(limit, max, { organization, quota });
        }
      }
    };
    this.#meter.addBatchObservableCallback(callback, [usage, limit]);
    return () =>
      this.#meter.removeBatchObservableCallback(callback, [usage, limit]);
  }
}
