import { TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const PG_URL = new URL(
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
);
const PG_PORT = Number(PG_URL.port || 5432);

/** finance allow-lists the local PostgreSQL's port only; `more` adds top-level config. */
function config(more: Record<string, unknown> = {}) {
  return {
    ...more,
    ingestion: {
      ...TEST_CONFIG.ingestion,
      organizations: TEST_CONFIG.ingestion.organizations.map(org =>
        org.id === 'finance'
          ? {
              ...org,
              egress: { allow: [{ host: PG_URL.hostname, ports: [PG_PORT] }] },
            }
          : org,
      ),
      secrets: {
        masterKeys: [{ id: 'k', key: randomBytes(32).toString('base64') }],
      },
    },
  };
}

describe.each(databases.eachSupportedId())(
  'connection tests through the egress guard on %p',
  databaseId => {
    let knex: Knex;
    const backends: Array<{ stop(): Promise<void> }> = [];

    beforeAll(async () => {
      knex = await databases.init(databaseId);
    }, 120_000);
    afterAll(async () => {
      for (const backend of backends) await backend.stop();
    }, 60_000);

    async function start(more: Record<string, unknown> = {}) {
      const backend = await startIngestionTestBackend({
        knex,
        config: config(more),
      });
      backends.push(backend);
      return backend.server;
    }

    let count = 0;
    /** Creates a finance connection and tests it. */
    async function testConnection(
      server: Awaited<ReturnType<typeof start>>,
      settings: { type?: string; host: string; port: number },
    ) {
      const created = await request(server)
        .post('/api/ingestion/v1/connections')
        .set('Authorization', as('finance-admin'))
        .send({
          organization: 'finance',
          name: `egress-${count++}`,
          type: 'postgres',
          database: 'postgres',
          user: 'postgres',
          password: 'not-a-secret',
          ...settings,
        });
      expect(created.status).toBe(201);
      return request(server)
        .post(`/api/ingestion/v1/connections/${created.body.id}/test`)
        .set('Authorization', as('finance-admin'));
    }

    it('answers 400 naming host for destinations the guard refuses, before connecting', async () => {
      const server = await start();
      for (const [host, port, reason] of [
        ['127.0.0.1', 22, /not allow-listed on this port \(allowed: \d+\)/],
        ['[::ffff:7f00:1]', 22, /loopback \(IPv4-mapped 127\.0\.0\.1\)/],
        ['[::ffff:127.0.0.1]', PG_PORT + 1, /loopback/],
        ['2130706433', 22, /loopback/],
        ['0x7f.1', 22, /loopback/],
        ['10.0.0.5', 5432, /private address, which organization 'finance'/],
        ['169.254.169.254', 80, /cloud metadata/],
        ['[fd00:ec2::254]', 80, /cloud metadata/],
        ['[64:ff9b::a9fe:a9fe]', 80, /cloud metadata \(NAT64/],
        ['0.0.0.0', PG_PORT, /unspecified/],
      ] as const) {
        const res = await testConnection(server, { host, port });
        expect([host, port, res.status]).toEqual([host, port, 400]);
        expect(res.body.error).toMatchObject({
          name: 'InputError',
          message: expect.stringMatching(
            /^host: Connections to .* are not allowed: /,
          ),
        });
        expect([host, res.body.error.message]).toEqual([
          host,
          expect.stringMatching(reason),
        ]);
      }
    });

    it("refuses the portal's own database server even when allow-listed", async () => {
      const allowListed = await testConnection(await start(), {
        host: PG_URL.hostname,
        port: PG_PORT,
      });
      expect(allowListed.status).toBe(200);
      expect(allowListed.body.ok).toBe(true);

      // The same server, configured as the backend's own database.
      const server = await start({
        backend: {
          database: {
            client: 'pg',
            connection: `postgresql://postgres@${PG_URL.hostname}:${PG_PORT}/backstage`,
          },
        },
      });
      const res = await testConnection(server, {
        host: PG_URL.hostname,
        port: PG_PORT,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^host: .*the portal's own database server/,
      );
    });

    it('reads alike for every failure outside the allow-list', async () => {
      const server = await start();
      // Public addresses: closed, filtered or unreachable from here, the answer names host and
      // port only: no driver error code, no timing.
      for (const [type, host, port] of [
        ['postgres', '1.1.1.1', 5432],
        ['mariadb', '8.8.8.8', 3306],
      ] as const) {
        const res = await testConnection(server, { type, host, port });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          ok: false,
          testable: true,
          message: `Could not connect to ${host}:${port}`,
          latencyMs: 0,
        });
      }
    });
  },
);
