import { TestDatabases } from '@backstage/backend-test-utils';
import { types as pgTypes } from 'pg';
import { pgTimestamptzToIso, TIMESTAMPS_AS_ISO, toIso } from './rows';

const driverIso = (text: string) =>
  (pgTypes.getTypeParser(1184, 'text')(text) as Date).toISOString();

describe('pgTimestamptzToIso', () => {
  it.each([
    '2026-12-07 15:02:22+00',
    '2026-12-07 15:02:22.3+00',
    '2026-12-07 15:02:22.31+00',
    '2026-12-07 15:02:22.309+00',
    '2026-12-07 15:02:22.0289+00',
    '2026-12-07 15:02:22.999999+00',
    '0099-01-01 00:00:00.000001+00',
  ])('gives the driver Date’s ISO string for %s', text => {
    expect(pgTimestamptzToIso(text)).toBe(driverIso(text));
  });

  it('leaves other offsets and special values to the driver', () => {
    const other = pgTimestamptzToIso('2026-12-07 16:02:22.5+01');
    expect(other).toBeInstanceOf(Date);
    expect((other as Date).toISOString()).toBe('2026-12-07T15:02:22.500Z');
    expect(pgTimestamptzToIso('infinity')).toBe(Infinity);
  });
});

describe('toIso', () => {
  it('returns ISO strings as they are and converts the rest', () => {
    expect(toIso('2026-12-07T15:02:22.310Z')).toBe('2026-12-07T15:02:22.310Z');
    expect(toIso(new Date('2026-12-07T15:02:22.310Z'))).toBe(
      '2026-12-07T15:02:22.310Z',
    );
    expect(toIso(Date.UTC(2026, 11, 7))).toBe('2026-12-07T00:00:00.000Z');
    expect(toIso('2026-12-07T15:02:22Z')).toBe('2026-12-07T15:02:22.000Z');
  });
});

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

describe.each(databases.eachSupportedId())('TIMESTAMPS_AS_ISO on %s', id => {
  it('reads timestamptz columns as the ISO strings toIso would make', async () => {
    const knex = await databases.init(id);
    const sql = `select t, t::date as d, 42::int8 as n from (values
      ('2026-12-07T15:02:22.310123Z'::timestamptz),
      ('2026-01-01T00:00:00Z'::timestamptz),
      ('1999-12-31T23:59:59.999999Z'::timestamptz)) v(t)`;
    const plain = (await knex.raw(sql)).rows;
    const fast = (await knex.raw(sql).options(TIMESTAMPS_AS_ISO)).rows;
    expect(fast.map((r: { t: string }) => r.t)).toEqual(
      plain.map((r: { t: Date }) => toIso(r.t)),
    );
    expect(typeof fast[0].t).toBe('string');
    // Other types keep the driver's parsers.
    expect(fast[0].d).toEqual(plain[0].d);
    expect(fast[0].n).toBe(plain[0].n);
  });
});
