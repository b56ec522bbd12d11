import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { testOrganizationConfig } from '../__testUtils__/organizationConfig';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { applyDatabaseMigrations } from '../database/migrations';
import { EgressGuard } from '../egress';
import { ScheduledRunTrigger } from '../runs/ScheduledRunTrigger';
import { createOrganizationDirectory } from '.';
import { definitionOfOrganization } from './organizationConfig';
import { OrganizationDirectory } from './OrganizationDirectory';
import { parseOrganizationDefinition } from './organizationSchema';
import { DatabaseOrganizationStore } from './OrganizationStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const retiredAt = '2026-12-07T06:00:00.000Z';
const finance = testOrganizationConfig('finance', {
  roles: {
    admin: ['group:default/finance-admins'],
    engineer: [],
    analyst: ['group:default/finance-analysts'],
    viewer: [],
  },
});
const legacy = testOrganizationConfig('legacy', {
  roles: {
    admin: ['group:default/legacy-admins'],
    engineer: [],
    analyst: ['group:default/finance-analysts'],
    viewer: [],
  },
  retiredAt,
});

describe('OrganizationDirectory', () => {
  const directory = new OrganizationDirectory(
    [finance, legacy],
    ['group:default/platform-admins'],
  );

  it('leaves retired organizations out of the ones in service', () => {
    expect(directory.organizations.map(o => o.id)).toEqual(['finance']);
    expect(directory.all.map(o => o.id)).toEqual(['finance', 'legacy']);
    expect(directory.isRetired('legacy')).toBe(true);
    // Its data stays readable by id (platform admins still read it).
    expect(directory.get('legacy').retiredAt).toBe(retiredAt);
  });

  it('gives nobody but platform admins a role in a retired organization', () => {
    expect([
      ...directory.membershipsOf(['group:default/finance-analysts']),
    ]).toEqual([['finance', ['analyst']]]);
    expect([
      ...directory.membershipsOf(['group:default/legacy-admins']),
    ]).toEqual([]);
    expect([
      ...directory.membershipsOf(['group:default/Platform-Admins']),
    ]).toEqual([
      ['finance', ['admin']],
      ['legacy', ['admin']],
    ]);
  });

  it('reads its source again when the snapshot is older than maxAge, and after a change', async () => {
    let now = 0;
    let organizations = [finance];
    const load = jest.fn(async () => organizations);
    const replica = new OrganizationDirectory(organizations, [], {
      source: { load },
      maxAgeMs: 5_000,
      clock: () => now,
    });
    const version = replica.version;
    organizations = [finance, { ...legacy, retiredAt: undefined }];

    now = 4_000;
    await replica.ensureFresh();
    expect(load).not.toHaveBeenCalled();
    expect(replica.find('legacy')).toBeUndefined();

    now = 5_000;
    await Promise.all([replica.ensureFresh(), replica.ensureFresh()]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(replica.find('legacy')).toBeDefined();
    expect(replica.version).not.toBe(version);

    organizations = [finance, legacy];
    await replica.reload();
    expect(replica.organizations.map(o => o.id)).toEqual(['finance']);
  });

  it('keeps the last organizations when its source fails', async () => {
    let now = 0;
    const logger = mockServices.logger.mock();
    const replica = new OrganizationDirectory([finance], [], {
      source: {
        load: async () => {
          throw new Error('connection refused');
        },
      },
      maxAgeMs: 1_000,
      clock: () => now,
      logger,
    });
    now = 2_000;
    await replica.ensureFresh();
    expect(replica.organizations.map(o => o.id)).toEqual(['finance']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('connection refused'),
    );
  });
});

describe('egress allow-lists at run time', () => {
  it('follow the directory: a change to an organization’s allow-list counts at the next check', async () => {
    let organizations = [finance];
    const directory = new OrganizationDirectory(organizations, [], {
      source: { load: async () => organizations },
    });
    const guard = EgressGuard.fromConfig(
      mockServices.rootConfig({ data: {} }),
      {
        directory,
      },
    );
    const check = () =>
      guard.check('finance', '10.9.9.9', 5432).then(
        d => (d.allowListed ? 'allow-listed' : 'public'),
        (e: Error) => e.message,
      );
    expect(await check()).toMatch(/not allow-listed/);
    organizations = [
      {
        ...finance,
        egress: { allow: [{ cidr: '10.0.0.0/8', ports: [5432] }] },
      },
    ];
    await directory.reload();
    expect(await check()).toBe('allow-listed');
  });
});

describe('ScheduledRunTrigger and retired organizations', () => {
  it('looks for due pipelines in organizations in service only', async () => {
    const duePipelines = jest.fn(async (_organization: string) => []);
    const trigger = new ScheduledRunTrigger({
      store: { duePipelines } as any,
      runs: {} as any,
      directory: new OrganizationDirectory([finance, legacy]),
      logger: mockServices.logger.mock(),
      engines: ['local'],
      batch: 10,
    });
    await trigger.triggerScheduled(new Date());
    expect(duePipelines.mock.calls.map(call => call[0])).toEqual(['finance']);
  });
});

describe.each(databases.eachSupportedId())(
  'organizations store on %s',
  databaseId => {
    it('is seeded from config with ids it does not hold; what it holds stays', async () => {
      const knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      const start = (config: object) =>
        createOrganizationDirectory({
          config: mockServices.rootConfig({ data: config }),
          knex,
          logger: mockServices.logger.mock(),
          scheduler: mockServices.scheduler.mock(),
        });

      const first = await start(TEST_CONFIG);
      expect(first.source).toBe('database');
      // In config's order.
      expect(first.directory.organizations.map(o => o.id)).toEqual([
        'finance',
        'retail',
        'healthcare',
      ]);

      // A platform admin changed finance; config gains an organization.
      const store = new DatabaseOrganizationStore(knex);
      const changed = parseOrganizationDefinition({
        ...TEST_CONFIG.ingestion.organizations[0],
        costCenter: 'FIN-999',
      });
      await store.update(changed, {
        actor: 'user:default/platform-admin',
        at: new Date(),
      });
      const second = await start({
        ingestion: {
          ...TEST_CONFIG.ingestion,
          organizations: [
            ...TEST_CONFIG.ingestion.organizations,
            {
              ...TEST_CONFIG.ingestion.organizations[0],
              id: 'marketing',
              name: 'Marketing',
            },
          ],
        },
      });
      expect(second.directory.get('finance').costCenter).toBe('FIN-999');
      expect(second.directory.get('marketing').name).toBe('Marketing');
      expect((await store.get('marketing'))?.origin).toBe('config');

      // Another replica's change shows after a reload; retirement is kept with its time.
      await store.retire('marketing', { actor: 'x', at: new Date(retiredAt) });
      await second.directory.reload();
      expect(second.directory.get('marketing').retiredAt).toBe(retiredAt);
      expect(
        second.directory.organizations.map(o => o.id).includes('marketing'),
      ).toBe(false);
      expect(definitionOfOrganization(second.directory.get('finance'))).toEqual(
        changed,
      );
    });

    it('answers config-only deployments from config alone', async () => {
      const knex = await databases.init(databaseId);
      await applyDatabaseMigrations(knex);
      const { source, directory, store } = await createOrganizationDirectory({
        config: mockServices.rootConfig({
          data: {
            ingestion: {
              ...TEST_CONFIG.ingestion,
              organizationsSource: 'config',
            },
          },
        }),
        knex,
        logger: mockServices.logger.mock(),
        scheduler: mockServices.scheduler.mock(),
      });
      expect(source).toBe('config');
      expect(store).toBeUndefined();
      expect(directory.organizations).toHaveLength(3);
      expect(
        Number((await knex('ingestion_organizations').count('* as n'))[0].n),
      ).toBe(0);
    });
  },
);
