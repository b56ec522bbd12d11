// @ts-check

/**
 * The alert ledger: one row per alert raised (a run's failure, a run's quality breach, a missed
 * freshness interval, a refused run in an hour). The primary key is the alert's de-duplication
 * key, so of several replicas raising the same alert exactly one inserts the row and sends it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('alert_ledger', table => {
    table.comment(
      'Alerts raised; the primary key makes each alert fire once across replicas',
    );
    table
      .string('alert_key', 255)
      .primary()
      .comment('kind:subject[:period], e.g. run-failed:<run id>');
    table.string('organization_id', 64).notNullable();
    table
      .string('kind', 32)
      .notNullable()
      .comment('run-failed | run-refused | quality-breach | freshness');
    table.string('pipeline_id', 36);
    table.timestamp('raised_at', { useTz: true }).notNullable();
    table.index(
      ['organization_id', 'raised_at'],
      'alert_ledger_org_raised_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('alert_ledger');
};
