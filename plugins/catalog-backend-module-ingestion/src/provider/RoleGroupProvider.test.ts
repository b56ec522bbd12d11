import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { DirectoryOrganization } from '@ingestion-for-backstage/plugin-ingestion-node';
import { RoleGroupProvider } from './RoleGroupProvider';

function organization(
  id: string,
  overrides: Partial<DirectoryOrganization> = {},
): DirectoryOrganization {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    costCenter: 'X-1',
    environment: 'development',
    ownerGroup: `group:default/${id}`,
    roles: {
      admin: [`group:default/${id}-admins`],
      engineer: [`group:default/${id}-engineers`],
      analyst: [],
      viewer: [],
    },
    quotas: {} as DirectoryOrganization['quotas'],
    engine: 'local',
    storage: `/data/${id}`,
    icebergCatalog: `${id}_catalog`,
    origin: 'api',
    retired: false,
    ...overrides,
  };
}

const group = (name: string, location: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: {
    name,
    annotations: { 'backstage.io/managed-by-location': location },
  },
  spec: { type: 'team', children: [] },
});

describe('RoleGroupProvider', () => {
  const provider = (
    organizations: DirectoryOrganization[],
    catalog: Entity[] = [],
  ) =>
    new RoleGroupProvider({
      organizations: async () => organizations,
      lookup: async ref =>
        catalog.find(e => `group:default/${e.metadata.name}` === ref),
      logger: mockServices.logger.mock(),
    });
  const names = async (p: RoleGroupProvider) =>
    (await p.entities()).map(item => item.entity.metadata.name);

  it('emits the role groups of an organization created at run time, under its owner group', async () => {
    const [admins] = await provider([organization('marketing')]).entities();
    expect(admins).toEqual({
      locationKey: 'ingestion-role-groups:marketing',
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: {
          name: 'marketing-admins',
          namespace: 'default',
          title: 'Marketing admins',
          description: expect.stringContaining('identity provider'),
          annotations: {
            'backstage.io/managed-by-location':
              'ingestion-role-groups:marketing',
            'backstage.io/managed-by-origin-location':
              'ingestion-role-groups:marketing',
            'ingestion.backstage.io/organization': 'marketing',
          },
        },
        spec: {
          type: 'ingestion-role',
          parent: 'group:default/marketing',
          children: [],
        },
      },
    });
    expect(await names(provider([organization('marketing')]))).toEqual([
      'marketing-admins',
      'marketing-engineers',
    ]);
  });

  it('leaves alone groups another source defines, and keeps its own', async () => {
    const catalog = [
      group('marketing-admins', 'file:/demo/org.yaml'),
      group('marketing-engineers', 'ingestion-role-groups:marketing'),
    ];
    expect(await names(provider([organization('marketing')], catalog))).toEqual(
      ['marketing-engineers'],
    );
  });

  it('emits nothing for config organizations, retired ones, owner groups or shared groups', async () => {
    const shared = organization('sales', {
      roles: {
        admin: ['group:default/marketing-admins'],
        engineer: [],
        analyst: [],
        viewer: ['group:default/sales'],
      },
    });
    expect(
      await names(
        provider([
          organization('finance', { origin: 'config' }),
          organization('legacy', { retired: true }),
          organization('marketing'),
          shared,
        ]),
      ),
    ).toEqual(['marketing-engineers']);
  });
});
