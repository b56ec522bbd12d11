import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { KnexConnectionStore } from './connections/store/KnexConnectionStore';
import { DatabaseQualityStore } from './database/QualityStore';
import { DatabaseRunsStore } from './database/DatabaseRunsStore';
import { DatabaseTablesStore } from './database/TablesStore';
import { TEST_CONFIG } from './__testUtils__/demoTenants';
import { batchSpec } from './__testUtils__/specs';
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(120_000);

/**
 * Page cursors of every list over HTTP: valid ones page through all rows exactly once; forged,
 * tampered, truncated and transplanted ones (another list, sort, organization or filter) are a
 * 400 naming `cursor` — never a 500 (PostgreSQL rejects a value of the wrong type) and never a
 * silently wrong page.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const catalogService = mockCredentials.service.header({
  onBehalfOf: mockCredentials.service('plugin:catalog'),
  targetPluginId: 'ingestion',
});

interface ListCase {
  name: string;
  path: string;
  auth: string;
  /** The same list with another organization or filter: its cursors must not continue `path`. */
  other: string;
}

/** `path` with `params` added to its query. */
function withQuery(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://x');
  for (const [key, value] of Object.entries(params)) {
    url.searchParams.set(key, value);
  }
  return `${url.pathname}${url.search}`;
}

/** A batch spec writing to a table of the organization's own catalog. */
function specOf(org: string, table: string) {
  const spec = batchSpec(table);
  return { ...spec, target: { ...spec.target, catalog: `${org}_catalog` } };
}

/** The body of a seeding request that answered `status`; hooks cannot hold expectations. */
function succeeded(res: request.Response, status: number) {
  if (res.status !== status) {
    throw new Error(`${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe.each(databases.eachSupportedId())('page cursors on %s', databaseId => {
  const ingestion = setUpIngestionTestBackend(
    databases,
    databaseId,
    {
      extraGroups: {
        'user:default/two-orgs': [
          'group:default/finance-admins',
          'group:default/retail-admins',
        ],
      },
      validateResponses: true,
      config: {
        ingestion: {
          ...TEST_CONFIG.ingestion,
          // Runs stay queued: the lists must not change while the test pages through them.
          runDriver: { enabled: false },
          // Hundreds of requests from one user; rate limits are tested elsewhere.
          rateLimits: { enabled: false },
        },
      },
    },
    { timeout: 120_000 },
  );

  const lists: ListCase[] = [];
  const twoOrgs = as('two-orgs');

  const get = (path: string, auth: string) =>
    request(ingestion.server)
      .get(`/api/ingestion/v1${path}`)
      .set('Authorization', auth);

  beforeAll(async () => {
    // Each organization: three pipelines, the first at version 3 and the second at version 2;
    // three runs of the first pipeline and two of the second; three log lines of its first run
    // and two of the second; three tables, quality results and connections.
    const base = Date.parse('2026-12-01T00:00:00Z');
    const runs = new DatabaseRunsStore(ingestion.knex);
    const seeded: Record<string, { pipelines: string[]; runs: string[] }> = {};
    for (const org of ['finance', 'retail']) {
      const pipelines: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await request(ingestion.server)
          .post('/api/ingestion/v1/pipelines')
          .set('Authorization', as(`${org}-admin`))
          .send({
            organization: org,
            name: `cursor-${i}`,
            spec: specOf(org, `cursor_${i}`),
          });
        pipelines.push(succeeded(res, 201).id);
      }
      for (const [pipelineId, updates] of [
        [pipelines[0], 2],
        [pipelines[1], 1],
      ] as const) {
        for (let version = 1; version <= updates; version++) {
          const res = await request(ingestion.server)
            .put(`/api/ingestion/v1/pipelines/${pipelineId}`)
            .set('Authorization', as(`${org}-admin`))
            .send({
              spec: specOf(org, `cursor_v${version}`),
              expectedVersion: version,
            });
          succeeded(res, 200);
        }
      }
      const runIds: string[] = [];
      for (const [i, pipelineId] of [
        pipelines[0],
        pipelines[0],
        pipelines[0],
        pipelines[1],
        pipelines[1],
      ].entries()) {
        const id = randomUUID();
        await runs.create({
          id,
          organizationId: org,
          pipelineId,
          pipelineVersion: 1,
          engine: 'local',
          trigger: 'api',
          triggeredBy: 'user:default/test',
          idempotencyToken: id,
          // Runs two and three share a time: the id breaks the tie.
          at: new Date(base + Math.min(i, 1) * 60_000),
        });
        runIds.push(id);
      }
      for (const [runId, lines] of [
        [runIds[0], 3],
        [runIds[1], 2],
      ] as const) {
        for (let i = 0; i < lines; i++) {
          await runs.appendLog(org, runId, 'info', `line ${i}`, new Date(base));
        }
      }
      const tables = new DatabaseTablesStore(ingestion.knex);
      const connections = new KnexConnectionStore(ingestion.knex);
      for (let i = 0; i < 3; i++) {
        await tables.upsert({
          id: randomUUID(),
          organizationId: org,
          format: 'iceberg',
          catalogName: `${org}_catalog`,
          namespace: 'raw',
          tableName: `cursor_${i}`,
          owner: `group:default/${org}`,
          pipelineId: pipelines[0],
          // Two tables share a time: the id breaks the tie.
          at: new Date(base + Math.min(i, 1) * 60_000),
        });
        await connections.insert({
          id: randomUUID(),
          organizationId: org,
          name: `conn-${i}`,
          type: 'postgres',
          settings: { host: 'db.internal', user: 'reader' } as any,
          secret: { ciphertext: 'AA==', iv: 'AA==', tag: 'AA==', keyId: 'k' },
          createdBy: 'user:default/test',
          createdAt: new Date(base),
        });
      }
      await new DatabaseQualityStore(ingestion.knex).add(
        [0, 1, 2].map(i => ({
          organizationId: org,
          runId: runIds[0],
          pipelineId: pipelines[0],
          ruleIndex: i,
          ruleType: 'completeness',
          columns: ['id'],
          severity: 'warn' as const,
          threshold: 0.9,
          observed: 1,
          passed: true,
          at: new Date(base),
        })),
      );
      seeded[org] = { pipelines, runs: runIds };
    }
    const [p1, p2] = seeded.finance.pipelines;
    const runIds = seeded.finance.runs;

    lists.push(
      {
        name: 'pipelines',
        path: '/pipelines?organization=finance',
        auth: twoOrgs,
        other: '/pipelines?organization=retail',
      },
      {
        name: 'pipelines by name',
        path: '/pipelines?organization=finance&sort=name',
        auth: twoOrgs,
        other: '/pipelines?organization=finance&sort=name&order=desc',
      },
      {
        name: 'pipelines by creation',
        path: '/pipelines?organization=finance&sort=createdAt',
        auth: twoOrgs,
        other: '/pipelines?organization=finance&sort=updatedAt',
      },
      {
        name: 'pipeline versions',
        path: `/pipelines/${p1}/versions`,
        auth: twoOrgs,
        other: `/pipelines/${p2}/versions`,
      },
      {
        name: 'pipeline runs',
        path: `/pipelines/${p1}/runs`,
        auth: twoOrgs,
        other: `/pipelines/${p2}/runs`,
      },
      {
        name: 'runs',
        path: '/runs?organization=finance',
        auth: twoOrgs,
        other: '/runs?organization=retail',
      },
      {
        name: 'run logs',
        path: `/runs/${runIds[0]}/logs`,
        auth: twoOrgs,
        other: `/runs/${runIds[1]}/logs`,
      },
      {
        name: 'tables',
        path: '/tables?organization=finance',
        auth: twoOrgs,
        other: '/tables?organization=retail',
      },
      {
        name: 'quality',
        path: '/quality?organization=finance',
        auth: twoOrgs,
        other: '/quality?organization=retail',
      },
      {
        name: 'audit',
        path: '/audit?organization=finance',
        auth: twoOrgs,
        other: '/audit?organization=retail',
      },
      {
        name: 'connections',
        path: '/connections?organization=finance',
        auth: twoOrgs,
        other: '/connections?organization=retail',
      },
      {
        name: 'cost per pipeline',
        path: '/costs/pipelines?organization=finance&month=2026-12',
        auth: twoOrgs,
        other: '/costs/pipelines?organization=finance&month=2026-11',
      },
      {
        name: 'catalog pipelines',
        path: '/catalog/pipelines',
        auth: catalogService,
        other: '/catalog/tables',
      },
      {
        name: 'catalog tables',
        path: '/catalog/tables',
        auth: catalogService,
        other: '/catalog/pipelines',
      },
    );
  }, 120_000);

  /** Every page of a list at `limit` rows a page, following nextCursor. */
  async function allPages(list: ListCase, limit: number) {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await get(
        withQuery(list.path, {
          limit: String(limit),
          ...(cursor ? { cursor } : {}),
        }),
        list.auth,
      );
      expect(res.status).toBe(200);
      ids.push(
        ...res.body.items.map(
          (item: { id?: string; pipelineId?: string; version?: number }) =>
            String(item.id ?? item.version ?? item.pipelineId),
        ),
      );
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { ids, pages };
  }

  /** The nextCursor of the first page of a list (one row a page). */
  async function firstCursor(list: ListCase): Promise<string> {
    const res = await get(withQuery(list.path, { limit: '1' }), list.auth);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    return res.body.nextCursor;
  }

  it('pages through every list exactly once', async () => {
    for (const list of lists) {
      const whole = await allPages(list, 500);
      expect({ list: list.name, pages: whole.pages }).toEqual({
        list: list.name,
        pages: 1,
      });
      expect(whole.ids.length).toBeGreaterThanOrEqual(3);
      const paged = await allPages(list, 2);
      expect({ list: list.name, ids: paged.ids }).toEqual({
        list: list.name,
        ids: whole.ids,
      });
      expect({ list: list.name, unique: new Set(paged.ids).size }).toEqual({
        list: list.name,
        unique: paged.ids.length,
      });
    }
  });

  it('answers 400 naming the cursor for forged, tampered and transplanted cursors', async () => {
    const pipelinesCursor = await firstCursor(lists[0]);
    const runsCursor = await firstCursor(lists[5]);
    for (const list of lists) {
      const valid = await firstCursor(list);
      const [version, payload, mac] = valid.split('.');
      const forged: Record<string, string> = {
        nonsense: 'nonsense',
        'random bytes': randomBytes(48).toString('base64url'),
        'random bytes, cursor-shaped': `${version}.${randomBytes(24).toString(
          'base64url',
        )}.${randomBytes(16).toString('base64url')}`,
        'unsigned JSON of the old format': b64(
          JSON.stringify({ value: 'not-a-time', id: "x' or 1=1" }),
        ),
        'value of the wrong type, old MAC': `${version}.${b64(
          JSON.stringify(['not-a-time', 'x']),
        )}.${mac}`,
        'number where a string was': `${version}.${b64(
          JSON.stringify([1e308, '1']),
        )}.${mac}`,
        truncated: valid.slice(0, -4),
        'payload truncated': `${version}.${payload.slice(0, -2)}.${mac}`,
        'MAC of another cursor': `${version}.${payload}.${
          (list.name.startsWith('pipelines')
            ? runsCursor
            : pipelinesCursor
          ).split('.')[2]
        }`,
        'too long': `${valid}${'A'.repeat(4096)}`,
        'another list': list.name.startsWith('pipelines')
          ? runsCursor
          : pipelinesCursor,
        'another organization, filter or sort': await firstCursor({
          ...list,
          path: list.other,
        }),
      };
      for (const [kind, cursor] of Object.entries(forged)) {
        const res = await get(withQuery(list.path, { cursor }), list.auth);
        expect({ list: list.name, kind, status: res.status }).toEqual({
          list: list.name,
          kind,
          status: 400,
        });
        expect(res.body.error.message).toMatch(/cursor/);
      }
    }
  });
});
