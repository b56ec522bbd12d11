import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { indexDefinitions } from '../__testUtils__/indexDefinitions';
import { migrationsDir } from '../database/migrations';
import { CostAllocator } from './CostAllocator';
import type { TeamResolver } from './teams';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const MIGRATION = '20261207050000_cost_allocation.js';

/** Applies the migrations before this one, one at a time. */
async function migrateUpTo(knex: Knex, file: string) {
  for (;;) {
    const [, pending] = await knex.migrate.list({ directory: migrationsDir });
    const next = (pending as Array<{ file: string }>)[0];
    if (!next || next.file === file) return;
    await knex.migrate.up({ directory: migrationsDir });
  }
}

async function seedBeforeMigration(knex: Knex) {
  const at = new Date('2026-10-15T23:30:00Z');
  for (const [id, owner] of [
    ['pl-group', 'group:default/finance-data'],
    ['pl-person', 'user:default/finance-engineer'],
  ]) {
    await knex('pipelines').insert({
      id,
      organization_id: 'finance',
      name: id,
      owner,
      pipeline_type: 'batch',
      engine: 'databricks',
      current_version: 1,
      created_by: 'user:default/x',
      updated_by: 'user:default/x',
      created_at: at,
      updated_at: at,
    });
    await knex('runs').insert({
      id: `run-${id}`,
      organization_id: 'finance',
      pipeline_id: id,
      pipeline_version: 1,
      engine: 'databricks',
      status: 'succeeded',
      trigger: 'api',
      triggered_by: 'user:default/x',
      queued_at: at,
      idempotency_token: `t-${id}`,
    });
  }
  const record = (pipeline: string, unit: string, amount: number) => ({
    organization_id: 'finance',
    cost_center: 'FIN-001',
    environment: 'production',
    service_type: unit === 'DBU' ? 'compute' : 'storage',
    pipeline_id: pipeline,
    run_id: `run-${pipeline}`,
    quantity: amount,
    unit,
    amount,
    currency: 'USD',
    period: '2026-10',
    recorded_at: at,
  });
  await knex('cost_records').insert([
    record('pl-group', 'DBU', 2),
    record('pl-group', 'GB-month', 0.5),
    record('pl-person', 'DBU', 3),
  ]);
  await knex('databricks_billing').insert({
    organization_id: 'finance',
    run_id: 'run-pl-group',
    estimated_dbus: 2,
    billed_dbus: 2,
    checks: 1,
  });
}

const byPipelineAndUnit = (rows: any[]) =>
  rows
    .map(r => ({
      pipeline: r.pipeline_id,
      unit: r.unit,
      day: r.day,
      owner_ref: r.owner_ref,
      owner_team: r.owner_team,
      source: r.source,
      measurement: r.measurement,
      project: r.project,
    }))
    .sort((a, b) =>
      `${a.pipeline}${a.unit}`.localeCompare(`${b.pipeline}${b.unit}`),
    );

describe.each(databases.eachSupportedId())(
  'cost allocation on %s',
  databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateUpTo(knex, MIGRATION);
      await seedBeforeMigration(knex);
    }, 120_000);

    it('backfills existing records and rolls back', async () => {
      await knex.migrate.up({ directory: migrationsDir });
      expect(byPipelineAndUnit(await knex('cost_records').select())).toEqual([
        {
          pipeline: 'pl-group',
          unit: 'DBU',
          day: '2026-10-15',
          owner_ref: 'group:default/finance-data',
          owner_team: 'group:default/finance-data',
          source: 'databricks-billing',
          measurement: 'measured',
          project: null,
        },
        {
          pipeline: 'pl-group',
          unit: 'GB-month',
          day: '2026-10-15',
          owner_ref: 'group:default/finance-data',
          owner_team: 'group:default/finance-data',
          source: 'storage-written',
          measurement: 'estimated',
          project: null,
        },
        {
          pipeline: 'pl-person',
          unit: 'DBU',
          day: '2026-10-15',
          owner_ref: 'user:default/finance-engineer',
          // A person's team comes from the catalog (the allocator), not the migration.
          owner_team: null,
          source: 'databricks-estimate',
          measurement: 'estimated',
          project: null,
        },
      ]);

      await knex.migrate.down({ directory: migrationsDir });
      const columns = await knex('cost_records').columnInfo();
      expect(Object.keys(columns)).not.toContain('owner_team');
      expect(Object.keys(columns)).not.toContain('day');
      expect(await knex.schema.hasTable('cost_budgets')).toBe(false);
      expect(Number((await knex('cost_records').count({ n: '*' }))[0].n)).toBe(
        3,
      );
    }, 120_000);

    it('adds and removes the daily totals', async () => {
      await knex.migrate.up({ directory: migrationsDir });
      await migrateUpTo(knex, '20261207060000_cost_daily_totals.js');
      await knex.migrate.up({ directory: migrationsDir });
      expect(await knex.schema.hasTable('cost_daily_totals')).toBe(true);
      await knex.migrate.down({ directory: migrationsDir });
      expect(await knex.schema.hasTable('cost_daily_totals')).toBe(false);
      expect(await knex.schema.hasTable('cost_rollup_state')).toBe(false);
      expect(Number((await knex('cost_records').count({ n: '*' }))[0].n)).toBe(
        3,
      );
    }, 120_000);

    it('completes tags: people’s teams, projects, billed DBUs, days', async () => {
      await knex.migrate.latest({ directory: migrationsDir });
      // A record inserted by code that knows no tags (the billing reconciliation's insert).
      await knex('cost_records').insert({
        organization_id: 'finance',
        cost_center: 'FIN-001',
        environment: 'production',
        service_type: 'compute',
        pipeline_id: 'pl-person',
        run_id: 'run-pl-person',
        quantity: 1,
        unit: 'DBU',
        amount: 0.55,
        currency: 'USD',
        period: '2026-10',
        recorded_at: new Date('2026-10-16T01:00:00Z'),
      });
      const teams: TeamResolver = {
        teamOf: async (_org, owner) =>
          owner === 'user:default/finance-engineer'
            ? 'group:default/finance-engineers'
            : undefined,
        withSubGroups: async group => [group],
      };
      await new CostAllocator({
        knex,
        teams,
        logger: mockServices.logger.mock(),
      }).complete({
        id: 'finance',
        ownerGroup: 'group:default/finance',
      });
      const rows = byPipelineAndUnit(await knex('cost_records').select());
      expect(rows.filter(r => r.pipeline === 'pl-person')).toEqual([
        expect.objectContaining({
          owner_team: 'group:default/finance-engineers',
          project: 'pl-person',
          day: '2026-10-15',
        }),
        expect.objectContaining({
          owner_ref: 'user:default/finance-engineer',
          owner_team: 'group:default/finance-engineers',
          source: 'databricks-estimate',
          day: '2026-10-16',
        }),
      ]);
      expect(rows.every(r => r.project !== null)).toBe(true);
    }, 120_000);

    it('indexes only the records the allocator still has to tag, and rolls back', async () => {
      await migrateUpTo(knex, '20261208010000_allocation_indexes.js');
      await knex.migrate.up({ directory: migrationsDir });
      const indexes = (table: string) => indexDefinitions(knex, table);
      const cost = await indexes('cost_records');
      expect(cost.get('cost_untagged_owner_idx')).toMatch(
        /where owner_ref is null$/,
      );
      expect(cost.get('cost_untagged_team_idx')).toMatch(
        /where owner_team is null$/,
      );
      expect(cost.get('cost_untagged_project_idx')).toMatch(
        /where project is null$/,
      );
      expect(cost.get('cost_unbilled_idx')).toMatch(
        /where source is null or source(::text)? = 'databricks-estimate'(::text)?$/,
      );
      expect(
        (await indexes('data_tables')).has('data_tables_org_pipeline_idx'),
      ).toBe(true);

      await knex.migrate.down({ directory: migrationsDir });
      const after = await indexes('cost_records');
      expect(
        [...after.keys()].filter(n => /untagged|unbilled/.test(n)),
      ).toEqual([]);
      expect(
        (await indexes('data_tables')).has('data_tables_org_pipeline_idx'),
      ).toBe(false);
    }, 120_000);
  },
);
