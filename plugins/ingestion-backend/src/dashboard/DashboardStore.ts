import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from '../database/conditions';
import { toIso, toOptionalIso } from '../database/rows';
import {
  healthSql,
  latestRunSql,
  PIPELINE_HEALTHS,
  type PipelineHealth,
  type StaleThreshold,
} from './healthSql';

/** The pipelines a dashboard covers: the caller's readable ones of one organization. */
export interface DashboardScope {
  organizationId: string;
  filter: AccessFilter;
}

/** Server-side filters of the dashboard's pipelines table. */
export interface DashboardPipelineQuery {
  /** Part of the name (case-insensitive). */
  name?: string;
  owner?: string;
  type?: 'batch' | 'streaming';
  engine?: string;
  status?: PipelineHealth;
  /** A catalog tag of the pipeline: its type, or the kind of a dataset it reads or writes. */
  tag?: string;
  offset: number;
  limit: number;
}

export interface DashboardPipeline {
  id: string;
  name: string;
  owner: string;
  pipelineType: string;
  engine: string;
  schedule?: string;
  scheduleTimezone?: string;
  health: PipelineHealth;
  lastRun?: {
    id: string;
    status: string;
    queuedAt: string;
    finishedAt?: string;
  };
}

export interface RecentFailure {
  runId: string;
  pipelineId: string;
  pipelineName: string;
  status: string;
  queuedAt: string;
  finishedAt?: string;
  error?: string;
}

/** The catalog's tags of datasets (as the catalog module names them) → the lineage dataset kinds. */
export const TAG_DATASET_KINDS: Record<string, string[]> = {
  mysql: ['mysql-table'],
  mariadb: ['mariadb-table'],
  postgres: ['postgres-table'],
  kafka: ['kafka-topic'],
  http: ['http-api'],
  iceberg: ['iceberg-table'],
  delta: ['delta-table'],
  files: ['file-path'],
  s3: ['s3-prefix'],
};

/** Longest error summary returned for a failed run. */
const ERROR_SUMMARY_CHARS = 240;

function escapeLike(text: string): string {
  return text.toLocaleLowerCase('en-US').replace(/[\\%_]/g, c => `\\${c}`);
}

/**
 * The dashboard's aggregates, each one SQL statement over the organization's rows (indexed by
 * organization first; the latest runs through `runs_org_pipeline_idx`), limited by the caller's
 * access filter in SQL.
 */
export class DashboardStore {
  constructor(private readonly knex: Knex) {}

  /**
   * Runs the statements of `fn` with PostgreSQL's JIT off: it over-estimates the per-pipeline
   * subqueries, and compiling them costs more than running them (about half the time at 4,000
   * pipelines). Other databases run them as they are.
   */
  private async withoutJit<T>(
    fn: (tx?: Knex.Transaction) => Promise<T>,
  ): Promise<T> {
    if (!String(this.knex.client.config.client ?? '').includes('pg')) {
      return fn();
    }
    return this.knex.transaction(async tx => {
      await tx.raw('set local jit = off');
      return fn(tx);
    });
  }

  private run<T>(builder: Knex.QueryBuilder, tx?: Knex.Transaction) {
    return (tx ? builder.transacting(tx) : builder) as unknown as Promise<T>;
  }

  /** Pipelines of the scope, optionally narrowed by the table's filters (not health). */
  private pipelines(
    scope: DashboardScope,
    query: Partial<DashboardPipelineQuery> = {},
  ): Knex.QueryBuilder {
    const builder = this.knex('pipelines as p').where(
      'p.organization_id',
      scope.organizationId,
    );
    applyAccessFilter(builder, scope.filter, 'p');
    if (query.name) {
      builder.whereRaw(`lower(p.name) like ? escape '\\'`, [
        `%${escapeLike(query.name)}%`,
      ]);
    }
    if (query.owner) {
      builder.where('p.owner', query.owner.toLocaleLowerCase('en-US'));
    }
    if (query.type) builder.where('p.pipeline_type', query.type);
    if (query.engine) builder.where('p.engine', query.engine);
    if (query.tag) {
      const tag = query.tag.toLocaleLowerCase('en-US');
      if (tag === 'batch' || tag === 'streaming') {
        builder.where('p.pipeline_type', tag);
      } else if (tag !== 'data-pipeline') {
        const kinds = TAG_DATASET_KINDS[tag];
        if (!kinds) {
          builder.whereRaw('1 = 0');
        } else {
          builder.whereExists(
            this.knex('lineage_edges as e')
              .select(this.knex.raw('1'))
              .whereRaw('e.organization_id = p.organization_id')
              .whereRaw('e.pipeline_id = p.id')
              .whereIn('e.dataset_kind', kinds),
          );
        }
      }
    }
    return builder;
  }

  /** The distinct schedules of the organization's scheduled pipelines. */
  async schedules(
    scope: DashboardScope,
  ): Promise<Array<{ schedule: string; timezone: string }>> {
    const rows = (await this.pipelines(scope)
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
    const inner = this.pipelines(scope).select(
      this.knex.raw('? as health', [healthSql(this.knex, thresholds)]),
    );
    const rows = await this.withoutJit(tx =>
      this.run<Array<{ health: string; n: number | string }>>(
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
   * run ids come from one backwards walk of `quality_org_pipeline_idx` per pipeline, their
   * results through `quality_org_run_idx` (never the organization's whole result history).
   */
  async latestChecks(
    scope: DashboardScope,
  ): Promise<Array<{ severity: string; passed: boolean; count: number }>> {
    const latestRuns = this.pipelines(scope).select(
      this.knex.raw(
        `(select q2.run_id from quality_results q2 where q2.organization_id = p.organization_id and q2.pipeline_id = p.id order by q2.created_at desc, q2.id desc limit 1)`,
      ),
    );
    const rows = await this.withoutJit(tx =>
      this.run<
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
      builder.select(
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
        .from(withHealth(this.pipelines(scope, query)).as('h'))
        .where('h.health', query.status);
      const page = await this.withoutJit(tx =>
        this.run<Array<PipelineRow & { total_count: number | string }>>(
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
        const [count] = await this.withoutJit(tx =>
          this.run<Array<{ n: number | string }>>(
            filtered.clone().count({ n: '*' }),
            tx,
          ),
        );
        totalCount = Number(count.n);
      }
    } else {
      const [count] = (await this.pipelines(scope, query).count({
        n: '*',
      })) as Array<{ n: number | string }>;
      totalCount = Number(count.n);
      const ids = (
        (await this.pipelines(scope, query)
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
        this.knex.raw(`${latestRunSql('id', false)} as run_id`),
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
