import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import searchPlugin from '@backstage/plugin-search-backend';
import searchModuleCatalogCollator from '@backstage/plugin-search-backend-module-catalog';
import { briefBatchExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  EXTRA_YAML,
  FACETS,
  ORG,
  REJECTED,
} from './__testUtils__/organizationSpace';
import {
  as,
  eventually,
  startCatalogTestBackend,
  TEST_CONFIG,
} from './__testUtils__/startCatalogTestBackend';

jest.setTimeout(180_000);

const DEMO_ORG_YAML = resolve(__dirname, '../../../demo/org.yaml');

/**
 * Class 3 and 4 of tenant isolation through the real catalog: the provider's entities are owned
 * by the organization's groups, the organization's groups and users are scoped to it, nothing a
 * user of another organization reads (entities, relations, facets, counts) names a finance
 * entity, and entities from elsewhere cannot claim finance's annotation, namespace or name.
 */
describe('an organization’s space in the catalog', () => {
  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-catalog-space-'));
  const extraYaml = join(dir, 'extra.yaml');
  writeFileSync(extraYaml, EXTRA_YAML);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let started: Awaited<ReturnType<typeof startCatalogTestBackend>>;

    beforeAll(async () => {
      started = await startCatalogTestBackend({
        databases,
        databaseId,
        // The portal's search: the catalog collator indexes every entity with service credentials.
        features: [searchPlugin, searchModuleCatalogCollator],
        config: {
          search: {
            collators: {
              catalog: {
                schedule: {
                  frequency: { seconds: 3 },
                  timeout: { minutes: 1 },
                  initialDelay: { seconds: 1 },
                },
              },
            },
          },
          catalog: {
            ...TEST_CONFIG.catalog,
            // Processed again every few seconds: a team's parent chain comes from the catalog.
            processingInterval: { seconds: 2 },
            locations: [
              {
                type: 'file',
                target: DEMO_ORG_YAML,
                rules: [{ allow: ['Group', 'User'] }],
              },
              {
                type: 'file',
                target: extraYaml,
                rules: [{ allow: ['Group', 'User', 'Component', 'System'] }],
              },
            ],
          },
        },
      });
    }, 120_000);

    afterAll(async () => {
      await started?.backend.stop();
    }, 60_000);

    async function get(user: string, path: string) {
      const res = await fetch(`${started.baseUrl}${path}`, {
        headers: { authorization: as(user) },
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    }

    async function entity(user: string, ref: string) {
      const [kind, rest] = ref.split(':');
      const [namespace, name] = rest.split('/');
      const res = await get(
        user,
        `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      );
      return res.status === 200 ? (res.body as Entity) : undefined;
    }

    const targets = (e: Entity, type: string) =>
      (e.relations ?? []).filter(r => r.type === type).map(r => r.targetRef);

    it("lands the provider's entities, owned by groups of the organization", async () => {
      const create = async (user: string, name: string) => {
        const res = await fetch(
          `${started.baseUrl}/api/ingestion/v1/pipelines`,
          {
            method: 'POST',
            headers: {
              authorization: as(user),
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              organization: 'finance',
              name,
              spec: briefBatchExample(),
            }),
          },
        );
        expect(res.status).toBe(201);
      };
      // The demo users are in the catalog before their pipelines (whose owners are looked up).
      await eventually(() =>
        entity('finance-viewer', 'user:default/finance-engineer'),
      );
      // A platform admin's pipeline would otherwise list in the admin's (visible) ownerOf.
      await create('platform-admin', 'admin-made');
      await create('finance-engineer', 'engineer-made');

      const owned = async (ref: string, owner: string) =>
        eventually(async () => {
          const e = await entity('finance-viewer', ref);
          return e?.spec?.owner === owner && targets(e, 'ownedBy').length > 0
            ? e
            : undefined;
        });
      const adminMade = await owned(
        'component:finance/admin-made',
        'group:default/finance',
      );
      expect(adminMade.metadata.annotations).toMatchObject({
        [ORG]: 'finance',
        'ingestion.backstage.io/owner': 'user:default/platform-admin',
      });
      expect(targets(adminMade, 'ownedBy')).toEqual(['group:default/finance']);
      // The engineer's pipeline is owned by the engineer's group in finance.
      const engineerMade = await owned(
        'component:finance/engineer-made',
        'group:default/finance-engineers',
      );
      expect(engineerMade.metadata.annotations).toMatchObject({
        'ingestion.backstage.io/owner': 'user:default/finance-engineer',
      });
      await owned(
        'system:finance/finance-data-platform',
        'group:default/finance',
      );
      // ... and the owning groups list them, for finance's members.
      await eventually(async () => {
        const finance = await entity('finance-viewer', 'group:default/finance');
        return finance &&
          targets(finance, 'ownerOf').includes('component:finance/admin-made')
          ? true
          : undefined;
      });
    });

    it("scopes finance's groups and users to finance", async () => {
      for (const ref of [
        'group:default/finance',
        'group:default/finance-engineers',
        'group:default/finance-payments',
        'group:default/finance-payments-oncall',
        'user:default/pat',
        'user:default/finance-engineer',
      ]) {
        const scoped = await eventually(async () => {
          const e = await entity('finance-viewer', ref);
          return e?.metadata.annotations?.[ORG] === 'finance' ? e : undefined;
        });
        expect(scoped.metadata.annotations?.[ORG]).toBe('finance');
        expect(await entity('retail-admin', ref)).toBeUndefined();
      }
      // Users and groups of no organization stay visible to everyone.
      expect(
        await entity('retail-admin', 'user:default/platform-admin'),
      ).toBeDefined();
      expect(
        await entity('retail-admin', 'group:default/platform-admins'),
      ).toBeDefined();
    });

    it('reveals no finance entity to a retail user, through relations, facets or counts', async () => {
      const mentionsFinance = (text: string) =>
        /finance/i.test(text) ? text : undefined;

      // The users and groups a retail user sees name nothing of finance's in their relations.
      for (const ref of [
        'user:default/platform-admin',
        'group:default/platform-admins',
        'user:default/retail-admin',
        'group:default/retail',
      ]) {
        const e = (await entity('retail-admin', ref))!;
        expect(e).toBeDefined();
        expect(
          (e.relations ?? []).map(r => r.targetRef).filter(mentionsFinance),
        ).toEqual([]);
      }

      const facets = await get(
        'retail-admin',
        `/api/catalog/entity-facets?${FACETS.map(
          f => `facet=${encodeURIComponent(f)}`,
        ).join('&')}`,
      );
      expect(facets.status).toBe(200);
      const values = Object.values(
        facets.body.facets as Record<string, Array<{ value: string }>>,
      ).flatMap(list => list.map(v => v.value));
      expect(values).toContain('user:default/platform-admin'); // the facets are not empty
      expect(values.filter(mentionsFinance)).toEqual([]);

      const count = async (user: string, filter: string) => {
        const res = await get(
          user,
          `/api/catalog/entities/by-query?limit=1&filter=${encodeURIComponent(
            filter,
          )}`,
        );
        expect(res.status).toBe(200);
        return res.body.totalItems as number;
      };
      for (const filter of [
        'relations.ownerOf=component:finance/admin-made',
        'relations.ownerOf=component:finance/engineer-made',
        'relations.ownedBy=group:default/finance',
        'metadata.namespace=finance',
        `metadata.annotations.${ORG}=finance`,
      ]) {
        expect({ filter, total: await count('retail-admin', filter) }).toEqual({
          filter,
          total: 0,
        });
      }
      expect(
        await count(
          'finance-viewer',
          'relations.ownedBy=group:default/finance',
        ),
      ).toBeGreaterThan(0);
      // Every entity a retail user can count, they can read: none of them finance's.
      const all = await get(
        'retail-admin',
        '/api/catalog/entities/by-query?limit=500',
      );
      expect(all.body.items).toHaveLength(all.body.totalItems);
      expect(
        JSON.stringify(
          (all.body.items as Entity[]).map(e => [
            e.metadata.name,
            e.metadata.namespace,
            e.spec?.owner,
            e.relations,
          ]),
        ),
      ).not.toMatch(/finance/i);
    });

    it('finds no finance entity for a retail user in search', async () => {
      const search = async (user: string, term: string) => {
        const res = await get(
          user,
          `/api/search/query?term=${encodeURIComponent(term)}&pageLimit=100`,
        );
        expect(res.status).toBe(200);
        return res.body.results as Array<{
          document: { title: string; location: string; owner?: string };
        }>;
      };
      // Indexed: finance's members find finance's pipeline and groups.
      await eventually(async () =>
        (
          await search('finance-viewer', 'admin-made')
        ).some(
          r => r.document.location === '/catalog/finance/component/admin-made',
        )
          ? true
          : undefined,
      );
      for (const term of [
        'admin-made',
        'engineer-made',
        'finance',
        'platform',
      ]) {
        const found = await search('retail-admin', term);
        expect({
          term,
          found: JSON.stringify(found).match(/finance/gi),
        }).toEqual({ term, found: null });
      }
      // ... while what a retail user may see is found.
      expect(
        (await search('retail-admin', 'platform')).map(r => r.document.title),
      ).toContain('platform-admins');
    });

    it("rejects entities from elsewhere that claim finance's space, with a processing error", async () => {
      // The location was read: its unrelated component is there.
      await eventually(() =>
        entity('retail-admin', 'component:default/website'),
      );
      const errors = await eventually(async () => {
        const rows: Array<{ entity_ref: string; errors: string | null }> =
          await started
            .catalogKnex('refresh_state')
            .whereIn('entity_ref', REJECTED)
            .select('entity_ref', 'errors');
        return rows.length === REJECTED.length &&
          rows.every(r => r.errors && r.errors !== '[]')
          ? Object.fromEntries(rows.map(r => [r.entity_ref, r.errors!]))
          : undefined;
      });
      for (const ref of REJECTED) {
        expect(errors[ref]).toContain(
          'does not come from the ingestion provider',
        );
        // Not even a platform admin, who sees every organization, finds them.
        expect(await entity('platform-admin', ref)).toBeUndefined();
      }
      expect(errors['component:default/planted']).toContain(
        'annotation ingestion.backstage.io/organization',
      );
      expect(errors['component:finance/squat']).toContain(
        "namespace 'finance'",
      );
      expect(errors['component:default/stowaway']).toContain(
        "spec.system puts it inside organization 'finance's space",
      );
      expect(errors['system:default/finance-data-platform']).toContain(
        "name 'finance-data-platform'",
      );
      expect(errors['user:default/mallory']).toContain(
        "the user holds no role in 'finance'",
      );
      // The provider's own system of that name is finance's.
      expect(
        await entity('finance-viewer', 'system:finance/finance-data-platform'),
      ).toBeDefined();
    });
  });
});
