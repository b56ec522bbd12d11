import type { Knex } from 'knex';
import { applyAccessFilter, type AccessFilter } from '../database/conditions';
import { toIso, toOptionalNumber, toOptionalString } from '../database/rows';

/** Which quality results a score is computed over. */
export interface QualityScope {
  filter: AccessFilter;
  /** Only these pipelines' results (a pipeline, or the pipelines writing a table). */
  pipelineIds?: string[];
  /** Results checked at or after this instant. */
  from: Date;
  /** Results checked before this instant. */
  to: Date;
}

/** Checks of one day, severity and outcome. */
export interface DailyChecks {
  day: string;
  severity: string;
  passed: boolean;
  count: number;
}

/** One rule's outcome in a pipeline's latest checked run. */
export interface LatestCheck {
  id: string;
  runId: string;
  pipelineId: string;
  pipelineName: string;
  ruleIndex: number;
  ruleType: string;
  columns: string[];
  severity: string;
  threshold?: number;
  observed?: number;
  passed: boolean;
  failedRows?: number;
  message?: string;
  checkedAt: string;
}

type LatestRow = {
  id: number | string;
  run_id: string;
  pipeline_id: string;
  pipeline_name: string;
  rule_index: number;
  rule_type: string;
  columns: string;
  severity: string;
  threshold: number | null;
  observed: number | null;
  passed: boolean | number;
  failed_rows: number | string | null;
  message: string | null;
  created_at: Date | number | string;
};

/** The day (`YYYY-MM-DD`, UTC) of `quality_results.created_at`, in each database's SQL. */
function daySql(knex: Knex): string {
  const client = String(knex.client.config.client ?? '');
  if (client.includes('pg')) {
    return `to_char(q.created_at at time zone 'UTC', 'YYYY-MM-DD')`;
  }
  if (client.includes('mysql')) {
    return `date_format(q.created_at, '%Y-%m-%d')`;
  }
  // SQLite keeps timestamps as epoch milliseconds (rows written as text are read as such).
  return `(case when typeof(q.created_at) in ('integer', 'real') then strftime('%Y-%m-%d', q.created_at / 1000, 'unixepoch') else substr(q.created_at, 1, 10) end)`;
}

/** Aggregates over `quality_results`, limited by the caller's access filter in SQL. */
export class QualityScoresStore {
  constructor(private readonly knex: Knex) {}

  private scoped(scope: QualityScope, alias = 'q'): Knex.QueryBuilder {
    const builder = this.knex(`quality_results as ${alias}`).join(
      'pipelines as p',
      'p.id',
      `${alias}.pipeline_id`,
    );
    applyAccessFilter(builder, scope.filter, 'p');
    if (scope.pipelineIds) {
      builder.whereIn(`${alias}.pipeline_id`, scope.pipelineIds);
    }
    return builder;
  }

  /** Checks per day, severity and outcome between `from` and `to`. */
  async daily(scope: QualityScope): Promise<DailyChecks[]> {
    const day = daySql(this.knex);
    const rows = (await this.scoped(scope)
      .where('q.created_at', '>=', scope.from)
      .where('q.created_at', '<', scope.to)
      .select(
        this.knex.raw(`${day} as day`),
        'q.severity',
        'q.passed',
        this.knex.raw('count(*) as n'),
      )
      .groupByRaw(`${day}, q.severity, q.passed`)) as Array<{
      day: string;
      severity: string;
      passed: boolean | number;
      n: number | string;
    }>;
    return rows.map(row => ({
      day: row.day,
      severity: row.severity,
      passed: Boolean(row.passed),
      count: Number(row.n),
    }));
  }

  /**
   * Every result of each pipeline's latest checked run before `to`: the rules as they stand now
   * (a rule removed from the spec drops out with the next run).
   */
  async latest(scope: QualityScope): Promise<LatestCheck[]> {
    const lastIds = this.scoped(scope)
      .where('q.created_at', '<', scope.to)
      .groupBy('q.pipeline_id')
      .max('q.id as id');
    const lastRuns = this.knex('quality_results as l')
      .whereIn('l.id', lastIds)
      .select('l.run_id');
    const rows = (await this.scoped(scope)
      .whereIn('q.run_id', lastRuns)
      .select('q.*', 'p.name as pipeline_name')
      .orderBy('q.id', 'desc')) as LatestRow[];
    return rows.map(row => ({
      id: String(row.id),
      runId: row.run_id,
      pipelineId: row.pipeline_id,
      pipelineName: row.pipeline_name,
      ruleIndex: Number(row.rule_index),
      ruleType: row.rule_type,
      columns: JSON.parse(row.columns),
      severity: row.severity,
      threshold: toOptionalNumber(row.threshold),
      observed: toOptionalNumber(row.observed),
      passed: Boolean(row.passed),
      failedRows: toOptionalNumber(row.failed_rows),
      message: toOptionalString(row.message),
      checkedAt: toIso(row.created_at),
    }));
  }

  /** The pipelines writing a table the caller may read (undefined: no such table). */
  async tablePipelines(
    filter: AccessFilter,
    tableId: string,
  ): Promise<string[] | undefined> {
    const builder = this.knex('data_tables as t')
      .where('t.id', tableId)
      .select('t.pipeline_id');
    applyAccessFilter(builder, filter, 't');
    const rows = (await builder) as Array<{ pipeline_id: string | null }>;
    if (rows.length === 0) return undefined;
    return rows.flatMap(r => (r.pipeline_id ? [r.pipeline_id] : []));
  }
}
