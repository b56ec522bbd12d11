import type { RecentFailure } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { applyAccessFilter } from '../database/conditions';
import { toIso } from '../database/rows';
import {
  DashboardPipelinesStore,
  type DashboardPipeline,
} from './DashboardPipelinesStore';
import {
  healthSql,
  PIPELINE_HEALTHS,
  type PipelineHealth,
  type StaleThreshold,
  withRunSummary,
} from './healthSql';
import {
  DashboardQueries,
  type DashboardPipelineQuery,
  type DashboardScope,
} from './pipelineQueries';

export type { DashboardPipeline } from './DashboardPipelinesStore';
export type { DashboardPipelineQuery, DashboardScope } from './pipelineQueries';
export { TAG_DATASET_KINDS } from './pipelineQueries';

export type { RecentFailure };

/** Longest error summary returned for a failed run. */
const ERROR_SUMMARY_CHARS = 240;

/**
 * The dashboard's aggregates, each one SQL statement over the organization's rows (indexed by
 * organization first; the latest runs through `runs_org_pipeline_idx`), limited by the caller's
 * access filter in SQL.
 */
export class DashboardStore {
  private readonly queries: DashboardQueries;
  private readonly table: DashboardPipelinesStore;

  constructor(private readonly knex: Knex) {
    this.queries = new DashboardQueries(knex);
    this.table = new DashboardPipelinesStore(this.queries);
  }

  /** The distinct schedules of the organization's scheduled pipelines. */
  async schedules(
    scope: DashboardScope,
  ): Promise<Array<{ schedule: string; timezone: string }>> {
    const rows = (await this.queries
      .pipelines(scope)
      .whereNotNull('p.schedule')
      .distinct(
        'p.schedule',
        this.knex.raw(`coalesce(p.schedule_timezone, 'UTC') as timezone`),
      )) as Array<{ schedule: string; timezone: string }>;
    return rows;
  }

  /** How many pipelines have each health. */
  async healthCounts(
    scope: DashboardScope,
    thresholds: StaleThreshold[],
  ): Promise<Record<PipelineHealth, number>> {
    const inner = withRunSummary(this.queries.pipelines(scope)).select(
      this.knex.raw('? as health', [healthSql(this.knex, thresholds)]),
    );
    const rows = await this.queries.withoutJit(tx =>
      this.queries.run<Array<{ health: string; n: number | string }>>(
        this.knex
          .from(inner.as('h'))
          .select('h.health')
          .count({ n: '*' })
          .groupBy('h.health'),
        tx,
      ),
    );
    const counts = Object.fromEntries(
      PIPELINE_HEALTHS.map(h => [h, 0]),
    ) as Record<PipelineHealth, number>;
    for (const row of rows) {
      counts[row.health as PipelineHealth] = Number(row.n);
    }
    return counts;
  }

  /**
   * The rules of each pipeline's latest checked run, counted by severity and outcome: the latest
   * run ids come from the pipelines' run summaries, their results through `quality_org_run_idx`
   * (never the organization's whole result history).
   */
  async latestChecks(
    scope: DashboardScope,
  ): Promise<Array<{ severity: string; passed: boolean; count: number }>> {
    const latestRuns = withRunSummary(this.queries.pipelines(scope))
      .whereNotNull('s.latest_checked_run_id')
      .select('s.latest_checked_run_id');
    const rows = await this.queries.withoutJit(tx =>
      this.queries.run<
        Array<{
          severity: string;
          passed: boolean | number;
          n: number | string;
        }>
      >(
        this.knex('quality_results as q')
          .where('q.organization_id', scope.organizationId)
          .whereIn('q.run_id', latestRuns)
          .select('q.severity', 'q.passed')
          .count({ n: '*' })
          .groupBy('q.severity', 'q.passed'),
        tx,
      ),
    );
    return rows.map(row => ({
      severity: row.severity,
      passed: Boolean(row.passed),
      count: Number(row.n),
    }));
  }

  /** Runs queued since `since`, by status. */
  async runsSince(
    scope: DashboardScope,
    since: Date,
  ): Promise<Array<{ status: string; count: number }>> {
    const builder = this.knex('runs as r')
      .join('pipelines as p', 'p.id', 'r.pipeline_id')
      .where('r.organization_id', scope.organizationId)
      .where('r.queued_at', '>=', since)
      .select('r.status')
      .count({ n: '*' })
      .groupBy('r.status');
    applyAccessFilter(builder, scope.filter, 'p');
    const rows = (await builder) as Array<{
      status: string;
      n: number | string;
    }>;
    return rows.map(row => ({ status: row.status, count: Number(row.n) }));
  }

  /** The latest failed runs (failed or quality_failed), newest first. */
  async recentFailures(
    scope: DashboardScope,
    limit: number,
  ): Promise<RecentFailure[]> {
    const builder = this.knex('runs as r')
      .join('pipelines as p', 'p.id', 'r.pipeline_id')
      .where('r.organization_id', scope.organizationId)
      .whereIn('r.status', ['failed', 'quality_failed'])
      .orderBy('r.queued_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(limit)
      .select(
        'r.id',
        'r.pipeline_id',
        'p.name',
        'r.status',
        'r.queued_at',
        'r.finished_at',
        'r.error_message',
      );
    applyAccessFilter(builder, scope.filter, 'p');
    const rows = (await builder) as Array<{
      id: string;
      pipeline_id: string;
      name: string;
      status: string;
      queued_at: Date | string | number;
      finished_at: Date | string | number | null;
      error_message: string | null;
    }>;
    return rows.map(row => {
      const error = row.error_message?.trim();
      return {
        runId: row.id,
        pipelineId: row.pipeline_id,
        pipelineName: row.name,
        status: row.status,
        queuedAt: toIso(row.queued_at),
        ...(row.finished_at ? { finishedAt: toIso(row.finished_at) } : {}),
        ...(error
          ? {
              error:
                error.length > ERROR_SUMMARY_CHARS
                  ? `${error.slice(0, ERROR_SUMMARY_CHARS - 1)}…`
                  : error,
            }
          : {}),
      };
    });
  }

  /** A page of the pipelines table (see {@link DashboardPipelinesStore}). */
  listPipelines(
    scope: DashboardScope,
    query: DashboardPipelineQuery,
    thresholds: StaleThreshold[],
  ): Promise<{ items: DashboardPipeline[]; totalCount: number }> {
    return this.table.listPipelines(scope, query, thresholds);
  }
}
