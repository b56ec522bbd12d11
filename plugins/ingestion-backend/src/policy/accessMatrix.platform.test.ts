import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';
import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

/**
 * The access matrix of the portal's own plugins (catalog, scaffolder) under the ingestion policy,
 * through the real permission backend: every role of an organization, another organization's
 * roles, a user without organization, a location admin and a platform admin. Resource decisions
 * come back as conditions; they are applied here to sample entities and tasks the way the catalog's
 * and scaffolder's rules apply them (the portal test of the scaffolder module runs the real ones).
 */
type Decision =
  | { result: 'ALLOW' | 'DENY' }
  | {
      result: 'CONDITIONAL';
      pluginId: string;
      resourceType: string;
      conditions: PermissionCriteria<PermissionCondition<string, any>>;
    };

type Resource = {
  annotations?: Record<string, string>;
  ownedBy?: string[];
  createdBy?: string;
};

/** The catalog's HAS_ANNOTATION / IS_ENTITY_OWNER and the scaffolder's IS_TASK_OWNER. */
function applies(
  criteria: PermissionCriteria<PermissionCondition<string, any>>,
  resource: Resource,
): boolean {
  if ('anyOf' in criteria)
    return criteria.anyOf.some(c => applies(c, resource));
  if ('allOf' in criteria)
    return criteria.allOf.every(c => applies(c, resource));
  if ('not' in criteria) return !applies(criteria.not, resource);
  const { rule, params } = criteria;
  switch (rule) {
    case 'HAS_ANNOTATION': {
      const value = resource.annotations?.[params.annotation];
      return value !== undefined && (!params.value || params.value === value);
    }
    case 'IS_ENTITY_OWNER':
      return (resource.ownedBy ?? []).some(ref => params.claims.includes(ref));
    case 'IS_TASK_OWNER':
      return params.createdBy.includes(resource.createdBy);
    default:
      throw new Error(`unexpected rule ${rule}`);
  }
}

function allows(decision: Decision, resource: Resource): boolean {
  if (decision.result === 'CONDITIONAL') {
    return applies(decision.conditions, resource);
  }
  return decision.result === 'ALLOW';
}

const financePipeline: Resource = {
  annotations: { [ANNOTATION_ORGANIZATION]: 'finance' },
  ownedBy: ['group:default/finance'],
};
/** A finance pipeline whose owner is the finance viewer (owners are users by default). */
const financePipelineOwnedByViewer: Resource = {
  annotations: { [ANNOTATION_ORGANIZATION]: 'finance' },
  ownedBy: ['user:default/finance-viewer'],
};
/** A component registered by hand, owned by the finance viewer, claiming no organization. */
const viewersOwnComponent: Resource = {
  ownedBy: ['user:default/finance-viewer'],
};
/** A group from the organization file: no organization annotation, no owner. */
const groupEntity: Resource = {};

/** A user as the catalog holds it after processing: the catalog module's annotation, memberOf. */
function userEntity(name: string, groups: string[], organization: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name,
      namespace: 'default',
      annotations: { [ANNOTATION_ORGANIZATION]: organization },
    },
    spec: { memberOf: groups },
    relations: groups.map(targetRef => ({ type: 'memberOf', targetRef })),
  };
}

/** The users the policy's member lookup finds in the catalog. */
const CATALOG_USERS = [
  userEntity('finance-analyst', ['group:default/finance-analysts'], 'finance'),
  userEntity('retail-engineer', ['group:default/retail-engineers'], 'retail'),
  // A user of two organizations, annotated by hand with one of them: nobody's member.
  userEntity(
    'two-orgs',
    ['group:default/finance-analysts', 'group:default/retail-viewers'],
    'finance',
  ),
];

describe('access matrix: catalog and scaffolder', () => {
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startIngestionTestBackend({
      extraGroups: {
        'user:default/catalog-keeper': ['group:default/catalog-admins'],
      },
      features: [catalogServiceMock.factory({ entities: CATALOG_USERS })],
      config: {
        ingestion: {
          ...TEST_CONFIG.ingestion,
          catalog: { locationAdmins: ['group:default/catalog-admins'] },
        },
      },
    }));
  }, 120_000);

  async function decide(
    user: string,
    name: string,
    resourceType?: string,
  ): Promise<Decision> {
    // Resource decisions are asked without a resource, as a plugin asks on behalf of a user when
    // it filters a list; the permission backend takes those only from plugins.
    const authorization = resourceType
      ? `Bearer ${mockCredentials.user.token(`user:default/${user}`, {
          actor: { subject: `plugin:${resourceType.split('-')[0]}` },
        })}`
      : as(user);
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', authorization)
      .send({
        items: [
          {
            id: '1',
            permission: resourceType
              ? { type: 'resource', name, attributes: {}, resourceType }
              : { type: 'basic', name, attributes: {} },
          },
        ],
      });
    expect(res.status).toBe(200);
    return res.body.items[0];
  }

  const entity = (user: string, action: 'read' | 'refresh' | 'delete') =>
    decide(user, `catalog.entity.${action}`, 'catalog-entity');

  const roles = ['admin', 'engineer', 'analyst', 'viewer'] as const;

  describe('catalog entities of an organization', () => {
    it.each(roles)('finance-%s reads finance entities', async role => {
      expect(
        allows(await entity(`finance-${role}`, 'read'), financePipeline),
      ).toBe(true);
    });

    it.each(roles.map(role => [role, role === 'admin'] as const))(
      'finance-%s may refresh and unregister finance entities: %s',
      async (role, expected) => {
        for (const action of ['refresh', 'delete'] as const) {
          const decision = await entity(`finance-${role}`, action);
          expect(allows(decision, financePipeline)).toBe(expected);
          // Owning the entity gives no more than the role does.
          expect(allows(decision, financePipelineOwnedByViewer)).toBe(expected);
        }
      },
    );

    it('denies a viewer unregistering an entity of its organization', async () => {
      const decision = await entity('finance-viewer', 'delete');
      expect(decision.result).toBe('CONDITIONAL');
      expect(allows(decision, financePipeline)).toBe(false);
    });

    it.each(roles)(
      'retail-%s cannot read, refresh or unregister finance entities',
      async role => {
        for (const action of ['read', 'refresh', 'delete'] as const) {
          expect(
            allows(await entity(`retail-${role}`, action), financePipeline),
          ).toBe(false);
        }
      },
    );

    it('gives a user without organization nothing of an organization', async () => {
      for (const action of ['read', 'refresh', 'delete'] as const) {
        expect(allows(await entity('nobody', action), financePipeline)).toBe(
          false,
        );
      }
    });

    it('lets platform admins do everything', async () => {
      for (const action of ['read', 'refresh', 'delete'] as const) {
        expect(await entity('platform-admin', action)).toEqual({
          id: '1',
          result: 'ALLOW',
        });
      }
    });
  });

  describe('catalog entities of no organization', () => {
    it.each(['finance-viewer', 'retail-admin', 'nobody'])(
      '%s reads them',
      async user => {
        expect(allows(await entity(user, 'read'), groupEntity)).toBe(true);
      },
    );

    it('lets their owner refresh and unregister them, whatever the role', async () => {
      for (const action of ['refresh', 'delete'] as const) {
        const decision = await entity('finance-viewer', action);
        expect(allows(decision, viewersOwnComponent)).toBe(true);
        expect(allows(decision, groupEntity)).toBe(false);
      }
    });

    it('keeps others, organization admins included, from unregistering them', async () => {
      for (const user of ['finance-admin', 'retail-engineer', 'nobody']) {
        const decision = await entity(user, 'delete');
        expect(allows(decision, viewersOwnComponent)).toBe(false);
        expect(allows(decision, groupEntity)).toBe(false);
      }
    });

    it('lets location admins refresh and unregister them, but not organizations’ entities', async () => {
      const decision = await entity('catalog-keeper', 'delete');
      expect(allows(decision, groupEntity)).toBe(true);
      expect(allows(decision, financePipeline)).toBe(false);
    });
  });

  describe('catalog locations', () => {
    const locationAdminOnly = [
      'catalog.location.create',
      'catalog.location.delete',
      'catalog.location.analyze',
      'catalog.entity.create',
    ];
    const users = [
      ...roles.map(role => [`finance-${role}`, false] as const),
      ['retail-admin', false] as const,
      ['nobody', false] as const,
      ['catalog-keeper', true] as const,
      ['platform-admin', true] as const,
    ];

    it.each(users)(
      '%s may register and remove locations: %s',
      async (user, expected) => {
        for (const name of locationAdminOnly) {
          expect([name, (await decide(user, name)).result]).toEqual([
            name,
            expected ? 'ALLOW' : 'DENY',
          ]);
        }
      },
    );

    it('denies an organization admin who is no platform admin registering a location', async () => {
      expect(
        (await decide('finance-admin', 'catalog.location.create')).result,
      ).toBe('DENY');
    });

    it.each(users)('%s reads locations and validates entities', async user => {
      for (const name of ['catalog.location.read', 'catalog.entity.validate']) {
        expect((await decide(user, name)).result).toBe('ALLOW');
      }
    });
  });

  describe('scaffolder tasks', () => {
    const task = (createdBy: string): Resource => ({ createdBy });

    const taskDecision = (user: string, action: string) =>
      decide(user, `scaffolder.task.${action}`, 'scaffolder-task');

    it.each([
      ...roles.filter(role => role !== 'admin').map(role => `finance-${role}`),
      'retail-engineer',
      'nobody',
    ])('%s reads and cancels only tasks they started', async user => {
      for (const action of ['read', 'cancel']) {
        const decision = await taskDecision(user, action);
        expect(decision).toMatchObject({
          result: 'CONDITIONAL',
          pluginId: 'scaffolder',
          resourceType: 'scaffolder-task',
        });
        expect(allows(decision, task(`user:default/${user}`))).toBe(true);
        expect(allows(decision, task('user:default/finance-engineer2'))).toBe(
          false,
        );
        expect(allows(decision, task('user:default/finance-analyst'))).toBe(
          user === 'finance-analyst',
        );
        expect(allows(decision, task('user:default/retail-engineer'))).toBe(
          user === 'retail-engineer',
        );
      }
    });

    it("lets finance's admin read and cancel the tasks of finance's members only", async () => {
      for (const action of ['read', 'cancel']) {
        const decision = await taskDecision('finance-admin', action);
        expect(decision).toMatchObject({
          result: 'CONDITIONAL',
          conditions: {
            rule: 'IS_TASK_OWNER',
            params: {
              createdBy: expect.arrayContaining([
                'user:default/finance-admin',
                'user:default/finance-analyst',
              ]),
            },
          },
        });
        expect(allows(decision, task('user:default/finance-admin'))).toBe(true);
        expect(allows(decision, task('user:default/finance-analyst'))).toBe(
          true,
        );
        // Not in the catalog as a member, of two organizations, or of another organization.
        for (const other of [
          'finance-engineer2',
          'two-orgs',
          'retail-engineer',
        ]) {
          expect(allows(decision, task(`user:default/${other}`))).toBe(false);
        }
      }
    });

    it("lets retail's admin read retail's members' tasks, not finance's", async () => {
      for (const action of ['read', 'cancel']) {
        const decision = await taskDecision('retail-admin', action);
        expect(allows(decision, task('user:default/retail-admin'))).toBe(true);
        expect(allows(decision, task('user:default/retail-engineer'))).toBe(
          true,
        );
        for (const other of ['finance-analyst', 'two-orgs']) {
          expect(allows(decision, task(`user:default/${other}`))).toBe(false);
        }
      }
    });

    it('lets platform admins read and cancel every task', async () => {
      for (const action of ['read', 'cancel']) {
        expect(
          (
            await decide(
              'platform-admin',
              `scaffolder.task.${action}`,
              'scaffolder-task',
            )
          ).result,
        ).toBe('ALLOW');
      }
    });

    it.each(['finance-viewer', 'nobody'])('%s may start tasks', async user => {
      expect((await decide(user, 'scaffolder.task.create')).result).toBe(
        'ALLOW',
      );
    });
  });
});
