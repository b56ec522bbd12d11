import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@ingestion-for-backstage/plugin-ingestion-backend',
  'migrations',
);

/** Brings the schema up to date (unless `backend.database.migrations.skip` says not to). */
export async function applyDatabaseMigrations(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}

/** The plugin's knex client, with the schema migrated. */
export async function connectDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await applyDatabaseMigrations(knex);
  }
  return knex;
}

export { migrationsDir };
