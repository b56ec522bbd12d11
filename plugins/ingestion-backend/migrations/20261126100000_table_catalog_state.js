// @ts-check

/**
 * What the catalog integration knows of each table beyond `data_tables`: the Iceberg catalog it
 * was discovered in, its current metadata location and snapshot, and the PII found in its
 * sampled values (column → kinds) with the snapshot that was sampled, so a table is scanned
 * again only when a new snapshot is committed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('table_catalog_state', table => {
    table.comment(
      'Per table: Iceberg catalog it was discovered in, metadata location, PII scan results',
    );
    table.string('organization_id', 64).notNullable();
    table.string('table_id', 36).notNullable();
    table
      .string('discovered_in', 255)
      .comment('sql:<catalog> or rest:<configured catalog name>');
    table.string('metadata_location', 1000);
    table.string('snapshot_id', 32);
    table
      .text('pii_findings')
      .comment('JSON object: column name -> PII kinds found in its samples');
    table.string('pii_scanned_snapshot_id', 32);
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['organization_id', 'table_id'], 'table_catalog_state_pk');
    table.index(
      ['organization_id', 'updated_at'],
      'table_catalog_state_org_updated_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('table_catalog_state');
};
