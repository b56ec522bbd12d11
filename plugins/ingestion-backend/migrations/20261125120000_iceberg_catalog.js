// @ts-check

/**
 * Tables of the Iceberg SQL catalog. They follow the layout of Apache Iceberg's
 * JDBC catalog (`iceberg_tables`, `iceberg_namespace_properties`), with an
 * `organization_id` column leading every key: each organization (tenant) has
 * its own catalog, and every query filters by it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('iceberg_tables', table => {
    table.comment(
      'Iceberg table pointers: the current metadata file per table',
    );
    table.string('organization_id', 255).notNullable();
    table.string('catalog_name', 255).notNullable();
    table
      .string('table_namespace', 255)
      .notNullable()
      .comment('Namespace levels joined by "."');
    table.string('table_name', 255).notNullable();
    table
      .string('metadata_location', 1000)
      .comment('URI of the current vN.metadata.json; swapped on commit');
    table.string('previous_metadata_location', 1000);
    table
      .string('iceberg_type', 5)
      .comment('TABLE (VIEW is reserved by the JDBC catalog layout)');
    table.primary(
      ['organization_id', 'catalog_name', 'table_namespace', 'table_name'],
      'iceberg_tables_pk',
    );
  });

  await knex.schema.createTable('iceberg_namespace_properties', table => {
    table.comment('Iceberg namespaces and their properties');
    table.string('organization_id', 255).notNullable();
    table.string('catalog_name', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('property_key', 255).notNullable();
    table.string('property_value', 1000);
    table.primary(
      ['organization_id', 'catalog_name', 'namespace', 'property_key'],
      'iceberg_namespace_properties_pk',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('iceberg_namespace_properties');
  await knex.schema.dropTable('iceberg_tables');
};
