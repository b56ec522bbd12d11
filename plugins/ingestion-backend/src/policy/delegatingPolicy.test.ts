import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';
import supertest from 'supertest';
import { batchSpec } from '../__testUtils__/specs';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';
import { IngestionPermissionDecisions } from './IngestionPermissionDecisions';

jest.setTimeout(120_000);

/**
 * A portal with a permission policy of its own that delegates to the ingestion decisions, written
 * as the README's "Permissions" section tells an adopter to: its own rule (nobody unregisters
 * catalog entities) first, then the ingestion, catalog and scaffolder permissions to
 * `IngestionPermissionDecisions`, then everything else allowed. Run with the real permission
 * backend, the real catalog (whose rules turn the delegated conditions into SQL) and the ingestion
 * plugin.
 */
class PortalPolicy implements PermissionPolicy {
  constructor(private readonly ingestion: IngestionPermissionDecisions) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (request.permission.name === 'catalog.entity.delete') {
      return { result: AuthorizeResult.DENY };
    }
    if (this.ingestion.handles(request)) {
      return this.ingestion.handle(request, user);
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

const permissionModulePortalPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        auth: coreServices.auth,
        logger: coreServices.logger,
        catalog: catalogServiceRef,
        discovery: coreServices.discovery,
      },
      async init({ policy, ...services }) {
        policy.setPolicy(
          new PortalPolicy(IngestionPermissionDecisions.create(services)),
        );
      },
    });
  },
});

const LOCATION = 'url:https://portal.test/catalog-info.yaml';

function component(name: string, owner: string, organization?: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': LOCATION,
        'backstage.io/managed-by-origin-location': LOCATION,
        ...(organization ? { [ANNOTATION_ORGANIZATION]: organization } : {}),
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** Two organizations' components and one of nobody's, as a catalog holds them. */
const ENTITIES = [
  component('payments-ledger', 'group:default/finance', 'finance'),
  component('orders-feed', 'group:default/retail', 'retail'),
  component('portal-docs', 'group:default/portal-team'),
];

const catalogModuleTestEntities = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'test-entities',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'test-entities',
          async connect(connection) {
            await connection.applyMutation({
              type: 'full',
              entities: ENTITIES.map(entity => ({
                entity,
                locationKey: 'test-entities',
              })),
            });
          },
        });
      },
    });
  },
});

describe('a portal policy that delegates to IngestionPermissionDecisions', () => {
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startIngestionTestBackend({
      policyModule: permissionModulePortalPolicy,
      features: [catalogPlugin, catalogModuleTestEntities],
    }));
    // The catalog processes the provider's entities in the background.
    for (let attempt = 0; attempt < 240; attempt++) {
      if ((await componentNames('platform-admin')).length === ENTITIES.length) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error('the catalog did not process the test entities');
  });

  async function componentNames(user: string): Promise<string[]> {
    const res = await supertest(server)
      .get('/api/catalog/entities?filter=kind=component')
      .set('Authorization', as(user));
    expect(res.status).toBe(200);
    return (res.body as Array<{ metadata: { name: string } }>)
      .map(entity => entity.metadata.name)
      .sort();
  }

  async function decide(user: string, name: string): Promise<string> {
    const res = await supertest(server)
      .post('/api/permission/authorize')
      .set('Authorization', as(user))
      .send({
        items: [
          { id: '1', permission: { type: 'basic', name, attributes: {} } },
        ],
      });
    expect(res.status).toBe(200);
    return res.body.items[0].result;
  }

  describe("the portal's own rules", () => {
    it('keeps everyone, organization and platform admins included, from unregistering entities', async () => {
      const { body: entity } = await supertest(server)
        .get('/api/catalog/entities/by-name/component/default/payments-ledger')
        .set('Authorization', as('finance-admin'));
      for (const user of ['finance-admin', 'platform-admin']) {
        const res = await supertest(server)
          .delete(`/api/catalog/entities/by-uid/${entity.metadata.uid}`)
          .set('Authorization', as(user));
        expect([user, res.status]).toEqual([user, 403]);
      }
      expect(await componentNames('platform-admin')).toContain(
        'payments-ledger',
      );
    });

    it('allows what neither it nor ingestion decides', async () => {
      expect(await decide('nobody', 'portal.bookmark.create')).toBe(
        AuthorizeResult.ALLOW,
      );
    });
  });

  describe("ingestion's catalog decisions", () => {
    it.each([
      ['finance-viewer', ['payments-ledger', 'portal-docs']],
      ['retail-admin', ['orders-feed', 'portal-docs']],
      ['nobody', ['portal-docs']],
      ['platform-admin', ['orders-feed', 'payments-ledger', 'portal-docs']],
    ])('%s lists only the components it may see', async (user, expected) => {
      expect(await componentNames(user)).toEqual(expected);
    });

    it("hides an organization's entity from other organizations", async () => {
      const path =
        '/api/catalog/entities/by-name/component/default/payments-ledger';
      const outsider = await supertest(server)
        .get(path)
        .set('Authorization', as('retail-admin'));
      expect(outsider.status).toBe(404);
      const member = await supertest(server)
        .get(path)
        .set('Authorization', as('finance-analyst'));
      expect(member.status).toBe(200);
    });

    it("lets an organization's admins refresh its entities, not its viewers or outsiders", async () => {
      const refresh = (user: string) =>
        supertest(server)
          .post('/api/catalog/refresh')
          .set('Authorization', as(user))
          .send({ entityRef: 'component:default/payments-ledger' });
      expect((await refresh('finance-admin')).status).toBe(200);
      expect((await refresh('finance-viewer')).status).toBe(403);
      expect((await refresh('retail-admin')).status).toBe(403);
    });

    it('keeps location registration for location admins', async () => {
      expect(await decide('finance-admin', 'catalog.location.create')).toBe(
        AuthorizeResult.DENY,
      );
      expect(await decide('platform-admin', 'catalog.location.create')).toBe(
        AuthorizeResult.ALLOW,
      );
    });
  });

  describe("ingestion's role matrix", () => {
    let pipelineId: string;

    beforeAll(async () => {
      const res = await supertest(server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-engineer'))
        .send({
          organization: 'finance',
          name: 'delegated',
          spec: batchSpec(),
        });
      if (res.status !== 201) {
        throw new Error(`creating the pipeline: ${res.status} ${res.text}`);
      }
      pipelineId = res.body.id;
    });

    it('lets a viewer read but not create pipelines of its organization', async () => {
      const read = await supertest(server)
        .get(`/api/ingestion/v1/pipelines/${pipelineId}`)
        .set('Authorization', as('finance-viewer'));
      expect(read.status).toBe(200);
      const create = await supertest(server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as('finance-viewer'))
        .send({ organization: 'finance', name: 'denied', spec: batchSpec() });
      expect(create.status).toBe(403);
    });

    it("hides an organization's pipelines from another organization's admin", async () => {
      const single = await supertest(server)
        .get(`/api/ingestion/v1/pipelines/${pipelineId}`)
        .set('Authorization', as('retail-admin'));
      expect(single.status).toBe(404);
      const list = await supertest(server)
        .get('/api/ingestion/v1/pipelines?organization=finance')
        .set('Authorization', as('retail-admin'));
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
    });

    it('denies an analyst managing connections, which only admins may', async () => {
      const res = await supertest(server)
        .post('/api/ingestion/v1/connections')
        .set('Authorization', as('finance-analyst'))
        .send({
          organization: 'finance',
          name: 'warehouse',
          type: 'postgres',
          host: '127.0.0.1',
          user: 'reader',
          password: 's3cret-delegated',
        });
      expect(res.status).toBe(403);
    });
  });
});
