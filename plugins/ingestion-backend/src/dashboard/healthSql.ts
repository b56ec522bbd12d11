import type { Knex } from 'knex';

export {
  PIPELINE_HEALTHS,
  type PipelineHealth,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** A timestamp parameter typed for the database, so it compares with timestamp columns. */
function timestampParam(knex: Knex): string {
  const client = String(knex.client.config.client ?? '');
  if (client.includes('pg')) return 'cast(? as timestamptz)';
  if (client.includes('mysql')) return 'cast(? as datetime(3))';
  return '?';
}

/**
 * For each distinct schedule of an organization, the instant its latest success must be after
 * (see `staleness` in the freshness check), or undefined: the schedule cannot be stale yet.
 */
export interface StaleThreshold {
  schedule: string;
  timezone: string;
  before: Date;
}

/**
 * The latest run's `column` of pipeline `p` (any status), as a scalar subquery: one backwards
 * walk of `runs_org_pipeline_idx` per pipeline (no join, which PostgreSQL would plan as a hash
 * of the whole runs table); used for a page of pipelines, never for all of them.
 */
export function latestRunSql(column: 'id' | 'status'): string {
  return `(select r.${column} from runs r where r.organization_id = p.organization_id and r.pipeline_id = p.id order by r.queued_at desc limit 1)`;
}

/**
 * Joins each pipeline `p` to its run summary `s` (one primary-key row, kept as runs finish: see
 * src/database/pipelineRunSummary.ts), which {@link healthSql} reads.
 */
export function withRunSummary(builder: Knex.QueryBuilder): Knex.QueryBuilder {
  return builder.leftJoin('pipeline_run_summary as s', 's.pipeline_id', 'p.id');
}

/**
 * The health of pipeline `p` as a SQL expression over its run summary `s` (see
 * {@link withRunSummary}): no per-pipeline subquery, so counting an organization's 40,000
 * pipelines reads 40,000 rows and nothing else.
 */
export function healthSql(knex: Knex, thresholds: StaleThreshold[]): Knex.Raw {
  const ts = timestampParam(knex);
  const bindings: Knex.RawBinding[] = [];
  let threshold = 'null';
  if (thresholds.length > 0) {
    threshold = `(case ${thresholds
      .map(t => {
        bindings.push(t.schedule, t.timezone, t.before);
        return `when p.schedule = ? and coalesce(p.schedule_timezone, 'UTC') = ? then ${ts}`;
      })
      .join(' ')} end)`;
  }
  // The threshold appears three times in the expression, after the breached flag.
  const expressionBindings = [true, ...bindings, ...bindings, ...bindings];
  return knex.raw(
    `case s.latest_finished_status
      when 'failed' then 'failed'
      when 'quality_failed' then 'quality_breached'
      else case
        when s.latest_check_breached = ? then 'quality_breached'
        when p.schedule is not null and ${threshold} is not null and p.updated_at <= ${threshold}
          and coalesce(s.last_succeeded_finished_at < ${threshold}, 1 = 1) then 'stale'
        else 'healthy'
      end
    end`,
    expressionBindings,
  );
}
