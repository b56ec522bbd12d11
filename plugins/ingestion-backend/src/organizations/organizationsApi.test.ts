import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { batchSpec } from '../__testUtils__/specs';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** A new organization as a platform admin would create it (defaults fill the rest). */
const marketing = {
  id: 'marketing',
  name: 'Marketing',
  description: 'Campaign and web analytics',
  costCenter: 'MKT-001',
  environment: 'development',
  ownerGroup: 'group:default/marketing',
  roles: {
    admin: ['group:default/marketing-admins'],
    engineer: ['group:default/marketing-engineers'],
    analyst: ['group:default/marketing-analysts'],
  },
  quotas: { databricks: { maxConcurrentJobs: 3 } },
  storage: '/tmp/ingestion-test/marketing',
  budget: { monthly: 2500 },
  egress: { allow: [{ host: 'db.marketing.internal', ports: [5432] }] },
};

describe.each(databases.eachSupportedId())(
  'organizations at run time on %s',
  databaseId => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];
    let stop: () => Promise<void>;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      const backend = await startIngestionTestBackend({
        knex,
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            rateLimits: { enabled: false },
            // The policy (another plugin) reads organizations at every decision here, not every 5 s.
            organizationsCacheSeconds: 0,
          },
          backend: { baseUrl: 'http://localhost' },
        },
      });
      server = backend.server;
      stop = () => backend.stop();
    });

    afterAll(async () => {
      await stop?.();
    });

    const api = () => request(server);
    const auditOf = async (organization: string, action: string) => {
      const res = await api()
        .get(
          `/api/ingestion/v1/audit?organization=${organization}&action=${action}`,
        )
        .set('Authorization', as('platform-admin'));
      expect(res.status).toBe(200);
      return res.body.items as Array<{
        actor: string;
        outcome: string;
        meta?: Record<string, unknown>;
      }>;
    };

    it('seeds the store from config: the directory lists the configured organizations', async () => {
      const res = await api()
        .get('/api/ingestion/v1/organizations/directory')
        .set('Authorization', as('platform-admin'));
      expect(res.status).toBe(200);
      expect(
        res.body.items.map((o: { id: string; origin: string }) => [
          o.id,
          o.origin,
        ]),
      ).toEqual([
        ['finance', 'config'],
        ['retail', 'config'],
        ['healthcare', 'config'],
      ]);
      expect(res.body.version).toEqual(expect.any(String));
      // No secrets in it, and defaults applied.
      expect(res.body.items[0].quotas.api.requestsPerDay).toBe(50000);
    });

    it('lets the permission, catalog and scaffolder backends read the directory, no other plugin', async () => {
      const asService = (subject: string) =>
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service(subject),
          targetPluginId: 'ingestion',
        });
      for (const reader of [
        'plugin:permission',
        'plugin:catalog',
        'plugin:scaffolder',
      ]) {
        const res = await api()
          .get('/api/ingestion/v1/organizations/directory')
          .set('Authorization', asService(reader));
        expect([reader, res.status]).toEqual([reader, 200]);
      }
      const other = await api()
        .get('/api/ingestion/v1/organizations/directory')
        .set('Authorization', asService('plugin:search'));
      expect(other.status).toBe(403);
    });

    it('refuses writes and the directory to everyone but platform admins (403, audited)', async () => {
      const create = await api()
        .post('/api/ingestion/v1/organizations')
        .set('Authorization', as('finance-admin'))
        .send(marketing);
      expect(create.status).toBe(403);
      const update = await api()
        .put('/api/ingestion/v1/organizations/finance')
        .set('Authorization', as('finance-admin'))
        .send({ ...marketing, id: 'finance' });
      expect(update.status).toBe(403);
      const retire = await api()
        .post('/api/ingestion/v1/organizations/finance/retire')
        .set('Authorization', as('finance-admin'));
      expect(retire.status).toBe(403);
      const directory = await api()
        .get('/api/ingestion/v1/organizations/directory')
        .set('Authorization', as('finance-admin'));
      expect(directory.status).toBe(403);

      const denied = await auditOf('finance', 'organization.update');
      expect(denied).toEqual([
        expect.objectContaining({
          actor: 'user:default/finance-admin',
          outcome: 'denied',
        }),
      ]);
      expect(await auditOf('finance', 'organization.retire')).toHaveLength(1);
      // Nothing was created or retired.
      const mine = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('finance-admin'));
      expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([
        'finance',
      ]);
    });

    it.each([
      ['environment', { ...marketing, environment: 'prod' }, /^environment: /],
      [
        'a role group',
        { ...marketing, roles: { admin: ['not a ref!'] } },
        /roles\.admin\[0\]: must be a group entity ref/,
      ],
      [
        'a quota',
        { ...marketing, quotas: { databricks: { maxDbuPerHour: -1 } } },
        /quotas\.databricks\.maxDbuPerHour: /,
      ],
      ['the id', { ...marketing, id: 'Marketing!' }, /^id: must be 2-40/],
      ['an unknown field', { ...marketing, color: 'red' }, /color: unknown/],
      [
        'an egress entry',
        { ...marketing, egress: { allow: [{ host: 'db.internal' }] } },
        /egress\.allow\[0\]\.ports: /,
      ],
      [
        'the workspace link',
        { ...marketing, engine: 'databricks' },
        /^databricks: required/,
      ],
      [
        'each missing field',
        { ...marketing, name: undefined, costCenter: undefined },
        /name: .*; costCenter: /,
      ],
    ])('answers 400 naming the field: %s', async (_field, body, message) => {
      const res = await api()
        .post('/api/ingestion/v1/organizations')
        .set('Authorization', as('platform-admin'))
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toMatch(message);
    });

    it('creates an organization whose admins act in it at once, audited', async () => {
      const before = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('marketing-admin'));
      expect(before.body.items).toEqual([]);

      const res = await api()
        .post('/api/ingestion/v1/organizations')
        .set('Authorization', as('platform-admin'))
        .send(marketing);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: 'marketing',
        origin: 'api',
        retired: false,
        createdBy: 'user:default/platform-admin',
        icebergCatalog: 'marketing_catalog',
        engine: 'local',
        roles: { viewer: [], admin: ['group:default/marketing-admins'] },
        quotas: { databricks: { maxConcurrentJobs: 3, maxDbuPerHour: 50 } },
        budget: { monthly: 2500, alertThresholds: [0.5, 0.8, 1] },
      });

      const mine = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('marketing-admin'));
      expect(mine.body.items).toEqual([
        expect.objectContaining({
          id: 'marketing',
          roles: ['admin'],
          costCenter: 'MKT-001',
        }),
      ]);
      // A member of another organization does not see it.
      const other = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('finance-admin'));
      expect(other.body.items.map((o: { id: string }) => o.id)).toEqual([
        'finance',
      ]);
      const audit = await auditOf('marketing', 'organization.create');
      expect(audit).toEqual([
        expect.objectContaining({
          actor: 'user:default/platform-admin',
          outcome: 'success',
          meta: expect.objectContaining({ costCenter: 'MKT-001' }),
        }),
      ]);

      const again = await api()
        .post('/api/ingestion/v1/organizations')
        .set('Authorization', as('platform-admin'))
        .send(marketing);
      expect(again.status).toBe(409);
    });

    it('updates an organization: the next request sees it, the audit names the changed fields', async () => {
      const res = await api()
        .put('/api/ingestion/v1/organizations/marketing')
        .set('Authorization', as('platform-admin'))
        .send({ ...marketing, id: undefined, costCenter: 'MKT-002' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ costCenter: 'MKT-002', origin: 'api' });

      const mine = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('marketing-admin'));
      expect(mine.body.items[0].costCenter).toBe('MKT-002');
      expect(await auditOf('marketing', 'organization.update')).toEqual([
        expect.objectContaining({
          outcome: 'success',
          meta: expect.objectContaining({ changed: ['costCenter'] }),
        }),
      ]);

      const otherId = await api()
        .put('/api/ingestion/v1/organizations/marketing')
        .set('Authorization', as('platform-admin'))
        .send({ ...marketing, id: 'finance' });
      expect(otherId.status).toBe(400);
      expect(otherId.body.error.message).toMatch(/^id: must be 'marketing'/);
      const missing = await api()
        .put('/api/ingestion/v1/organizations/nowhere')
        .set('Authorization', as('platform-admin'))
        .send({ ...marketing, id: undefined });
      expect(missing.status).toBe(404);
    });

    it('retires an organization: hidden from its members, kept for platform admins with its audit log', async () => {
      const pipeline = await api()
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('marketing-admin'))
        .send({
          organization: 'marketing',
          name: 'campaigns',
          spec: {
            ...batchSpec('campaigns'),
            target: {
              ...batchSpec('campaigns').target,
              catalog: 'marketing_catalog',
            },
          },
        });
      // Its admin group acts in the new organization at once.
      expect(pipeline.status).toBe(201);

      const res = await api()
        .post('/api/ingestion/v1/organizations/marketing/retire')
        .set('Authorization', as('platform-admin'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: 'marketing', retired: true });
      expect(Date.parse(res.body.retiredAt)).not.toBeNaN();

      const mine = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('marketing-admin'));
      expect(mine.body.items).toEqual([]);
      const pipelines = await api()
        .get('/api/ingestion/v1/pipelines?organization=marketing')
        .set('Authorization', as('marketing-admin'));
      expect([200, 404]).toContain(pipelines.status);
      expect(pipelines.body.items ?? []).toEqual([]);
      const quotas = await api()
        .get('/api/ingestion/v1/quotas?organization=marketing')
        .set('Authorization', as('marketing-admin'));
      expect(quotas.status).toBe(404);

      // Platform admins still see it, its pipelines and its audit log.
      const all = await api()
        .get('/api/ingestion/v1/organizations')
        .set('Authorization', as('platform-admin'));
      expect(all.body.items.map((o: { id: string }) => o.id)).toContain(
        'marketing',
      );
      const kept = await api()
        .get('/api/ingestion/v1/pipelines?organization=marketing')
        .set('Authorization', as('platform-admin'));
      expect(kept.body.items).toHaveLength(1);
      expect(await auditOf('marketing', 'organization.retire')).toEqual([
        expect.objectContaining({ outcome: 'success' }),
      ]);
      expect(await auditOf('marketing', 'organization.create')).toHaveLength(1);

      // Retiring again changes nothing; the id is not reused.
      const again = await api()
        .post('/api/ingestion/v1/organizations/marketing/retire')
        .set('Authorization', as('platform-admin'));
      expect(again.body.retiredAt).toBe(res.body.retiredAt);
      expect(await auditOf('marketing', 'organization.retire')).toHaveLength(1);
      const reuse = await api()
        .post('/api/ingestion/v1/organizations')
        .set('Authorization', as('platform-admin'))
        .send(marketing);
      expect(reuse.status).toBe(409);
    });
  },
);
