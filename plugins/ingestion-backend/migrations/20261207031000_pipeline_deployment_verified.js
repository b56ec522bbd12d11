// @ts-check

/**
 * When the recorded Databricks job was last verified as the pipeline's own: it exists in the
 * organization's workspace and its tags name the organization and the pipeline. Runs start
 * (`run-now`) only verified jobs; the deployment sync and scheduled runs touch only verified jobs.
 * Deployments recorded before this migration were never verified: they stay null, and a run
 * verifies such a job before it starts it (or runs the notebook once instead).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table
      .timestamp('databricks_job_verified_at', { useTz: true })
      .nullable()
      .comment(
        "when databricks_job_id was verified as this pipeline's job in the organization's workspace",
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table.dropColumn('databricks_job_verified_at');
  });
};
