import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  succeeded,
} from './__testUtils__/engineFixture';
import {
  createMariaDb,
  createPostgresDb,
  SourceDatabase,
} from './__testUtils__/sourceDatabases';

jest.setTimeout(60_000);

const databases = engineTestDatabases();

const target = (table: string) => ({
  type: 'iceberg',
  catalog: 'finance_catalog',
  schema: 'raw',
  table,
});

describe('LocalEngine database sources', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    // Batches of 7 rows: every source below streams in several batches.
    fx = await createEngineFixture(databases);
  });
  afterAll(async () => {
    await fx.close();
  });

  describe('MariaDB', () => {
    let db: SourceDatabase;
    beforeAll(async () => {
      db = await createMariaDb();
      fx.connections.set('maria', {
        type: 'mariadb',
        settings: db.settings,
        password: db.password,
      });
      await db.query(`CREATE TABLE transactions (
        id INT PRIMARY KEY,
        customer_id VARCHAR(20),
        amount DECIMAL(12,2),
        big BIGINT UNSIGNED,
        flag TINYINT(1),
        payload VARBINARY(16),
        note TEXT,
        day DATE,
        updated_at DATETIME(6)
      )`);
      for (let i = 1; i <= 20; i++) {
        await db.query(
          'INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            i,
            `c${i % 3}`,
            `${i}.25`,
            '18446744073709551615',
            i % 2,
            Buffer.from([i, 0xff]),
            i === 5 ? null : `note ${i}`,
            '2024-01-02',
            `2024-01-01 10:00:${String(i).padStart(2, '0')}.123456`,
          ],
        );
      }
    });
    afterAll(async () => {
      await db.drop();
    });

    const spec = {
      pipeline_type: 'batch',
      source: {
        type: 'mariadb',
        connection: 'maria',
        table: 'transactions',
        incremental_column: 'updated_at',
      },
      target: target('transactions'),
    };

    it('streams a table in batches with exact types, and continues incrementally from the watermark', async () => {
      const first = succeeded(await fx.run(spec));
      expect(first.rowsRead).toBe(20);
      expect(first.watermarkOut).toBe('2024-01-01 10:00:20.123456');
      const schema = first.tables[0].schema as { fields: any[] };
      expect(
        Object.fromEntries(schema.fields.map(f => [f.name, f.type])),
      ).toEqual({
        id: 'int',
        customer_id: 'string',
        amount: 'decimal(12,2)',
        big: 'decimal(20,0)',
        flag: 'int',
        payload: 'binary',
        note: 'string',
        day: 'date',
        updated_at: 'timestamp',
      });
      const rows = await fx.readTable('transactions', 'raw');
      expect(rows).toHaveLength(20);
      expect(rows[4]).toMatchObject({
        id: 5,
        customer_id: 'c2',
        amount: 5.25,
        note: null,
        updated_at: new Date('2024-01-01T10:00:05.123Z'),
      });

      await db.query(
        `INSERT INTO transactions (id, customer_id, amount, updated_at) VALUES
         (21, 'c9', 1.00, '2024-01-01 10:00:20.123456'),
         (22, 'c9', 2.00, '2024-01-01 10:00:21'),
         (23, 'c9', 3.00, '2024-01-01 10:00:22')`,
      );
      const second = succeeded(
        await fx.run(spec, { watermarkIn: first.watermarkOut }),
      );
      // Rows above the watermark only (21 has the watermark's own value).
      expect(second.rowsRead).toBe(2);
      expect(second.watermarkOut).toBe('2024-01-01 10:00:22');
      expect(
        (await fx.readTable('transactions', 'raw')).map(r => r.id),
      ).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 22, 23]);
    });

    it('fails without leaking the password, and retries connection errors', async () => {
      fx.connections.set('maria-wrong', {
        type: 'mariadb',
        settings: db.settings,
        password: 'Wrong-Secret-123',
      });
      const wrong = await fx.run({
        ...spec,
        source: { ...spec.source, connection: 'maria-wrong' },
      });
      expect(wrong).toMatchObject({ state: 'failed', retryable: false });
      expect(JSON.stringify(wrong)).not.toContain('Wrong-Secret-123');

      fx.connections.set('maria-down', {
        type: 'mariadb',
        settings: { ...db.settings, host: '127.0.0.1', port: 1 },
        password: db.password,
      });
      expect(
        await fx.run({
          ...spec,
          source: { ...spec.source, connection: 'maria-down' },
        }),
      ).toMatchObject({ state: 'failed', retryable: true });

      fx.connections.set('not-maria', {
        type: 'postgres',
        settings: db.settings,
        password: db.password,
      });
      expect(
        await fx.run({
          ...spec,
          source: { ...spec.source, connection: 'not-maria' },
        }),
      ).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/postgres connection.*mysql or mariadb/),
      });
    });
  });

  describe('PostgreSQL', () => {
    let db: SourceDatabase;
    beforeAll(async () => {
      db = await createPostgresDb();
      fx.connections.set('pg', {
        type: 'postgres',
        settings: db.settings,
        password: db.password,
      });
      await db.query(`CREATE SCHEMA sales`);
      await db.query(`CREATE TABLE sales.orders (
        id bigint PRIMARY KEY,
        amount numeric(10,3),
        loose numeric,
        paid boolean,
        blob bytea,
        meta jsonb,
        seen timestamptz,
        version integer
      )`);
      await db.query(`INSERT INTO sales.orders
        SELECT g, g * 1.5, g / 3.0, g % 2 = 0, '\\x0102'::bytea, '{"a": 1}'::jsonb,
               TIMESTAMPTZ '2024-05-01 12:00:00+02' + g * INTERVAL '1 minute', g
        FROM generate_series(1, 30) g`);
    });
    afterAll(async () => {
      await db.drop();
    });

    it('reads through a server-side cursor, incrementally on an integer column', async () => {
      const spec = {
        pipeline_type: 'batch',
        source: {
          type: 'postgres',
          connection: 'pg',
          schema: 'sales',
          table: 'orders',
          incremental_column: 'version',
        },
        transformations: [
          { type: 'filter', condition: 'paid' },
          { type: 'cast', columns: { amount: 'double' } },
        ],
        target: target('pg_orders'),
      };
      const first = succeeded(await fx.run(spec));
      expect(first).toMatchObject({
        rowsRead: 30,
        rowsWritten: 15,
        watermarkOut: '30',
      });
      const rows = await fx.readTable('pg_orders', 'raw');
      expect(rows[0]).toMatchObject({
        id: 2n,
        amount: 3,
        paid: true,
        meta: '{"a": 1}',
        seen: new Date('2024-05-01T10:02:00Z'),
        version: 2,
      });
      expect(Buffer.from(rows[0].blob as any)).toBeDefined();
      expect(first.tables[0].schema).toMatchObject({
        fields: expect.arrayContaining([
          expect.objectContaining({ name: 'loose', type: 'decimal(38,18)' }),
          expect.objectContaining({ name: 'seen', type: 'timestamptz' }),
        ]),
      });

      await db.query(
        `INSERT INTO sales.orders (id, paid, version) VALUES (31, true, 31), (32, false, 32)`,
      );
      const second = succeeded(await fx.run(spec, { watermarkIn: '30' }));
      expect(second).toMatchObject({
        rowsRead: 2,
        rowsWritten: 1,
        watermarkOut: '32',
      });
      const third = succeeded(await fx.run(spec, { watermarkIn: '32' }));
      // Nothing new: no new mark, so the recorded one ('32') stays the next run's start.
      expect(third).toMatchObject({ rowsRead: 0, rowsWritten: 0 });
      expect(third.watermarkOut).toBeUndefined();
      expect(await fx.readTable('pg_orders', 'raw')).toHaveLength(16);
    });
  });
});
