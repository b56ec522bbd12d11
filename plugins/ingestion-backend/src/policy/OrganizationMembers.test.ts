import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ANNOTATION_ORGANIZATION } from '@ingestion-for-backstage/plugin-ingestion-common';
import { TEST_ORGANIZATIONS } from '../__testUtils__/demoTenants';
import { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { readOrganizationsConfig } from '../organizations/organizationConfig';
import {
  CatalogOrganizationMembers,
  membersOfOrganizations,
  type OrganizationMembers,
} from './OrganizationMembers';
import { PortalGroups } from './PolicyUser';

const platformAdmins = ['group:default/platform-admins'];

/** A user entity as the catalog holds it after processing: annotation and memberOf relations. */
function user(name: string, groups: string[], organization?: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name,
      namespace: 'default',
      annotations: (organization
        ? { [ANNOTATION_ORGANIZATION]: organization }
        : {}) as Record<string, string>,
    },
    spec: { memberOf: groups },
    relations: groups.map(targetRef => ({ type: 'memberOf', targetRef })),
  };
}

const USERS = [
  user('finance-analyst', ['group:default/finance-analysts'], 'finance'),
  user('Finance-Lead', ['group:default/finance-admins'], 'finance'),
  // Annotated by hand although they hold roles in retail too: nobody's member.
  user(
    'two-orgs',
    ['group:default/finance-analysts', 'group:default/retail-viewers'],
    'finance',
  ),
  // Annotated with an organization in which the catalog gives them no role.
  user('claims-finance', ['group:default/retail-viewers'], 'finance'),
  user(
    'platform-admin',
    ['group:default/platform-admins', 'group:default/finance-admins'],
    'finance',
  ),
  user('retail-engineer', ['group:default/retail-engineers'], 'retail'),
  // Holds a finance role, but the catalog module did not annotate them (e.g. before processing).
  user('unannotated', ['group:default/finance-viewers']),
];

function directory() {
  return new OrganizationDirectory(
    readOrganizationsConfig(
      mockServices.rootConfig({
        data: { ingestion: { organizations: TEST_ORGANIZATIONS } },
      }),
    ),
    platformAdmins,
  );
}

function members(
  catalog = catalogServiceMock({ entities: USERS }),
  now = () => 0,
) {
  return new CatalogOrganizationMembers({
    catalog,
    auth: mockServices.auth(),
    directory: directory(),
    groups: new PortalGroups({ platformAdmins }),
    now,
  });
}

describe('CatalogOrganizationMembers', () => {
  it('lists the annotated users who hold roles in that organization only', async () => {
    expect([...(await members().membersOf('finance'))].sort()).toEqual([
      'user:default/Finance-Lead',
      'user:default/finance-analyst',
      'user:default/finance-lead',
    ]);
    expect(await members().membersOf('retail')).toEqual([
      'user:default/retail-engineer',
    ]);
    expect(await members().membersOf('healthcare')).toEqual([]);
  });

  it('reads every page of a large organization', async () => {
    const many = Array.from({ length: 1203 }, (_, i) =>
      user(`analyst-${i}`, ['group:default/finance-analysts'], 'finance'),
    );
    const result = await members(
      catalogServiceMock({ entities: many }),
    ).membersOf('finance');
    expect(new Set(result).size).toBe(1203);
  });

  it('caches an answer for a while, and not a failure', async () => {
    const catalog = catalogServiceMock.mock();
    let time = 0;
    const lookup = members(catalog, () => time);
    catalog.queryEntities.mockRejectedValueOnce(new Error('catalog down'));
    await expect(lookup.membersOf('finance')).rejects.toThrow('catalog down');

    catalog.queryEntities.mockResolvedValue({
      items: [USERS[0]],
      totalItems: 1,
      pageInfo: {},
    });
    expect(await lookup.membersOf('finance')).toEqual([
      'user:default/finance-analyst',
    ]);
    time = 29_000;
    await lookup.membersOf('finance');
    expect(catalog.queryEntities).toHaveBeenCalledTimes(2);
    time = 31_000;
    await lookup.membersOf('finance');
    expect(catalog.queryEntities).toHaveBeenCalledTimes(3);
  });
});

describe('membersOfOrganizations', () => {
  it('falls back to nobody for an organization whose members cannot be read', async () => {
    const lookup: OrganizationMembers = {
      async membersOf(id) {
        if (id === 'retail') throw new Error('catalog down');
        return [`user:default/${id}-analyst`];
      },
    };
    const logger = mockServices.logger.mock();
    expect(
      await membersOfOrganizations(lookup, ['retail', 'finance'], logger),
    ).toEqual(['user:default/finance-analyst']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining("organization 'retail'"),
    );
    expect(await membersOfOrganizations(undefined, ['finance'])).toEqual([]);
  });
});
