import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { IcebergSqlCatalog, IcebergTableWriter } from '../iceberg';
import { applyDatabaseMigrations } from '../database/migrations';
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiScanner } from '../pii/PiiScanner';
import { lazyDuckDb } from '../pii/sampleIcebergTable';
import { ManualScheduler } from '../runs/__testUtils__/manualScheduler';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';
import {
  startRestCatalogServer,
  tableMetadata,
  type RestCatalogServer,
} from './__testUtils__/restCatalogServer';
import { EgressGuard } from '../egress';
import { IcebergDiscovery } from './IcebergDiscovery';
import { ICEBERG_DISCOVERY_TASK_ID } from './index';
import { readRestCatalogs } from './restCatalogConfig';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** retail reads a Unity-style catalog with a static token, healthcare a Polaris-style one with OAuth2. */
function configWith(
  unity: RestCatalogServer,
  polaris: RestCatalogServer,
  secret = 's3cret',
  allowListed = true,
) {
  // The catalogs listen on loopback: each organization allow-lists its own catalog's port.
  const egress = (catalog: RestCatalogServer) =>
    allowListed
      ? {
          egress: {
            allow: [
              {
                host: new URL(catalog.url).hostname,
                ports: [Number(new URL(catalog.url).port)],
              },
            ],
          },
        }
      : {};
  return {
    ingestion: {
      ...TEST_CONFIG.ingestion,
      organizations: TEST_CONFIG.ingestion.organizations.map(org => {
        if (org.id === 'retail') {
          return {
            ...org,
            ...egress(unity),
            iceberg: {
              restCatalogs: [
                {
                  name: 'unity',
                  uri: unity.url,
                  auth: { type: 'bearer', token: 'static-token' },
                },
              ],
            },
          };
        }
        if (org.id === 'healthcare') {
          return {
            ...org,
            ...egress(polaris),
            iceberg: {
              restCatalogs: [
                {
                  name: 'polaris',
                  uri: polaris.url,
                  warehouse: 'clinical',
                  auth: {
                    type: 'oauth2',
                    clientId: 'portal',
                    clientSecret: secret,
                    scope: 'PRINCIPAL_ROLE:ALL',
                  },
                },
              ],
            },
          };
        }
        return org;
      }),
      icebergDiscovery: { pageSize: 1 },
    },
  };
}

async function startCatalogs() {
  const unity = await startRestCatalogServer({
    namespaces: [['sales'], ['sales', 'eu'], ['hr']],
    bearerToken: 'static-token',
  });
  unity.setTable(['sales'], 'orders', {
    metadataLocation: 's3://lake/sales/orders/metadata/v2.metadata.json',
    metadata: tableMetadata({
      location: 's3://lake/sales/orders',
      columns: ['id', 'customer_email', 'amount'],
    }),
  });
  unity.setTable(['sales'], 'refunds', {
    metadataLocation: 's3://lake/sales/refunds/metadata/v1.metadata.json',
    metadata: tableMetadata({
      location: 's3://lake/sales/refunds',
      columns: ['id', 'reason'],
      snapshots: 1,
    }),
  });
  unity.setTable(['sales', 'eu'], 'returns', {
    metadataLocation: 's3://lake/sales/eu/returns/metadata/v1.metadata.json',
    metadata: tableMetadata({
      location: 's3://lake/sales/eu/returns',
      columns: ['id', 'note'],
    }),
  });
  unity.setTable(['hr'], 'people', {
    metadataLocation: 's3://lake/hr/people/metadata/v5.metadata.json',
    metadata: tableMetadata({
      location: 's3://lake/hr/people',
      columns: ['id', 'ssn', 'phone_number', 'name'],
    }),
  });
  const polaris = await startRestCatalogServer({
    namespaces: [['clinical']],
    client: { id: 'portal', secret: 's3cret' },
    warehouse: { name: 'clinical', prefix: 'wh-7' },
  });
  polaris.setTable(['clinical'], 'visits', {
    metadataLocation: 's3://hospital/clinical/visits/metadata/v1.metadata.json',
    metadata: tableMetadata({
      location: 's3://hospital/clinical/visits',
      columns: ['id', 'patient_email'],
    }),
  });
  return { unity, polaris };
}

describe.each(databases.eachSupportedId())(
  'Iceberg discovery on %s',
  databaseId => {
    let unity: RestCatalogServer;
    let polaris: RestCatalogServer;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    let warehouse: string;
    const duckdb = lazyDuckDb();

    beforeAll(async () => {
      ({ unity, polaris } = await startCatalogs());
      knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      warehouse = await fs.mkdtemp(join(tmpdir(), 'iceberg-discovery-'));
      // A table of finance's local SQL catalog, as the local engine writes them.
      const catalog = new IcebergSqlCatalog({
        database: knex,
        catalogName: 'finance_catalog',
      });
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      await new IcebergTableWriter({ catalog }).write({
        organizationId: 'finance',
        warehouseRoot: warehouse,
        table: { namespace: ['crm'], name: 'customers' },
        connection,
        query: `SELECT * FROM (VALUES
        (1, 'ann@example.com', '4111 1111 1111 1111', 'hello'),
        (2, 'bob@example.org', '5555 5555 5555 4444', 'world'),
        (3, 'cy@example.net', '3782 822463 10005', '42')
      ) t(id, contact, card, note)`,
        mode: 'append',
        runId: 'run-1',
      });
      connection.closeSync();
      instance.closeSync();
    });

    afterAll(async () => {
      duckdb.close();
      await unity.close();
      await polaris.close();
    });

    function discovery(secret?: string, allowListed = true) {
      const config = mockServices.rootConfig({
        data: configWith(unity, polaris, secret, allowListed),
      });
      return new IcebergDiscovery({
        egress: EgressGuard.fromConfig(config),
        knex,
        logger: mockServices.logger.mock(),
        directory: new OrganizationDirectory(readOrganizationsConfig(config)),
        restCatalogs: readRestCatalogs(config),
        pii: new PiiScanner({
          knex,
          logger: mockServices.logger.mock(),
          duckdb: duckdb.get,
        }),
        pageSize: 1,
      });
    }

    const tableRow = (
      org: string,
      catalog: string,
      namespace: string,
      name: string,
    ) =>
      knex('data_tables')
        .where({
          organization_id: org,
          catalog_name: catalog,
          namespace,
          table_name: name,
        })
        .first();
    const stateOf = (org: string, tableId: string) =>
      knex('table_catalog_state')
        .where({ organization_id: org, table_id: tableId })
        .first();

    it('records the tables of the local SQL catalog and of REST catalogs, every page of them', async () => {
      const report = await discovery().discover();
      expect(report.failed).toEqual([]);
      expect(report.tables).toBe(6);
      expect(report.changed).toBe(6);

      const customers = await tableRow(
        'finance',
        'finance_catalog',
        'crm',
        'customers',
      );
      expect(customers).toMatchObject({
        format: 'iceberg',
        owner: 'group:default/finance',
        classification: 'restricted',
      });
      expect(JSON.parse(customers.pii_columns)).toEqual(['card', 'contact']);
      const customersState = await stateOf('finance', customers.id);
      expect(customersState.discovered_in).toBe('sql:finance_catalog');
      expect(customersState.metadata_location).toMatch(
        /^file:.*\.metadata\.json$/,
      );
      expect(JSON.parse(customersState.pii_findings)).toEqual({
        contact: ['email'],
        card: ['credit_card'],
      });

      const returns = await tableRow('retail', 'unity', 'sales.eu', 'returns');
      expect(returns).toMatchObject({
        location: 's3://lake/sales/eu/returns',
        owner: 'group:default/retail',
      });
      const people = await tableRow('retail', 'unity', 'hr', 'people');
      expect(Number(people.row_count)).toBe(250);
      expect(
        JSON.parse(people.schema).fields.map((f: { name: string }) => f.name),
      ).toEqual(['id', 'ssn', 'phone_number', 'name']);
      expect(
        JSON.parse((await stateOf('retail', people.id)).pii_findings),
      ).toEqual({
        ssn: ['ssn'],
        phone_number: ['phone'],
      });
      // pageSize 1: namespaces and tables were read page by page
      expect(unity.requests).toContainEqual(
        expect.stringMatching(/^GET \/v1\/namespaces\?.*pageToken=/),
      );
      expect(unity.requests).toContainEqual(
        expect.stringMatching(
          /^GET \/v1\/namespaces\/sales\/tables\?.*pageToken=/,
        ),
      );
      expect(unity.requests).toContainEqual(
        expect.stringMatching(/^GET \/v1\/namespaces\?parent=sales/),
      );

      // OAuth2 client credentials against the warehouse's prefix
      const visits = await tableRow(
        'healthcare',
        'polaris',
        'clinical',
        'visits',
      );
      expect(visits).toBeDefined();
      expect(polaris.tokensIssued).toBe(1);
      expect(polaris.requests).toContainEqual(
        'GET /v1/config?warehouse=clinical',
      );
      expect(polaris.requests).toContainEqual(
        expect.stringMatching(/^GET \/v1\/wh-7\/namespaces/),
      );
    });

    it('writes nothing for unchanged tables and refreshes changed ones', async () => {
      const again = await discovery().discover();
      expect(again.changed).toBe(0);
      unity.setTable(['sales'], 'refunds', {
        metadataLocation: 's3://lake/sales/refunds/metadata/v2.metadata.json',
        metadata: tableMetadata({
          location: 's3://lake/sales/refunds',
          columns: ['id', 'reason', 'contact_email'],
          snapshots: 2,
        }),
      });
      const changed = await discovery().discover();
      expect(changed.changed).toBe(1);
      const refunds = await tableRow('retail', 'unity', 'sales', 'refunds');
      expect(
        JSON.parse((await stateOf('retail', refunds.id)).pii_findings),
      ).toEqual({
        contact_email: ['email'],
      });
    });

    it('fetches a new OAuth2 token when the catalog rejects the old one, and reports bad credentials', async () => {
      const client = discovery().restClient(
        readRestCatalogs(
          mockServices.rootConfig({ data: configWith(unity, polaris) }),
        ).find(c => c.name === 'polaris')!,
      );
      expect(await client.listNamespaces()).toEqual([['clinical']]);
      const issued = polaris.tokensIssued;
      polaris.revokeTokens();
      expect(await client.listTables(['clinical'])).toEqual([
        { namespace: ['clinical'], name: 'visits' },
      ]);
      expect(polaris.tokensIssued).toBe(issued + 1);

      const report = await discovery('wrong').discover();
      expect(report.failed).toEqual([
        { catalog: 'polaris', message: expect.stringContaining('status 401') },
      ]);
    });

    it('calls catalogs through the egress guard: a catalog on loopback needs the allow-list', async () => {
      const unityRequests = unity.requests.length;
      const polarisRequests = polaris.requests.length;
      const report = await discovery(undefined, false).discover();
      expect(report.failed).toEqual([
        {
          catalog: 'unity',
          message: expect.stringMatching(
            /127\.0\.0\.1 is a loopback address, which organization 'retail' has not allow-listed/,
          ),
        },
        {
          catalog: 'polaris',
          message: expect.stringMatching(
            /organization 'healthcare' has not allow-listed/,
          ),
        },
      ]);
      // Refused before connecting: neither catalog (nor polaris's token URL) saw a request.
      expect(unity.requests.length).toBe(unityRequests);
      expect(polaris.requests.length).toBe(polarisRequests);
    });

    it('serves a table’s metadata to readers of its organization', async () => {
      const scheduler = new ManualScheduler();
      const { server } = await startIngestionTestBackend({
        knex,
        config: configWith(unity, polaris),
        features: [scheduler.factory()],
      });
      await scheduler.run(ICEBERG_DISCOVERY_TASK_ID);
      const list = await request(server)
        .get('/api/ingestion/v1/tables?organization=retail&limit=50')
        .set('Authorization', as('retail-analyst'));
      const people = list.body.items.find(
        (t: { identifier?: string }) => t.identifier === 'unity.hr.people',
      );
      const res = await request(server)
        .get(`/api/ingestion/v1/tables/${people.id}/metadata`)
        .set('Authorization', as('retail-analyst'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        identifier: 'unity.hr.people',
        metadataLocation: 's3://lake/hr/people/metadata/v5.metadata.json',
        discoveredIn: 'rest:unity',
        formatVersion: 2,
        currentSchemaId: 1,
        rowCount: 250,
        dataFileCount: 3,
        sizeBytes: 8192,
        properties: { owner: 'sales', 'write.format.default': 'parquet' },
        defaultSortOrderId: 1,
        pii: { ssn: ['ssn'], phone_number: ['phone'] },
      });
      expect(res.body.schemas).toHaveLength(2);
      expect(res.body.partitionSpecs[0].fields[0].transform).toBe('bucket[16]');
      expect(res.body.sortOrders[0].fields[0].direction).toBe('asc');
      expect(
        res.body.snapshots.map((s: { operation: string }) => s.operation),
      ).toEqual(['overwrite', 'append']);
      expect(res.body.snapshots[0]).toMatchObject({
        addedFiles: 3,
        removedFiles: 1,
        addedRows: 200,
        removedRows: 50,
      });

      const local = (
        await request(server)
          .get('/api/ingestion/v1/tables?organization=finance&limit=50')
          .set('Authorization', as('finance-viewer'))
      ).body.items.find(
        (t: { identifier?: string }) =>
          t.identifier === 'finance_catalog.crm.customers',
      );
      const localMetadata = await request(server)
        .get(`/api/ingestion/v1/tables/${local.id}/metadata`)
        .set('Authorization', as('finance-viewer'));
      expect(localMetadata.status).toBe(200);
      expect(localMetadata.body).toMatchObject({
        rowCount: 3,
        discoveredIn: 'sql:finance_catalog',
      });
      expect(localMetadata.body.snapshots[0].runId).toBe('run-1');

      const outsider = await request(server)
        .get(`/api/ingestion/v1/tables/${people.id}/metadata`)
        .set('Authorization', as('finance-admin'));
      expect(outsider.status).toBe(404);
    });
  },
);
