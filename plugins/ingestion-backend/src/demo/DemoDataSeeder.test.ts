import { TestDatabases } from '@backstage/backend-test-utils';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

async function demoConfig() {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ingestion-demo-'));
  return {
    root,
    config: {
      ingestion: {
        ...TEST_CONFIG.ingestion,
        demoData: { enabled: true },
        secrets: { masterKeys: [{ id: 'test', key: MASTER_KEY }] },
        organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
          ...org,
          storage: path.join(root, org.id),
        })),
      },
    },
  };
}

describe.each(databases.eachSupportedId())('demo data on %s', databaseId => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('seeds nothing outside development', async () => {
    const { config } = await demoConfig();
    const backend = await startIngestionTestBackend({
      knex: await databases.init(databaseId),
      config,
    });
    const list = await request(backend.server)
      .get('/api/ingestion/v1/pipelines')
      .set('Authorization', as('platform-admin'));
    expect(list.body.items).toEqual([]);
    await backend.stop();
  });

  it('seeds files, pipelines and runs once, in development', async () => {
    process.env.NODE_ENV = 'development';
    const { root, config } = await demoConfig();
    const knex = await databases.init(databaseId);
    const first = await startIngestionTestBackend({ knex, config });
    const list = () =>
      request(first.server)
        .get('/api/ingestion/v1/pipelines?organization=finance')
        .set('Authorization', as('finance-viewer'));
    const [pipeline, ...others] = (await list()).body.items;
    expect(others).toEqual([]);
    expect(pipeline).toMatchObject({
      name: 'daily-transactions',
      owner: 'group:default/finance',
    });
    const runs = await request(first.server)
      .get(`/api/ingestion/v1/pipelines/${pipeline.id}/runs`)
      .set('Authorization', as('finance-viewer'));
    expect(runs.body.items).toHaveLength(1);
    const csv = await fs.readFile(
      path.join(root, 'finance/raw/transactions/transactions.csv'),
      'utf8',
    );
    expect(csv.split('\n')[0]).toBe(
      'customer_id,date,amount,status,updated_at',
    );
    await first.stop();

    // A second start finds the pipelines and adds nothing.
    const second = await startIngestionTestBackend({ knex, config });
    const again = await request(second.server)
      .get('/api/ingestion/v1/pipelines?organization=retail&limit=50')
      .set('Authorization', as('retail-viewer'));
    expect(
      again.body.items.map((p: { name: string }) => p.name).sort(),
    ).toEqual(['orders', 'page-views-daily']);
    await second.stop();
  });
});
