import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import { applyDatabaseMigrations, migrationsDir } from '../database/migrations';
import { parseOrganizationDefinition } from './organizationSchema';
import { DatabaseOrganizationStore } from './OrganizationStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const MIGRATION = '20261207070000_organizations.js';

describe.each(databases.eachSupportedId())(
  'the organizations migration on %s',
  id => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(id);
      await applyDatabaseMigrations(knex);
    }, 120_000);

    afterEach(async () => {
      await knex.destroy();
    });

    it('steps down with organizations in place and up again, the store working as before', async () => {
      const store = new DatabaseOrganizationStore(knex);
      const finance = parseOrganizationDefinition(TEST_ORGANIZATIONS[0]);
      const at = new Date('2026-12-07T06:00:00Z');
      expect(
        await store.insert(finance, { origin: 'config', actor: 'config', at }),
      ).toBe(true);
      expect(await store.retire('finance', { actor: 'x', at })).toBe(true);
      expect(await store.retire('nowhere', { actor: 'x', at })).toBe(false);

      await knex.migrate.down({ directory: migrationsDir, name: MIGRATION });
      expect(await knex.schema.hasTable('ingestion_organizations')).toBe(false);
      // The tables before it are untouched.
      expect(await knex.schema.hasTable('cost_daily_totals')).toBe(true);

      await knex.migrate.up({ directory: migrationsDir, name: MIGRATION });
      expect(await store.list()).toEqual([]);
      expect(
        await store.insert(finance, { origin: 'api', actor: 'a', at }),
      ).toBe(true);
      expect(
        await store.insert(finance, { origin: 'api', actor: 'a', at }),
      ).toBe(false);
      expect(await store.get('finance')).toMatchObject({
        definition: finance,
        origin: 'api',
        retired: false,
        createdAt: at.toISOString(),
      });
    }, 60_000);
  },
);
