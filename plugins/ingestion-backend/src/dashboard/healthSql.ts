import type { Knex } from 'knex';

export {
  PIPELINE_HEALTHS,
  type PipelineHealth,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/** Final statuses whose outcome decides health (a cancelled run says nothing about the data). */
const DECIDING_STATUSES = `('succeeded', 'failed', 'quality_failed')`;

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
 * The latest run's id (`finished`: the status of the latest run with a deciding outcome) of
 * pipeline `p`, as a scalar subquery: one backwards walk of `runs_org_pipeline_idx` per pipeline
 * (no join, which PostgreSQL would plan as a hash of the whole runs table).
 */
export function latestRunSql(
  column: 'id' | 'status',
  finished: boolean,
): string {
  return `(select r.${column} from runs r where r.organization_id = p.organization_id and r.pipeline_id = p.id${
    finished ? ` and r.status in ${DECIDING_STATUSES}` : ''
  } order by r.queued_at desc limit 1)`;
}

/** The health of pipeline `p` as a SQL expression (each subquery evaluated at most once). */
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
  // The threshold appears three times in the expression.
  const staleBindings = [...bindings, ...bindings, ...bindings];
  const lastSucceeded = `(select r.finished_at from runs r where r.organization_id = p.organization_id and r.pipeline_id = p.id and r.status = 'succeeded' order by r.queued_at desc limit 1)`;
  const latestChecked = `(select q2.run_id from quality_results q2 where q2.organization_id = p.organization_id and q2.pipeline_id = p.id order by q2.created_at desc, q2.id desc limit 1)`;
  // A simple CASE evaluates the latest finished run's status once.
  return knex.raw(
    `case ${latestRunSql('status', true)}
      when 'failed' then 'failed'
      when 'quality_failed' then 'quality_breached'
      else case
        when exists (select 1 from quality_results q where q.organization_id = p.organization_id and q.run_id = ${latestChecked} and not q.passed) then 'quality_breached'
        when p.schedule is not null and ${threshold} is not null and p.updated_at <= ${threshold}
          and coalesce(${lastSucceeded} < ${threshold}, 1 = 1) then 'stale'
        else 'healthy'
      end
    end`,
    staleBindings,
  );
}
