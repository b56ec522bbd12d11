import {
  coreServices,
  createServiceFactory,
  type LoggerService,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';
import { ConnectionsService } from './ConnectionsService';
import { SecretCipher, SecretDecryptionError } from './crypto/SecretCipher';
import { KnexConnectionStore } from './store/KnexConnectionStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const PG_URL = new URL(
  process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432',
);
const MYSQL_URL = new URL(
  process.env.INGESTION_TEST_MYSQL_CONNECTION_STRING ??
    'mysql://root@127.0.0.1:3306/test',
);
const MYSQL_DATABASE = MYSQL_URL.pathname.slice(1) || 'test';
const MYSQL_USER = 'ingestion_conn_test';
const MYSQL_PASSWORD = `Maria-${randomBytes(6).toString('hex')}`;

const KEY_A = { id: 'key-a', key: randomBytes(32).toString('base64') };
const KEY_B = { id: 'key-b', key: randomBytes(32).toString('base64') };

/** Every secret a test sent: none may come back in a response or a log line. */
const secrets = new Set<string>([MYSQL_PASSWORD]);
function secret(label: string): string {
  const value = `${label}-${randomBytes(8).toString('hex')}`;
  secrets.add(value);
  return value;
}
const responses: string[] = [];
const logLines: string[] = [];

function capturingLogger(
  meta: Record<string, unknown> = {},
): RootLoggerService {
  const write =
    (level: string) => (message: string, extra?: Error | object) => {
      let rendered = '';
      try {
        rendered =
          extra instanceof Error
            ? `${extra.name}: ${extra.message} ${extra.stack ?? ''}`
            : JSON.stringify(extra ?? {});
      } catch {
        rendered = String(extra);
      }
      logLines.push(`${level} ${message} ${rendered} ${JSON.stringify(meta)}`);
    };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (more: Record<string, unknown>) =>
      capturingLogger({ ...meta, ...more }) as LoggerService,
  };
}

const loggerFeatures = [
  createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => capturingLogger({ root: true }),
  }),
  createServiceFactory({
    service: coreServices.logger,
    deps: { pluginMetadata: coreServices.pluginMetadata },
    factory: ({ pluginMetadata }) =>
      capturingLogger({ plugin: pluginMetadata.getId() }),
  }),
];

const PG_PORT = Number(PG_URL.port || 5432);
const MYSQL_PORT = Number(MYSQL_URL.port || 3306);

/**
 * finance allow-lists the local PostgreSQL and MariaDB (and port 1, a closed port inside its
 * allow-list); `more` adds top-level config such as `backend.database`.
 */
function configWith(
  masterKeys: Array<{ id: string; key: string }>,
  more: Record<string, unknown> = {},
) {
  return {
    ...more,
    ingestion: {
      ...TEST_CONFIG.ingestion,
      organizations: TEST_CONFIG.ingestion.organizations.map(org =>
        org.id === 'finance'
          ? {
              ...org,
              egress: {
                allow: [
                  { host: PG_URL.hostname, ports: [PG_PORT, 1] },
                  { host: MYSQL_URL.hostname, ports: [MYSQL_PORT] },
                ],
              },
            }
          : org,
      ),
      secrets: { masterKeys },
      // The mock service token's subject administers retail only.
      servicePrincipals: [
        {
          subject: 'external:test-service',
          organizations: ['retail'],
          roles: ['admin'],
        },
      ],
    },
  };
}

const ROLES = ['admin', 'engineer', 'analyst', 'viewer'] as const;
const CAN_READ = { admin: true, engineer: true, analyst: false, viewer: false };

beforeAll(async () => {
  // A MariaDB user with a password, for the real connection test.
  const admin = await mysql.createConnection({
    host: MYSQL_URL.hostname,
    port: Number(MYSQL_URL.port || 3306),
    user: decodeURIComponent(MYSQL_URL.username || 'root'),
    password: decodeURIComponent(MYSQL_URL.password),
  });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\``);
    for (const host of ['%', 'localhost', '127.0.0.1']) {
      await admin.query(`DROP USER IF EXISTS ?@?`, [MYSQL_USER, host]);
      await admin.query(`CREATE USER ?@? IDENTIFIED BY ?`, [
        MYSQL_USER,
        host,
        MYSQL_PASSWORD,
      ]);
      await admin.query(`GRANT SELECT ON \`${MYSQL_DATABASE}\`.* TO ?@?`, [
        MYSQL_USER,
        host,
      ]);
    }
  } finally {
    await admin.end();
  }
});

describe.each(databases.eachSupportedId())('connections API on %p', id => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];
  const backends: Array<{ stop(): Promise<void> }> = [];

  async function start(
    masterKeys = [KEY_A],
    more: Record<string, unknown> = {},
  ) {
    const backend = await startIngestionTestBackend({
      knex,
      config: configWith(masterKeys, more),
      features: loggerFeatures,
    });
    backends.push(backend);
    return backend.server;
  }

  /** One HTTP call; the body of every answer is kept for the secret check. */
  async function call(
    method: 'get' | 'post' | 'delete',
    path: string,
    auth: string | undefined,
    body?: unknown,
    on = server,
  ) {
    let req = request(on)[method](`/api/ingestion/v1${path}`);
    if (auth) {
      req = req.set('Authorization', auth);
    }
    const res = body === undefined ? await req : await req.send(body as object);
    responses.push(res.text ?? '');
    return res;
  }

  const pgBody = (organization: string, name: string, password: string) => ({
    organization,
    name,
    type: 'postgres',
    host: PG_URL.hostname,
    port: Number(PG_URL.port || 5432),
    database: 'postgres',
    user: decodeURIComponent(PG_URL.username || 'postgres'),
    password,
  });

  async function create(
    organization: string,
    name: string,
    password = secret('pw'),
  ) {
    const res = await call(
      'post',
      '/connections',
      as(`${organization}-admin`),
      pgBody(organization, name, password),
    );
    expect(res.status).toBe(201);
    return res.body as { id: string; keyId: string };
  }

  beforeAll(async () => {
    knex = await databases.init(id);
    server = await start();
  });

  afterAll(async () => {
    for (const backend of backends) {
      await backend.stop();
    }
  });

  beforeEach(async () => {
    await knex('connections').delete();
  });

  it('creates, reads, lists, rotates and deletes a connection without ever returning the secret', async () => {
    const password = secret('create');
    const created = await call(
      'post',
      '/connections',
      as('finance-admin'),
      pgBody('finance', 'warehouse', password),
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      organization: 'finance',
      name: 'warehouse',
      type: 'postgres',
      settings: {
        host: PG_URL.hostname,
        port: Number(PG_URL.port || 5432),
        database: 'postgres',
        user: decodeURIComponent(PG_URL.username || 'postgres'),
      },
      hasSecret: true,
      keyId: 'key-a',
      createdBy: 'user:default/finance-admin',
      createdAt: expect.any(String),
    });
    const connectionId = created.body.id;

    // At rest: encrypted, bound to the org, nothing readable.
    const row = await knex('connections').where({ id: connectionId }).first();
    expect(row.key_id).toBe('key-a');
    expect(JSON.stringify(row)).not.toContain(password);

    const got = await call(
      'get',
      `/connections/${connectionId}`,
      as('finance-engineer'),
    );
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const list = await call(
      'get',
      '/connections?organization=finance',
      as('finance-engineer'),
    );
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ items: [created.body] });

    const rotated = await call(
      'post',
      `/connections/${connectionId}/rotate`,
      as('finance-admin'),
      { password: secret('rotated') },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.rotatedAt).toEqual(expect.any(String));
    expect(rotated.body.hasSecret).toBe(true);
    const rowAfter = await knex('connections')
      .where({ id: connectionId })
      .first();
    expect(rowAfter.secret_ciphertext).not.toBe(row.secret_ciphertext);

    const deleted = await call(
      'delete',
      `/connections/${connectionId}`,
      as('finance-admin'),
    );
    expect(deleted.status).toBe(204);
    expect(
      (await call('get', `/connections/${connectionId}`, as('finance-admin')))
        .status,
    ).toBe(404);
  });

  it('accepts the settings of every type', async () => {
    const bodies = [
      {
        type: 'mysql',
        host: 'mysql.internal',
        port: 3306,
        database: 'sales',
        user: 'reader',
        ssl: true,
      },
      { type: 'mariadb', host: '10.0.0.7', user: 'reader' },
      {
        type: 'kafka',
        bootstrapServers: ['b1.internal:9092', 'b2.internal:9092'],
        saslMechanism: 'scram-sha-512',
        user: 'events',
      },
      {
        type: 'http',
        baseUrl: 'https://api.example.com/v2',
        auth: 'header',
        headerName: 'X-Api-Key',
      },
      {
        type: 's3',
        bucket: 'finance-raw',
        region: 'us-east-1',
        endpoint: 'http://localhost:9000',
        forcePathStyle: true,
        accessKeyId: 'AKIAEXAMPLE',
      },
    ];
    for (const [index, body] of bodies.entries()) {
      const res = await call('post', '/connections', as('finance-admin'), {
        organization: 'finance',
        name: `source-${index}`,
        password: secret('typed'),
        ...body,
      });
      expect(res.status).toBe(201);
      const { type, ...settings } = body;
      expect(res.body).toMatchObject({ type, settings });
    }
  });

  it('answers 400 with the field path for invalid bodies and queries', async () => {
    const valid = pgBody('finance', 'warehouse', secret('invalid'));
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid, name: undefined }, /name: /],
      [{ ...valid, name: 'Bad Name' }, /name: must match/],
      [{ ...valid, name: 'x' }, /name: must match/],
      [{ ...valid, colour: 'blue' }, /colour: unknown field/],
      [{ ...valid, type: 'oracle' }, /type: must be one of mysql, mariadb/],
      [{ ...valid, type: undefined }, /type: /],
      [{ ...valid, port: 70000 }, /port: /],
      [{ ...valid, port: '5432' }, /port: /],
      [{ ...valid, host: undefined }, /host: /],
      [{ ...valid, password: undefined }, /password: is required/],
      [{ ...valid, password: '' }, /password: must not be empty/],
      [{ ...valid, password: 42 }, /password: /],
      [{ ...valid, organization: 'Finance!' }, /organization: /],
      [
        {
          organization: 'finance',
          name: 'events',
          type: 'kafka',
          bootstrapServers: ['ok.internal:9092', 'no-port'],
          password: secret('kafka'),
        },
        /bootstrapServers\[1\]: must be host:port/,
      ],
      [
        {
          organization: 'finance',
          name: 'api',
          type: 'http',
          baseUrl: 'ftp://example.com',
          password: secret('http'),
        },
        /baseUrl: must be an http\(s\) URL/,
      ],
      [
        // a field of another type
        { ...valid, bucket: 'raw' },
        /bucket: unknown field/,
      ],
      // An array body is stopped by the OpenAPI validator before the service sees it.
      [[valid], /request\/body must be object/],
    ];
    for (const [body, message] of cases) {
      const res = await call('post', '/connections', as('finance-admin'), body);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
    }
    expect(await knex('connections').count({ n: '*' })).toEqual([
      { n: expect.anything() },
    ]);
    expect(Number((await knex('connections').count({ n: '*' }))[0].n)).toBe(0);

    const { id: connectionId } = await create('finance', 'warehouse');
    for (const [body, message] of [
      [{}, /password: is required/],
      [{ password: secret('rot'), keyId: 'x' }, /keyId: unknown field/],
    ] as Array<[unknown, RegExp]>) {
      const res = await call(
        'post',
        `/connections/${connectionId}/rotate`,
        as('finance-admin'),
        body,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    for (const [query, message] of [
      // The OpenAPI validator answers these, naming the parameter.
      ['limit=0', /limit/],
      ['limit=abc', /limit/],
      ['limit=501', /limit/],
      ['colour=blue', /colour/],
      ['cursor=bm9wZQ', /cursor: /],
    ] as Array<[string, RegExp]>) {
      const res = await call(
        'get',
        `/connections?${query}`,
        as('finance-admin'),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const reencrypt = await call(
      'post',
      '/connections/reencrypt',
      as('finance-admin'),
      {},
    );
    expect(reencrypt.status).toBe(400);
    expect(reencrypt.body.error.message).toMatch(/organization: /);
  });

  it('answers 401 without credentials', async () => {
    const { id: connectionId } = await create('finance', 'warehouse');
    const none = mockCredentials.none.header();
    for (const [method, path, body] of [
      ['get', '/connections', undefined],
      ['post', '/connections', pgBody('finance', 'x1', secret('anon'))],
      ['post', '/connections/reencrypt', { organization: 'finance' }],
      ['get', `/connections/${connectionId}`, undefined],
      ['post', `/connections/${connectionId}/rotate`, { password: 'x' }],
      ['post', `/connections/${connectionId}/test`, undefined],
      ['delete', `/connections/${connectionId}`, undefined],
    ] as const) {
      expect((await call(method, path, none, body)).status).toBe(401);
    }
  });

  it('answers 409 for a duplicate name in the organization only', async () => {
    await create('finance', 'warehouse');
    const dup = await call(
      'post',
      '/connections',
      as('finance-admin'),
      pgBody('finance', 'warehouse', secret('dup')),
    );
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe(
      "Connection 'warehouse' already exists in organization 'finance'",
    );
    await create('retail', 'warehouse');
  });

  it('applies the access matrix: 4 roles × own and other organization, read and manage', async () => {
    const own = await create('finance', 'warehouse');
    const other = await create('retail', 'orders');

    for (const role of ROLES) {
      const user = as(`finance-${role}`);
      // read, own organization
      const get = await call('get', `/connections/${own.id}`, user);
      expect([role, get.status]).toEqual([role, CAN_READ[role] ? 200 : 403]);
      const list = await call('get', '/connections?organization=finance', user);
      expect(list.status).toBe(200);
      expect([role, list.body.items.some((c: any) => c.id === own.id)]).toEqual(
        [role, CAN_READ[role]],
      );
      expect(CAN_READ[role] || list.body.items.length === 0).toBe(true);
      // read, another organization: not found, nothing listed
      const getOther = await call('get', `/connections/${other.id}`, user);
      expect([role, getOther.status]).toEqual([role, 404]);
      expect(getOther.body.error.message).toBe(
        `Connection '${other.id}' not found`,
      );
      const listOther = await call(
        'get',
        '/connections?organization=retail',
        user,
      );
      expect(listOther.body.items).toEqual([]);
      const listAll = await call('get', '/connections', user);
      expect(
        listAll.body.items.every((c: any) => c.organization === 'finance'),
      ).toBe(true);
      expect(listAll.body.items.length > 0).toBe(CAN_READ[role]);

      // manage, own organization: admins only, 403 for the other roles
      const expectedManage = role === 'admin' ? 200 : 403;
      const rotate = await call('post', `/connections/${own.id}/rotate`, user, {
        password: secret(`rot-${role}`),
      });
      expect([role, rotate.status]).toEqual([role, expectedManage]);
      const test = await call('post', `/connections/${own.id}/test`, user);
      expect([role, test.status]).toEqual([role, expectedManage]);
      const createOwn = await call(
        'post',
        '/connections',
        user,
        pgBody('finance', `by-${role}`, secret(`new-${role}`)),
      );
      expect([role, createOwn.status]).toEqual([
        role,
        role === 'admin' ? 201 : 403,
      ]);
      const reencryptOwn = await call('post', '/connections/reencrypt', user, {
        organization: 'finance',
      });
      expect([role, reencryptOwn.status]).toEqual([role, expectedManage]);

      // manage, another organization: 404 whatever the role
      for (const [method, path, body] of [
        ['post', `/connections/${other.id}/rotate`, { password: secret('x') }],
        ['post', `/connections/${other.id}/test`, undefined],
        ['delete', `/connections/${other.id}`, undefined],
        ['post', '/connections', pgBody('retail', 'intruder', secret('in'))],
        ['post', '/connections/reencrypt', { organization: 'retail' }],
      ] as const) {
        const res = await call(method, path, user, body);
        expect([role, method, path, res.status]).toEqual([
          role,
          method,
          path,
          404,
        ]);
      }
    }
    for (const role of ['engineer', 'analyst', 'viewer']) {
      const del = await call(
        'delete',
        `/connections/${own.id}`,
        as(`finance-${role}`),
      );
      expect([role, del.status]).toEqual([role, 403]);
    }
    expect(
      (await call('delete', `/connections/${own.id}`, as('finance-admin')))
        .status,
    ).toBe(204);
    // Nothing of retail changed.
    const retailRow = await knex('connections').where({ id: other.id }).first();
    expect(retailRow.rotated_at).toBeNull();
    expect(
      await knex('connections').where({ organization_id: 'retail' }),
    ).toHaveLength(1);
  });

  it('records each denied connection request once in the audit log', async () => {
    const own = await create('finance', 'audited');
    const other = await create('retail', 'audited');
    await knex('audit_events').delete();

    const forbidden = await call(
      'post',
      `/connections/${own.id}/rotate`,
      as('finance-engineer'),
      { password: secret('denied') },
    );
    expect(forbidden.status).toBe(403);
    const hidden = await call(
      'delete',
      `/connections/${other.id}`,
      as('finance-engineer'),
    );
    expect(hidden.status).toBe(404);
    const createForbidden = await call(
      'post',
      '/connections',
      as('finance-viewer'),
      pgBody('finance', 'by-viewer', secret('denied')),
    );
    expect(createForbidden.status).toBe(403);

    const denials = await knex('audit_events')
      .where({ outcome: 'denied' })
      .orderBy('id')
      .select('organization_id', 'actor', 'action');
    expect(denials).toEqual([
      {
        organization_id: 'finance',
        actor: 'user:default/finance-engineer',
        action: 'connection.manage',
      },
      {
        organization_id: 'retail',
        actor: 'user:default/finance-engineer',
        action: 'connection.manage',
      },
      {
        organization_id: 'finance',
        actor: 'user:default/finance-viewer',
        action: 'connection.manage',
      },
    ]);
  });

  it('shows nothing to users without organizations; services get what config grants', async () => {
    const own = await create('finance', 'warehouse');
    const nobody = as('nobody');
    expect((await call('get', `/connections/${own.id}`, nobody)).status).toBe(
      404,
    );
    expect((await call('get', '/connections', nobody)).body).toEqual({
      items: [],
    });
    expect(
      (await call('delete', `/connections/${own.id}`, nobody)).status,
    ).toBe(404);
    expect(
      (
        await call(
          'post',
          '/connections',
          nobody,
          pgBody('finance', 'by-nobody', secret('nobody')),
        )
      ).status,
    ).toBe(404);

    // The permission framework allows service principals (other plugins, static tokens); the
    // plugin gives them only the organizations ingestion.servicePrincipals grants.
    const service = mockCredentials.service.header();
    const got = await call('get', `/connections/${own.id}`, service);
    expect(got.status).toBe(404);
    const created = await call(
      'post',
      '/connections',
      service,
      pgBody('retail', 'by-service', secret('service')),
    );
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('service:external:test-service');
    expect(
      (await call('get', `/connections/${created.body.id}`, service)).body
        .hasSecret,
    ).toBe(true);

    // Platform admins manage every organization.
    const res = await call(
      'post',
      `/connections/${own.id}/rotate`,
      as('platform-admin'),
      { password: secret('platform') },
    );
    expect(res.status).toBe(200);
  });

  it('paginates lists', async () => {
    for (const name of ['alpha', 'bravo', 'charlie']) {
      await create('finance', name);
    }
    const first = await call(
      'get',
      '/connections?organization=finance&limit=2',
      as('finance-admin'),
    );
    expect(first.body.items.map((c: any) => c.name)).toEqual([
      'alpha',
      'bravo',
    ]);
    const second = await call(
      'get',
      `/connections?organization=finance&limit=2&cursor=${first.body.nextCursor}`,
      as('finance-admin'),
    );
    expect(second.body.items.map((c: any) => c.name)).toEqual(['charlie']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('tests connections for real against PostgreSQL and MariaDB without leaking the secret', async () => {
    const pg = await create('finance', 'pg-ok', secret('pg'));
    const pgOk = await call(
      'post',
      `/connections/${pg.id}/test`,
      as('finance-admin'),
    );
    expect(pgOk.status).toBe(200);
    expect(pgOk.body).toEqual({
      ok: true,
      testable: true,
      message: expect.stringContaining('Connected'),
      latencyMs: expect.any(Number),
    });

    // The local PostgreSQL trusts every password, so break the database name and the port instead.
    const badDb = await call('post', '/connections', as('finance-admin'), {
      ...pgBody('finance', 'pg-bad-db', secret('pgdb')),
      database: 'no_such_database_here',
    });
    const pgBadDb = await call(
      'post',
      `/connections/${badDb.body.id}/test`,
      as('finance-admin'),
    );
    expect(pgBadDb.body.ok).toBe(false);
    expect(pgBadDb.body.message).toMatch(/no_such_database_here/);

    const closed = await call('post', '/connections', as('finance-admin'), {
      ...pgBody('finance', 'pg-closed', secret('pgport')),
      port: 1,
    });
    const pgClosed = await call(
      'post',
      `/connections/${closed.body.id}/test`,
      as('finance-admin'),
    );
    // Inside the allow-list, the driver's message stays: the admin can fix the connection.
    expect(pgClosed.body).toMatchObject({ ok: false, testable: true });
    expect(pgClosed.body.message).toMatch(/ECONNREFUSED/);

    const mariaBody = (name: string, password: string) => ({
      organization: 'finance',
      name,
      type: 'mariadb',
      host: MYSQL_URL.hostname,
      port: Number(MYSQL_URL.port || 3306),
      database: MYSQL_DATABASE,
      user: MYSQL_USER,
      password,
    });
    const maria = await call(
      'post',
      '/connections',
      as('finance-admin'),
      mariaBody('maria-ok', MYSQL_PASSWORD),
    );
    const mariaOk = await call(
      'post',
      `/connections/${maria.body.id}/test`,
      as('finance-admin'),
    );
    expect(mariaOk.body).toMatchObject({ ok: true, testable: true });

    const wrongPassword = secret('wrong');
    const wrong = await call(
      'post',
      '/connections',
      as('finance-admin'),
      mariaBody('maria-wrong', wrongPassword),
    );
    const mariaWrong = await call(
      'post',
      `/connections/${wrong.body.id}/test`,
      as('finance-admin'),
    );
    expect(mariaWrong.status).toBe(200);
    expect(mariaWrong.body).toMatchObject({ ok: false, testable: true });
    expect(mariaWrong.body.message).toMatch(/Access denied/);
    expect(mariaWrong.body.message).not.toContain(wrongPassword);

    const kafka = await call('post', '/connections', as('finance-admin'), {
      organization: 'finance',
      name: 'events',
      type: 'kafka',
      bootstrapServers: ['localhost:9092'],
      password: secret('kafka'),
    });
    const kafkaTest = await call(
      'post',
      `/connections/${kafka.body.id}/test`,
      as('finance-admin'),
    );
    expect(kafkaTest.body).toEqual({
      ok: false,
      testable: false,
      message: expect.stringContaining("type 'kafka' cannot be tested"),
      latencyMs: 0,
    });
  });

  it('rotates master keys: old rows still decrypt, re-encryption moves them to the new key', async () => {
    const { id: connectionId } = await create('finance', 'warehouse');
    const retail = await create('retail', 'orders');

    // Key B becomes current; key A is kept for decryption.
    const rotatedServer = await start([KEY_B, KEY_A]);
    const before = await call(
      'get',
      `/connections/${connectionId}`,
      as('finance-admin'),
      undefined,
      rotatedServer,
    );
    expect(before.body.keyId).toBe('key-a');
    const stillDecrypts = await call(
      'post',
      `/connections/${connectionId}/test`,
      as('finance-admin'),
      undefined,
      rotatedServer,
    );
    expect(stillDecrypts.body.ok).toBe(true);
    // New secrets use key B.
    const fresh = await call(
      'post',
      '/connections',
      as('finance-admin'),
      pgBody('finance', 'fresh', secret('fresh')),
      rotatedServer,
    );
    expect(fresh.body.keyId).toBe('key-b');

    const pass = await call(
      'post',
      '/connections/reencrypt',
      as('finance-admin'),
      { organization: 'finance' },
      rotatedServer,
    );
    expect(pass.status).toBe(200);
    expect(pass.body).toEqual({
      organization: 'finance',
      keyId: 'key-b',
      reencrypted: 1,
      unchanged: 0,
      failed: [],
    });
    const rows = await knex('connections').orderBy('name');
    expect(rows.map(r => `${r.organization_id}/${r.name}:${r.key_id}`)).toEqual(
      [
        'finance/fresh:key-b',
        'retail/orders:key-a', // another organization's pass has not run
        'finance/warehouse:key-b',
      ],
    );

    // With key A gone, the moved rows still decrypt; retail's row does not, and says why.
    const onlyB = await start([KEY_B]);
    const moved = await call(
      'post',
      `/connections/${connectionId}/test`,
      as('finance-admin'),
      undefined,
      onlyB,
    );
    expect(moved.body.ok).toBe(true);
    const stale = await call(
      'post',
      `/connections/${retail.id}/test`,
      as('retail-admin'),
      undefined,
      onlyB,
    );
    expect(stale.body).toMatchObject({ ok: false });
    expect(stale.body.message).toMatch(/master key 'key-a'.*not configured/);
    const failedPass = await call(
      'post',
      '/connections/reencrypt',
      as('retail-admin'),
      { organization: 'retail' },
      onlyB,
    );
    expect(failedPass.body).toMatchObject({
      reencrypted: 0,
      failed: [retail.id],
    });
  });

  it('does not decrypt a tampered row or one moved to another organization', async () => {
    const { id: connectionId } = await create('finance', 'warehouse');
    // Moved to retail by someone with database access: retail's admin cannot use it.
    await knex('connections')
      .where({ id: connectionId })
      .update({ organization_id: 'retail' });
    const moved = await call(
      'post',
      `/connections/${connectionId}/test`,
      as('retail-admin'),
    );
    expect(moved.status).toBe(200);
    expect(moved.body.ok).toBe(false);
    expect(moved.body.message).toMatch(/could not be decrypted/);

    await knex('connections')
      .where({ id: connectionId })
      .update({ organization_id: 'finance' });
    const row = await knex('connections').where({ id: connectionId }).first();
    const bytes = Buffer.from(row.secret_ciphertext, 'base64');
    bytes[0] ^= 0xff;
    await knex('connections')
      .where({ id: connectionId })
      .update({ secret_ciphertext: bytes.toString('base64') });
    const tampered = await call(
      'post',
      `/connections/${connectionId}/test`,
      as('finance-admin'),
    );
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.message).toMatch(/could not be decrypted/);
  });

  it('resolves a connection for engines, in-process and scoped to the organization', async () => {
    const password = secret('engine');
    await create('finance', 'warehouse', password);
    const service = ConnectionsService.create({
      store: new KnexConnectionStore(knex),
      cipher: new SecretCipher({
        currentKeyId: KEY_A.id,
        keys: new Map([[KEY_A.id, Buffer.from(KEY_A.key, 'base64')]]),
      }),
      authorizer: {} as never,
      logger: mockServices.logger.mock(),
    });
    const resolved = await service.resolveConnection('finance', 'warehouse');
    expect(resolved).toMatchObject({
      organization: 'finance',
      name: 'warehouse',
      type: 'postgres',
      settings: { host: PG_URL.hostname, database: 'postgres' },
      password,
    });
    await expect(
      service.resolveConnection('retail', 'warehouse'),
    ).rejects.toThrow(
      "Connection 'warehouse' not found in organization 'retail'",
    );

    await knex('connections')
      .where({ name: 'warehouse' })
      .update({ secret_tag: Buffer.alloc(16).toString('base64') });
    await expect(
      service.resolveConnection('finance', 'warehouse'),
    ).rejects.toThrow(SecretDecryptionError);
  });
});

// Runs last: every response body and log line of the tests above, checked for every secret sent.
it('never returned a secret in a response nor wrote one to the log', () => {
  expect(responses.length).toBeGreaterThan(50);
  expect(logLines.length).toBeGreaterThan(0);
  const leaks = [...secrets].flatMap(value => [
    ...responses.filter(body => body.includes(value)),
    ...logLines.filter(line => line.includes(value)),
  ]);
  expect(leaks).toEqual([]);
});
