import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import { applyDatabaseMigrations } from '../../database/migrations';
import type { ConnectionRecord } from './ConnectionStore';
import { KnexConnectionStore } from './KnexConnectionStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

let counter = 0;
function record(
  organizationId: string,
  name: string,
  keyId = 'k1',
): ConnectionRecord {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    organizationId,
    name,
    type: 'postgres',
    settings: { host: 'db.internal', port: 5432, user: 'loader' },
    secret: {
      ciphertext: Buffer.from(`ct-${counter}`).toString('base64'),
      iv: 'AAAAAAAAAAAAAAAA',
      tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
      keyId,
    },
    createdBy: 'user:default/finance-admin',
    createdAt: new Date('2026-01-02T03:04:05.678Z'),
  };
}

describe.each(databases.eachSupportedId())('KnexConnectionStore on %p', id => {
  let knex: Knex;
  let store: KnexConnectionStore;

  beforeAll(async () => {
    knex = await databases.init(id);
    await applyDatabaseMigrations(knex);
    store = new KnexConnectionStore(knex);
  });

  beforeEach(async () => {
    await knex('connections').delete();
  });

  it('stores and maps a connection, scoped to its organization', async () => {
    const r = record('finance', 'warehouse');
    await store.insert(r);
    expect(await store.get('finance', r.id)).toEqual(r);
    expect(await store.getByName('finance', 'warehouse')).toEqual(r);
    expect(await store.organizationOf(r.id)).toBe('finance');
    // Another organization's scope does not see it.
    expect(await store.get('retail', r.id)).toBeUndefined();
    expect(await store.getByName('retail', 'warehouse')).toBeUndefined();
    expect(await store.organizationOf('nope')).toBeUndefined();
  });

  it('refuses a duplicate name in an organization, but not in another one', async () => {
    await store.insert(record('finance', 'warehouse'));
    await expect(store.insert(record('finance', 'warehouse'))).rejects.toThrow(
      ConflictError,
    );
    await expect(
      store.insert(record('retail', 'warehouse')),
    ).resolves.toBeUndefined();
  });

  it('lists through the access filter, paginated by name', async () => {
    for (const name of ['c', 'a', 'e', 'b', 'd']) {
      await store.insert(record('finance', name));
    }
    await store.insert(record('retail', 'a'));

    const first = await store.list(
      { organizationIds: ['finance'] },
      { limit: 2 },
    );
    expect(first.items.map(c => c.name)).toEqual(['a', 'b']);
    const second = await store.list(
      { organizationIds: ['finance'] },
      { limit: 2, cursor: first.nextCursor },
    );
    expect(second.items.map(c => c.name)).toEqual(['c', 'd']);
    const third = await store.list(
      { organizationIds: ['finance'] },
      { limit: 2, cursor: second.nextCursor },
    );
    expect(third.items.map(c => c.name)).toEqual(['e']);
    expect(third.nextCursor).toBeUndefined();

    const both = await store.list(
      { organizationIds: ['finance', 'retail'] },
      { limit: 10 },
    );
    expect(both.items.map(c => `${c.organizationId}/${c.name}`)).toEqual([
      'finance/a',
      'retail/a',
      'finance/b',
      'finance/c',
      'finance/d',
      'finance/e',
    ]);
    // Same name in two organizations: the id breaks the tie across pages.
    const page = await store.list(
      { organizationIds: ['finance', 'retail'] },
      { limit: 1 },
    );
    const next = await store.list(
      { organizationIds: ['finance', 'retail'] },
      { limit: 1, cursor: page.nextCursor },
    );
    expect(next.items[0].organizationId).toBe('retail');

    expect(
      (await store.list({ organizationIds: [] }, { limit: 10 })).items,
    ).toEqual([]);
    // Conditions from the permission policy are applied in SQL too.
    expect(
      (
        await store.list(
          {
            organizationIds: ['finance', 'retail'],
            criteria: {
              rule: 'IS_IN_ORGANIZATION',
              resourceType: 'ingestion-organization',
              column: 'organization_id',
              values: ['retail'],
            } as any,
          },
          { limit: 10 },
        )
      ).items.map(c => c.organizationId),
    ).toEqual(['retail']);
  });

  it('replaces a secret, optionally only from an expected key', async () => {
    const r = record('finance', 'warehouse', 'old');
    await store.insert(r);
    const next = { ...r.secret, ciphertext: 'bmV3', keyId: 'new' };
    expect(
      await store.updateSecret('retail', r.id, next, { expectedKeyId: 'old' }),
    ).toBe(false);
    expect(
      await store.updateSecret('finance', r.id, next, {
        expectedKeyId: 'other',
      }),
    ).toBe(false);
    expect(
      await store.updateSecret('finance', r.id, next, { expectedKeyId: 'old' }),
    ).toBe(true);
    expect((await store.get('finance', r.id))?.secret).toEqual(next);
    expect((await store.get('finance', r.id))?.rotatedAt).toBeUndefined();

    const rotatedAt = new Date('2026-02-03T04:05:06.789Z');
    expect(
      await store.updateSecret('finance', r.id, r.secret, { rotatedAt }),
    ).toBe(true);
    expect((await store.get('finance', r.id))?.rotatedAt).toEqual(rotatedAt);
  });

  it('lists the rows not under a key, in batches', async () => {
    const rows = [
      record('finance', 'a', 'old'),
      record('finance', 'b', 'new'),
      record('finance', 'c', 'old'),
      record('retail', 'd', 'old'),
    ];
    for (const r of rows) {
      await store.insert(r);
    }
    const batch = await store.listNotUnderKey('finance', 'new', { limit: 1 });
    expect(batch.map(r => r.name)).toEqual(['a']);
    const rest = await store.listNotUnderKey('finance', 'new', {
      limit: 10,
      afterId: batch[0].id,
    });
    expect(rest.map(r => r.name)).toEqual(['c']);
  });

  it('deletes only within the organization', async () => {
    const r = record('finance', 'warehouse');
    await store.insert(r);
    expect(await store.delete('retail', r.id)).toBe(false);
    expect(await store.delete('finance', r.id)).toBe(true);
    expect(await store.get('finance', r.id)).toBeUndefined();
  });
});
