import {
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import type { DirectoryOrganization } from '@ingestion-for-backstage/plugin-ingestion-node';
import { setupServer } from 'msw/node';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import {
  actionServices,
  demoOrganization,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { BATCH_SPEC, testConfig } from '../__testUtils__/testConfig';
import { createPipelineCreateAction } from '../actions/pipelineCreate';
import { OrganizationSettingsReader } from './organizationConfig';

/** An organization as the backend's directory lists it. */
function directoryOrganization(
  id: string,
  storage: string,
  overrides: Partial<DirectoryOrganization> = {},
): DirectoryOrganization {
  return {
    id,
    name: id[0].toUpperCase() + id.slice(1),
    costCenter: `${id.slice(0, 3).toUpperCase()}-001`,
    environment: 'development',
    ownerGroup: `group:default/${id}`,
    roles: {
      admin: [`group:default/${id}-admins`],
      engineer: [`group:default/${id}-engineers`],
      analyst: [],
      viewer: [],
    },
    quotas: demoOrganization(id).quotas,
    engine: 'local',
    storage,
    icebergCatalog: `${id}_catalog`,
    origin: 'api',
    retired: false,
    ...overrides,
  };
}

describe('OrganizationSettingsReader', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const storage = createMockDirectory();
  const config = mockServices.rootConfig({
    data: testConfig(storage.path, { databricksToken: 'dapi-from-config' }),
  });
  let api: FakeIngestionApi;
  let now: number;
  const reader = () =>
    new OrganizationSettingsReader({
      ...actionServices(),
      config,
      now: () => now,
    });

  beforeEach(() => {
    api = new FakeIngestionApi(server);
    now = 1_000_000;
  });

  it("reads the backend's directory with the scaffolder's own credentials, secrets from config", async () => {
    api.directory = [
      directoryOrganization('retail', '/data/retail', {
        origin: 'config',
        engine: 'databricks',
        databricks: {
          host: 'https://retail.cloud.databricks.com',
          notificationEmails: ['data@retail.example'],
        },
      }),
      directoryOrganization('logistics', '/data/logistics'),
    ];
    const organizations = reader();

    const logistics = await organizations.get('logistics');
    expect(logistics).toMatchObject({
      id: 'logistics',
      storage: '/data/logistics',
      icebergCatalog: 'logistics_catalog',
      ownerGroup: 'group:default/logistics',
      engine: 'local',
      quotas: { maxDbuPerHour: 100, maxClusters: 10, maxConcurrentJobs: 20 },
    });
    expect(logistics.databricks).toBeUndefined();
    const retail = await organizations.get('retail');
    expect(retail.storage).toBe('/data/retail');
    expect(retail.databricks).toEqual({
      host: 'https://retail.cloud.databricks.com',
      token: 'dapi-from-config',
      clusterPolicyId: undefined,
      notificationEmails: ['data@retail.example'],
    });
    expect(api.directoryReads).toEqual([
      {
        method: 'GET',
        path: '/v1/organizations/directory',
        onBehalfOf: undefined,
        target: 'ingestion',
      },
    ]);
    expect(api.requests).toEqual([]);
  });

  it('keeps what it read for organizationsCacheSeconds, then sees new organizations', async () => {
    api.directory = [directoryOrganization('finance', '/data/finance')];
    const organizations = reader();
    await organizations.get('finance');
    api.directory.push(directoryOrganization('logistics', '/data/logistics'));

    now += 4_000;
    await expect(organizations.get('logistics')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(api.directoryReads).toHaveLength(1);

    now += 2_000;
    await expect(organizations.get('logistics')).resolves.toMatchObject({
      storage: '/data/logistics',
    });
    expect(api.directoryReads).toHaveLength(2);
  });

  it('does not find a retired organization or one the directory does not list', async () => {
    api.directory = [
      directoryOrganization('finance', '/data/finance', {
        retired: true,
        retiredAt: '2026-12-01T00:00:00.000Z',
      }),
    ];
    const organizations = reader();
    await expect(organizations.get('finance')).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        "organization: 'finance' is not an ingestion organization (it is retired)",
    });
    await expect(organizations.get('nowhere')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });

  it('reads config while the backend has never answered, and the last directory after it has', async () => {
    const organizations = reader();
    // The backend is not up: config's organizations.
    await expect(organizations.get('finance')).resolves.toMatchObject({
      storage: `${storage.path}/finance`,
    });
    await expect(organizations.get('logistics')).rejects.toMatchObject({
      name: 'NotFoundError',
    });

    api.directory = [directoryOrganization('logistics', '/data/logistics')];
    now += 6_000;
    await expect(organizations.get('logistics')).resolves.toMatchObject({
      storage: '/data/logistics',
    });

    // Down again: the last organizations read, not config's.
    api.directory = undefined;
    now += 6_000;
    await expect(organizations.get('logistics')).resolves.toMatchObject({
      storage: '/data/logistics',
    });
    await expect(organizations.get('finance')).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(api.directoryReads).toHaveLength(3);
  });

  it('lets ingestion:pipeline:create build a pipeline of an organization created at run time', async () => {
    const workspace = createMockDirectory();
    api.organizations.push(demoOrganization('logistics'));
    api.connections.logistics = ['logistics-db'];
    api.budgetRemaining.logistics = 1000;
    api.directory = [
      directoryOrganization('logistics', `${storage.path}/logistics`),
    ];
    const ctx = actionContext(
      {
        organization: 'logistics',
        name: 'shipments',
        spec: {
          ...BATCH_SPEC,
          source: { ...BATCH_SPEC.source, connection: 'logistics-db' },
        },
      },
      {
        user: 'user:default/logistics-engineer',
        workspacePath: workspace.path,
        dryRun: true,
      },
    );
    await createPipelineCreateAction({
      ...actionServices(),
      config,
    }).handler(ctx);

    expect(outputsOf(ctx).spec.target.catalog).toBe('logistics_catalog');
    expect(api.directoryReads).toHaveLength(1);
  });
});
