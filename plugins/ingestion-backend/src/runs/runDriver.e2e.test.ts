import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import request from 'supertest';
import { IcebergSqlCatalog, RUN_ID_SUMMARY_KEY } from '../iceberg';
import { readWithIcebird } from '../iceberg/__testUtils__/icebird';
import {
  startWarehouseServer,
  WarehouseServer,
} from '../iceberg/__testUtils__/warehouseServer';
import {
  createMariaDb,
  SourceDatabase,
} from '../engines/local/__testUtils__/sourceDatabases';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';
import { ManualScheduler } from './__testUtils__/manualScheduler';
import { RUN_DRIVER_TASK_ID } from '.';

/**
 * The run driver and the local engine end to end, through the real plugin and its HTTP API:
 * pipelines are created and triggered over HTTP, the driver's scheduled task is run by hand
 * (never on a timer), and the Iceberg tables are read back with icebird, an independent reader.
 */

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const MASTER_KEY = { id: 'e2e', key: randomBytes(32).toString('base64') };
const MYSQL_URL = new URL(
  process.env.INGESTION_TEST_MYSQL_CONNECTION_STRING ??
    'mysql://root@127.0.0.1:3306/test',
);

const ORDERS_CSV = [
  'id,customer_id,amount,status',
  '1,c1,10.50,paid',
  '2,c1,-3.00,refund',
  '3,c2,7.25,paid',
  '4,c3,100.00,shipped',
].join('\n');

type Row = Record<string, unknown>;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe.each(databases.eachSupportedId())(
  'runs end to end on %s',
  databaseId => {
    let knex: Knex;
    let root: string;
    let server: WarehouseServer;
    let maria: SourceDatabase;
    let scheduler: ManualScheduler;
    let backend: Awaited<ReturnType<typeof startIngestionTestBackend>>;
    const storage = (org: string) => join(root, org);

    const config = () => ({
      ingestion: {
        ...TEST_CONFIG.ingestion,
        organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
          ...org,
          storage: storage(org.id),
          // Retail runs one job at a time.
          ...(org.id === 'retail'
            ? { quotas: { databricks: { maxConcurrentJobs: 1 } } }
            : {}),
          // finance and retail read the local MariaDB: their egress allow-lists admit exactly that.
          ...(org.id === 'finance' || org.id === 'retail'
            ? {
                egress: {
                  allow: [
                    {
                      host: MYSQL_URL.hostname,
                      ports: [Number(MYSQL_URL.port || 3306)],
                    },
                  ],
                },
              }
            : {}),
        })),
        secrets: { masterKeys: [MASTER_KEY] },
        pricing: { storageGbMonth: 0.05 },
        api: { validateResponses: true },
      },
    });

    async function start() {
      scheduler = new ManualScheduler();
      backend = await startIngestionTestBackend({
        knex,
        config: config(),
        features: [scheduler.factory()],
      });
    }

    const api = () => request(backend.server);
    const tick = () => scheduler.run(RUN_DRIVER_TASK_ID);

    async function getRun(id: string, user = 'finance-viewer') {
      const res = await api()
        .get(`/api/ingestion/v1/runs/${id}`)
        .set('Authorization', as(user));
      expect(res.status).toBe(200);
      return res.body;
    }

    /** Ticks until `done` holds; the local engine works in the background between ticks. */
    async function driveUntil(done: () => Promise<boolean>, what: string) {
      for (let i = 0; i < 400; i++) {
        await tick();
        if (await done()) return;
        await sleep(25);
      }
      throw new Error(`Gave up waiting until ${what}`);
    }

    const FINAL = ['succeeded', 'failed', 'quality_failed', 'cancelled'];

    async function driveToEnd(id: string, user = 'finance-viewer') {
      let run: any;
      await driveUntil(async () => {
        run = await getRun(id, user);
        return FINAL.includes(run.status);
      }, `run ${id} ends`);
      return run;
    }

    async function createPipeline(
      user: string,
      organization: string,
      name: string,
      spec: object,
    ) {
      const res = await api()
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(user))
        .send({ organization, name, spec });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    async function updatePipeline(id: string, version: number, spec: object) {
      const res = await api()
        .put(`/api/ingestion/v1/pipelines/${id}`)
        .set('Authorization', as('finance-engineer'))
        .send({ spec, expectedVersion: version });
      expect(res.status).toBe(200);
    }

    async function trigger(pipelineId: string, user = 'finance-analyst') {
      const res = await api()
        .post(`/api/ingestion/v1/pipelines/${pipelineId}/runs`)
        .set('Authorization', as(user))
        .send({});
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('queued');
      return res.body.id as string;
    }

    const catalog = (catalogName = 'finance_catalog') =>
      new IcebergSqlCatalog({ database: knex, catalogName });

    async function snapshots(org: string, schema: string, table: string) {
      const loaded = await catalog(`${org}_catalog`).loadTable(org, {
        namespace: [schema],
        name: table,
      });
      return loaded.metadata.snapshots;
    }

    async function readTable(
      org: string,
      schema: string,
      table: string,
      sortBy: (row: Row) => string,
    ): Promise<Row[]> {
      const { metadata } = await catalog().loadTable(org, {
        namespace: [schema],
        name: table,
      });
      const rows = await readWithIcebird(server, metadata.location);
      return rows.sort((a, b) => sortBy(a).localeCompare(sortBy(b)));
    }

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      root = await fs.realpath(
        await fs.mkdtemp(join(tmpdir(), 'ingestion-e2e-')),
      );
      for (const org of ['finance', 'retail', 'healthcare']) {
        await fs.mkdir(storage(org), { recursive: true });
      }
      server = await startWarehouseServer(root);
      maria = await createMariaDb();
      await maria.query(`CREATE TABLE transactions (
      id INT PRIMARY KEY,
      customer_id VARCHAR(10),
      amount DECIMAL(10,2),
      date DATE,
      updated_at DATETIME
    )`);
      await maria.query(`INSERT INTO transactions VALUES
      (1, 'c1', 10.00, '2024-01-01', '2024-01-01 09:00:00'),
      (2, 'c1', 5.50, '2024-01-01', '2024-01-01 09:10:00'),
      (3, 'c2', -1.00, '2024-01-01', '2024-01-01 09:20:00'),
      (4, 'c2', 20.00, '2024-01-01', '2024-01-01 09:30:00'),
      (5, 'c3', 7.00, '2024-01-02', '2024-01-02 08:00:00')`);
      await maria.query(
        `CREATE TABLE slow (id INT PRIMARY KEY, label VARCHAR(10))`,
      );
      await maria.query(`INSERT INTO slow VALUES (1, 'a'), (2, 'b')`);
      await start();
      for (const org of ['finance', 'retail']) {
        const res = await api()
          .post('/api/ingestion/v1/connections')
          .set('Authorization', as(`${org}-admin`))
          .send({
            organization: org,
            name: `${org}-db`,
            type: 'mariadb',
            ...maria.settings,
            password: maria.password,
          });
        if (res.status !== 201) {
          throw new Error(`Could not create a connection: ${res.text}`);
        }
      }
    });

    afterAll(async () => {
      await backend?.stop();
      await maria?.drop();
      await server?.close();
      await fs.rm(root, { recursive: true, force: true });
    });

    it('runs a files → Iceberg pipeline and records its table, lineage, quality and costs', async () => {
      await fs.mkdir(join(storage('finance'), 'raw', 'orders'), {
        recursive: true,
      });
      await fs.writeFile(
        join(storage('finance'), 'raw', 'orders', 'day1.csv'),
        ORDERS_CSV,
      );
      const pipelineId = await createPipeline(
        'finance-engineer',
        'finance',
        'orders-from-files',
        {
          pipeline_type: 'batch',
          source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
          transformations: [
            { type: 'filter', condition: "status <> 'refund'" },
            { type: 'select', columns: ['id', 'customer_id', 'amount'] },
          ],
          target: {
            type: 'iceberg',
            catalog: 'finance_catalog',
            schema: 'raw',
            table: 'orders',
          },
          data_quality: [{ type: 'uniqueness', columns: ['id'] }],
        },
      );
      const runId = await trigger(pipelineId);
      const run = await driveToEnd(runId);
      expect(run).toMatchObject({
        status: 'succeeded',
        rowsRead: 4,
        rowsWritten: 3,
        attempt: 1,
        engine: 'local',
      });
      expect(run.bytesWritten).toBeGreaterThan(0);
      expect(run.startedAt ?? run.submittedAt).toBeDefined();

      const rows = await readTable('finance', 'raw', 'orders', r =>
        String(r.id),
      );
      expect(rows.map(r => [Number(r.id), r.customer_id, r.amount])).toEqual([
        [1, 'c1', 10.5],
        [3, 'c2', 7.25],
        [4, 'c3', 100],
      ]);
      expect(
        (await snapshots('finance', 'raw', 'orders'))[0].summary,
      ).toMatchObject({ [RUN_ID_SUMMARY_KEY]: runId });

      const tables = await api()
        .get('/api/ingestion/v1/tables?organization=finance')
        .set('Authorization', as('finance-viewer'));
      expect(tables.body.items).toContainEqual(
        expect.objectContaining({
          identifier: 'finance_catalog.raw.orders',
          owner: 'user:default/finance-engineer',
          pipelineId,
          rowCount: 3,
        }),
      );
      const lineage = await api()
        .get(
          `/api/ingestion/v1/lineage?organization=finance&pipelineId=${pipelineId}`,
        )
        .set('Authorization', as('finance-viewer'));
      expect(lineage.status).toBe(200);
      expect(lineage.body.edges).toEqual(
        expect.arrayContaining([
          {
            from: 'dataset:file:raw/orders/*.csv',
            to: `pipeline:${pipelineId}`,
          },
          {
            from: `pipeline:${pipelineId}`,
            to: 'dataset:iceberg:finance_catalog.raw.orders',
          },
        ]),
      );
      const quality = await api()
        .get(`/api/ingestion/v1/quality?organization=finance&runId=${runId}`)
        .set('Authorization', as('finance-viewer'));
      expect(quality.body.items).toEqual([
        expect.objectContaining({
          ruleType: 'uniqueness',
          passed: true,
          observed: 1,
        }),
      ]);
      // The local engine's measured CPU time and memory: a run on the embedded default costs.
      const costs = await knex('cost_records')
        .where({ run_id: runId })
        .orderBy('unit');
      expect(costs).toEqual([
        expect.objectContaining({
          service_type: 'compute',
          unit: 'CPU-second',
          cost_center: 'FIN-001',
          source: 'local-measured',
          measurement: 'measured',
        }),
        expect.objectContaining({ unit: 'GB-hour', source: 'local-measured' }),
      ]);
      expect(costs.every(c => Number(c.amount) > 0)).toBe(true);
      const logs = await api()
        .get(`/api/ingestion/v1/runs/${runId}/logs`)
        .set('Authorization', as('finance-viewer'));
      // `running` is recorded when a tick sees the engine working, which a fast run may skip.
      const transitions = logs.body.items
        .filter((e: any) => e.kind === 'transition')
        .map((e: any) => e.status)
        .filter((status: string) => status !== 'running');
      expect(transitions).toEqual(['queued', 'submitted', 'succeeded']);
    });

    describe('MariaDB incremental → Iceberg with aggregate and quality rules', () => {
      let pipelineId: string;
      // The brief's batch example, read from MariaDB, with a range rule that only warns.
      const spec = (extra: object = {}) => {
        const brief = briefBatchExample();
        return {
          ...brief,
          schedule: undefined,
          source: { ...brief.source, type: 'mariadb' },
          data_quality: [
            ...brief.data_quality,
            { type: 'range', columns: ['amount'], min: 0, severity: 'warn' },
          ],
          ...extra,
        };
      };
      const daily = async () =>
        (
          await readTable(
            'finance',
            'analytics',
            'daily_transactions',
            r => `${r.customer_id}|${String(r.date)}|${r.amount}`,
          )
        ).map(r => [
          r.customer_id,
          (r.date as Date | string | number).toString(),
          r.amount,
          Number(r.count),
        ]);

      it('loads, then only adds new rows on the next run', async () => {
        pipelineId = await createPipeline(
          'finance-engineer',
          'finance',
          'daily-transactions',
          spec(),
        );
        const first = await driveToEnd(await trigger(pipelineId));
        expect(first).toMatchObject({
          status: 'succeeded',
          rowsRead: 5,
          rowsWritten: 3,
          watermarkOut: '2024-01-02 08:00:00',
        });
        const afterFirst = await daily();
        expect(afterFirst.map(r => [r[0], r[2], r[3]])).toEqual([
          ['c1', 15.5, 2],
          ['c2', 20, 1],
          ['c3', 7, 1],
        ]);

        await maria.query(`INSERT INTO transactions VALUES
        (6, 'c1', 1.00, '2024-01-03', '2024-01-03 10:00:00'),
        (7, 'c4', 2.00, '2024-01-03', '2024-01-03 11:00:00')`);
        const secondId = await trigger(pipelineId);
        expect((await getRun(secondId)).watermarkIn).toBe(
          '2024-01-02 08:00:00',
        );
        const second = await driveToEnd(secondId);
        expect(second).toMatchObject({
          status: 'succeeded',
          rowsRead: 2,
          rowsWritten: 2,
          watermarkOut: '2024-01-03 11:00:00',
        });
        const afterSecond = await daily();
        expect(afterSecond).toHaveLength(5);
        expect(afterSecond).toEqual(expect.arrayContaining(afterFirst));
        expect(
          await snapshots('finance', 'analytics', 'daily_transactions'),
        ).toHaveLength(2);
        const quality = await api()
          .get(
            `/api/ingestion/v1/quality?organization=finance&runId=${secondId}`,
          )
          .set('Authorization', as('finance-viewer'));
        expect(
          quality.body.items.map((q: any) => [q.ruleType, q.passed]).sort(),
        ).toEqual([
          ['completeness', true],
          ['range', true],
        ]);
      });

      it('leaves the table as it was when a run fails, and keeps the watermark', async () => {
        const before = await snapshots(
          'finance',
          'analytics',
          'daily_transactions',
        );
        await maria.query(
          `INSERT INTO transactions VALUES (8, 'c5', 3.00, '2024-01-04', '2024-01-04 10:00:00')`,
        );
        // customer ids are not numbers: the cast fails while the rows are computed.
        await updatePipeline(
          pipelineId,
          1,
          spec({
            transformations: [
              ...spec().transformations,
              { type: 'cast', columns: { customer_id: 'int' } },
            ],
          }),
        );
        const failed = await driveToEnd(await trigger(pipelineId));
        expect(failed).toMatchObject({
          status: 'failed',
          errorMessage: expect.stringMatching(/c5|convert|cast/i),
        });
        expect(failed.watermarkOut).toBeUndefined();
        expect(
          await snapshots('finance', 'analytics', 'daily_transactions'),
        ).toEqual(before);
        expect(await daily()).toHaveLength(5);
      });

      it('ends as quality_failed without committing when a fail rule does not pass', async () => {
        const before = await snapshots(
          'finance',
          'analytics',
          'daily_transactions',
        );
        await updatePipeline(
          pipelineId,
          2,
          spec({
            data_quality: [
              {
                type: 'range',
                columns: ['amount'],
                max: 2,
                name: 'small_amounts',
              },
            ],
          }),
        );
        const runId = await trigger(pipelineId);
        // The failed run did not move the watermark: row 8 is read again.
        expect((await getRun(runId)).watermarkIn).toBe('2024-01-03 11:00:00');
        const run = await driveToEnd(runId);
        expect(run).toMatchObject({
          status: 'quality_failed',
          rowsRead: 1,
          rowsWritten: 0,
          errorMessage: expect.stringMatching(/small_amounts did not pass/),
        });
        expect(
          await snapshots('finance', 'analytics', 'daily_transactions'),
        ).toEqual(before);
        const quality = await api()
          .get(`/api/ingestion/v1/quality?organization=finance&runId=${runId}`)
          .set('Authorization', as('finance-viewer'));
        expect(quality.body.items).toEqual([
          expect.objectContaining({
            ruleType: 'range',
            passed: false,
            observed: 0,
            failedRows: 1,
          }),
        ]);
      });
    });

    describe('with a source that blocks (a locked MariaDB table)', () => {
      const slowSpec = (table: string) => ({
        pipeline_type: 'batch',
        source: { type: 'mariadb', connection: 'retail-db', table: 'slow' },
        target: {
          type: 'iceberg',
          catalog: 'retail_catalog',
          schema: 'raw',
          table,
        },
      });

      async function withLock(fn: () => Promise<void>) {
        const session = await maria.session();
        await session.query('LOCK TABLES slow WRITE');
        let unlocked = false;
        const unlock = async () => {
          if (!unlocked) {
            unlocked = true;
            await session.query('UNLOCK TABLES');
            await session.close();
          }
        };
        try {
          await fn.call(null);
        } finally {
          await unlock();
        }
        return unlock;
      }

      it('submits no more runs than the organization’s concurrency quota', async () => {
        const pipelineId = await createPipeline(
          'retail-engineer',
          'retail',
          'slow-copy',
          slowSpec('slow_copy'),
        );
        const session = await maria.session();
        await session.query('LOCK TABLES slow WRITE');
        let first: string;
        let second: string;
        try {
          first = await trigger(pipelineId, 'retail-analyst');
          await driveUntil(
            async () =>
              (await getRun(first, 'retail-viewer')).status === 'running',
            'the first run is running',
          );
          second = await trigger(pipelineId, 'retail-analyst');
          for (let i = 0; i < 5; i++) await tick();
          expect((await getRun(first, 'retail-viewer')).status).toBe('running');
          expect((await getRun(second, 'retail-viewer')).status).toBe('queued');
        } finally {
          await session.query('UNLOCK TABLES');
          await session.close();
        }
        const a = await driveToEnd(first!, 'retail-viewer');
        const b = await driveToEnd(second!, 'retail-viewer');
        expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
        expect(new Date(b.submittedAt).getTime()).toBeGreaterThanOrEqual(
          new Date(a.finishedAt).getTime(),
        );
        expect(await snapshots('retail', 'raw', 'slow_copy')).toHaveLength(2);
      });

      it('cancels a running run: the engine stops and nothing is written', async () => {
        const pipelineId = await createPipeline(
          'retail-engineer',
          'retail',
          'slow-cancel',
          slowSpec('slow_cancelled'),
        );
        const tmp = join(storage('retail'), 'tmp');
        const runFolders = async (id: string) =>
          (await fs.readdir(tmp).catch(() => [] as string[])).filter(name =>
            name.startsWith(`run-${id}-`),
          );
        let runId = '';
        await withLock(async () => {
          runId = await trigger(pipelineId, 'retail-analyst');
          await driveUntil(
            async () =>
              (await getRun(runId, 'retail-viewer')).status === 'running',
            'the run is running',
          );
          expect(await runFolders(runId)).toHaveLength(1);
          const cancelled = await api()
            .post(`/api/ingestion/v1/runs/${runId}/cancel`)
            .set('Authorization', as('retail-analyst'));
          expect(cancelled.body.status).toBe('cancelled');
          await tick(); // the driver tells the engine
          // The engine closes its source connection: the run stops although the lock is held.
          await driveUntil(
            async () => (await runFolders(runId)).length === 0,
            'the engine stopped the run',
          );
        });
        expect((await getRun(runId, 'retail-viewer')).status).toBe('cancelled');
        expect(
          await catalog('retail_catalog').tableExists('retail', {
            namespace: ['raw'],
            name: 'slow_cancelled',
          }),
        ).toBe(false);
        const logs = await api()
          .get(`/api/ingestion/v1/runs/${runId}/logs`)
          .set('Authorization', as('retail-viewer'));
        expect(logs.body.items.map((e: any) => e.message)).toContainEqual(
          'Asked the local engine to stop the run',
        );
      });
    });

    it('resumes after a restart: the new backend finishes the run once', async () => {
      await fs.mkdir(join(storage('finance'), 'raw', 'restart'), {
        recursive: true,
      });
      await fs.writeFile(
        join(storage('finance'), 'raw', 'restart', 'a.csv'),
        ORDERS_CSV,
      );
      const pipelineId = await createPipeline(
        'finance-engineer',
        'finance',
        'restartable',
        {
          pipeline_type: 'batch',
          source: { type: 'file', path: 'raw/restart', format: 'csv' },
          target: {
            type: 'iceberg',
            catalog: 'finance_catalog',
            schema: 'raw',
            table: 'restarted',
          },
        },
      );
      const runId = await trigger(pipelineId);
      await tick(); // submitted; the engine runs in the background
      expect((await getRun(runId)).status).toBe('submitted');
      // The engine commits, but the backend stops before the driver hears of it.
      for (let i = 0; i < 400; i++) {
        const committed = await catalog()
          .loadTable('finance', { namespace: ['raw'], name: 'restarted' })
          .then(t => t.metadata.snapshots.length > 0)
          .catch(() => false);
        if (committed) break;
        await sleep(25);
      }
      await backend.stop();
      await knex('runs').where({ id: runId }).update({ status: 'running' });

      await start(); // a new backend: its engine has no record of the run
      const run = await driveToEnd(runId);
      expect(run).toMatchObject({ status: 'succeeded', rowsWritten: 4 });
      const snaps = await snapshots('finance', 'raw', 'restarted');
      expect(snaps).toHaveLength(1);
      expect(snaps[0].summary[RUN_ID_SUMMARY_KEY]).toBe(runId);
      expect(
        await readTable('finance', 'raw', 'restarted', r => String(r.id)),
      ).toHaveLength(4);
      const logs = await api()
        .get(`/api/ingestion/v1/runs/${runId}/logs`)
        .set('Authorization', as('finance-viewer'));
      const messages = logs.body.items.map((e: any) => e.message).join('\n');
      expect(messages).toMatch(/unknown to the engine/);
      expect(messages).toMatch(/already been committed/);
    });
  },
);
