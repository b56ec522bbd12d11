import request from 'supertest';
import {
  ingestionPermissions,
  ORG_ROLES,
  rolesGrant,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  as,
  startIngestionTestBackend,
} from '../__testUtils__/startIngestionTestBackend';

/**
 * The access matrix through the real permission backend: every role, every ingestion permission,
 * own organization and another one. The policy answers with IS_IN_ORGANIZATION conditions, which
 * the permission backend resolves against the ingestion plugin's resources over HTTP.
 */
describe('IngestionPermissionPolicy', () => {
  let server: Awaited<ReturnType<typeof startIngestionTestBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startIngestionTestBackend({
      extraGroups: {
        'user:default/two-orgs': [
          'group:default/finance-engineers',
          'group:default/retail-viewers',
        ],
      },
    }));
  });

  async function decide(user: string, permissionName: string, org: string) {
    const permission = ingestionPermissions.find(
      p => p.name === permissionName,
    )!;
    const res = await request(server)
      .post('/api/permission/authorize')
      .set('Authorization', as(user))
      .send({
        items: [
          {
            id: '1',
            permission,
            // Pipelines and tables are looked up by id; the organization resource by org id.
            resourceRef:
              permission.resourceType === 'ingestion-organization'
                ? org
                : `${org}-probe`,
          },
        ],
      });
    expect(res.status).toBe(200);
    return res.body.items[0].result as 'ALLOW' | 'DENY';
  }

  const cases = ORG_ROLES.flatMap(role =>
    ingestionPermissions
      .filter(p => p.resourceType === 'ingestion-organization')
      .flatMap(p => [
        [
          role,
          p.name,
          'finance',
          rolesGrant([role], p.name) ? 'ALLOW' : 'DENY',
        ],
        [role, p.name, 'retail', 'DENY'],
      ]),
  );

  it.each(cases)(
    'finance-%s asking %s on %s → %s',
    async (role, permissionName, org, expected) => {
      expect(await decide(`finance-${role}`, permissionName, org)).toBe(
        expected,
      );
    },
  );

  it('gives a user the roles of each organization separately', async () => {
    expect(
      await decide('two-orgs', 'ingestion.pipeline.create', 'finance'),
    ).toBe('ALLOW');
    expect(
      await decide('two-orgs', 'ingestion.pipeline.create', 'retail'),
    ).toBe('DENY');
    expect(await decide('two-orgs', 'ingestion.cost.read', 'retail')).toBe(
      'DENY',
    );
  });

  it('denies a user without any organization everything', async () => {
    for (const permission of ingestionPermissions.filter(
      p => p.resourceType === 'ingestion-organization',
    )) {
      expect(await decide('nobody', permission.name, 'finance')).toBe('DENY');
    }
  });

  it('lets platform admins act in every organization', async () => {
    for (const org of ['finance', 'retail', 'healthcare']) {
      expect(await decide('platform-admin', 'ingestion.audit.read', org)).toBe(
        'ALLOW',
      );
      expect(
        await decide('platform-admin', 'ingestion.connection.manage', org),
      ).toBe('ALLOW');
    }
  });
});
