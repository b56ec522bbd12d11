import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';
import { DEMO_PIPELINES } from '../demo/demoPipelines';

jest.setTimeout(180_000);

/**
 * `POST /v1/specs/preview` over HTTP with a real local-engine run, on SQLite and PostgreSQL as
 * the plugin's store: the demo data as sample, a rule that fails, a source that cannot be read,
 * a bad spec, the tenant boundary and the time box — and nothing written anywhere.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const PG_URL = new URL(
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
);
const PG_PORT = Number(PG_URL.port || 5432);

type Json = Record<string, any>;

const demo = (name: string) => DEMO_PIPELINES.find(p => p.name === name)!;

/** A TCP port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Row counts of what a run would have written or recorded. */
async function writtenState(knex: Knex) {
  const counts: Record<string, number> = {};
  for (const table of [
    'runs',
    'data_tables',
    'iceberg_tables',
    'lineage_edges',
    'quality_results',
    'pipelines',
    'cost_records',
  ]) {
    const [row] = await knex(table).count({ n: '*' });
    counts[table] = Number(row.n);
  }
  return counts;
}

describe.each(databases.eachSupportedId())('spec preview on %s', databaseId => {
  let knex: Knex;
  let root: string;
  let port: number;
  let sourceTable: string;
  let api: Server;
  let apiPort: number;
  const pagesServed: number[] = [];
  const backends: Array<{ stop(): Promise<void> }> = [];

  const config = (more: Json = {}, byOrganization: Json = {}) => ({
    ingestion: {
      ...TEST_CONFIG.ingestion,
      organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
        ...org,
        storage: join(root, org.id),
        ...(org.id === 'finance' && {
          egress: {
            allow: [
              { host: PG_URL.hostname, ports: [PG_PORT, port] },
              { host: '127.0.0.1', ports: [apiPort] },
            ],
          },
        }),
        ...byOrganization[org.id],
      })),
      secrets: {
        masterKeys: [{ id: 'k', key: randomBytes(32).toString('base64') }],
      },
      runDriver: { enabled: false },
      api: { validateResponses: true },
      ...more,
    },
  });

  async function start(
    more: Json = {},
    byOrganization: Json = {},
    store: Knex = knex,
  ) {
    const backend = await startIngestionTestBackend({
      knex: store,
      config: config(more, byOrganization),
    });
    backends.push(backend);
    return backend.server;
  }

  let server: Awaited<ReturnType<typeof start>>;

  const preview = (body: Json, user = 'finance-engineer', to = server) =>
    request(to)
      .post('/api/ingestion/v1/specs/preview')
      .set('Authorization', as(user))
      .send(body);

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    root = await fs.mkdtemp(join(tmpdir(), 'ingestion-preview-'));
    port = await closedPort();
    // A paged JSON API of 10 pages of 3 records.
    api = createHttpServer((req, res) => {
      const page = Number(new URL(req.url!, 'http://x').searchParams.get('page'));
      pagesServed.push(page);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          items:
            page < 10
              ? [1, 2, 3].map(i => ({ id: page * 3 + i, kind: 'event' }))
              : [],
        }),
      );
    });
    await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve));
    apiPort = (api.address() as { port: number }).port;
    for (const pipeline of DEMO_PIPELINES) {
      for (const [path, content] of Object.entries(pipeline.files)) {
        const file = join(root, pipeline.organization, path);
        await fs.mkdir(dirname(file), { recursive: true });
        await fs.writeFile(file, content());
      }
    }
    // A PostgreSQL table of 50 rows for a sample read through a connection.
    sourceTable = `preview_src_${randomBytes(4).toString('hex')}`;
    const pg = new PgClient({ connectionString: PG_URL.toString() });
    await pg.connect();
    await pg.query(
      `CREATE TABLE ${sourceTable} AS SELECT g AS id, 'name ' || g AS name FROM generate_series(1, 50) g`,
    );
    await pg.end();
    server = await start();
    for (const [name, settings] of [
      ['warehouse', { host: PG_URL.hostname, port: PG_PORT }],
      ['closed', { host: '127.0.0.1', port }],
    ] as const) {
      const created = await request(server)
        .post('/api/ingestion/v1/connections')
        .set('Authorization', as('finance-admin'))
        .send({
          organization: 'finance',
          name,
          type: 'postgres',
          database: PG_URL.pathname.slice(1) || 'postgres',
          user: decodeURIComponent(PG_URL.username) || 'postgres',
          password: decodeURIComponent(PG_URL.password) || 'unused',
          ...settings,
        });
      if (created.status !== 201) {
        throw new Error(`Creating connection ${name}: ${created.status}`);
      }
    }
  });

  afterAll(async () => {
    for (const backend of backends) await backend.stop();
    const pg = new PgClient({ connectionString: PG_URL.toString() });
    await pg.connect();
    await pg.query(`DROP TABLE IF EXISTS ${sourceTable}`);
    await pg.end();
    await fs.rm(root, { recursive: true, force: true });
    await new Promise(resolve => api.close(resolve));
  });

  it("previews healthcare's demo pipeline: rows, schema, PII and rules, nothing written", async () => {
    const before = await writtenState(knex);
    const res = await preview(
      {
        organization: 'healthcare',
        spec: demo('patient-visits').spec,
        sampleRows: 10,
      },
      'healthcare-engineer',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sampleRows: 10,
      outputRows: 10,
      truncated: true,
    });
    expect(res.body.rows).toHaveLength(10);
    expect(res.body.rows[0].visit_id).toBe('V000001');
    expect(res.body.schema.map((c: Json) => c.name)).toEqual([
      'visit_id',
      'patient_id',
      'patient_name',
      'email',
      'ssn',
      'phone',
      'department',
      'visit_date',
    ]);
    expect(res.body.schema[0]).toEqual({
      name: 'visit_id',
      type: 'VARCHAR',
      nullable: true,
    });
    // The spec masks names, e-mails and SSNs; the phone numbers are found, and the development
    // environment masks them in the output as a run would before its commit.
    expect(res.body.pii).toEqual([
      { column: 'phone', kind: 'phone', masked: true },
    ]);
    expect(res.body.rows[0].phone).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.rows[0].ssn).toMatch(/^\*{7}\d{4}$/);
    expect(res.body.rows[0].visit_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(res.body.quality).toEqual([
      expect.objectContaining({
        name: 'completeness(visit_id, patient_id)',
        severity: 'fail',
        passed: true,
        metric: 1,
      }),
      expect.objectContaining({
        name: 'pattern(visit_id)',
        severity: 'warn',
        passed: true,
      }),
    ]);
    expect(res.body.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(await writtenState(knex)).toEqual(before);
    // No table in the organization's storage, and the preview's workspace is gone.
    expect(await fs.readdir(join(root, 'healthcare'))).not.toContain(
      'warehouse',
    );
    const tmp = join(root, 'healthcare', 'tmp');
    expect(await fs.readdir(tmp).catch(() => [])).toEqual([]);
  });

  it('reports a rule that fails on the sample as a result, not an error', async () => {
    const spec = {
      ...demo('daily-transactions').spec,
      data_quality: [
        { type: 'completeness', columns: ['customer_id'] },
        { type: 'range', columns: ['amount'], min: 100000, name: 'big' },
      ],
    };
    const res = await preview({ organization: 'finance', spec });
    expect(res.status).toBe(200);
    expect(res.body.quality).toEqual([
      expect.objectContaining({ severity: 'fail', passed: true }),
      expect.objectContaining({
        name: 'big',
        type: 'range',
        severity: 'fail',
        passed: false,
      }),
    ]);
    expect(res.body.quality[1].metric).toBeLessThan(1);
    // The default sample, after the filter and the aggregate.
    expect(res.body.sampleRows).toBe(100);
    expect(res.body.outputRows).toBeGreaterThan(0);
    expect(res.body.outputRows).toBeLessThanOrEqual(100);
    expect(res.body.schema.map((c: Json) => c.name)).toEqual([
      'customer_id',
      'date',
      'amount',
      'count',
    ]);
  });

  it('reads only the sample of a PostgreSQL table', async () => {
    const res = await preview({
      organization: 'finance',
      sampleRows: 5,
      spec: {
        ...demo('daily-transactions').spec,
        source: { type: 'postgres', connection: 'warehouse', table: sourceTable },
        transformations: [{ type: 'filter', condition: 'id > 2' }],
        data_quality: [{ type: 'row_count', min: 10 }],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sampleRows: 5,
      outputRows: 3,
      truncated: true,
    });
    expect(res.body.rows.map((r: Json) => r.id)).toEqual([3, 4, 5]);
    expect(res.body.quality).toEqual([
      expect.objectContaining({ type: 'row_count', passed: false }),
    ]);
  });

  it('stops paging an HTTP source once the sample is full', async () => {
    pagesServed.length = 0;
    const res = await preview({
      organization: 'finance',
      sampleRows: 4,
      spec: {
        ...demo('daily-transactions').spec,
        source: {
          type: 'http',
          url: `http://127.0.0.1:${apiPort}/events`,
          records_path: 'items',
          pagination: { type: 'page', page_param: 'page', start_page: 0 },
        },
        transformations: [],
        data_quality: [],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sampleRows: 4, truncated: true });
    // JSON numbers are BIGINT in DuckDB, which the rows carry as exact text.
    expect(res.body.rows.map((r: Json) => r.id)).toEqual(['1', '2', '3', '4']);
    expect(res.body.schema[0]).toEqual({
      name: 'id',
      type: 'BIGINT',
      nullable: true,
    });
    // Two pages hold the sample and the row that tells there is more.
    expect(pagesServed).toEqual([0, 1]);
  });

  it('answers 422 naming the source when it cannot be read', async () => {
    const base = demo('daily-transactions').spec;
    const unreachable = await preview({
      organization: 'finance',
      spec: {
        ...base,
        source: { type: 'postgres', connection: 'closed', table: 'accounts' },
      },
    });
    expect(unreachable.status).toBe(422);
    expect(unreachable.body.error.name).toBe('SourceUnreadableError');
    expect(unreachable.body.error.message).toMatch(
      /^Cannot read postgres:.*accounts.*ECONNREFUSED/,
    );
    expect(unreachable.body.error.stack).toBeUndefined();

    const missing = await preview({
      organization: 'finance',
      spec: {
        ...base,
        source: { type: 'file', path: 'raw/nothing/*.csv', format: 'csv' },
      },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.error.message).toMatch(/^Cannot read .*raw\/nothing/);

    const noConnection = await preview({
      organization: 'finance',
      spec: {
        ...base,
        source: { type: 'postgres', connection: 'nope', table: 'accounts' },
      },
    });
    expect(noConnection.status).toBe(422);
    expect(noConnection.body.error.message).toMatch(/Connection 'nope'/);
  });

  it('answers 400 with field paths for a bad spec or a step that cannot run', async () => {
    const res = await preview({
      organization: 'finance',
      spec: {
        ...demo('daily-transactions').spec,
        source: { type: 'file', format: 'csv' },
        transformations: [{ type: 'filter' }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.problems.map((p: Json) => p.path)).toEqual(
      expect.arrayContaining(['source.path', 'transformations[0].condition']),
    );

    const missingColumn = await preview({
      organization: 'finance',
      spec: {
        ...demo('daily-transactions').spec,
        transformations: [{ type: 'filter', condition: 'no_such_column > 1' }],
      },
    });
    expect(missingColumn.status).toBe(400);
    expect(missingColumn.body.problems).toEqual([
      expect.objectContaining({ path: 'transformations[0]' }),
    ]);

    const tooMany = await preview({
      organization: 'finance',
      spec: demo('daily-transactions').spec,
      sampleRows: 1001,
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toMatch(/sampleRows/);
  });

  it("refuses other organizations' users (404) and roles that cannot create (403)", async () => {
    const body = {
      organization: 'finance',
      spec: demo('daily-transactions').spec,
    };
    expect((await preview(body, 'retail-engineer')).status).toBe(404);
    expect((await preview(body, 'retail-admin')).status).toBe(404);
    expect((await preview(body, 'finance-analyst')).status).toBe(403);
    expect((await preview(body, 'finance-viewer')).status).toBe(403);
    expect((await preview(body, 'finance-admin')).status).toBe(200);
  });

  it("counts against the organization's API rate limit, as any request", async () => {
    // A store of its own: organizations are seeded from config into an empty store only.
    const limited = await start(
      {},
      { healthcare: { quotas: { api: { requestsPerDay: 2 } } } },
      await databases.init(databaseId),
    );
    const body = {
      organization: 'healthcare',
      spec: demo('patient-visits').spec,
      sampleRows: 1,
    };
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await preview(body, 'healthcare-engineer', limited)).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('stops a preview past its time box (504)', async () => {
    const boxed = await start({ preview: { timeoutSeconds: 0.001 } });
    const res = await preview(
      { organization: 'finance', spec: demo('daily-transactions').spec },
      'finance-engineer',
      boxed,
    );
    expect(res.status).toBe(504);
    expect(res.body.error).toMatchObject({
      name: 'PreviewTimeoutError',
      message: expect.stringMatching(/ingestion\.preview\.timeoutSeconds/),
    });
  });
});
