// @ts-check

/**
 * Where a pipeline is deployed: the Databricks job's page and its workspace, as
 * `PUT /v1/pipelines/{id}/deployment` records them next to the job id.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table.string('databricks_job_url', 2048);
    table.string('databricks_workspace_url', 2048);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table.dropColumn('databricks_job_url');
    table.dropColumn('databricks_workspace_url');
  });
};
