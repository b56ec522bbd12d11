import { TestDatabases } from '@backstage/backend-test-utils';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  as,
  eventually,
  startCatalogTestBackend,
  TEST_CONFIG,
} from './__testUtils__/startCatalogTestBackend';

/** marketing's admin group as an org file defines it before the organization exists. */
const ORG_YAML = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: marketing-admins
  title: Marketing admins (org file)
spec:
  type: team
  children: []
`;

jest.setTimeout(180_000);

/**
 * Organizations at run time, end to end on one running backend: a platform admin creates an
 * organization through the ingestion API; without a restart its System is in the catalog, the
 * permission policy gives its admin group the organization's rights, and other organizations'
 * users do not see it. Its role groups that no other source defines appear as Groups; the one
 * the org file defines stays the org file's. Retiring it removes its System and those groups.
 */
describe('organizations created and retired at run time', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let baseUrl: string;
  let stop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-role-groups-'));
  const orgYaml = join(dir, 'org.yaml');
  writeFileSync(orgYaml, ORG_YAML);

  beforeAll(async () => {
    const started = await startCatalogTestBackend({
      databases,
      databaseId: 'SQLITE_3',
      config: {
        catalog: {
          ...TEST_CONFIG.catalog,
          providers: {
            ingestion: {
              ...TEST_CONFIG.catalog.providers.ingestion,
              roleGroups: {
                schedule: {
                  frequency: { seconds: 1 },
                  timeout: { minutes: 1 },
                },
              },
            },
          },
          locations: [{ type: 'file', target: orgYaml }],
          rules: [
            {
              allow: [
                'Group',
                'User',
                'System',
                'Component',
                'Resource',
                'Location',
              ],
            },
          ],
        },
      },
    });
    baseUrl = started.baseUrl;
    stop = () => started.backend.stop();
  });

  afterAll(async () => {
    await stop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  const group = (name: string) =>
    api(
      'GET',
      `/api/catalog/entities/by-name/group/default/${name}`,
      'platform-admin',
    );

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
    // The catalog has read the configured organizations and the org file.
    await eventually(async () =>
      (await group('marketing-admins')).status === 200 ? true : undefined,
    );
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

    // Its analysts' group, which nothing else defines, is a role group under its owner group;
    // its admins' group stays the org file's (no second source for one entity ref).
    const analysts = await eventually(async () => {
      const res = await group('marketing-analysts');
      return res.status === 200 ? res.body : undefined;
    });
    expect(analysts.metadata).toMatchObject({
      title: 'Marketing analysts',
      annotations: expect.objectContaining({
        'backstage.io/managed-by-location': 'ingestion-role-groups:marketing',
        'ingestion.backstage.io/organization': 'marketing',
      }),
    });
    expect(analysts.spec).toEqual({
      type: 'ingestion-role',
      parent: 'group:default/marketing',
      children: [],
    });
    const admins = (await group('marketing-admins')).body;
    expect(admins.metadata.title).toBe('Marketing admins (org file)');
    expect(
      admins.metadata.annotations['backstage.io/managed-by-location'],
    ).toBe(`file:${orgYaml}`);
    // Config's organizations get none: finance's groups come from elsewhere or not at all.
    expect((await group('finance-analysts')).status).toBe(404);

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
    await eventually(async () =>
      (await group('marketing-analysts')).status === 404 ? true : undefined,
    );
    expect((await group('marketing-admins')).status).toBe(200);
  });
});
