import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  ORG,
  succeeded,
} from './__testUtils__/engineFixture';
import { readDeltaState } from './targets/deltaTarget';

jest.setTimeout(60_000);

const databases = engineTestDatabases();

const BATCH_1 = [
  'id,region,amount,updated_at',
  '1,eu,10,2024-01-01 10:00:00',
  '2,us,20,2024-01-01 11:00:00',
  '3,eu,30,2024-01-01 12:00:00',
].join('\n');
const BATCH_2 = [
  'id,region,amount,updated_at',
  '3,eu,33,2024-01-02 12:00:00',
  '4,ap,40,2024-01-02 13:00:00',
].join('\n');

describe('LocalEngine targets', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await createEngineFixture(databases);
    await fx.writeFile('in/batch1/data.csv', BATCH_1);
    await fx.writeFile('in/batch2/data.csv', BATCH_2);
  });
  afterAll(async () => {
    await fx.close();
  });

  const source = (batch: string) => ({
    type: 'file',
    path: `in/${batch}`,
    format: 'csv',
  });

  const sorted = (rows: Array<Record<string, any>>) =>
    rows.map(r => [Number(r.id), r.region, Number(r.amount)]);

  it('merges into Iceberg tables by key and partitions by identity', async () => {
    const target = {
      type: 'iceberg',
      catalog: 'finance_catalog',
      schema: 'curated',
      table: 'amounts',
      mode: 'merge',
      merge_keys: ['id'],
      partitioning: [{ column: 'region' }],
    };
    succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: source('batch1'),
        target,
      }),
    );
    const merged = succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: source('batch2'),
        target,
      }),
    );
    expect(merged.tables[0].rowCount).toBe(4);
    expect(sorted(await fx.readTable('amounts', 'curated'))).toEqual([
      [1, 'eu', 10],
      [2, 'us', 20],
      [3, 'eu', 33],
      [4, 'ap', 40],
    ]);
    const table = await fx
      .catalog()
      .loadTable(ORG, { namespace: ['curated'], name: 'amounts' });
    expect(table.metadata['partition-specs'][0].fields).toEqual([
      expect.objectContaining({ name: 'region', transform: 'identity' }),
    ]);

    expect(
      await fx.run({
        pipeline_type: 'batch',
        source: source('batch1'),
        target: {
          ...target,
          table: 'by_day',
          mode: 'append',
          merge_keys: undefined,
          partitioning: [{ column: 'updated_at', transform: 'day' }],
        },
      }),
    ).toMatchObject({
      state: 'failed',
      message: expect.stringMatching(/identity only; 'day' on 'updated_at'/),
    });
  });

  it('writes Parquet folders with a commit log: append once per run, overwrite replaces', async () => {
    const folder = join(fx.root, 'export', 'amounts');
    const spec = (mode: string, batch: string) => ({
      pipeline_type: 'batch',
      source: source(batch),
      target: {
        type: 'parquet',
        path: 'export/amounts',
        mode,
        partition_by: ['region'],
      },
    });
    const read = () =>
      fx.query(
        `SELECT * FROM read_parquet('${folder}/*/*.parquet', hive_partitioning = true) ORDER BY id, amount`,
      );
    const first = succeeded(
      await fx.run(spec('append', 'batch1'), { id: 'parquet-run-1' }),
    );
    expect(first.tables[0]).toMatchObject({
      format: 'parquet',
      rowCount: 3,
      location: expect.stringMatching(/^file:\/\/.*\/export\/amounts$/),
    });
    // The same run again (a resubmission): nothing is added.
    const again = succeeded(
      await fx.run(
        spec('append', 'batch1'),
        { id: 'parquet-run-1' },
        fx.newEngine(),
      ),
    );
    expect(again.rowsWritten).toBe(3);
    expect(await read()).toHaveLength(3);

    succeeded(await fx.run(spec('append', 'batch2')));
    expect(sorted(await read())).toEqual([
      [1, 'eu', 10],
      [2, 'us', 20],
      [3, 'eu', 30],
      [3, 'eu', 33],
      [4, 'ap', 40],
    ]);

    const replaced = succeeded(await fx.run(spec('overwrite', 'batch2')));
    expect(replaced.tables[0].rowCount).toBe(2);
    expect(sorted(await read())).toEqual([
      [3, 'eu', 33],
      [4, 'ap', 40],
    ]);
    const log = await fs.readdir(join(folder, '_ingestion_log'));
    expect(log).toHaveLength(3);
  });

  it('writes Delta tables: a transaction log with adds and removes, exactly once per run, merge by keys', async () => {
    const folder = join(fx.root, 'delta', 'amounts');
    const spec = (mode: string, batch: string, extra: object = {}) => ({
      pipeline_type: 'batch',
      source: source(batch),
      target: {
        type: 'delta',
        path: 'delta/amounts',
        mode,
        partition_by: ['region'],
        ...extra,
      },
    });
    /** The live rows, as a Delta reader sees them: only files the log says are live. */
    const live = async () => {
      const state = await readDeltaState(folder);
      const files = [...state.live.keys()].map(p => `'${join(folder, p)}'`);
      return sorted(
        await fx.query(
          `SELECT * FROM read_parquet([${files.join(
            ', ',
          )}]) ORDER BY id, amount`,
        ),
      );
    };

    const first = succeeded(
      await fx.run(spec('append', 'batch1'), { id: 'delta-run-1' }),
    );
    expect(first.tables[0]).toMatchObject({
      format: 'delta',
      snapshotId: '0',
      rowCount: 3,
    });
    succeeded(
      await fx.run(
        spec('append', 'batch1'),
        { id: 'delta-run-1' },
        fx.newEngine(),
      ),
    );
    const log0 = (
      await fs.readFile(
        join(folder, '_delta_log', '00000000000000000000.json'),
        'utf8',
      )
    )
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(log0[0]).toEqual({
      protocol: { minReaderVersion: 1, minWriterVersion: 2 },
    });
    expect(JSON.parse(log0[1].metaData.schemaString).fields).toEqual([
      { name: 'id', type: 'long', nullable: true, metadata: {} },
      { name: 'region', type: 'string', nullable: true, metadata: {} },
      { name: 'amount', type: 'long', nullable: true, metadata: {} },
      { name: 'updated_at', type: 'timestamp', nullable: true, metadata: {} },
    ]);
    expect(log0[1].metaData.partitionColumns).toEqual(['region']);
    const adds = log0.filter(a => a.add).map(a => a.add);
    expect(adds.map(a => a.partitionValues.region).sort()).toEqual([
      'eu',
      'us',
    ]);
    expect(
      adds.every(a => a.path.startsWith(`region=${a.partitionValues.region}/`)),
    ).toBe(true);
    expect(log0.at(-1).commitInfo['ingestion.runId']).toBe('delta-run-1');
    expect(await live()).toEqual([
      [1, 'eu', 10],
      [2, 'us', 20],
      [3, 'eu', 30],
    ]);

    succeeded(await fx.run(spec('merge', 'batch2', { merge_keys: ['id'] })));
    expect(await live()).toEqual([
      [1, 'eu', 10],
      [2, 'us', 20],
      [3, 'eu', 33],
      [4, 'ap', 40],
    ]);
    const state = await readDeltaState(folder);
    expect(state.version).toBe(1);

    const overwritten = succeeded(await fx.run(spec('overwrite', 'batch2')));
    expect(overwritten.tables[0]).toMatchObject({
      snapshotId: '2',
      rowCount: 2,
    });
    expect(await live()).toEqual([
      [3, 'eu', 33],
      [4, 'ap', 40],
    ]);
  });

  it('refuses to write outside the storage through a symbolic link', async () => {
    const outside = await fs.mkdtemp(join(fx.root, '..', 'outside-target-'));
    await fs.symlink(outside, join(fx.root, 'escape'));
    try {
      expect(
        await fx.run({
          pipeline_type: 'batch',
          source: source('batch1'),
          target: { type: 'parquet', path: 'escape/out' },
        }),
      ).toMatchObject({
        state: 'failed',
        message: expect.stringMatching(/outside the organization's storage/),
      });
      expect(await fs.readdir(outside)).toEqual([]);
    } finally {
      await fs.rm(join(fx.root, 'escape'));
      await fs.rm(outside, { recursive: true });
    }
  });
});
