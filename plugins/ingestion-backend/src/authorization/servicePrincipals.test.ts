import type { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { pipelineCreatePermission } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { JsonValue } from '@backstage/types';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { IngestionAuthorizer } from './IngestionAuthorizer';
import { readServicePrincipals } from './servicePrincipals';

const directory = new OrganizationDirectory(
  readOrganizationsConfig(mockServices.rootConfig({ data: TEST_CONFIG })),
);

const read = (servicePrincipals: JsonValue | undefined) =>
  readServicePrincipals(
    mockServices.rootConfig({ data: { ingestion: { servicePrincipals } } }),
    directory,
  );

/** A token the way a static `backend.auth.externalAccess` token with this subject arrives. */
const serviceHeader = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'ingestion',
  });

describe('ingestion.servicePrincipals', () => {
  it('reads grants', () => {
    expect(
      read([
        {
          subject: 'automation',
          organizations: ['finance'],
          roles: ['engineer'],
        },
      ]),
    ).toEqual([
      {
        subject: 'automation',
        organizations: ['finance'],
        roles: ['engineer'],
      },
    ]);
    expect(read(undefined)).toEqual([]);
  });

  it.each([
    [
      [{ subject: 'a', organizations: ['nope'], roles: ['viewer'] }],
      "ingestion.servicePrincipals[0].organizations[0]: unknown organization 'nope'",
    ],
    [
      [{ subject: 'a', organizations: ['finance'], roles: ['owner'] }],
      "ingestion.servicePrincipals[0].roles[0]: 'owner' is not one of admin, engineer, analyst, viewer",
    ],
    [
      [{ subject: 'a', organizations: [], roles: ['viewer'] }],
      'ingestion.servicePrincipals[0].organizations: name at least one organization',
    ],
    [
      [
        { subject: 'a', organizations: ['finance'], roles: ['viewer'] },
        { subject: 'a', organizations: ['retail'], roles: ['viewer'] },
      ],
      "ingestion.servicePrincipals[1].subject: 'a' is listed twice",
    ],
    [
      [
        {
          subject: 'plugin:ingestion',
          organizations: ['finance'],
          roles: ['viewer'],
        },
      ],
      "ingestion.servicePrincipals[0].subject: 'plugin:ingestion' is the plugin itself and cannot be configured",
    ],
  ])('refuses a config mistake at start: %j', (grants, message) => {
    expect(() => read(grants)).toThrow(message);
  });

  it("refuses an external token named like the plugin's own subject", () => {
    expect(() =>
      readServicePrincipals(
        mockServices.rootConfig({
          data: {
            backend: {
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: 'x'.repeat(32), subject: 'ci' },
                  },
                  {
                    type: 'static',
                    options: {
                      token: 'y'.repeat(32),
                      subject: 'plugin:ingestion',
                    },
                  },
                ],
              },
            },
          },
        }),
        directory,
      ),
    ).toThrow(
      "backend.auth.externalAccess[1].options.subject: 'plugin:ingestion' is the ingestion plugin's own subject",
    );
  });

  it('respects the permission decision of a granted service (its token’s accessRestrictions)', async () => {
    const authorizer = new IngestionAuthorizer({
      // What the permissions service answers for a token restricted to other permissions.
      permissions: mockServices.permissions.mock({
        authorizeConditional: jest.fn(async () => [
          { result: AuthorizeResult.DENY },
        ]) as any,
      }),
      permissionsRegistry: {
        getPermissionRuleset: () => ({ getRuleByName: () => undefined }),
      } as unknown as PermissionsRegistryService,
      userInfo: mockServices.userInfo(),
      directory,
      servicePrincipals: read([
        { subject: 'automation', organizations: ['finance'], roles: ['admin'] },
      ]),
    });
    const automation = mockCredentials.service('automation', {
      permissionNames: ['ingestion.pipeline.read'],
    });
    await expect(
      authorizer.authorizeOrganization(
        automation,
        pipelineCreatePermission,
        'finance',
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      authorizer.authorizeOrganization(
        automation,
        pipelineCreatePermission,
        'retail',
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'service principals over HTTP, %s',
  databaseId => {
    let financePipeline: string;

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      {
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            servicePrincipals: [
              {
                subject: 'automation',
                organizations: ['finance'],
                roles: ['engineer'],
              },
            ],
          },
        },
      },
      { timeout: 120_000 },
    );

    beforeAll(async () => {
      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-admin'))
        .send({ organization: 'finance', name: 'ledger', spec: batchSpec() });
      if (created.status !== 201) {
        throw new Error(`Set-up failed: ${JSON.stringify(created.body)}`);
      }
      financePipeline = created.body.id;
    }, 120_000);

    it('acts with its roles in the organizations config grants, audited as the service', async () => {
      const automation = serviceHeader('automation');
      const list = await request(ingestion.server)
        .get('/api/ingestion/v1/pipelines?organization=finance')
        .set('Authorization', automation);
      expect(list.status).toBe(200);
      expect(list.body.items.map((p: { id: string }) => p.id)).toContain(
        financePipeline,
      );

      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', automation)
        .send({ organization: 'finance', name: 'nightly', spec: batchSpec() });
      expect(created.status).toBe(201);
      const audit = await request(ingestion.server)
        .get(
          '/api/ingestion/v1/audit?organization=finance&action=pipeline.create',
        )
        .set('Authorization', as('finance-admin'));
      expect(audit.status).toBe(200);
      expect(audit.body.items).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'service:automation',
            action: 'pipeline.create',
            targetId: created.body.id,
            outcome: 'success',
          }),
        ]),
      );

      // Engineers do not manage secrets: 403, audited as the service.
      const connection = await request(ingestion.server)
        .post('/api/ingestion/v1/connections')
        .set('Authorization', automation)
        .send({
          organization: 'finance',
          name: 'by-automation',
          type: 'postgres',
          host: '127.0.0.1',
          user: 'reader',
          password: 's3cret-automation',
        });
      expect(connection.status).toBe(403);
      expect(
        await ingestion
          .knex('audit_events')
          .where({ actor: 'service:automation', outcome: 'denied' })
          .select('organization_id', 'action'),
      ).toEqual([{ organization_id: 'finance', action: 'connection.manage' }]);
    });

    it('sees nothing of organizations config does not grant', async () => {
      const automation = serviceHeader('automation');
      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', automation)
        .send({ organization: 'retail', name: 'elsewhere', spec: batchSpec() });
      expect(created.status).toBe(404);
      const list = await request(ingestion.server)
        .get('/api/ingestion/v1/pipelines?organization=retail')
        .set('Authorization', automation);
      expect(list.body.items).toEqual([]);
    });

    it('gives a service config does not name nothing at all', async () => {
      const stranger = serviceHeader('stranger');
      for (const path of [
        `/pipelines/${financePipeline}`,
        '/quotas?organization=finance',
        '/audit?organization=finance',
        '/costs?organization=finance',
      ]) {
        const res = await request(ingestion.server)
          .get(`/api/ingestion/v1${path}`)
          .set('Authorization', stranger);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      for (const path of [
        '/pipelines?organization=finance',
        '/runs?organization=finance',
        '/connections?organization=finance',
      ]) {
        const res = await request(ingestion.server)
          .get(`/api/ingestion/v1${path}`)
          .set('Authorization', stranger);
        expect({ path, items: res.body.items }).toEqual({ path, items: [] });
      }
      const created = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', stranger)
        .send({
          organization: 'finance',
          name: 'by-stranger',
          spec: batchSpec(),
        });
      expect(created.status).toBe(404);
    });
  },
);
