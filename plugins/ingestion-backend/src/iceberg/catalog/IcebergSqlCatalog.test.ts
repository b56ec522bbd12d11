import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Knex } from 'knex';
import { migrateDown, migrateUp } from '../__testUtils__/catalogDatabase';
import { CommitConflictError } from '../errors';
import { toFileUri } from '../io/localFiles';
import { IcebergSchema } from '../types';
import { IcebergSqlCatalog } from './IcebergSqlCatalog';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const schema: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [{ id: 1, name: 'id', required: false, type: 'long' }],
};

const ORG_A = 'org-a';
const ORG_B = 'org-b';
const orders = { namespace: ['sales'], name: 'orders' };

describe('IcebergSqlCatalog', () => {
  let warehouse: string;

  beforeEach(async () => {
    warehouse = await fs.mkdtemp(join(tmpdir(), 'iceberg-catalog-'));
  });

  afterEach(async () => {
    await fs.rm(warehouse, { recursive: true, force: true });
  });

  const location = (org: string, name: string) =>
    toFileUri(join(warehouse, org, 'sales', name));

  async function createOrders(catalog: IcebergSqlCatalog, org = ORG_A) {
    await catalog.createNamespace(org, ['sales']);
    return catalog.createTable(org, orders, {
      location: location(org, 'orders'),
      schema,
    });
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let knex: Knex;
    let catalog: IcebergSqlCatalog;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateUp(knex);
      catalog = new IcebergSqlCatalog({ database: knex });
    });

    it('migrates down to nothing and up again', async () => {
      await migrateDown(knex);
      expect(await knex.schema.hasTable('iceberg_tables')).toBe(false);
      expect(await knex.schema.hasTable('iceberg_namespace_properties')).toBe(
        false,
      );
      await migrateUp(knex);
      expect(await knex.schema.hasTable('iceberg_tables')).toBe(true);
    });

    it('creates, lists and describes namespaces', async () => {
      await catalog.createNamespace(ORG_A, ['sales'], { owner: 'team-a' });
      await catalog.createNamespace(ORG_A, ['sales', 'raw']);
      await catalog.createNamespace(ORG_A, ['hr']);

      expect(await catalog.listNamespaces(ORG_A)).toEqual([['hr'], ['sales']]);
      expect(await catalog.listNamespaces(ORG_A, ['sales'])).toEqual([
        ['sales', 'raw'],
      ]);
      expect(await catalog.loadNamespaceProperties(ORG_A, ['sales'])).toEqual({
        owner: 'team-a',
      });
      await expect(catalog.createNamespace(ORG_A, ['sales'])).rejects.toThrow(
        ConflictError,
      );
      await expect(
        catalog.loadNamespaceProperties(ORG_A, ['nope']),
      ).rejects.toThrow(NotFoundError);
    });

    it('creates, loads, lists and drops tables', async () => {
      const created = await createOrders(catalog);

      expect(created.metadataLocation).toBe(
        `${location(ORG_A, 'orders')}/metadata/v1.metadata.json`,
      );
      const loaded = await catalog.loadTable(ORG_A, orders);
      expect(loaded.metadata).toEqual(created.metadata);
      expect(loaded.metadata['format-version']).toBe(2);
      expect(loaded.metadata.schemas).toEqual([schema]);
      expect(
        await fs.readFile(
          join(
            warehouse,
            ORG_A,
            'sales',
            'orders',
            'metadata',
            'version-hint.text',
          ),
          'utf8',
        ),
      ).toBe('1');
      expect(await catalog.listTables(ORG_A, ['sales'])).toEqual([orders]);

      await expect(createOrders(catalog)).rejects.toThrow(ConflictError);

      await catalog.dropTable(ORG_A, orders, { purge: true });
      expect(await catalog.listTables(ORG_A, ['sales'])).toEqual([]);
      await expect(
        fs.stat(join(warehouse, ORG_A, 'sales', 'orders')),
      ).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(catalog.dropTable(ORG_A, orders)).rejects.toThrow(
        NotFoundError,
      );
    });

    it('refuses tables in unknown namespaces', async () => {
      await expect(
        catalog.createTable(ORG_A, orders, {
          location: location(ORG_A, 'orders'),
          schema,
        }),
      ).rejects.toThrow(NotFoundError);
    });

    it('commits by compare-and-swap', async () => {
      const { metadataLocation: v1 } = await createOrders(catalog);
      const v2 = v1.replace('v1.', 'v2.');
      const v3 = v1.replace('v1.', 'v3.');

      await catalog.commitTable(ORG_A, orders, v1, v2);
      expect(await catalog.loadMetadataLocation(ORG_A, orders)).toBe(v2);

      // A writer still based on v1 lost the race.
      await expect(catalog.commitTable(ORG_A, orders, v1, v3)).rejects.toThrow(
        CommitConflictError,
      );
      expect(await catalog.loadMetadataLocation(ORG_A, orders)).toBe(v2);

      const row = await knex('iceberg_tables')
        .where({ organization_id: ORG_A, table_name: 'orders' })
        .first();
      expect(row).toMatchObject({
        catalog_name: 'ingestion',
        table_namespace: 'sales',
        metadata_location: v2,
        previous_metadata_location: v1,
        iceberg_type: 'TABLE',
      });
    });

    it('lets exactly one of two racing commits win', async () => {
      const { metadataLocation: v1 } = await createOrders(catalog);
      const candidates = ['v2-a', 'v2-b'].map(v => v1.replace('v1', v));

      const outcomes = await Promise.allSettled(
        candidates.map(c => catalog.commitTable(ORG_A, orders, v1, c)),
      );

      const winners = outcomes.filter(o => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const loser = outcomes.find(o => o.status === 'rejected');
      expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(
        CommitConflictError,
      );
      const current = await catalog.loadMetadataLocation(ORG_A, orders);
      expect(candidates[outcomes.indexOf(winners[0])]).toBe(current);
    });

    it('isolates organizations', async () => {
      const { metadataLocation } = await createOrders(catalog, ORG_A);

      expect(await catalog.listNamespaces(ORG_B)).toEqual([]);
      expect(await catalog.listTables(ORG_B, ['sales'])).toEqual([]);
      await expect(catalog.loadTable(ORG_B, orders)).rejects.toThrow(
        NotFoundError,
      );
      await expect(
        catalog.commitTable(
          ORG_B,
          orders,
          metadataLocation,
          metadataLocation.replace('v1.', 'v2.'),
        ),
      ).rejects.toThrow(NotFoundError);
      await expect(catalog.dropTable(ORG_B, orders)).rejects.toThrow(
        NotFoundError,
      );

      // The same names are free in another organization.
      await createOrders(catalog, ORG_B);
      expect(await catalog.loadMetadataLocation(ORG_A, orders)).toBe(
        metadataLocation,
      );
      expect(await catalog.loadMetadataLocation(ORG_B, orders)).not.toBe(
        metadataLocation,
      );
    });
  });
});
