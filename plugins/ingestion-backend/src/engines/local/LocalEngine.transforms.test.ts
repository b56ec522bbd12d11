import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  succeeded,
} from './__testUtils__/engineFixture';

jest.setTimeout(60_000);

const databases = engineTestDatabases();

const EVENTS_CSV = [
  'id,user_id,event_type,value,ts,email,phone,card',
  '1,a,click,1.5,2024-01-01 10:00:00,ann@example.com,+1 (555) 010-0001,4111111111111111',
  '2,a,view,2.0,2024-01-01 10:03:00,ann@example.com,+1 (555) 010-0001,4111111111111111',
  '3,a,click,3.0,2024-01-01 10:07:00,ann@example.com,+1 (555) 010-0001,4111111111111111',
  '4,b,click,4.0,2024-01-01 10:12:00,bob@example.org,,5500000000000004',
  '5,a,view,5.0,2024-01-01 10:20:00,ann@example.com,+1 (555) 010-0001,4111111111111111',
].join('\n');

const CUSTOMERS_CSV = ['user_id,name,id', 'a,Ann,100', 'c,Cy,300'].join('\n');

describe('LocalEngine transformations', () => {
  let fx: EngineFixture;
  let counter = 0;

  beforeAll(async () => {
    fx = await createEngineFixture(databases);
    await fx.writeFile('raw/events.csv', EVENTS_CSV);
    await fx.writeFile('ref/customers.csv', CUSTOMERS_CSV);
  });
  afterAll(async () => {
    await fx.close();
  });

  /** Runs the transformations over the events and returns the rows written. */
  async function transform(
    transformations: unknown[],
    orderBy: string,
  ): Promise<Array<Record<string, any>>> {
    const path = `out/t${++counter}`;
    succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/events.csv', format: 'csv' },
        transformations,
        target: { type: 'parquet', path },
      }),
    );
    return fx.query(
      `SELECT * FROM read_parquet('${join(
        fx.root,
        path,
      )}/*.parquet') ORDER BY ${orderBy}`,
    );
  }

  it('groups rows into tumbling windows aligned on the epoch', async () => {
    const rows = await transform(
      [
        {
          type: 'window',
          window_type: 'tumbling',
          duration: '5 minutes',
          time_column: 'ts',
        },
        {
          type: 'aggregate',
          aggregations: {
            events: 'count',
            total: { function: 'sum', column: 'value' },
          },
        },
      ],
      'window_start',
    );
    expect(rows).toEqual([
      {
        window_start: '2024-01-01 10:00:00',
        window_end: '2024-01-01 10:05:00',
        events: '2',
        total: 3.5,
      },
      {
        window_start: '2024-01-01 10:05:00',
        window_end: '2024-01-01 10:10:00',
        events: '1',
        total: 3,
      },
      {
        window_start: '2024-01-01 10:10:00',
        window_end: '2024-01-01 10:15:00',
        events: '1',
        total: 4,
      },
      {
        window_start: '2024-01-01 10:20:00',
        window_end: '2024-01-01 10:25:00',
        events: '1',
        total: 5,
      },
    ]);
  });

  it('puts each row in every sliding window that covers it', async () => {
    const rows = await transform(
      [
        {
          type: 'window',
          window_type: 'sliding',
          duration: '10 minutes',
          slide: '5 minutes',
          time_column: 'ts',
        },
        { type: 'aggregate', aggregations: { events: 'count' } },
      ],
      'window_start',
    );
    expect(
      rows.map(r => [
        r.window_start.slice(11, 16),
        r.window_end.slice(11, 16),
        Number(r.events),
      ]),
    ).toEqual([
      ['09:55', '10:05', 2],
      ['10:00', '10:10', 3],
      ['10:05', '10:15', 2],
      ['10:10', '10:20', 1],
      ['10:15', '10:25', 1],
      ['10:20', '10:30', 1],
    ]);
  });

  it('closes session windows after a gap of inactivity, per group', async () => {
    const rows = await transform(
      [
        {
          type: 'window',
          window_type: 'session',
          duration: '5 minutes',
          time_column: 'ts',
        },
        {
          type: 'aggregate',
          group_by: ['user_id'],
          aggregations: {
            events: 'count',
            last_value: { function: 'max', column: 'value' },
          },
        },
      ],
      'user_id, window_start',
    );
    expect(
      rows.map(r => [
        r.user_id,
        r.window_start.slice(11, 16),
        r.window_end.slice(11, 16),
        Number(r.events),
        r.last_value,
      ]),
    ).toEqual([
      ['a', '10:00', '10:12', 3, 3],
      ['a', '10:20', '10:25', 1, 5],
      ['b', '10:12', '10:17', 1, 4],
    ]);
  });

  it('deduplicates on keys keeping the first row in order, and renames, casts and derives', async () => {
    const rows = await transform(
      [
        { type: 'dedupe', keys: ['user_id'], order_by: [{ column: 'ts' }] },
        { type: 'rename', columns: { value: 'amount' } },
        { type: 'cast', columns: { amount: 'decimal(10, 2)', id: 'bigint' } },
        {
          type: 'derive',
          column: 'label',
          expression: "concat(upper(user_id), '-', CAST(id AS string))",
        },
        { type: 'derive', column: 'amount', expression: 'amount * 2' },
        { type: 'select', columns: ['id', 'user_id', 'amount', 'label'] },
      ],
      'user_id',
    );
    expect(rows).toEqual([
      { id: '5', user_id: 'a', amount: '10.00', label: 'A-5' },
      { id: '4', user_id: 'b', amount: '8.00', label: 'B-4' },
    ]);
  });

  it('joins another dataset: shared keys once, clashing names suffixed', async () => {
    const rows = await transform(
      [
        { type: 'filter', condition: "event_type = 'click'" },
        { type: 'select', columns: ['id', 'user_id'] },
        {
          type: 'join',
          dataset: { type: 'file', path: 'ref/customers.csv', format: 'csv' },
          keys: ['user_id'],
          join_type: 'full',
        },
      ],
      'user_id, id',
    );
    expect(rows).toEqual([
      { id: '1', user_id: 'a', name: 'Ann', id_right: '100' },
      { id: '3', user_id: 'a', name: 'Ann', id_right: '100' },
      { id: '4', user_id: 'b', name: null, id_right: null },
      { id: null, user_id: 'c', name: 'Cy', id_right: '300' },
    ]);
  });

  it('masks columns by hash, redaction and partial masking', async () => {
    const result = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'raw/events.csv', format: 'csv' },
        transformations: [
          { type: 'filter', condition: 'id IN (1, 4)' },
          { type: 'mask', columns: ['email'], method: 'hash' },
          { type: 'mask', columns: ['phone'], method: 'redact' },
          { type: 'mask', columns: ['card'], method: 'partial' },
          { type: 'rename', columns: { email: 'contact_hash' } },
        ],
        target: { type: 'parquet', path: 'out/masked' },
      }),
    );
    const rows = await fx.query(
      `SELECT id, contact_hash, phone, card FROM read_parquet('${join(
        fx.root,
        'out/masked',
      )}/*.parquet') ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        id: '1',
        contact_hash: createHash('sha256')
          .update('ann@example.com')
          .digest('hex'),
        phone: '[REDACTED]',
        card: '************1111',
      },
      {
        id: '4',
        contact_hash: createHash('sha256')
          .update('bob@example.org')
          .digest('hex'),
        phone: null,
        card: '************0004',
      },
    ]);
    // Masked values no longer look like personal data, whatever the columns are called (names
    // only decide for columns without values).
    expect(result.tables[0].piiColumns).toEqual([]);
  });

  it('reports a wrong column with the transform and the columns that exist', async () => {
    const state = await fx.run({
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/events.csv', format: 'csv' },
      transformations: [
        { type: 'select', columns: ['id', 'value'] },
        { type: 'filter', condition: 'user_id IS NOT NULL' },
      ],
      target: { type: 'parquet', path: 'out/never' },
    });
    expect(state).toMatchObject({
      state: 'failed',
      retryable: false,
      message:
        "transformations[1] (filter): column 'user_id' does not exist; the columns here are id, value",
    });
  });

  it('never lets an expression reach DuckDB as text', async () => {
    // The spec validation refuses this; an engine given it anyway refuses it too, with the
    // same validation, before anything runs.
    const context = fx.context({
      pipeline_type: 'batch',
      source: { type: 'file', path: 'raw/events.csv', format: 'csv' },
      transformations: [{ type: 'filter', condition: 'id > 0' }],
      target: { type: 'parquet', path: 'out/never' },
    });
    (context.spec.transformations[0] as any).condition =
      "1 = 1; COPY (SELECT 1) TO '/tmp/pwned.csv'";
    const { engineRunId } = await fx.engine.submit(context);
    await fx.engine.idle();
    expect(await fx.engine.poll(context, engineRunId)).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(
        /transformations\[0\]\.condition: `;` is not allowed/,
      ),
    });
  });
});
