import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDatabaseMigrations } from '../database/migrations';
import { seedDemoCostHistory } from '../demo/costHistory';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import { DEFAULT_PRICING } from './pricing';
import { measureUsage } from './measureUsage';
import { CostSampler, folderSize } from './StorageSampler';
import { s3StorageMeasure, storageS3Client } from './s3Storage';
import { ApiUsageCounter } from './usage';

// s3rver has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver');

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const GB = 1024 ** 3;
const NOW = new Date('2026-11-11T09:00:00Z');

describe('measureUsage', () => {
  it('measures CPU time and memory, shared between concurrent runs', async () => {
    const busy = (ms: number) => async () => {
      const end = Date.now() + ms;
      let x = 0;
      while (Date.now() < end) x += Math.sqrt(x + 1);
      return x;
    };
    const alone = await measureUsage(busy(300), { sampleMs: 20 });
    // On a loaded machine the process gets less than the wall time; it is never more (one thread).
    expect(alone.usage.cpuSeconds).toBeGreaterThan(0.01);
    expect(alone.usage.cpuSeconds).toBeLessThanOrEqual(
      alone.usage.durationSeconds * 1.5,
    );
    expect(alone.usage.peakMemoryBytes).toBeGreaterThan(0);
    expect(alone.usage.durationSeconds).toBeGreaterThanOrEqual(0.29);
    // Two runs side by side (on one thread: they take turns) are each charged about half.
    const [a, b] = await Promise.all([
      measureUsage(
        async () => {
          for (let i = 0; i < 6; i++) {
            await busy(50)();
            await new Promise(r => setTimeout(r, 1));
          }
        },
        { sampleMs: 20 },
      ),
      measureUsage(
        async () => {
          for (let i = 0; i < 6; i++) {
            await busy(50)();
            await new Promise(r => setTimeout(r, 1));
          }
        },
        { sampleMs: 20 },
      ),
    ]);
    const total = a.usage.cpuSeconds + b.usage.cpuSeconds;
    const wall = Math.max(a.usage.durationSeconds, b.usage.durationSeconds);
    expect(total).toBeGreaterThan(0.01);
    // Split, not each charged the whole: together at most the process's time.
    expect(total).toBeLessThanOrEqual(wall * 1.5);
    expect(Math.abs(a.usage.cpuSeconds - b.usage.cpuSeconds)).toBeLessThan(
      total * 0.5,
    );
  }, 30_000);
});

describe.each(databases.eachSupportedId())('cost sources on %s', databaseId => {
  let knex: Knex;
  let root: string;
  let finance: OrganizationConfig;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await applyDatabaseMigrations(knex);
    root = await fs.mkdtemp(join(tmpdir(), 'ingestion-costs-'));
    finance = {
      ...(TEST_ORGANIZATIONS[0] as unknown as OrganizationConfig),
      storage: root,
    };
  }, 120_000);

  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('samples storage per table and per organization as fractional GB-months, once a day', async () => {
    await fs.mkdir(join(root, 'raw'), { recursive: true });
    await fs.writeFile(join(root, 'raw', 'a.csv'), 'x'.repeat(3000));
    await fs.writeFile(join(root, 'b.json'), 'y'.repeat(1000));
    expect(await folderSize(root)).toBe(4000);
    // A table outside the SQL catalog: the size its last run recorded.
    await knex('data_tables').insert({
      id: 'tbl-1',
      organization_id: 'finance',
      format: 'parquet',
      location: 'out/table',
      owner: 'group:default/finance-data',
      pipeline_id: 'pl-1',
      size_bytes: 1500,
      created_at: NOW,
      updated_at: NOW,
    });
    const sampler = new CostSampler({
      knex,
      logger: mockServices.logger.mock(),
      pricing: DEFAULT_PRICING,
      organizations: () => [finance],
      now: () => NOW,
    });
    expect(await sampler.sampleStorage(finance)).toBe(2);
    expect(await sampler.sampleStorage(finance)).toBe(0);
    const rows = await knex('cost_records')
      .where({ organization_id: 'finance' })
      .orderBy('id');
    // November has 30 days: a day is 1/30 of a GB-month, however small the data.
    expect(
      rows.map(r => [r.table_id, Number(r.quantity), r.unit, r.source, r.day]),
    ).toEqual([
      ['tbl-1', 1500 / GB / 30, 'GB-month', 'storage-sample', '2026-11-11'],
      [null, 2500 / GB / 30, 'GB-month', 'storage-sample', '2026-11-11'],
    ]);
    expect(Number(rows[0].amount)).toBeGreaterThan(0);
    expect(Number(rows[0].amount)).toBeCloseTo(
      (1500 / GB / 30) * DEFAULT_PRICING.storageGbMonth,
      15,
    );
    expect(rows[0]).toMatchObject({
      measurement: 'measured',
      owner_team: 'group:default/finance-data',
      pipeline_id: 'pl-1',
    });
  });

  it('measures the rest of an S3 organization by listing its storage prefix', async () => {
    const directory = join(root, '.s3rver');
    await fs.mkdir(directory);
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
    });
    const { port } = await server.run();
    const settings = {
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    };
    try {
      const client = storageS3Client(settings);
      await client.send(new CreateBucketCommand({ Bucket: 'finance-lake' }));
      for (const [Key, size] of [
        ['lake/raw/a.csv', 3000],
        ['lake/warehouse/t/data.parquet', 1000],
        ['elsewhere/b.csv', 5000],
      ] as const) {
        await client.send(
          new PutObjectCommand({
            Bucket: 'finance-lake',
            Key,
            Body: 'x'.repeat(size),
          }),
        );
      }
      client.destroy();
      const onS3 = { ...finance, storage: 's3://finance-lake/lake' };
      await knex('data_tables').insert({
        id: 'tbl-s3',
        organization_id: 'finance',
        format: 'parquet',
        location: 's3://finance-lake/lake/warehouse/t',
        owner: 'group:default/finance-data',
        size_bytes: 1000,
        created_at: NOW,
        updated_at: NOW,
      });
      const sampler = new CostSampler({
        knex,
        logger: mockServices.logger.mock(),
        pricing: DEFAULT_PRICING,
        organizations: () => [onS3],
        measureStorage: s3StorageMeasure({ settingsOf: () => settings }),
        now: () => NOW,
      });
      expect(await sampler.sampleStorage(onS3)).toBe(2);
      const quantities = (
        await knex('cost_records')
          .where({ source: 'storage-sample' })
          .orderBy('id')
      ).map(r => [r.table_id, Number(r.quantity)]);
      expect(quantities).toEqual([
        ['tbl-s3', 1000 / GB / 30],
        [null, 3000 / GB / 30],
      ]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('counts API requests per organization and bills complete days once', async () => {
    let now = new Date('2026-11-10T10:00:00Z');
    const counter = new ApiUsageCounter({
      knex,
      directory: { find: id => (id === 'finance' ? finance : undefined) },
      resources: { organizationOf: async () => undefined },
      logger: mockServices.logger.mock(),
      now: () => now,
    });
    for (let i = 0; i < 1500; i++) counter.count('finance');
    await counter.flush();
    counter.count('finance', 500);
    await counter.close();
    const sampler = new CostSampler({
      knex,
      logger: mockServices.logger.mock(),
      pricing: DEFAULT_PRICING,
      organizations: () => [finance],
      now: () => now,
    });
    // The day is not over: nothing billed yet.
    expect(await sampler.billRequests(finance)).toBe(0);
    now = NOW;
    const [first, second] = await Promise.all([
      sampler.billRequests(finance),
      sampler.billRequests(finance),
    ]);
    expect(first + second).toBe(1);
    const rows = await knex('cost_records').where({ source: 'platform-usage' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      day: '2026-11-10',
      unit: 'request',
      service_type: 'platform',
    });
    expect(Number(rows[0].quantity)).toBe(2000);
    expect(Number(rows[0].amount)).toBeCloseTo(
      2 * DEFAULT_PRICING.platform.perThousandRequests,
      10,
    );
    expect(await sampler.billRequests(finance)).toBe(0);
  });

  it('seeds six months of demo history once', async () => {
    await knex('pipelines').insert({
      id: 'pl-demo',
      organization_id: 'finance',
      name: 'daily-transactions',
      owner: 'group:default/finance',
      pipeline_type: 'batch',
      engine: 'local',
      current_version: 1,
      created_by: 'user:default/x',
      updated_by: 'user:default/x',
      created_at: NOW,
      updated_at: NOW,
    });
    const seed = () =>
      seedDemoCostHistory({
        knex,
        logger: mockServices.logger.mock(),
        organizations: [finance],
        pricing: DEFAULT_PRICING,
        now: NOW,
      });
    const written = await seed();
    expect(written).toBeGreaterThan(3 * 150);
    expect(await seed()).toBe(0);
    const months = (await knex('cost_records')
      .where({ organization_id: 'finance', source: 'demo' })
      .select('period')
      .sum({ amount: 'amount' })
      .groupBy('period')
      .orderBy('period')) as Array<{ period: string; amount: unknown }>;
    expect(months.map(m => m.period)).toEqual([
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
    // Finance's budget is 1000: full months land at about two thirds of it.
    for (const month of months.slice(0, 5)) {
      expect(Number(month.amount)).toBeGreaterThan(400);
      expect(Number(month.amount)).toBeLessThan(900);
    }
    const tagged = await knex('cost_records')
      .where({ source: 'demo', pipeline_id: 'pl-demo' })
      .first();
    expect(tagged).toMatchObject({
      owner_team: 'group:default/finance',
      project: 'pl-demo',
    });
  });
});
