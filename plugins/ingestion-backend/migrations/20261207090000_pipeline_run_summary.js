// @ts-check

/**
 * What a pipeline's health is decided from, kept per pipeline as runs finish and quality results
 * arrive (src/database/pipelineRunSummary.ts), so the organization dashboard reads one row per
 * pipeline instead of walking each pipeline's runs and quality results on every request (at
 * 40,000 pipelines of an organization that walk took seconds). Existing pipelines are backfilled
 * from their runs and results.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('pipeline_run_summary', table => {
    table.comment(
      'Per pipeline: the outcome of its latest finished run, latest success and latest quality check',
    );
    table.string('pipeline_id', 36).primary();
    table.string('organization_id', 64).notNullable();
    table
      .string('latest_finished_status', 32)
      .comment('succeeded | failed | quality_failed: the latest deciding run');
    table.timestamp('latest_finished_queued_at', { useTz: true });
    table.timestamp('last_succeeded_queued_at', { useTz: true });
    table.timestamp('last_succeeded_finished_at', { useTz: true });
    table.string('latest_checked_run_id', 36);
    table.timestamp('latest_checked_at', { useTz: true });
    table
      .boolean('latest_check_breached')
      .notNullable()
      .defaultTo(false)
      .comment('a rule of the latest checked run did not pass');
    table.index(['organization_id'], 'pipeline_run_summary_org_idx');
  });
  const deciding = `('succeeded', 'failed', 'quality_failed')`;
  /** @param {string} column */
  const latestFinished = column =>
    `(select r.${column} from runs r where r.organization_id = p.organization_id and r.pipeline_id = p.id and r.status in ${deciding} order by r.queued_at desc limit 1)`;
  /** @param {string} column */
  const lastSucceeded = column =>
    `(select r.${column} from runs r where r.organization_id = p.organization_id and r.pipeline_id = p.id and r.status = 'succeeded' order by r.queued_at desc limit 1)`;
  /** @param {string} column */
  const latestChecked = column =>
    `(select q.${column} from quality_results q where q.organization_id = p.organization_id and q.pipeline_id = p.id order by q.created_at desc, q.id desc limit 1)`;
  await knex.raw(
    `insert into pipeline_run_summary (
       pipeline_id, organization_id, latest_finished_status, latest_finished_queued_at,
       last_succeeded_queued_at, last_succeeded_finished_at, latest_checked_run_id, latest_checked_at,
       latest_check_breached)
     select b.id, b.organization_id, b.latest_finished_status, b.latest_finished_queued_at,
       b.last_succeeded_queued_at, b.last_succeeded_finished_at, b.latest_checked_run_id,
       b.latest_checked_at,
       case when exists (select 1 from quality_results q where q.organization_id = b.organization_id
         and q.run_id = b.latest_checked_run_id and not q.passed) then 1 = 1 else 1 = 0 end
     from (
       select p.id, p.organization_id,
         ${latestFinished('status')} as latest_finished_status,
         ${latestFinished('queued_at')} as latest_finished_queued_at,
         ${lastSucceeded('queued_at')} as last_succeeded_queued_at,
         ${lastSucceeded('finished_at')} as last_succeeded_finished_at,
         ${latestChecked('run_id')} as latest_checked_run_id,
         ${latestChecked('created_at')} as latest_checked_at
       from pipelines p
     ) b
     where b.latest_finished_status is not null or b.latest_checked_run_id is not null`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('pipeline_run_summary');
};
