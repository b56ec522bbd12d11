import type { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client as PgClient } from 'pg';
import request from 'supertest';
import { TEST_CONFIG } from '../../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../../__testUtils__/startIngestionTestBackend';
import { DEMO_PIPELINES } from '../../demo/demoPipelines';

export type Json = Record<string, any>;

const PG_URL = new URL(
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
);
const PG_PORT = Number(PG_URL.port || 5432);

/** The spec of a demo pipeline, by name. */
export const demoSpec = (name: string): Json =>
  DEMO_PIPELINES.find(p => p.name === name)!.spec;

/** A TCP port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/** Row counts of what a run would have written or recorded. */
export async function writtenState(knex: Knex) {
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

type Backend = Awaited<ReturnType<typeof startIngestionTestBackend>>;

/** What preview tests work with; filled in by the fixture's `beforeAll`. */
export interface PreviewFixture {
  knex: Knex;
  /** The organizations' storage roots are `<root>/<id>`, holding the demo files. */
  root: string;
  /** A port nothing listens on; finance's connection `closed` points there. */
  closedPort: number;
  /** A JSON API on 127.0.0.1: `/events?page=n` (10 pages of 3), `/slow` (waits for `releaseSlow`). */
  apiPort: number;
  pagesServed: number[];
  releaseSlow(): void;
  /** Resolves when the next `/slow` request arrives. */
  slowArrived(): Promise<void>;
  /** A PostgreSQL table of 50 rows (`id`, `name`) that finance's connection `warehouse` reads. */
  sourceTable: string;
  /** The backend every test uses. */
  server: Backend['server'];
  /** Another backend: plugin config added to `ingestion`, organization settings, its own store. */
  start(
    more?: Json,
    byOrganization?: Json,
    store?: Knex,
  ): Promise<Backend['server']>;
  preview(body: Json, user?: string, to?: Backend['server']): request.Test;
}

/**
 * Registers `beforeAll`/`afterAll` for a describe block of preview tests on `databaseId`: the
 * demo files in each organization's storage, a PostgreSQL source table, a paged JSON API, finance
 * connections `warehouse` and `closed`, and the backend.
 */
export function usePreviewFixture(
  databases: TestDatabases,
  databaseId: Parameters<TestDatabases['init']>[0],
): PreviewFixture {
  const backends: Backend[] = [];
  /** The backend's config: the test organizations with their storage under `root`. */
  const config = (fx: PreviewFixture, more: Json, byOrganization: Json) => ({
    ingestion: {
      ...TEST_CONFIG.ingestion,
      organizations: TEST_CONFIG.ingestion.organizations.map(org => ({
        ...org,
        storage: join(fx.root, org.id),
        ...(org.id === 'finance' && {
          egress: {
            allow: [
              { host: PG_URL.hostname, ports: [PG_PORT, fx.closedPort] },
              { host: '127.0.0.1', ports: [fx.apiPort] },
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

  let api: Server;
  let onSlow: (() => void) | undefined;
  let release: (() => void) | undefined;

  const fx = {
    pagesServed: [] as number[],
    releaseSlow: () => release?.(),
    slowArrived: () =>
      new Promise<void>(resolve => {
        onSlow = resolve;
      }),
    async start(more: Json = {}, byOrganization: Json = {}, store?: Knex) {
      const backend = await startIngestionTestBackend({
        knex: store ?? fx.knex,
        config: config(fx, more, byOrganization),
      });
      backends.push(backend);
      return backend.server;
    },
    preview: (body: Json, user = 'finance-engineer', to?: Backend['server']) =>
      request(to ?? fx.server)
        .post('/api/ingestion/v1/specs/preview')
        .set('Authorization', as(user))
        .send(body),
  } as PreviewFixture;

  beforeAll(async () => {
    fx.knex = await databases.init(databaseId);
    fx.root = await fs.mkdtemp(join(tmpdir(), 'ingestion-preview-'));
    fx.closedPort = await closedPort();
    api = createHttpServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/slow')) {
        new Promise<void>(resolve => {
          release = resolve;
          onSlow?.();
        }).then(() => res.end(JSON.stringify({ items: [{ id: 1 }] })));
        return;
      }
      const page = Number(
        new URL(req.url!, 'http://x').searchParams.get('page'),
      );
      fx.pagesServed.push(page);
      const items =
        page < 10
          ? [1, 2, 3].map(i => ({ id: page * 3 + i, kind: 'event' }))
          : [];
      res.end(JSON.stringify({ items }));
    });
    await new Promise<void>(resolve => api.listen(0, '127.0.0.1', resolve));
    fx.apiPort = (api.address() as { port: number }).port;
    for (const pipeline of DEMO_PIPELINES) {
      for (const [path, content] of Object.entries(pipeline.files)) {
        const file = join(fx.root, pipeline.organization, path);
        await fs.mkdir(dirname(file), { recursive: true });
        await fs.writeFile(file, content());
      }
    }
    fx.sourceTable = `preview_src_${randomBytes(4).toString('hex')}`;
    const pg = new PgClient({ connectionString: PG_URL.toString() });
    await pg.connect();
    await pg.query(
      `CREATE TABLE ${fx.sourceTable} AS SELECT g AS id, 'name ' || g AS name FROM generate_series(1, 50) g`,
    );
    await pg.end();
    fx.server = await fx.start();
    for (const [name, settings] of [
      ['warehouse', { host: PG_URL.hostname, port: PG_PORT }],
      ['closed', { host: '127.0.0.1', port: fx.closedPort }],
    ] as const) {
      const created = await request(fx.server)
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
    release?.();
    for (const backend of backends) await backend.stop();
    const pg = new PgClient({ connectionString: PG_URL.toString() });
    await pg.connect();
    await pg.query(`DROP TABLE IF EXISTS ${fx.sourceTable}`);
    await pg.end();
    await fs.rm(fx.root, { recursive: true, force: true });
    await new Promise(resolve => api?.close(resolve));
  });

  return fx;
}
