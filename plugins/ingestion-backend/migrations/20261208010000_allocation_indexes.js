// @ts-check

/**
 * Indexes for two background jobs that otherwise read whole tables of an organization:
 * - the cost allocator (src/costs/CostAllocator.ts) looks, after every finished run and on a
 *   schedule, for the cost records still missing a tag; with nothing to tag it read every record
 *   of the organization (at 340,000 records, 150–600 ms per statement, five statements). The
 *   records missing a tag are few, so partial indexes hold just those (on MySQL, which has no
 *   partial indexes, knex creates them whole).
 * - the PII lookup of a run's context (src/pii/PiiMasking.ts) finds the tables a pipeline wrote
 *   by `data_tables.pipeline_id`, on every poll of a running run.
 */

/**
 * The allocator's partial indexes: name, columns, and the rows each holds.
 *
 * @param {import('knex').Knex} knex
 */
const costIndexes = knex => [
  {
    name: 'cost_untagged_owner_idx',
    columns: ['organization_id', 'pipeline_id'],
    predicate: knex.whereNull('owner_ref'),
  },
  {
    name: 'cost_untagged_team_idx',
    columns: ['organization_id', 'owner_ref'],
    predicate: knex.whereNull('owner_team'),
  },
  {
    name: 'cost_untagged_project_idx',
    columns: ['organization_id', 'pipeline_id'],
    predicate: knex.whereNull('project'),
  },
  {
    // Estimates stay until the billing of their run arrives.
    name: 'cost_unbilled_idx',
    columns: ['organization_id', 'run_id'],
    // A literal: neither database takes parameters in an index's WHERE clause.
    predicate: knex.whereRaw(
      "source is null or source = 'databricks-estimate'",
    ),
  },
];

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cost_records', table => {
    for (const { name, columns, predicate } of costIndexes(knex)) {
      table.index(columns, name, { predicate });
    }
  });
  await knex.schema.alterTable('data_tables', table => {
    table.index(
      ['organization_id', 'pipeline_id'],
      'data_tables_org_pipeline_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('data_tables', table => {
    table.dropIndex(
      ['organization_id', 'pipeline_id'],
      'data_tables_org_pipeline_idx',
    );
  });
  await knex.schema.alterTable('cost_records', table => {
    for (const { name, columns } of costIndexes(knex)) {
      table.dropIndex(columns, name);
    }
  });
};
