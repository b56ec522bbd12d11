import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** A token of the catalog plugin calling the ingestion plugin. */
const catalogService = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:catalog'),
  targetPluginId: 'ingestion',
});

describe.each(databases.eachSupportedId())(
  'catalog export on %s',
  databaseId => {
    const ingestion = setUpIngestionTestBackend(databases, databaseId, {
      validateResponses: true,
    });

    const get = (path: string, auth = catalogService) =>
      request(ingestion.server)
        .get(`/api/ingestion/v1/catalog${path}`)
        .set('Authorization', auth);

    async function createPipeline(org: string, name: string) {
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-engineer`))
        .send({
          organization: org,
          name,
          // Specs name their own organization's catalog.
          spec: {
            ...batchSpec(),
            target: { ...batchSpec().target, catalog: `${org}_catalog` },
          },
        });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    it('is for the catalog backend only', async () => {
      const res = await get('/organizations', as('finance-admin'));
      expect(res.status).toBe(403);
      // Other services (automation tokens, other plugins) use the API, within their grants.
      for (const subject of ['ingestion-automation', 'plugin:scaffolder']) {
        const other = await get(
          '/organizations',
          mockCredentials.service.header({
            onBehalfOf: mockCredentials.service(subject),
            targetPluginId: 'ingestion',
          }),
        );
        expect(other.status).toBe(403);
      }
      expect(
        (await get('/organizations', mockCredentials.none.header())).status,
      ).toBe(401);
    });

    it('lists every organization, pipeline with spec and table, in pages', async () => {
      const since = Date.now();
      const ids = [
        await createPipeline('finance', 'export-a'),
        await createPipeline('finance', 'export-b'),
        await createPipeline('retail', 'export-c'),
      ];
      const tableId = randomUUID();
      await ingestion.knex('data_tables').insert({
        id: tableId,
        organization_id: 'finance',
        format: 'iceberg',
        catalog_name: 'finance_catalog',
        namespace: 'analytics',
        table_name: 'daily_transactions',
        location: 'file:///w/analytics/daily_transactions',
        owner: 'group:default/finance',
        pipeline_id: ids[0],
        pii_columns: JSON.stringify(['email']),
        schema: JSON.stringify({
          fields: [{ id: 1, name: 'email', type: 'string', required: true }],
        }),
        created_at: new Date(),
        updated_at: new Date(),
      });
      await ingestion.knex('iceberg_tables').insert({
        organization_id: 'finance',
        catalog_name: 'finance_catalog',
        table_namespace: 'analytics',
        table_name: 'daily_transactions',
        metadata_location:
          'file:///w/analytics/daily_transactions/metadata/v2.metadata.json',
        iceberg_type: 'TABLE',
      });

      const orgs = await get('/organizations');
      expect(orgs.status).toBe(200);
      expect(orgs.body.items.map((o: { id: string }) => o.id)).toEqual([
        'finance',
        'retail',
        'healthcare',
      ]);
      expect(orgs.body.items[0]).toMatchObject({
        ownerGroup: 'group:default/finance',
        costCenter: 'FIN-001',
        icebergCatalog: 'finance_catalog',
      });

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await get(
          `/pipelines?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        for (const p of page.body.items) {
          expect(p.spec).toMatchObject({ pipeline_type: 'batch' });
          seen.push(p.id);
        }
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen.filter(id => ids.includes(id)).sort()).toEqual(
        [...ids].sort(),
      );

      const tables = await get('/tables');
      expect(tables.body.items).toContainEqual(
        expect.objectContaining({
          id: tableId,
          identifier: 'finance_catalog.analytics.daily_transactions',
          metadataLocation:
            'file:///w/analytics/daily_transactions/metadata/v2.metadata.json',
          piiColumns: ['email'],
          columns: [{ name: 'email', type: 'string', required: true }],
        }),
      );

      const changes = await get(`/changes?since=${since}`);
      expect(changes.status).toBe(200);
      expect(changes.body.truncated).toBe(false);
      expect(
        changes.body.pipelines.map((p: { id: string }) => p.id).sort(),
      ).toEqual(expect.arrayContaining(ids));
      expect(changes.body.tables.map((t: { id: string }) => t.id)).toContain(
        tableId,
      );
      expect(changes.body.counts.finance.pipelines).toBeGreaterThanOrEqual(2);
      expect(Number(changes.body.until)).toBeGreaterThanOrEqual(since);

      const later = await get(`/changes?since=${Date.now() + 60_000}`);
      expect(later.body.pipelines).toEqual([]);
      expect(later.body.tables).toEqual([]);

      const idList = await get('/ids?organization=retail&kind=pipelines');
      expect(idList.body.items).toContain(ids[2]);
      expect(idList.body.items).not.toContain(ids[0]);
    });

    it('rejects bad parameters', async () => {
      expect((await get('/changes?since=yesterday')).status).toBe(400);
      expect((await get('/pipelines?limit=5000')).status).toBe(400);
      expect((await get('/pipelines?cursor=%2F%2F')).status).toBe(400);
      expect(
        (await get('/ids?organization=nowhere&kind=pipelines')).status,
      ).toBe(404);
      expect((await get('/ids?organization=finance&kind=runs')).status).toBe(
        400,
      );
    });
  },
);
