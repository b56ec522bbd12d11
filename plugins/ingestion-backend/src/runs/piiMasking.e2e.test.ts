import { TestDatabases } from '@backstage/backend-test-utils';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { IcebergSqlCatalog } from '../iceberg';
import { readWithIcebird } from '../iceberg/__testUtils__/icebird';
import {
  startWarehouseServer,
  WarehouseServer,
} from '../iceberg/__testUtils__/warehouseServer';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import { ManualScheduler } from './__testUtils__/manualScheduler';
import { RUN_DRIVER_TASK_ID } from '.';

/**
 * The governance policy's `mask_in_non_production` end to end: the real plugin, the run driver
 * and the local engine; pipelines created and triggered over HTTP; tables read back with
 * icebird. Finance runs in development (masked), retail in production (clear).
 * The database-specific parts are covered on PostgreSQL by RunDriver.piiMasking.test.ts.
 */

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const CUSTOMERS_CSV = [
  'id,name,contact,tax_id,card,order_number,amount',
  '1,Ann,ann@example.com,123-45-6789,4111 1111 1111 1111,4000000000001000,10.50',
  '2,Bob,bob@example.org,234-56-7890,5555 5555 5555 4444,4000000000001001,7.25',
  '3,Cy,cy@example.net,345-67-8901,3782 822463 10005,4000000000001002,100.00',
].join('\n');

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

type Row = Record<string, unknown>;

describe.each(databases.eachSupportedId())(
  'PII masking of local runs on %s',
  databaseId => {
    let root: string;
    let server: WarehouseServer;
    const scheduler = new ManualScheduler();
    const storage = (org: string) => join(root, org);

    beforeAll(async () => {
      root = await fs.realpath(
        await fs.mkdtemp(join(tmpdir(), 'ingestion-pii-')),
      );
      for (const org of ['finance', 'retail', 'healthcare']) {
        await fs.mkdir(join(storage(org), 'raw', 'customers'), {
          recursive: true,
        });
        await fs.writeFile(
          join(storage(org), 'raw', 'customers', 'day1.csv'),
          CUSTOMERS_CSV,
        );
      }
      server = await startWarehouseServer(root);
    });

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      () => ({
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
              ...org,
              storage: storage(org.id),
              environment: org.id === 'retail' ? 'production' : 'development',
            })),
          },
        },
        features: [scheduler.factory()],
      }),
      { stop: true },
    );
    const api = () => request(ingestion.server);

    afterAll(async () => {
      await server?.close();
      await fs.rm(root, { recursive: true, force: true });
    });

    async function runPipeline(org: string, name: string, spec: object) {
      const created = await api()
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-engineer`))
        .send({ organization: org, name, spec });
      expect(created.status).toBe(201);
      return created.body.id as string;
    }

    async function trigger(org: string, pipelineId: string) {
      const res = await api()
        .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
        .set('Authorization', as(`${org}-engineer`))
        .send({});
      expect(res.status).toBe(202);
      const runId = res.body.id as string;
      for (let i = 0; i < 400; i++) {
        await scheduler.run(RUN_DRIVER_TASK_ID);
        const run = await api()
          .get(`/api/ingestion/v1/runs/${runId}`)
          .set('Authorization', as(`${org}-viewer`));
        if (
          ['succeeded', 'failed', 'quality_failed'].includes(run.body.status)
        ) {
          expect(run.body).toMatchObject({ status: 'succeeded' });
          return runId;
        }
        await sleep(25);
      }
      throw new Error(`run ${runId} did not end`);
    }

    async function logOf(org: string, runId: string): Promise<string[]> {
      const res = await api()
        .get(`/api/ingestion/v1/runs/${runId}/logs`)
        .set('Authorization', as(`${org}-viewer`));
      return res.body.items.map((e: { message: string }) => e.message);
    }

    async function readTable(org: string, table: string): Promise<Row[]> {
      const { metadata } = await new IcebergSqlCatalog({
        database: ingestion.knex,
        catalogName: `${org}_catalog`,
      }).loadTable(org, { namespace: ['crm'], name: table });
      const rows = await readWithIcebird(server, metadata.location);
      return rows.sort((a, b) => Number(a.id) - Number(b.id));
    }

    const spec = (org: string, table: string) => ({
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/customers/*.csv', format: 'csv' },
      transformations: [
        {
          type: 'cast',
          columns: { order_number: 'string', card: 'string' },
        },
      ],
      target: {
        type: 'iceberg',
        catalog: `${org}_catalog`,
        schema: 'crm',
        table,
      },
    });

    it('outside production, never writes clear PII: not on the first run, nor on later ones', async () => {
      const pipelineId = await runPipeline(
        'finance',
        'customers',
        spec('finance', 'customers'),
      );
      const first = await trigger('finance', pipelineId);
      const masked = await readTable('finance', 'customers');
      expect(masked.map(r => [Number(r.id), r.name, r.order_number])).toEqual([
        [1, 'Ann', '4000000000001000'],
        [2, 'Bob', '4000000000001001'],
        [3, 'Cy', '4000000000001002'],
      ]);
      // The spec's `mask` semantics, method hash: the SHA-256 hex digest of the value.
      expect(masked.map(r => [r.contact, r.tax_id, r.card])).toEqual([
        [
          sha256('ann@example.com'),
          sha256('123-45-6789'),
          sha256('4111 1111 1111 1111'),
        ],
        [
          sha256('bob@example.org'),
          sha256('234-56-7890'),
          sha256('5555 5555 5555 4444'),
        ],
        [
          sha256('cy@example.net'),
          sha256('345-67-8901'),
          sha256('3782 822463 10005'),
        ],
      ]);
      expect(await logOf('finance', first)).toContainEqual(
        expect.stringMatching(
          /Masked PII columns with hash because the organization's environment is development.*card \(credit_card, found in this run's staged rows\), contact \(email, found/,
        ),
      );

      // The table is tagged, so the next run's spec masks the columns itself, once.
      const tables = await api()
        .get('/api/ingestion/v1/tables?organization=finance')
        .set('Authorization', as('finance-viewer'));
      const table = tables.body.items.find(
        (t: { identifier?: string }) =>
          t.identifier === 'finance_catalog.crm.customers',
      );
      expect(table.piiColumns.sort()).toEqual(['card', 'contact', 'tax_id']);
      const second = await trigger('finance', pipelineId);
      expect(await logOf('finance', second)).toContainEqual(
        expect.stringMatching(
          /card \(credit_card, tagged on the target table\), contact \(email, tagged on the target table\), tax_id \(ssn, tagged on the target table\)/,
        ),
      );
      const afterSecond = await readTable('finance', 'customers');
      expect(afterSecond).toHaveLength(6);
      expect(new Set(afterSecond.map(r => r.contact))).toEqual(
        new Set(masked.map(r => r.contact)),
      );

      const audit = await api()
        .get('/api/ingestion/v1/audit?organization=finance')
        .set('Authorization', as('finance-admin'));
      expect(audit.status).toBe(200);
      expect(
        audit.body.items
          .filter((e: { action: string }) => e.action === 'run.mask-pii')
          .map((e: { targetId: string }) => e.targetId)
          .sort(),
      ).toEqual([first, second].sort());
    });

    it('in production, writes the values as they are and only tags the columns', async () => {
      const pipelineId = await runPipeline(
        'retail',
        'customers',
        spec('retail', 'customers'),
      );
      const runId = await trigger('retail', pipelineId);
      const rows = await readTable('retail', 'customers');
      expect(rows.map(r => [r.contact, r.tax_id, r.card])).toEqual([
        ['ann@example.com', '123-45-6789', '4111 1111 1111 1111'],
        ['bob@example.org', '234-56-7890', '5555 5555 5555 4444'],
        ['cy@example.net', '345-67-8901', '3782 822463 10005'],
      ]);
      expect(await logOf('retail', runId)).not.toContainEqual(
        expect.stringContaining('Masked PII'),
      );
      const tables = await api()
        .get('/api/ingestion/v1/tables?organization=retail')
        .set('Authorization', as('retail-viewer'));
      expect(tables.body.items[0].piiColumns.sort()).toEqual([
        'card',
        'contact',
        'tax_id',
      ]);
    });
  },
);
