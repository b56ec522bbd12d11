import type { DashboardPipeline } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { toIso, toOptionalIso } from '../database/rows';
import {
  healthSql,
  latestRunSql,
  type PipelineHealth,
  withRunSummary,
  type StaleThreshold,
} from './healthSql';
import type {
  DashboardPipelineQuery,
  DashboardQueries,
  DashboardScope,
} from './pipelineQueries';

export type { DashboardPipeline };

/** The dashboard's pipelines table: a page of pipelines with health and latest run. */
export class DashboardPipelinesStore {
  constructor(private readonly queries: DashboardQueries) {}

  private get knex(): Knex {
    return this.queries.knex;
  }

  /**
   * A page of pipelines by name with their health and latest run. Without a health filter only
   * the page's pipelines get their health computed; with one, every filtered pipeline does.
   */
  async listPipelines(
    scope: DashboardScope,
    query: DashboardPipelineQuery,
    thresholds: StaleThreshold[],
  ): Promise<{ items: DashboardPipeline[]; totalCount: number }> {
    const withHealth = (builder: Knex.QueryBuilder) =>
      withRunSummary(builder).select(
        'p.id',
        'p.name',
        'p.owner',
        'p.pipeline_type',
        'p.engine',
        'p.schedule',
        'p.schedule_timezone',
        this.knex.raw('? as health', [healthSql(this.knex, thresholds)]),
      );
    let rows: PipelineRow[];
    let totalCount: number;
    if (query.status) {
      // Health is computed once per pipeline: the page and the total in one statement.
      const filtered = this.knex
        .from(withHealth(this.queries.pipelines(scope, query)).as('h'))
        .where('h.health', query.status);
      const page = await this.queries.withoutJit(tx =>
        this.queries.run<Array<PipelineRow & { total_count: number | string }>>(
          filtered
            .clone()
            .select('h.*', this.knex.raw('count(*) over () as total_count'))
            .orderBy('h.name')
            .orderBy('h.id')
            .offset(query.offset)
            .limit(query.limit),
          tx,
        ),
      );
      rows = page;
      if (page.length > 0) {
        totalCount = Number(page[0].total_count);
      } else if (query.offset === 0) {
        totalCount = 0;
      } else {
        const [count] = await this.queries.withoutJit(tx =>
          this.queries.run<Array<{ n: number | string }>>(
            filtered.clone().count({ n: '*' }),
            tx,
          ),
        );
        totalCount = Number(count.n);
      }
    } else {
      const [count] = (await this.queries.pipelines(scope, query).count({
        n: '*',
      })) as Array<{ n: number | string }>;
      totalCount = Number(count.n);
      const ids = (
        (await this.queries
          .pipelines(scope, query)
          .select('p.id')
          .orderBy('p.name')
          .orderBy('p.id')
          .offset(query.offset)
          .limit(query.limit)) as Array<{ id: string }>
      ).map(r => r.id);
      rows =
        ids.length === 0
          ? []
          : ((await withHealth(
              this.knex('pipelines as p')
                .where('p.organization_id', scope.organizationId)
                .whereIn('p.id', ids),
            )
              .orderBy('p.name')
              .orderBy('p.id')) as PipelineRow[]);
    }
    const lastRuns = await this.latestRuns(
      scope.organizationId,
      rows.map(r => r.id),
    );
    return {
      items: rows.map(row => toPipeline(row, lastRuns.get(row.id))),
      totalCount,
    };
  }

  /** The latest run of each of these pipelines (a page's), by pipeline id. */
  private async latestRuns(
    organizationId: string,
    pipelineIds: string[],
  ): Promise<Map<string, RunRow>> {
    if (pipelineIds.length === 0) return new Map();
    const latest = (await this.knex('pipelines as p')
      .where('p.organization_id', organizationId)
      .whereIn('p.id', pipelineIds)
      .select(
        'p.id',
        this.knex.raw(`${latestRunSql('id')} as run_id`),
      )) as Array<{ id: string; run_id: string | null }>;
    const runIds = latest.flatMap(r => (r.run_id ? [r.run_id] : []));
    if (runIds.length === 0) return new Map();
    const runs = (await this.knex('runs')
      .where('organization_id', organizationId)
      .whereIn('id', runIds)
      .select(
        'id',
        'pipeline_id',
        'status',
        'queued_at',
        'finished_at',
      )) as RunRow[];
    return new Map(runs.map(run => [run.pipeline_id, run]));
  }
}

type RunRow = {
  id: string;
  pipeline_id: string;
  status: string;
  queued_at: Date | string | number;
  finished_at: Date | string | number | null;
};

type PipelineRow = {
  id: string;
  name: string;
  owner: string;
  pipeline_type: string;
  engine: string;
  schedule: string | null;
  schedule_timezone: string | null;
  health: string;
};

function toPipeline(row: PipelineRow, run?: RunRow): DashboardPipeline {
  return {
    id: row.id,
    name: row.name,
    owner: row.owner,
    pipelineType: row.pipeline_type,
    engine: row.engine,
    ...(row.schedule
      ? {
          schedule: row.schedule,
          scheduleTimezone: row.schedule_timezone ?? 'UTC',
        }
      : {}),
    health: row.health as PipelineHealth,
    ...(run
      ? {
          lastRun: {
            id: run.id,
            status: run.status,
            queuedAt: toIso(run.queued_at),
            ...(run.finished_at
              ? { finishedAt: toOptionalIso(run.finished_at) }
              : {}),
          },
        }
      : {}),
  };
}
