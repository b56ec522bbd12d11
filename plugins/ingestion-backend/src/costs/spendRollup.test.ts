import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { costRecordRow, type NewCostRecord } from '../database/CostsStore';
import { applyDatabaseMigrations } from '../database/migrations';
import { CostAllocator } from './CostAllocator';
import { SpendRollup } from './SpendRollup';
import { SpendStore } from './SpendStore';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = new Date('2026-11-20T12:00:00Z');

const record = (
  day: string,
  amount: number,
  more: Partial<NewCostRecord> = {},
): NewCostRecord => ({
  organizationId: 'finance',
  costCenter: 'FIN-001',
  environment: 'production',
  serviceType: 'compute',
  quantity: amount,
  unit: 'DBU',
  amount,
  currency: 'USD',
  period: day.slice(0, 7),
  day,
  ownerRef: 'group:default/finance-data',
  at: NOW,
  ...more,
});

/** What the totals must equal: the records, summed per day and owner team. */
async function fromRecords(knex: Knex) {
  const rows = await knex('cost_records')
    .where('organization_id', 'finance')
    .select('day', 'owner_team')
    .sum({ amount: 'amount' })
    .groupBy('day', 'owner_team');
  return rows
    .map((r: any) => ({
      day: r.day,
      team: r.owner_team ?? null,
      amount: Number(r.amount),
    }))
    .sort((a, b) => `${a.day}${a.team}`.localeCompare(`${b.day}${b.team}`));
}

async function fromTotals(store: SpendStore) {
  const rows = await store.series(
    { organizationId: 'finance', from: '2026-11-01', to: '2026-11-30' },
    { bucket: 'day', groupBy: 'owner' },
  );
  return rows
    .map(r => ({ day: r.bucket, team: r.key, amount: r.amount }))
    .sort((a, b) => `${a.day}${a.team}`.localeCompare(`${b.day}${b.team}`));
}

describe.each(databases.eachSupportedId())(
  'daily cost totals on %s',
  databaseId => {
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
    }, 120_000);

    it('equal the records: new records, in-place updates, re-tagged records', async () => {
      const store = new SpendStore(knex);
      await knex('cost_records').insert(
        [
          record('2026-11-18', 2),
          record('2026-11-19', 3),
          record('2026-11-19', 4, {
            ownerRef: 'user:default/finance-engineer',
          }),
          record('2026-11-19', 1, { organizationId: 'retail' }),
        ].map(costRecordRow),
      );
      expect(await fromTotals(store)).toEqual(await fromRecords(knex));
      expect(await fromTotals(store)).toEqual([
        { day: '2026-11-18', team: 'group:default/finance-data', amount: 2 },
        { day: '2026-11-19', team: 'group:default/finance-data', amount: 3 },
        { day: '2026-11-19', team: null, amount: 4 },
      ]);

      // New records are picked up when read.
      await knex('cost_records').insert(costRecordRow(record('2026-11-20', 5)));
      expect(await fromTotals(store)).toEqual(await fromRecords(knex));

      // Updated in place (billed DBUs): recent days are recomputed by the allocation task.
      await knex('cost_records')
        .where({ day: '2026-11-19', amount: 3 })
        .update({ amount: 3.5 });
      await store.rollup.refreshRecent('finance', NOW);
      expect(await fromTotals(store)).toEqual(await fromRecords(knex));

      // A person's team resolved later: the allocator recomputes the days it re-tagged.
      await new CostAllocator({
        knex,
        rollup: store.rollup,
        teams: {
          teamOf: async () => 'group:default/finance-ml',
          withSubGroups: async g => [g],
        },
        logger: mockServices.logger.mock(),
      }).complete({ id: 'finance', ownerGroup: 'group:default/finance' });
      expect(await fromTotals(store)).toEqual(await fromRecords(knex));
      expect(
        (await fromTotals(store)).find(
          r => r.team === 'group:default/finance-ml',
        ),
      ).toEqual({
        day: '2026-11-19',
        team: 'group:default/finance-ml',
        amount: 4,
      });
    }, 60_000);

    it('stay right when two replicas recompute the same days at once', async () => {
      const second =
        databaseId === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
      try {
        await knex('cost_records').insert(
          Array.from({ length: 40 }, (_, i) =>
            costRecordRow(
              record(`2026-11-${String(1 + (i % 20)).padStart(2, '0')}`, i + 1),
            ),
          ),
        );
        const a = new SpendRollup(knex);
        const b = new SpendRollup(second);
        const days = Array.from(
          { length: 20 },
          (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`,
        );
        await Promise.all([
          a.refreshDays('finance', days),
          b.refreshDays('finance', days),
          a.sync('finance'),
          b.sync('finance'),
        ]);
        expect(await fromTotals(new SpendStore(knex))).toEqual(
          await fromRecords(knex),
        );
      } finally {
        if (second !== knex) await second.destroy();
      }
    }, 60_000);
  },
);
