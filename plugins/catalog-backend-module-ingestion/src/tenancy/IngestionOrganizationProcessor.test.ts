import type { Entity } from '@backstage/catalog-model';
import type { LocationSpec } from '@backstage/plugin-catalog-node';
import { IngestionOrganizationProcessor } from './IngestionOrganizationProcessor';
import { OrganizationGroups } from './OrganizationGroups';
import { TenantDirectory } from './TenantDirectory';

const ORG = 'ingestion.backstage.io/organization';
const roles = (org: string) => ({
  admin: [`group:default/${org}-admins`],
  engineer: [`${org}-engineers`], // short refs are groups in the default namespace
  analyst: [`group:default/${org}-analysts`],
  viewer: [`group:default/${org}-viewers`],
});

function group(name: string, parent?: string, annotations = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
  };
}

function user(name: string, memberOf: string[], annotations = {}): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default', annotations },
    spec: { memberOf },
  };
}

/** The catalog as the lookups see it. */
const CATALOG = new Map<string, Entity>(
  [
    user('finance-engineer', ['finance-engineers']),
    user('payments-dev', ['finance-payments']),
    user('platform-admin', ['platform-admins']),
    user('both', ['finance-viewers', 'retail-engineers']),
    group('finance-payments', 'finance-engineers'),
    group('finance-payments-oncall', 'finance-payments'),
    group('loop-a', 'loop-b'),
    group('loop-b', 'loop-a'),
  ].map(e => [
    `${e.kind.toLocaleLowerCase('en-US')}:default/${e.metadata.name}`,
    e,
  ]),
);

const directory = new TenantDirectory([
  {
    id: 'finance',
    ownerGroup: 'group:default/finance',
    roles: roles('finance'),
  },
  { id: 'retail', ownerGroup: 'group:default/retail', roles: roles('retail') },
  // A group that is a role of two organizations belongs to neither.
  {
    id: 'healthcare',
    ownerGroup: 'group:default/healthcare',
    roles: { ...roles('healthcare'), viewer: ['group:default/retail-viewers'] },
  },
]);

const processor = new IngestionOrganizationProcessor(
  new OrganizationGroups(directory, async ref => CATALOG.get(ref)),
);

const file: LocationSpec = { type: 'url', target: 'https://git.test/a.yaml' };
const provider = (org: string): LocationSpec => ({
  type: 'ingestion-provider',
  target: org,
});

const process = (
  entity: Entity,
  location: LocationSpec = file,
  origin: LocationSpec = location,
) => processor.preProcessEntity(entity, location, () => {}, origin);

function pipeline(owner: string, overrides: Partial<Entity['metadata']> = {}) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'daily-transactions',
      namespace: 'finance',
      annotations: {
        [ORG]: 'finance',
        'ingestion.backstage.io/pipeline-id': 'p1',
      },
      ...overrides,
    },
    spec: { type: 'data-pipeline', lifecycle: 'production', owner },
  } as Entity;
}

describe('IngestionOrganizationProcessor', () => {
  describe("the provider's entities are owned by a group of their organization", () => {
    it.each([
      // owner in the ingestion record → spec.owner
      ['user:default/finance-engineer', 'group:default/finance-engineers'],
      ['user:default/payments-dev', 'group:default/finance-payments'],
      // a platform admin, a user of another organization, an unknown user: the owner group
      ['user:default/platform-admin', 'group:default/finance'],
      ['user:default/nobody', 'group:default/finance'],
      ['group:default/retail-admins', 'group:default/finance'],
      ['group:default/platform-admins', 'group:default/finance'],
      ['not a ref at all/x/y', 'group:default/finance'],
      // groups of the organization stay
      ['group:default/finance-analysts', 'group:default/finance-analysts'],
      [
        'group:default/finance-payments-oncall',
        'group:default/finance-payments-oncall',
      ],
    ])('%s → %s', async (owner, expected) => {
      const result = await process(pipeline(owner), provider('finance'));
      expect(result.spec?.owner).toBe(expected);
      expect(
        result.metadata.annotations?.['ingestion.backstage.io/owner'],
      ).toBe(owner === expected ? undefined : owner);
    });

    it("picks a user's group in the entity's organization, not another one", async () => {
      const retailPipeline = pipeline('user:default/both', {
        namespace: 'retail',
        annotations: { [ORG]: 'retail' },
      });
      expect(
        (await process(retailPipeline, provider('retail'))).spec?.owner,
      ).toBe('group:default/retail-engineers');
      expect(
        (await process(pipeline('user:default/both'), provider('finance'))).spec
          ?.owner,
      ).toBe('group:default/finance-viewers');
    });

    it('fails closed for an organization the ingestion backend does not know', async () => {
      await expect(
        process(
          pipeline('group:default/x', {
            namespace: 'unknown',
            annotations: { [ORG]: 'unknown' },
          }),
          provider('unknown'),
        ),
      ).rejects.toThrow(/not an organization of the ingestion backend/);
    });
  });

  describe('entities from elsewhere cannot claim an organization’s space', () => {
    it.each([
      [
        'the organization annotation',
        {
          ...pipeline('group:default/finance'),
          metadata: {
            name: 'planted',
            namespace: 'default',
            annotations: { [ORG]: 'finance' },
          },
        },
        /annotation ingestion.backstage.io\/organization/,
      ],
      [
        "the organization's namespace",
        {
          ...pipeline('group:default/finance'),
          metadata: { name: 'daily-transactions', namespace: 'finance' },
        },
        /namespace 'finance'/,
      ],
      [
        "the data platform's name",
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'System',
          metadata: { name: 'Finance-Data-Platform', namespace: 'default' },
          spec: { owner: 'group:default/someone' },
        },
        /name 'finance-data-platform'/,
      ],
      [
        "a place in the organization's system",
        {
          ...pipeline('group:default/finance'),
          metadata: { name: 'x' },
          spec: {
            type: 'service',
            owner: 'group:default/finance',
            system: 'system:finance/finance-data-platform',
          },
        },
        /spec.system puts it inside organization 'finance's space/,
      ],
      [
        "a place under one of the organization's components",
        {
          ...pipeline('group:default/finance'),
          metadata: { name: 'x' },
          spec: {
            type: 'service',
            owner: 'group:default/finance',
            subcomponentOf: 'finance/daily-transactions',
          },
        },
        /spec.subcomponentOf/,
      ],
      [
        'another ingestion annotation',
        {
          ...pipeline('group:default/finance'),
          metadata: {
            name: 'x',
            annotations: { 'ingestion.backstage.io/pipeline-id': 'p1' },
          },
        },
        /annotation ingestion.backstage.io\/pipeline-id/,
      ],
      [
        'an ingestion label',
        {
          ...pipeline('group:default/finance'),
          metadata: {
            name: 'x',
            labels: { 'ingestion.backstage.io/environment': 'production' },
          },
        },
        /label ingestion.backstage.io\/environment/,
      ],
    ])('rejects %s', async (_what, entity, message) => {
      await expect(process(entity as Entity)).rejects.toThrow(message);
    });

    it('rejects a forged provider location unless both locations are the provider’s', async () => {
      const forged = pipeline('group:default/finance');
      await expect(process(forged, provider('finance'), file)).rejects.toThrow(
        /does not come from the ingestion provider/,
      );
      await expect(process(forged, file, provider('finance'))).rejects.toThrow(
        /does not come from the ingestion provider/,
      );
      // ... and the provider's own entity must match its location's organization.
      await expect(process(forged, provider('retail'))).rejects.toThrow(
        /carry its annotation and namespace 'retail'/,
      );
    });

    it('leaves unrelated entities alone', async () => {
      const entity: Entity = {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'website',
          annotations: { 'backstage.io/techdocs-ref': 'dir:.' },
        },
        spec: { type: 'service', owner: 'group:default/finance-engineers' },
      };
      expect(await process(entity)).toBe(entity);
    });
  });

  describe("an organization's groups are scoped to it", () => {
    it.each([
      ['finance', undefined, 'finance'],
      ['finance-admins', 'finance', 'finance'],
      ['finance-engineers', undefined, 'finance'],
      ['finance-payments', 'finance-engineers', 'finance'],
      // two levels down: the parent's parent comes from the catalog
      ['finance-payments-oncall', 'finance-payments', 'finance'],
      ['platform-admins', undefined, undefined],
      ['retail-viewers', 'retail', undefined], // a role of two organizations
      ['loop-a', 'loop-b', undefined],
    ])('%s (parent %s) → %s', async (name, parent, expected) => {
      const result = await process(group(name, parent));
      expect(result.metadata.annotations?.[ORG]).toBe(expected);
    });

    it('accepts a group that states its own organization, rejects one that claims another', async () => {
      const own = group('finance-admins', 'finance', { [ORG]: 'finance' });
      expect(await process(own)).toEqual(own);
      await expect(
        process(group('platform-admins', undefined, { [ORG]: 'finance' })),
      ).rejects.toThrow(
        /'finance' is not the organization this group belongs to \(none\)/,
      );
      await expect(
        process(group('retail-admins', 'retail', { [ORG]: 'finance' })),
      ).rejects.toThrow(/\('retail'\)/);
    });

    it.each([
      ['finance-engineer', ['finance-engineers'], 'finance'],
      [
        'pat',
        ['finance-payments', 'group:default/finance-engineers'],
        'finance',
      ],
      // no role in the organization: the policy would not let them see themselves
      ['payments-dev', ['finance-payments'], undefined],
      ['both', ['finance-viewers', 'retail-engineers'], undefined],
      // retail-viewers gives roles in retail and healthcare
      ['shared', ['finance-engineers', 'retail-viewers'], undefined],
      ['platform-admin', ['platform-admins'], undefined],
    ])('user %s in %j → %s', async (name, memberOf, expected) => {
      const result = await process(user(name, memberOf));
      expect(result.metadata.annotations?.[ORG]).toBe(expected);
    });

    it('accepts a user annotated with an organization they hold a role in, and the demo users', async () => {
      const demo = user('finance-admin', ['finance-admins'], {
        [ORG]: 'finance',
        'ingestion.backstage.io/demo-user': 'true',
      });
      expect(await process(demo)).toEqual(demo);
      const admin = user('platform-admin', ['platform-admins'], {
        'ingestion.backstage.io/demo-user': 'true',
      });
      expect(await process(admin)).toEqual(admin);
      await expect(
        process(user('mallory', ['retail-viewers'], { [ORG]: 'finance' })),
      ).rejects.toThrow(/the user holds no role in 'finance'/);
      // the demo-user annotation is for users only
      await expect(
        process(
          group('x', undefined, { 'ingestion.backstage.io/demo-user': 'true' }),
        ),
      ).rejects.toThrow(/demo-user/);
    });
  });

  it("falls back to the owner group when the catalog does not answer, but fails a group's processing", async () => {
    const down = new IngestionOrganizationProcessor(
      new OrganizationGroups(directory, async () => {
        throw new Error('catalog unavailable');
      }),
    );
    const scoped = await down.preProcessEntity(
      pipeline('user:default/finance-engineer'),
      provider('finance'),
      () => {},
      provider('finance'),
    );
    expect(scoped.spec?.owner).toBe('group:default/finance');
    // A group whose organization is not known cannot be let through as nobody's.
    await expect(
      down.preProcessEntity(
        group('finance-payments-oncall', 'finance-payments'),
        file,
        () => {},
        file,
      ),
    ).rejects.toThrow('catalog unavailable');
  });

  it("does not reserve the default namespace for an organization called 'default'", async () => {
    const withDefault = new TenantDirectory([
      { id: 'default', ownerGroup: 'group:default/everyone', roles: {} },
    ]);
    expect(withDefault.inDefaultNamespace()).toEqual(['default']);
    const lenient = new IngestionOrganizationProcessor(
      new OrganizationGroups(withDefault, async () => undefined),
    );
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'website', namespace: 'default' },
      spec: { type: 'website', owner: 'group:default/web' },
    };
    expect(await lenient.preProcessEntity(entity, file, () => {}, file)).toBe(
      entity,
    );
  });

  it('does not remember a user who is not in the catalog yet', async () => {
    const late = new Map<string, Entity>();
    const fresh = new IngestionOrganizationProcessor(
      new OrganizationGroups(directory, async ref => late.get(ref)),
    );
    const entity = pipeline('user:default/late');
    const owner = async () =>
      (
        await fresh.preProcessEntity(
          entity,
          provider('finance'),
          () => {},
          provider('finance'),
        )
      ).spec?.owner;
    expect(await owner()).toBe('group:default/finance');
    late.set('user:default/late', user('late', ['finance-analysts']));
    expect(await owner()).toBe('group:default/finance-analysts');
  });

  it('reads organizations from the ingestion backend: fails closed until it answers, then follows it', async () => {
    let answer: Array<{ id: string; ownerGroup: string }> | undefined;
    let reads = 0;
    let now = 0;
    const live = new IngestionOrganizationProcessor(
      new OrganizationGroups(
        TenantDirectory.fromSource(
          async () => {
            reads++;
            if (!answer) throw new Error('ECONNREFUSED');
            return answer;
          },
          { maxAgeMs: 1_000, now: () => now, retryDelayMs: 1 },
        ),
        async ref => CATALOG.get(ref),
      ),
    );
    // An entity from a file in what becomes marketing's namespace.
    const squatter = {
      ...pipeline('group:default/someone', {
        namespace: 'marketing',
        annotations: {},
      }),
    };
    const check = () => live.preProcessEntity(squatter, file, () => {}, file);

    // The first read is tried a few times (the backend may be starting), then fails closed.
    await expect(check()).rejects.toThrow(/ECONNREFUSED/);
    expect(reads).toBe(5);
    answer = [{ id: 'finance', ownerGroup: 'group:default/finance' }];
    await expect(check()).resolves.toBeDefined();

    // A platform admin creates marketing: within maxAge its namespace is its own.
    answer = [
      ...answer,
      { id: 'marketing', ownerGroup: 'group:default/marketing' },
    ];
    now = 500;
    await expect(check()).resolves.toBeDefined();
    now = 1_000;
    await expect(check()).rejects.toThrow(/marketing/);

    // The backend is down for a while: the last organizations stay in force.
    answer = undefined;
    now = 5_000;
    reads = 0;
    await expect(check()).rejects.toThrow(/marketing/);
    expect(reads).toBe(1);
  });

  it('reads the organizations again, at most once a second, when an entity names one they do not hold', async () => {
    let answer = [{ id: 'finance', ownerGroup: 'group:default/finance' }];
    let reads = 0;
    let now = 0;
    const live = new IngestionOrganizationProcessor(
      new OrganizationGroups(
        TenantDirectory.fromSource(
          async () => {
            reads++;
            return answer;
          },
          { maxAgeMs: 10_000, now: () => now },
        ),
        async ref => CATALOG.get(ref),
      ),
    );
    const analysts = group('marketing-analysts', undefined, {
      [ORG]: 'marketing',
    });
    const check = () => live.preProcessEntity(analysts, file, () => {}, file);
    await expect(check()).rejects.toThrow(/marketing/);
    expect(reads).toBe(1);

    // Created at run time a moment later: its role group is accepted without waiting 10 s.
    answer = [
      ...answer,
      {
        id: 'marketing',
        ownerGroup: 'group:default/marketing',
        roles: { analyst: ['group:default/marketing-analysts'] },
      } as (typeof answer)[number],
    ];
    now = 500;
    await expect(check()).rejects.toThrow(/marketing/);
    expect(reads).toBe(1);
    now = 1_000;
    await expect(check()).resolves.toMatchObject({
      metadata: { name: 'marketing-analysts' },
    });
    expect(reads).toBe(2);
  });

  it('looks each user up once while the cache holds', async () => {
    const seen: string[] = [];
    const cached = new IngestionOrganizationProcessor(
      new OrganizationGroups(directory, async ref => {
        seen.push(ref);
        return CATALOG.get(ref);
      }),
    );
    const entity = pipeline('user:default/payments-dev');
    await Promise.all([
      cached.preProcessEntity(
        entity,
        provider('finance'),
        () => {},
        provider('finance'),
      ),
      cached.preProcessEntity(
        entity,
        provider('finance'),
        () => {},
        provider('finance'),
      ),
    ]);
    await cached.preProcessEntity(
      entity,
      provider('finance'),
      () => {},
      provider('finance'),
    );
    expect(seen).toEqual([
      'user:default/payments-dev',
      'group:default/finance-payments',
    ]);
  });
});
