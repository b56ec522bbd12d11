// @ts-check

/**
 * Reconciliation of Databricks runs' DBUs with `system.billing.usage`: a run's DBUs are first the
 * engine's cluster-based estimate; billing records arrive hours later. One row per run that the
 * reconciliation looked at: how often, when to look again, and the billed figure once found.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('databricks_billing', table => {
    table.comment(
      'Per Databricks run: billed DBUs from system.billing.usage replacing the estimate',
    );
    table.string('organization_id', 64).notNullable();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('runs')
      .onDelete('CASCADE');
    table.double('estimated_dbus').comment('what the run recorded first');
    table.double('billed_dbus').comment('null until billing has the run');
    table.integer('checks').notNullable().defaultTo(0);
    table.timestamp('next_check_at', { useTz: true });
    table.timestamp('billed_at', { useTz: true });
    table.primary(['organization_id', 'run_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('databricks_billing');
};
