import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { applyDatabaseMigrations, migrationsDir } from '../database/migrations';
import { AlertLedger } from './AlertLedger';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const LEDGER = '20261207080000_alert_ledger.js';

describe.each(databases.eachSupportedId())(
  'the alert ledger migration on %s',
  id => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(id);
      await applyDatabaseMigrations(knex);
    }, 120_000);

    afterEach(async () => {
      await knex.destroy();
    });

    it('steps down with alerts in place and up again, claims working as before', async () => {
      const ledger = new AlertLedger(knex);
      const alert = {
        key: 'run-failed:r1',
        organizationId: 'finance',
        kind: 'run-failed' as const,
        pipelineId: 'p1',
        at: new Date('2026-12-01T00:00:00Z'),
      };
      expect(await ledger.claim(alert)).toBe(true);
      expect(await ledger.claim(alert)).toBe(false);

      await knex.migrate.down({ directory: migrationsDir, name: LEDGER });
      expect(await knex.schema.hasTable('alert_ledger')).toBe(false);
      // The tables before it are untouched.
      expect(await knex.schema.hasTable('cost_budget_alerts')).toBe(true);

      await knex.migrate.up({ directory: migrationsDir, name: LEDGER });
      expect(await ledger.claim(alert)).toBe(true);
      expect(await ledger.claim({ ...alert, pipelineId: undefined })).toBe(
        false,
      );
      expect(await knex('alert_ledger').select('kind')).toEqual([
        { kind: 'run-failed' },
      ]);
    }, 60_000);
  },
);
