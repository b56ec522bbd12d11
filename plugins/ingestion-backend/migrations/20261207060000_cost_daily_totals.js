// @ts-check

/**
 * Daily totals of the cost records per organization and tag (everything but pipeline, run and
 * table), so cost cards, charts and budgets read a few rows per day instead of every record:
 * kept up to date by the backend (days with new records when read, recent days and re-tagged
 * days by the allocation task). Empty strings stand for absent tags, so they can be in the key.
 * Plus a covering index for the month's cost per pipeline.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cost_daily_totals', table => {
    table.comment(
      'Sum of cost_records per organization, day and allocation tags',
    );
    table.string('organization_id', 64).notNullable();
    table.string('day', 10).notNullable();
    table.string('owner_team', 255).notNullable();
    table.string('service_type', 16).notNullable();
    table.string('cost_center', 32).notNullable();
    table.string('environment', 16).notNullable();
    table
      .string('project', 128)
      .notNullable()
      .comment("'' (not summed by: the Project is often the pipeline's id)");
    table.string('source', 32).notNullable();
    table.double('amount').notNullable();
    table.integer('records').notNullable();
    table.primary(
      [
        'organization_id',
        'day',
        'owner_team',
        'service_type',
        'cost_center',
        'environment',
        'project',
        'source',
      ],
      'cost_daily_totals_pk',
    );
  });
  await knex.schema.createTable('cost_rollup_state', table => {
    table.comment(
      'The last cost record each organization’s daily totals include',
    );
    table.string('organization_id', 64).primary();
    table.bigInteger('last_record_id').notNullable();
  });
  await knex.schema.alterTable('cost_records', table => {
    table.index(
      ['organization_id', 'period', 'pipeline_id', 'amount'],
      'cost_org_period_pipeline_idx',
    );
    // The newest record of an organization, which tells whether its totals are current.
    table.index(['organization_id', 'id'], 'cost_org_id_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cost_records', table => {
    table.dropIndex(['organization_id', 'id'], 'cost_org_id_idx');
    table.dropIndex(
      ['organization_id', 'period', 'pipeline_id', 'amount'],
      'cost_org_period_pipeline_idx',
    );
  });
  await knex.schema.dropTable('cost_rollup_state');
  await knex.schema.dropTable('cost_daily_totals');
};
