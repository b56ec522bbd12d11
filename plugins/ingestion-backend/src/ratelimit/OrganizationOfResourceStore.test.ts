import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { applyDatabaseMigrations } from '../database/migrations';
import { OrganizationOfResourceStore } from './OrganizationOfResourceStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const PIPELINE = '00000000-0000-4000-8000-000000000001';
const RUN = '00000000-0000-4000-8000-000000000002';
const TABLE = '00000000-0000-4000-8000-000000000003';
const CONNECTION = '00000000-0000-4000-8000-000000000004';

async function seed(knex: Knex) {
  const at = new Date('2026-03-10T10:00:00Z');
  await knex('pipelines').insert({
    id: PIPELINE,
    organization_id: 'finance',
    name: 'daily',
    owner: 'user:default/finance-engineer',
    pipeline_type: 'batch',
    engine: 'local',
    current_version: 1,
    created_by: 'user:default/finance-engineer',
    updated_by: 'user:default/finance-engineer',
    created_at: at,
    updated_at: at,
  });
  await knex('runs').insert({
    id: RUN,
    organization_id: 'finance',
    pipeline_id: PIPELINE,
    pipeline_version: 1,
    engine: 'local',
    status: 'queued',
    trigger: 'manual',
    triggered_by: 'user:default/finance-engineer',
    queued_at: at,
    idempotency_token: 'token-1',
  });
  await knex('data_tables').insert({
    id: TABLE,
    organization_id: 'retail',
    format: 'iceberg',
    owner: 'group:default/retail',
    created_at: at,
    updated_at: at,
  });
  await knex('connections').insert({
    id: CONNECTION,
    organization_id: 'healthcare',
    name: 'ehr',
    type: 'postgres',
    settings: '{}',
    secret_ciphertext: 'x',
    secret_iv: 'x',
    secret_tag: 'x',
    key_id: 'k',
    created_by: 'user:default/healthcare-admin',
    created_at: at,
  });
}

describe.each(databases.eachSupportedId())(
  'OrganizationOfResourceStore on %s',
  databaseId => {
    let knex: Knex;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      await seed(knex);
    });

    it('finds the organization owning a pipeline, run, table or connection', async () => {
      const store = OrganizationOfResourceStore.create({ knex });
      expect(await store.organizationOf('pipelines', PIPELINE)).toBe('finance');
      expect(await store.organizationOf('runs', RUN)).toBe('finance');
      expect(await store.organizationOf('tables', TABLE)).toBe('retail');
      expect(await store.organizationOf('connections', CONNECTION)).toBe(
        'healthcare',
      );
    });

    it('answers undefined for unknown, empty, oversized or mismatched ids', async () => {
      const store = OrganizationOfResourceStore.create({ knex });
      expect(await store.organizationOf('pipelines', 'nope')).toBeUndefined();
      expect(await store.organizationOf('pipelines', '')).toBeUndefined();
      expect(
        await store.organizationOf('pipelines', 'x'.repeat(500)),
      ).toBeUndefined();
      // A run id is not a pipeline id.
      expect(await store.organizationOf('pipelines', RUN)).toBeUndefined();
    });

    it('remembers answers, not misses', async () => {
      const store = OrganizationOfResourceStore.create({ knex, cacheSize: 2 });
      const id = '00000000-0000-4000-8000-00000000000a';
      expect(await store.organizationOf('tables', id)).toBeUndefined();
      const at = new Date();
      await knex('data_tables').insert({
        id,
        organization_id: 'finance',
        format: 'parquet',
        location: 'x',
        owner: 'group:default/finance',
        created_at: at,
        updated_at: at,
      });
      expect(await store.organizationOf('tables', id)).toBe('finance');
      await knex('data_tables').where('id', id).delete();
      // Remembered: rows never move between organizations.
      expect(await store.organizationOf('tables', id)).toBe('finance');
      // Evicted once two other answers came in.
      await store.organizationOf('pipelines', PIPELINE);
      await store.organizationOf('runs', RUN);
      expect(await store.organizationOf('tables', id)).toBeUndefined();
    });
  },
);
