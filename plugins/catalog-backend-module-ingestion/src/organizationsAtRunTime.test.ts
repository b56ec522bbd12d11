import { TestDatabases } from '@backstage/backend-test-utils';
import {
  as,
  eventually,
  startCatalogTestBackend,
} from './__testUtils__/startCatalogTestBackend';

jest.setTimeout(180_000);

/**
 * Organizations at run time, end to end on one running backend: a platform admin creates an
 * organization through the ingestion API; without a restart its System is in the catalog, the
 * permission policy gives its admin group the organization's rights, and other organizations'
 * users do not see it. Retiring it removes its System.
 */
describe('organizations created and retired at run time', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let baseUrl: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const started = await startCatalogTestBackend({
      databases,
      databaseId: 'SQLITE_3',
    });
    baseUrl = started.baseUrl;
    stop = () => started.backend.stop();
  });

  afterAll(async () => {
    await stop?.();
  });

  async function api(
    method: string,
    path: string,
    user: string,
    body?: unknown,
  ) {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: as(user),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const system = (user: string) =>
    api(
      'GET',
      '/api/catalog/entities/by-name/system/marketing/marketing-data-platform',
      user,
    );
  const refreshSystem = (user: string) =>
    api('POST', '/api/catalog/refresh', user, {
      entityRef: 'system:marketing/marketing-data-platform',
    });

  it('shows a new organization’s System to its members, lets its admins manage it, and removes it when retired', async () => {
    // The catalog has read the configured organizations.
    await eventually(async () =>
      (await system('platform-admin')).status === 404 &&
      (
        await api(
          'GET',
          '/api/catalog/entities/by-name/system/finance/finance-data-platform',
          'finance-analyst',
        )
      ).status === 200
        ? true
        : undefined,
    );

    const created = await api(
      'POST',
      '/api/ingestion/v1/organizations',
      'platform-admin',
      {
        id: 'marketing',
        name: 'Marketing',
        costCenter: 'MKT-001',
        environment: 'development',
        ownerGroup: 'group:default/marketing',
        roles: {
          admin: ['group:default/marketing-admins'],
          analyst: ['group:default/marketing-analysts'],
        },
        storage: '/tmp/ingestion-catalog-test/marketing',
      },
    );
    expect(created.status).toBe(201);

    const entity = await eventually(async () => {
      const res = await system('marketing-analyst');
      return res.status === 200 ? res.body : undefined;
    });
    expect(entity.metadata).toMatchObject({
      namespace: 'marketing',
      title: expect.stringContaining('Marketing'),
      annotations: expect.objectContaining({
        'ingestion.backstage.io/organization': 'marketing',
      }),
    });
    expect(entity.spec.owner).toBe('group:default/marketing');

    // Its admin group manages it (the policy learnt the organization); others do not see it.
    expect((await refreshSystem('marketing-admin')).status).toBe(200);
    expect((await refreshSystem('finance-admin')).status).toBe(403);
    expect((await system('finance-admin')).status).toBe(404);

    const retired = await api(
      'POST',
      '/api/ingestion/v1/organizations/marketing/retire',
      'platform-admin',
    );
    expect(retired.status).toBe(200);
    await eventually(async () =>
      (await system('platform-admin')).status === 404 ? true : undefined,
    );
  });
});
