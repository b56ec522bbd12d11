import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  ORG,
  succeeded,
} from './__testUtils__/engineFixture';

jest.setTimeout(60_000);

const ORDERS_CSV = [
  'id,customer_id,amount,status,email,created_at',
  '1,c1,10.50,paid,ann@example.com,2024-01-01 10:00:00',
  '2,c1,-3.00,refund,ann@example.com,2024-01-01 10:03:00',
  '3,c2,7.25,paid,bob@example.org,2024-01-01 10:07:00',
  '4,c3,100.00,shipped,cy@example.net,2024-01-01 10:12:00',
  '5,c2,1.00,paid,bob@example.org,2024-01-02 09:00:00',
].join('\n');

const icebergTarget = (table: string, extra: object = {}) => ({
  type: 'iceberg',
  catalog: 'finance_catalog',
  schema: 'analytics',
  table,
  ...extra,
});

const databases = engineTestDatabases();

describe('LocalEngine', () => {
  let fx: EngineFixture;

  beforeAll(async () => {
    fx = await createEngineFixture(databases);
    await fx.writeFile('raw/orders/2024-01-01.csv', ORDERS_CSV);
  });
  afterAll(async () => {
    await fx.close();
  });

  it('reads CSV files, filters and aggregates, and writes an Iceberg table that icebird reads', async () => {
    const state = await fx.run({
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
      transformations: [
        { type: 'filter', condition: 'amount > 0' },
        {
          type: 'derive',
          column: 'day',
          expression: 'CAST(created_at AS date)',
        },
        {
          type: 'aggregate',
          group_by: ['customer_id', 'day'],
          aggregations: {
            amount: 'sum',
            orders: { function: 'count' },
          },
        },
      ],
      target: icebergTarget('daily_totals'),
      data_quality: [
        { type: 'completeness', columns: ['customer_id', 'amount'] },
      ],
    });
    const result = succeeded(state);
    expect(result).toMatchObject({
      rowsRead: 5,
      rowsWritten: 4,
      dbus: 0,
      quality: [
        expect.objectContaining({
          ruleType: 'completeness',
          passed: true,
          observed: 1,
        }),
      ],
    });
    expect(result.tables[0]).toMatchObject({
      format: 'iceberg',
      catalogName: 'finance_catalog',
      namespace: 'analytics',
      tableName: 'daily_totals',
      rowCount: 4,
    });
    expect(result.bytesWritten).toBeGreaterThan(0);
    const rows = await fx.readTable('daily_totals', 'analytics', 'customer_id');
    expect(
      rows.map(r => [r.customer_id, Number(r.amount), Number(r.orders)]),
    ).toEqual([
      ['c1', 10.5, 1],
      ['c2', 7.25, 1],
      ['c2', 1, 1],
      ['c3', 100, 1],
    ]);
  });

  it('streams CSV files of one shape and of several, quoted, headerless or not, counting every row read', async () => {
    // One shape: read with the sniffed schema pinned.
    await fx.writeFile(
      'raw/notes/a.csv',
      'id;note\n1;"a; b"\n2;"two\nlines"\n3;"say ""hi"""\n',
    );
    await fx.writeFile('raw/notes/b.csv', 'id;note\n4;plain\n5;\n');
    const notes = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: {
          type: 'file',
          path: 'raw/notes',
          format: 'csv',
          delimiter: ';',
        },
        transformations: [{ type: 'filter', condition: 'id > 1' }],
        target: icebergTarget('notes'),
      }),
    );
    expect(notes).toMatchObject({ rowsRead: 5, rowsWritten: 4 });
    expect((await fx.readTable('notes')).map(r => r.note)).toEqual([
      'two\nlines',
      'say "hi"',
      'plain',
      null,
    ]);

    // Several shapes: columns matched by name, missing ones NULL.
    await fx.writeFile('raw/mixed/a.csv', 'id,amount\n1,2.5\n');
    await fx.writeFile('raw/mixed/b.csv', 'status,id\nok,2\nko,3\n');
    const mixed = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/mixed', format: 'csv' },
        target: icebergTarget('mixed'),
      }),
    );
    expect(mixed.rowsRead).toBe(3);
    expect(
      (await fx.readTable('mixed')).map(r => [
        Number(r.id),
        r.amount === null ? null : Number(r.amount),
        r.status,
      ]),
    ).toEqual([
      [1, 2.5, null],
      [2, null, 'ok'],
      [3, null, 'ko'],
    ]);

    // Without a header, and joined to an empty dataset (no scan to count from).
    await fx.writeFile('raw/bare/a.csv', 'a,x\nb,y\n');
    await fx.writeFile('raw/empty/a.csv', 'column0,label\n');
    const bare = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: {
          type: 'file',
          path: 'raw/bare',
          format: 'csv',
          header: false,
        },
        transformations: [
          {
            type: 'join',
            dataset: { type: 'file', path: 'raw/empty', format: 'csv' },
            keys: ['column0'],
            join_type: 'inner',
          },
        ],
        target: icebergTarget('bare'),
      }),
    );
    expect(bare).toMatchObject({ rowsRead: 2, rowsWritten: 0 });
  });

  it('reads dates and timestamps in the formats the sniffer found, ISO or not', async () => {
    // ISO values are read by DuckDB's own cast (no pinned format); others by the sniffed format.
    await fx.writeFile(
      'raw/dates-iso/a.csv',
      'id,day,at\n1,2026-10-01,2026-10-01T08:30:00.250Z\n2,2026-12-31,2026-12-31 23:59:59\n',
    );
    await fx.writeFile(
      'raw/dates-eu/a.csv',
      'id,day,at\n1,01/10/2026,01/10/2026 08:30:00\n2,31/12/2026,31/12/2026 23:59:59\n',
    );
    const read = async (folder: string) => {
      succeeded(
        await fx.run({
          pipeline_type: 'batch',
          source: { type: 'file', path: `raw/${folder}`, format: 'csv' },
          transformations: [
            {
              type: 'derive',
              column: 'day_number',
              expression: 'year(day) * 10000 + month(day) * 100 + day(day)',
            },
            {
              type: 'derive',
              column: 'at_number',
              expression:
                'year(at) * 1000000 + month(at) * 10000 + day(at) * 100 + hour(at)',
            },
          ],
          target: icebergTarget(folder.replace('-', '_')),
        }),
      );
      return (await fx.readTable(folder.replace('-', '_'))).map(r => [
        Number(r.day_number),
        Number(r.at_number),
      ]);
    };
    const expected = [
      [20261001, 2026100108],
      [20261231, 2026123123],
    ];
    expect(await read('dates-iso')).toEqual(expected);
    expect(await read('dates-eu')).toEqual(expected);
  });

  it('reads JSON and Parquet files', async () => {
    await fx.writeFile(
      'raw/events/a.json',
      `${JSON.stringify({
        id: 1,
        user: { name: 'x' },
        tags: ['a'],
      })}\n${JSON.stringify({ id: 2, user: { name: 'y' }, tags: [] })}\n`,
    );
    const json = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/events', format: 'json' },
        target: { type: 'parquet', path: 'curated/events' },
      }),
    );
    expect(json.rowsWritten).toBe(2);
    // Nested values arrive as JSON text.
    expect(json.tables[0].schema).toMatchObject({
      fields: expect.arrayContaining([{ name: 'user', type: 'VARCHAR' }]),
    });

    const parquet = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'curated/events', format: 'parquet' },
        transformations: [{ type: 'select', columns: ['id'] }],
        target: icebergTarget('events_ids'),
      }),
    );
    expect(parquet.rowsRead).toBe(2);
    expect((await fx.readTable('events_ids')).map(r => Number(r.id))).toEqual([
      1, 2,
    ]);
  });

  it('refuses paths that leave the storage, also through symbolic links', async () => {
    const outside = await fs.mkdtemp(join(fx.root, '..', 'outside-'));
    await fs.writeFile(join(outside, 'secret.csv'), 'a\n1\n');
    await fs.symlink(outside, join(fx.root, 'raw', 'link'));
    await fs.symlink(
      join(outside, 'secret.csv'),
      join(fx.root, 'raw', 'orders', 'sneaky.csv'),
    );
    try {
      const viaFolder = await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/link/secret.csv', format: 'csv' },
        target: icebergTarget('never'),
      });
      expect(viaFolder).toMatchObject({
        state: 'failed',
        retryable: false,
        message: expect.stringMatching(/outside the organization's storage/),
      });
      const viaWildcard = await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
        target: icebergTarget('never'),
      });
      expect(viaWildcard).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/outside the organization's storage/),
      });
      // The spec refuses `..`; a context built around validation is refused by the engine too,
      // which validates what it is handed before anything runs.
      const context = fx.context({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/x.csv', format: 'csv' },
        target: icebergTarget('never'),
      });
      (context.spec.source as any).path = '../outside/secret.csv';
      const { engineRunId } = await fx.engine.submit(context);
      await fx.engine.idle();
      expect(await fx.engine.poll(context, engineRunId)).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/source\.path: `\.\.` is not allowed/),
      });
      expect(
        await fx.catalog().tableExists(ORG, {
          namespace: ['analytics'],
          name: 'never',
        }),
      ).toBe(false);
    } finally {
      await fs.rm(join(fx.root, 'raw', 'orders', 'sneaky.csv'));
      await fs.rm(join(fx.root, 'raw', 'link'));
      await fs.rm(outside, { recursive: true });
    }
  });

  it('writes each run once: a second submit of the same run commits nothing', async () => {
    const specInput = {
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
      target: icebergTarget('orders_once'),
    };
    const first = succeeded(await fx.run(specInput, { id: 'run-once' }));
    // A new engine instance (a restarted backend) asked to run the same run again.
    const again = succeeded(
      await fx.run(specInput, { id: 'run-once' }, fx.newEngine()),
    );
    expect(first.rowsWritten).toBe(5);
    expect(again.tables[0].snapshotId).toBe(first.tables[0].snapshotId);
    expect(await fx.readTable('orders_once')).toHaveLength(5);
    const table = await fx
      .catalog()
      .loadTable(ORG, { namespace: ['analytics'], name: 'orders_once' });
    expect(table.metadata.snapshots).toHaveLength(1);
  });

  it('fails a run on a quality rule with severity fail before writing, leaving the table unchanged', async () => {
    const base = {
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
      target: icebergTarget('orders_checked'),
    };
    succeeded(await fx.run(base));
    const before = await fx
      .catalog()
      .loadTable(ORG, { namespace: ['analytics'], name: 'orders_checked' });

    const state = await fx.run({
      ...base,
      data_quality: [
        {
          type: 'range',
          columns: ['amount'],
          min: 0,
          severity: 'warn',
          name: 'positive_warn',
        },
        { type: 'range', columns: ['amount'], min: 0, threshold: 0.9 },
      ],
    });
    expect(state).toMatchObject({
      state: 'quality_failed',
      message: expect.stringMatching(/range\(amount\).*4 of 5 rows passed/),
      result: {
        rowsWritten: 0,
        quality: [
          expect.objectContaining({ passed: false, severity: 'warn' }),
          expect.objectContaining({
            passed: false,
            severity: 'fail',
            observed: 0.8,
            threshold: 0.9,
            failedRows: 1,
          }),
        ],
      },
    });
    const after = await fx
      .catalog()
      .loadTable(ORG, { namespace: ['analytics'], name: 'orders_checked' });
    expect(after.metadataLocation).toBe(before.metadataLocation);
    expect(await fx.readTable('orders_checked')).toHaveLength(5);
  });

  it('drops failing rows with severity drop and detects PII columns', async () => {
    const result = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/orders/*.csv', format: 'csv' },
        transformations: [
          { type: 'rename', columns: { email: 'contact' } },
          {
            type: 'derive',
            column: 'card',
            expression: "'4111 1111 1111 1111'",
          },
        ],
        target: icebergTarget('orders_positive'),
        data_quality: [
          { type: 'expression', expression: 'amount >= 0', severity: 'drop' },
          { type: 'uniqueness', columns: ['id'] },
          { type: 'row_count', min: 1 },
        ],
      }),
    );
    expect(result.rowsWritten).toBe(4);
    expect(
      result.quality.map(q => [q.ruleType, q.passed, q.failedRows]),
    ).toEqual([
      ['expression', true, 1],
      ['uniqueness', true, 0],
      ['row_count', true, undefined],
    ]);
    expect(result.tables[0].piiColumns).toEqual(['contact', 'card']);
    expect(
      (await fx.readTable('orders_positive')).map(r => Number(r.id)),
    ).toEqual([1, 3, 4, 5]);
  });
});
