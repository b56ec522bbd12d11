import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import express from 'express';
import request from 'supertest';
import {
  createConnectionSchema,
  reencryptSchema,
  rotateConnectionSchema,
} from '../connections/schema';
import { parseOrganizationDefinition } from '../organizations/organizationSchema';
import { TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import { withCodeCheckedBodiesAsObjects } from './codeCheckedBodies';
import { spec } from './openapi.generated';

/**
 * The bodies the services check (`x-checked-in-code`) are described in the OpenAPI document as
 * the services accept them: for each sample body, the document (run through the same request
 * validator as the API, but with these bodies in full) and the service's own check agree on
 * whether it is accepted. Samples cover each type's settings, the edges of the service's rules
 * (trimmed text, group refs in any case, port ranges, the databricks link) and each refusal.
 */

/** Answers 204 when the document accepts a request, the validator's 400 otherwise. */
function documentServer(document: object) {
  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use(
    createValidatedOpenApiRouter(document as typeof spec, {
      middleware: [express.json({ limit: '1mb' })],
    }) as unknown as express.Router,
  );
  app.use((_req, res) => {
    res.status(204).end();
  });
  app.use(
    (
      error: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(400).json({ error: { message: error.message } });
    },
  );
  return app;
}

const full = documentServer(spec);
const asServed = documentServer(withCodeCheckedBodiesAsObjects(spec));

const CONNECTION_ID = '00000000-0000-4000-8000-000000000001';

type Sample = [string, unknown];

/** The service's verdict on an organization body (`OrganizationAdminService.parse`). */
function organizationAccepted(body: unknown, pathId?: string): boolean {
  try {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return false;
    }
    const input = body as Record<string, unknown>;
    if (pathId !== undefined && input.id !== undefined && input.id !== pathId)
      return false;
    const definition = parseOrganizationDefinition(
      pathId === undefined ? input : { ...input, id: pathId },
    );
    return !(definition.engine === 'databricks' && !definition.databricks);
  } catch {
    return false;
  }
}

const connection = {
  organization: 'finance',
  name: 'warehouse',
  password: 's',
};
const CONNECTIONS: Sample[] = [
  [
    'postgres',
    {
      ...connection,
      type: 'postgres',
      host: 'db.internal',
      port: 5432,
      database: 'sales',
      user: 'reader',
      ssl: true,
      schema: 'public',
    },
  ],
  ['mysql', { ...connection, type: 'mysql', host: '10.0.0.1', user: 'r' }],
  ['mariadb', { ...connection, type: 'mariadb', host: '[::1]', user: 'r' }],
  [
    'kafka',
    {
      ...connection,
      type: 'kafka',
      bootstrapServers: ['a.internal:9092', '[fd00::1]:9093'],
      saslMechanism: 'scram-sha-512',
      user: 'events',
      ssl: false,
    },
  ],
  [
    'http',
    {
      ...connection,
      type: 'http',
      baseUrl: 'https://api.example.com/v2',
      auth: 'header',
      headerName: 'X-Api-Key',
    },
  ],
  [
    'http, a URL with blanks around and an upper-case scheme',
    { ...connection, type: 'http', baseUrl: ' HTTP://Example.com ' },
  ],
  [
    's3',
    {
      ...connection,
      type: 's3',
      bucket: 'finance-raw',
      prefix: 'in/',
      region: 'us-east-1',
      endpoint: 'http://localhost:9000',
      forcePathStyle: true,
      accessKeyId: 'AKIAEXAMPLE',
    },
  ],
  [
    'a secret of 8192 characters',
    {
      ...connection,
      type: 'mysql',
      host: 'h',
      user: 'r',
      password: 'p'.repeat(8192),
    },
  ],
  ['a type of none', { ...connection, type: 'oracle', host: 'h', user: 'r' }],
  ['no type', { ...connection, host: 'h', user: 'r' }],
  [
    'no password',
    {
      organization: 'finance',
      name: 'x1',
      type: 'mysql',
      host: 'h',
      user: 'r',
    },
  ],
  [
    'an empty password',
    { ...connection, password: '', type: 'mysql', host: 'h', user: 'r' },
  ],
  [
    'a secret too long',
    {
      ...connection,
      type: 'mysql',
      host: 'h',
      user: 'r',
      password: 'p'.repeat(8193),
    },
  ],
  [
    'a bad name',
    { ...connection, name: 'Bad Name', type: 'mysql', host: 'h', user: 'r' },
  ],
  [
    'a bad organization',
    {
      ...connection,
      organization: 'Finance!',
      type: 'mysql',
      host: 'h',
      user: 'r',
    },
  ],
  [
    'a port as text',
    { ...connection, type: 'mysql', host: 'h', user: 'r', port: '3306' },
  ],
  [
    'a port too high',
    { ...connection, type: 'mysql', host: 'h', user: 'r', port: 70000 },
  ],
  [
    'a fraction of a port',
    { ...connection, type: 'mysql', host: 'h', user: 'r', port: 3306.5 },
  ],
  ['no host', { ...connection, type: 'mysql', user: 'r' }],
  [
    'a host with a blank',
    { ...connection, type: 'mysql', host: 'a b', user: 'r' },
  ],
  [
    'a schema on mysql',
    { ...connection, type: 'mysql', host: 'h', user: 'r', schema: 'x' },
  ],
  [
    'an unknown field',
    { ...connection, type: 'mysql', host: 'h', user: 'r', colour: 'blue' },
  ],
  [
    'a field of another type',
    { ...connection, type: 'mysql', host: 'h', user: 'r', bucket: 'raw' },
  ],
  [
    'no bootstrap server',
    { ...connection, type: 'kafka', bootstrapServers: [] },
  ],
  [
    'a server without port',
    { ...connection, type: 'kafka', bootstrapServers: ['no-port'] },
  ],
  [
    'an unknown SASL mechanism',
    {
      ...connection,
      type: 'kafka',
      bootstrapServers: ['k:1'],
      saslMechanism: 'gssapi',
    },
  ],
  [
    'an http URL without //',
    { ...connection, type: 'http', baseUrl: 'http:example.com' },
  ],
  ['an ftp URL', { ...connection, type: 'http', baseUrl: 'ftp://example.com' }],
  [
    'a bad header name',
    {
      ...connection,
      type: 'http',
      baseUrl: 'https://x.io',
      headerName: 'X Key',
    },
  ],
  [
    'a bad bucket',
    { ...connection, type: 's3', bucket: 'Raw', accessKeyId: 'A' },
  ],
  ['no access key id', { ...connection, type: 's3', bucket: 'raw-data' }],
  [
    'null settings',
    { ...connection, type: 'mysql', host: 'h', user: 'r', port: null },
  ],
];

const marketing = {
  id: 'marketing',
  name: 'Marketing',
  description: 'Campaign and web analytics',
  costCenter: 'MKT-001',
  environment: 'development',
  ownerGroup: 'group:default/marketing',
  project: 'campaigns',
  roles: {
    admin: ['group:default/marketing-admins'],
    engineer: ['Marketing-Engineers'],
    analyst: ['default/marketing-analysts'],
    viewer: [],
  },
  quotas: {
    databricks: { maxDbuPerHour: 10, maxClusters: 2, maxConcurrentJobs: 3 },
    storage: { maxStorageGb: 100, retentionDays: 30 },
    compute: { maxEcsTasks: 4, maxCpuUnits: 4096 },
    api: { requestsPerMinute: 60, requestsPerDay: 1000 },
  },
  storage: '/tmp/ingestion-test/marketing',
  storageLocations: ['s3://marketing-raw', 's3://marketing-raw/in/'],
  iceberg: { catalog: 'marketing_catalog' },
  budget: { monthly: 2500, alertThresholds: [0.5, 1, 1.5] },
  egress: {
    allow: [
      { host: 'db.marketing.internal', ports: [5432] },
      { cidr: '10.20.0.0/16', ports: ['8000-8100', 443] },
    ],
  },
};
const ORGANIZATIONS: Sample[] = [
  ['the demo organization', { ...TEST_ORGANIZATIONS[0], id: 'marketing' }],
  ['every setting', marketing],
  [
    'the databricks engine with its workspace',
    {
      ...marketing,
      engine: 'databricks',
      databricks: {
        host: 'https://dbc-1.cloud.databricks.com',
        clusterPolicyId: 'p1',
        notificationEmails: ['data@example.com'],
        billingWarehouseId: 'w1',
        workspaceId: '123',
      },
    },
  ],
  [
    'text trimmed to its limit',
    {
      ...marketing,
      name: `  ${'n'.repeat(128)}  `,
      costCenter: ` ${'C'.repeat(32)} `,
    },
  ],
  [
    'a group ref in upper case',
    { ...marketing, ownerGroup: 'GROUP:Default/Marketing' },
  ],
  ['no id', { ...marketing, id: undefined }],
  ['a bad id', { ...marketing, id: 'Marketing!' }],
  ['an unknown environment', { ...marketing, environment: 'prod' }],
  ['a bad role group', { ...marketing, roles: { admin: ['not a ref!'] } }],
  ['an unknown role', { ...marketing, roles: { owner: [] } }],
  [
    'a negative quota',
    { ...marketing, quotas: { databricks: { maxDbuPerHour: -1 } } },
  ],
  [
    'a fraction of a quota',
    { ...marketing, quotas: { api: { requestsPerDay: 1.5 } } },
  ],
  ['an unknown quota', { ...marketing, quotas: { gpu: {} } }],
  ['an unknown field', { ...marketing, color: 'red' }],
  [
    'an egress entry without ports',
    { ...marketing, egress: { allow: [{ host: 'db.internal' }] } },
  ],
  [
    'an egress entry without host or cidr',
    { ...marketing, egress: { allow: [{ ports: [1] }] } },
  ],
  [
    'the databricks engine without its workspace',
    { ...marketing, engine: 'databricks' },
  ],
  [
    'a workspace URL without scheme',
    { ...marketing, databricks: { host: 'dbc-1.cloud.databricks.com' } },
  ],
  ['a blank name', { ...marketing, name: undefined }],
  [
    'a storage location outside S3',
    { ...marketing, storageLocations: ['/tmp/x'] },
  ],
  ['a bad Iceberg catalog', { ...marketing, iceberg: { catalog: '1catalog' } }],
  [
    'a threshold of 0',
    { ...marketing, budget: { monthly: 1, alertThresholds: [0] } },
  ],
  ['a negative budget', { ...marketing, budget: { monthly: -1 } }],
  ['a description too long', { ...marketing, description: 'd'.repeat(2001) }],
  ['null', { ...marketing, project: null }],
];

const verdict = async (
  app: express.Express,
  path: string,
  method: 'post' | 'put',
  body: unknown,
) => {
  const res = await request(app)
    [method](path)
    .send(body as object);
  return { accepted: res.status === 204, message: res.body?.error?.message };
};

describe('bodies the services check, in the OpenAPI document', () => {
  it('has every sample both ways', () => {
    const ofConnections = CONNECTIONS.map(
      ([, body]) => createConnectionSchema.safeParse(body).success,
    );
    const ofOrganizations = ORGANIZATIONS.map(([, body]) =>
      organizationAccepted(body),
    );
    for (const verdicts of [ofConnections, ofOrganizations]) {
      expect(verdicts.filter(Boolean).length).toBeGreaterThan(4);
      expect(verdicts.filter(v => !v).length).toBeGreaterThan(10);
    }
  });

  it.each(CONNECTIONS)(
    'POST /v1/connections, %s: the document and the service agree',
    async (_name, body) => {
      const service = createConnectionSchema.safeParse(body).success;
      const document = await verdict(full, '/v1/connections', 'post', body);
      expect({
        document: document.accepted,
        message: document.message,
      }).toEqual({
        document: service,
        message: document.message,
      });
    },
  );

  it.each(ORGANIZATIONS)(
    'POST /v1/organizations, %s: the document and the service agree',
    async (_name, body) => {
      const service = organizationAccepted(body);
      const document = await verdict(full, '/v1/organizations', 'post', body);
      expect({
        document: document.accepted,
        message: document.message,
      }).toEqual({
        document: service,
        message: document.message,
      });
    },
  );

  it.each([
    ['the same id', { ...marketing }],
    ['no id', { ...marketing, id: undefined }],
    ['another id', { ...marketing, id: 'finance' }],
    ['a bad environment', { ...marketing, environment: 'prod' }],
  ])(
    'PUT /v1/organizations/marketing, %s: the document and the service agree',
    async (_name, body) => {
      const service = organizationAccepted(body, 'marketing');
      const document = await verdict(
        full,
        '/v1/organizations/marketing',
        'put',
        body,
      );
      // The document cannot compare the body's id with the path's: the service alone refuses it.
      expect(document.accepted).toBe(service || body.id === 'finance');
    },
  );

  it.each([
    ['a secret', { password: 'new' }, true],
    ['no secret', {}, false],
    ['another field', { password: 'new', keyId: 'x' }, false],
    ['a number', { password: 42 }, false],
  ])(
    'POST /v1/connections/{id}/rotate, %s: the document and the service agree',
    async (_name, body, accepted) => {
      expect(rotateConnectionSchema.safeParse(body).success).toBe(accepted);
      const document = await verdict(
        full,
        `/v1/connections/${CONNECTION_ID}/rotate`,
        'post',
        body,
      );
      expect(document.accepted).toBe(accepted);
    },
  );

  it.each([
    ['an organization', { organization: 'finance' }, true],
    ['none', {}, false],
    ['a bad one', { organization: 'Finance!' }, false],
    ['another field', { organization: 'finance', all: true }, false],
  ])(
    'POST /v1/connections/reencrypt, %s: the document and the service agree',
    async (_name, body, accepted) => {
      expect(reencryptSchema.safeParse(body).success).toBe(accepted);
      const document = await verdict(
        full,
        '/v1/connections/reencrypt',
        'post',
        body,
      );
      expect(document.accepted).toBe(accepted);
    },
  );

  it('leaves these bodies to the services as served: any object passes the validator, nothing else', async () => {
    for (const [method, path] of [
      ['post', '/v1/connections'],
      ['post', '/v1/connections/reencrypt'],
      ['post', `/v1/connections/${CONNECTION_ID}/rotate`],
      ['post', '/v1/organizations'],
      ['put', '/v1/organizations/marketing'],
    ] as const) {
      expect([
        path,
        (await verdict(asServed, path, method, { colour: 1 })).accepted,
      ]).toEqual([path, true]);
      const array = await verdict(asServed, path, method, [{}]);
      expect([path, array.accepted, array.message]).toEqual([
        path,
        false,
        'request/body must be object',
      ]);
    }
    // Other bodies are still checked in full.
    expect(
      (
        await verdict(asServed, '/v1/budgets', 'put', {
          organization: 'finance',
          monthly: 'x',
        })
      ).accepted,
    ).toBe(false);
  });
});
