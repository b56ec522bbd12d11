import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { indexDefinitions } from '../__testUtils__/indexDefinitions';
import { migrationsDir } from '../database/migrations';
import { DriverStore } from './DriverStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const MIGRATION = '20261208020000_cancelled_runs_index.js';

describe.each(databases.eachSupportedId())(
  'cancelled runs index on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory: migrationsDir });
    }, 120_000);

    it('holds the cancelled runs an engine started, which the driver still finds; rolls back', async () => {
      const at = (minute: number) =>
        new Date(Date.UTC(2026, 11, 8, 10, minute));
      await knex('pipelines').insert({
        id: 'p1',
        organization_id: 'finance',
        name: 'p1',
        owner: 'group:default/finance',
        pipeline_type: 'batch',
        engine: 'local',
        current_version: 1,
        created_by: 'user:default/x',
        updated_by: 'user:default/x',
        created_at: at(0),
        updated_at: at(0),
      });
      const runs: Array<[string, string, string | null, number]> = [
        ['r-old', 'cancelled', 'e1', 1],
        ['r-new', 'cancelled', 'e2', 30],
        ['r-never-started', 'cancelled', null, 31],
        ['r-failed', 'failed', 'e3', 32],
        ['r-newest', 'cancelled', 'e4', 40],
      ];
      for (const [id, status, engineRunId, minute] of runs) {
        await knex('runs').insert({
          id,
          organization_id: 'finance',
          pipeline_id: 'p1',
          pipeline_version: 1,
          engine: 'local',
          status,
          trigger: 'api',
          triggered_by: 'user:default/x',
          queued_at: at(0),
          finished_at: at(minute),
          engine_run_id: engineRunId,
          idempotency_token: `t-${id}`,
        });
      }
      expect(
        (await indexDefinitions(knex, 'runs')).get(
          'runs_cancelled_finished_idx',
        ),
      ).toMatch(
        /finished_at where status(::text)? = 'cancelled'(::text)? and engine_run_id is not null$/,
      );
      const store = new DriverStore(knex);
      expect((await store.cancelledSince(at(10), 10)).map(r => r.id)).toEqual([
        'r-new',
        'r-newest',
      ]);

      const [, pending] = await knex.migrate.list({ directory: migrationsDir });
      expect(pending).toEqual([]);
      // Roll back down to (and including) this migration.
      for (;;) {
        const [done] = await knex.migrate.list({ directory: migrationsDir });
        const last = (done as Array<{ name: string }>).at(-1)!.name;
        await knex.migrate.down({ directory: migrationsDir });
        if (last === MIGRATION) break;
      }
      expect(
        (await indexDefinitions(knex, 'runs')).has(
          'runs_cancelled_finished_idx',
        ),
      ).toBe(false);
      expect((await store.cancelledSince(at(10), 10)).map(r => r.id)).toEqual([
        'r-new',
        'r-newest',
      ]);
    }, 120_000);
  },
);
