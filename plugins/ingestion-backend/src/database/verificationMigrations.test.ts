import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { pipelineDeployments } from '../engines/databricks/deployments';
import { batchSpec } from '../__testUtils__/specs';
import { DatabasePipelinesStore } from './DatabasePipelinesStore';
import { applyDatabaseMigrations, migrationsDir } from './migrations';
import { cursorCodec } from './pagination';

jest.setTimeout(120_000);

/**
 * The migrations of deployment verification and cursor signing, stepped down and up again with
 * data in place: `down` truly undoes `up` and keeps the rest of the row, and a deployment that
 * existed before verification comes back unverified.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const VERIFIED = '20261207031000_pipeline_deployment_verified.js';
const CURSOR_KEY = '20261207030000_cursor_signing_key.js';

describe.each(databases.eachSupportedId())('migrations on %s', id => {
  let knex: Knex;

  beforeEach(async () => {
    knex = await databases.init(id);
    await applyDatabaseMigrations(knex);
  }, 120_000);

  afterEach(async () => {
    await knex.destroy();
  });

  const down = (name: string) =>
    knex.migrate.down({ directory: migrationsDir, name });
  const up = (name: string) =>
    knex.migrate.up({ directory: migrationsDir, name });

  it('adds and removes the verification of recorded deployments', async () => {
    const store = new DatabasePipelinesStore(knex);
    const at = new Date('2026-12-01T00:00:00Z');
    await store.create({
      id: 'pl-1',
      organizationId: 'finance',
      name: 'daily',
      owner: 'group:default/finance',
      pipelineType: 'batch',
      engine: 'databricks',
      spec: batchSpec() as any,
      specHash: 'h',
      createdBy: 'user:default/test',
      at,
    });
    await store.recordDeployment('finance', 'pl-1', {
      databricksJobId: '501',
      deployedVersion: 1,
      at,
      verifiedAt: at,
    });

    await down(VERIFIED);
    expect(
      await knex.schema.hasColumn('pipelines', 'databricks_job_verified_at'),
    ).toBe(false);
    expect(
      await knex('pipelines').where({ id: 'pl-1' }).first('databricks_job_id'),
    ).toEqual({ databricks_job_id: '501' });

    // Up again: the deployment recorded without verification is read as unverified.
    await up(VERIFIED);
    await expect(
      pipelineDeployments(store).deployedJob('finance', 'pl-1'),
    ).resolves.toEqual({ jobId: 501, version: 1, verified: false });
  });

  it('adds and removes the cursor key table; a new key invalidates old cursors', async () => {
    const context = {
      list: 'things',
      sort: { column: 'id', order: 'asc' as const },
      scope: {},
    };
    const first = await cursorCodec(knex);
    const cursor = first.encode(context, { value: 1, id: '1' });
    expect(await knex('ingestion_signing_keys').count({ n: '*' })).toEqual([
      { n: expect.anything() },
    ]);

    await down(CURSOR_KEY);
    expect(await knex.schema.hasTable('ingestion_signing_keys')).toBe(false);
    await up(CURSOR_KEY);
    expect(await knex('ingestion_signing_keys').select('name')).toEqual([]);

    // Another client of the same database (a restarted backend) makes a new key.
    const other = await knex.transaction(async tx => cursorCodec(tx));
    expect(() => other.decode(context, cursor)).toThrow(/^cursor: /);
  });
});
