import { Knex } from 'knex';
import { resolve } from 'node:path';

/** The catalog migration, run alone so tests don't depend on other migrations. */
export const ICEBERG_MIGRATION = '20261125120000_iceberg_catalog.js';

const migrationsDirectory = resolve(__dirname, '../../../migrations');

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => [ICEBERG_MIGRATION],
  getMigrationName: name => name,
  getMigration: async name => require(resolve(migrationsDirectory, name)),
};

/** Applies the catalog migration. */
export async function migrateUp(knex: Knex): Promise<void> {
  await knex.migrate.latest({ migrationSource });
}

/** Reverts the catalog migration. */
export async function migrateDown(knex: Knex): Promise<void> {
  await knex.migrate.down({ migrationSource });
}
