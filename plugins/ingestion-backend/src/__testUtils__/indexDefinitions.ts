import type { Knex } from 'knex';

/**
 * A table's indexes as the database keeps them: name → definition, lower case, without quotes
 * and parentheses (`create index x on t organization_id, run_id where source is null`), from
 * SQLite's `sqlite_master` or PostgreSQL's `pg_indexes`.
 */
export async function indexDefinitions(
  knex: Knex,
  table: string,
): Promise<Map<string, string>> {
  const rows: Array<{ name: string; sql: string }> =
    knex.client.config.client === 'pg'
      ? await knex('pg_indexes')
          .where({ tablename: table })
          .select({ name: 'indexname', sql: 'indexdef' })
      : await knex('sqlite_master')
          .where({ type: 'index', tbl_name: table })
          .whereNotNull('sql')
          .select('name', 'sql');
  return new Map(
    rows.map(r => [r.name, r.sql.toLowerCase().replace(/["`()]/g, '')]),
  );
}
