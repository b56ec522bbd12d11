// @ts-check

/**
 * Keys this installation generates for itself (never configured, never in the repository): the
 * key that signs page cursors, so a forged or tampered cursor is a 400 instead of reaching SQL.
 * The backend creates the key on first use.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('ingestion_signing_keys', table => {
    table.string('name', 64).primary().comment('what the key signs');
    table.text('key').notNullable().comment('base64 of 32 random bytes');
    table.timestamp('created_at', { useTz: true }).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('ingestion_signing_keys');
};
