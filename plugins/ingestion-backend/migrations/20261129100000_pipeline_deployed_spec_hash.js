// @ts-check

/**
 * Which spec a deployed Databricks job was generated from: the hash of the effective spec (the
 * version's spec with the governance policy's PII masks of its environment). Runs start the job
 * only while it still matches what they would execute.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table
      .string('deployed_spec_hash', 64)
      .nullable()
      .comment(
        'hash of the effective spec the deployed job was generated from',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('pipelines', table => {
    table.dropColumn('deployed_spec_hash');
  });
};
