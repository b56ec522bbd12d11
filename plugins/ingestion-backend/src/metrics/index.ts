import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { IngestionMetrics, type QualityOutcome } from './IngestionMetrics';

export { IngestionMetrics, INGESTION_METER } from './IngestionMetrics';
export type { QualityOutcome, QuotaSample } from './IngestionMetrics';

/** A run's quality results counted by outcome (passed, or breached at warn, drop, fail). */
export async function qualityOutcomes(
  knex: Knex,
  organizationId: string,
  runId: string,
): Promise<Array<{ outcome: QualityOutcome; count: number }>> {
  const rows: Array<{
    passed: boolean | number;
    severity: string;
    count: number | string;
  }> = await knex('quality_results')
    .where({ organization_id: organizationId, run_id: runId })
    .groupBy('passed', 'severity')
    .select('passed', 'severity')
    .count({ count: '*' });
  const counts = new Map<QualityOutcome, number>();
  for (const row of rows) {
    const outcome: QualityOutcome = row.passed
      ? 'passed'
      : (row.severity as QualityOutcome);
    counts.set(outcome, (counts.get(outcome) ?? 0) + Number(row.count));
  }
  return [...counts].map(([outcome, count]) => ({ outcome, count }));
}

/**
 * The plugin's metrics wired to what happens: finished runs (status, duration, rows, cost,
 * quality results), runs cancelled, and quota usage observed at each collection.
 */
export function startMetrics(options: {
  knex: Knex;
  organizations: () => readonly OrganizationConfig[];
  quotas: {
    usage(organizationId: string): Promise<{
      concurrentRuns: number;
      dbuLastHour: number;
      storageGb: number;
    }>;
  };
  currency: string;
  metrics?: IngestionMetrics;
}) {
  const metrics = options.metrics ?? new IngestionMetrics();
  const stop = metrics.observeQuotas(async () =>
    Promise.all(
      options.organizations().map(async organization => ({
        organization: organization.id,
        usage: await options.quotas.usage(organization.id),
        limits: {
          concurrentRuns: organization.quotas.databricks.maxConcurrentJobs,
          dbuPerHour: organization.quotas.databricks.maxDbuPerHour,
          storageGb: organization.quotas.storage.maxStorageGb,
        },
      })),
    ),
  );
  return {
    metrics,
    stop,
    /** The run finisher's listener. */
    onRunFinished: async (event: { run: Run }) => {
      metrics.recordRun(event.run, options.currency);
      metrics.recordQuality(
        event.run.organization,
        await qualityOutcomes(
          options.knex,
          event.run.organization,
          event.run.id,
        ),
      );
    },
    /** Status changes outside the finisher (a cancellation is final too). */
    onStatusChanged: (run: Run) => metrics.recordRun(run, options.currency),
  };
}
