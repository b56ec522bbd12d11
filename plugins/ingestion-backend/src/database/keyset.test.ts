import { TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { openKeyset, type KeysetOptions } from './keyset';
import { applyDatabaseMigrations } from './migrations';
import { cursorCodec, CursorCodec, type CursorContext } from './pagination';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

type Row = { id: string; at: number };
const options = (cursor?: string): KeysetOptions<Row> => ({
  list: 'things',
  scope: { filter: { organizationIds: ['finance'] } },
  column: 'at',
  order: 'desc',
  valueType: 'timestamp',
  cursor,
  limit: 2,
  valueOf: row => row.at,
  idOf: row => row.id,
});
const context: CursorContext = {
  list: 'things',
  sort: { column: 'at', order: 'desc' },
  scope: { filter: { organizationIds: ['finance'] } },
};

describe.each(databases.eachSupportedId())('keyset cursors on %s', id => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(id);
    await applyDatabaseMigrations(knex);
  }, 120_000);

  it('issues cursors that continue the same list, and only that list', async () => {
    const keyset = await openKeyset(knex, options());
    const { nextCursor } = keyset.page([
      { id: 'a', at: 3 },
      { id: 'b', at: 2 },
      { id: 'c', at: 1 },
    ]);
    expect(nextCursor).toEqual(expect.any(String));
    await expect(openKeyset(knex, options(nextCursor))).resolves.toBeDefined();
    await expect(
      openKeyset(knex, { ...options(nextCursor), order: 'asc' }),
    ).rejects.toThrow(/^cursor: /);
    await expect(
      openKeyset(knex, {
        ...options(nextCursor),
        scope: { filter: { organizationIds: ['retail'] } },
      }),
    ).rejects.toThrow(/^cursor: /);
  });

  it('keeps one key per installation, shared by every client of its database', async () => {
    const first = await cursorCodec(knex);
    const again = await cursorCodec(knex);
    expect(again).toBe(first);
    const cursor = first.encode(context, { value: 1, id: 'a' });
    const rows = await knex('ingestion_signing_keys').select('name');
    expect(rows).toEqual([{ name: 'page-cursors' }]);
    // Another installation (another key) cannot make cursors this one accepts.
    const foreign = new CursorCodec(randomBytes(32));
    expect(() =>
      first.decode(context, foreign.encode(context, { value: 1, id: 'a' })),
    ).toThrow(InputError);
    expect(first.decode(context, cursor)).toEqual({ value: 1, id: 'a' });
  });

  it.each([
    ['a string for a timestamp', 'not-a-time', 'a', 'timestamp'],
    ['a fraction for a timestamp', 1.5, 'a', 'timestamp'],
    ['a number for a string', 42, 'a', 'string'],
    ['a string for an integer', '42', '1', 'integer'],
    ['an integer id that is not one', 42, "1' or '1'='1", 'integer'],
  ] as const)(
    'refuses a signed position of the wrong type: %s',
    async (_name, value, rowId, valueType) => {
      // Only a leaked key could sign these; the type check still keeps them out of SQL.
      const typed = {
        ...options(),
        valueType,
        idType: valueType === 'integer' ? ('integer' as const) : undefined,
      };
      const codec = await cursorCodec(knex);
      const cursor = codec.encode(
        { list: typed.list, sort: context.sort, scope: typed.scope },
        { value, id: rowId },
      );
      await expect(openKeyset(knex, { ...typed, cursor })).rejects.toThrow(
        /^cursor: its position does not fit the sort on at$/,
      );
    },
  );
});
