import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { applyDatabaseMigrations } from '../database/migrations';
import {
  AT,
  insertPipeline,
  insertRun,
  PIPELINES,
  replica,
  type Sent,
} from './__testUtils__/alertFixtures';
import { staleness } from './FreshnessChecker';

const HOUR = 3600_000;
const hourly = {
  schedule: '0 * * * *',
  updatedAt: new Date(AT.getTime() - 24 * HOUR),
};

describe('staleness', () => {
  const pipeline = {
    id: 'p',
    organizationId: 'finance',
    name: 'p',
    owner: 'group:default/finance-data',
    schedule: '0 * * * *',
    updatedAt: hourly.updatedAt.toISOString(),
  };
  const grace = 30 * 60_000;

  it('is fresh while a run succeeded within the interval plus the grace', () => {
    // 10:00 fire time; at 10:29 its grace has not passed, so 9:00 is the last due one.
    const at = new Date('2026-11-11T10:29:00Z');
    expect(
      staleness(
        { ...pipeline, lastSucceededAt: '2026-11-11T08:05:00Z' },
        at,
        grace,
      ),
    ).toBeUndefined();
  });

  it('is stale once the grace after a fire time passed with no success in the interval', () => {
    const at = new Date('2026-11-11T10:31:00Z');
    const stale = staleness(
      { ...pipeline, lastSucceededAt: '2026-11-11T08:05:00Z' },
      at,
      grace,
    );
    expect(stale?.missedFireTime.toISOString()).toBe(
      '2026-11-11T10:00:00.000Z',
    );
    expect(stale?.intervalMs).toBe(HOUR);
  });

  it('expects nothing of fire times before the pipeline was saved', () => {
    const at = new Date('2026-11-11T10:31:00Z');
    expect(
      staleness({ ...pipeline, updatedAt: '2026-11-11T09:30:00Z' }, at, grace),
    ).toBeUndefined();
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'freshness alerts on %s',
  databaseId => {
    let knex: Knex;
    let second: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      second =
        databaseId === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
    }, 120_000);

    afterEach(async () => {
      if (second !== knex) await second.destroy();
    });

    it('alerts the owners once per missed interval, across two replicas', async () => {
      await insertPipeline(knex, 'ingest', hourly);
      await insertPipeline(knex, 'enrich', hourly);
      // ingest last succeeded three hours ago; enrich twenty minutes ago.
      await insertRun(
        knex,
        'ingest',
        'succeeded',
        new Date(AT.getTime() - 3 * HOUR),
      );
      await insertRun(knex, 'ingest', 'failed', new Date(AT.getTime() - HOUR));
      await insertRun(
        knex,
        'enrich',
        'succeeded',
        new Date(AT.getTime() - HOUR / 3),
      );
      const sent: Sent[] = [];
      // 10:40: the grace of the 10:00 fire time has passed.
      let now = new Date(AT.getTime() + 40 * 60_000);
      const a = replica(knex, sent, { now: () => now });
      const b = replica(second, sent, { now: () => now });

      const raised = await Promise.all([
        a.freshness.check(),
        b.freshness.check(),
        a.freshness.check(),
      ]);
      expect(raised.reduce((x, y) => x + y, 0)).toBe(1);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        recipients: { type: 'entity', entityRef: [PIPELINES.ingest.owner] },
        payload: {
          title: 'ingest: data is stale',
          severity: 'high',
          topic: 'ingestion-freshness',
          link: `/ingestion/pipelines/${PIPELINES.ingest.id}?tab=runs`,
        },
      });
      expect(sent[0].payload.description).toContain('2026-11-11T10:00:00.000Z');

      // Later in the same interval: nothing new.
      now = new Date(AT.getTime() + 55 * 60_000);
      await Promise.all([a.freshness.check(), b.freshness.check()]);
      expect(sent).toHaveLength(1);

      // The next interval is missed too: one more alert. enrich's last success (09:40) is now
      // older than its interval plus grace as well.
      now = new Date(AT.getTime() + 100 * 60_000);
      await Promise.all([a.freshness.check(), b.freshness.check()]);
      expect(sent.map(n => n.recipients.entityRef[0]).sort()).toEqual(
        [
          PIPELINES.ingest.owner,
          PIPELINES.ingest.owner,
          PIPELINES.enrich.owner,
        ].sort(),
      );

      // A success ends it.
      await insertRun(knex, 'ingest', 'succeeded', now);
      await insertRun(knex, 'enrich', 'succeeded', now);
      now = new Date(AT.getTime() + 160 * 60_000);
      await a.freshness.check();
      expect(sent).toHaveLength(3);
    }, 60_000);
  },
);
