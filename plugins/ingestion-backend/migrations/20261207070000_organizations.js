// @ts-check

/**
 * Organizations (tenants) at run time: platform admins create, update and retire them through
 * the API; `ingestion.organizations` seeds the ids the table does not hold yet. `definition` is
 * the organization's settings as JSON (the shape of a config entry, without secrets, which stay
 * in config). Retiring keeps the row, its data and its audit log.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ingestion_organizations', table => {
    table.comment('Organizations (tenants): settings, origin and retirement');
    table.string('id', 64).primary().comment('the organization id');
    table.text('definition').notNullable().comment('settings as JSON');
    table
      .string('origin', 16)
      .notNullable()
      .comment("'config' (seeded) or 'api' (created by a platform admin)");
    table.boolean('retired').notNullable().defaultTo(false);
    table.timestamp('retired_at', { useTz: true }).nullable();
    table.string('created_by', 255).notNullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ingestion_organizations');
};
