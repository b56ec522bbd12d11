import { TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  createWriterFixture,
  ORDERS,
  ORG,
  WriterFixture,
} from '../__testUtils__/writerFixture';
import { holdCallsUntilAllArrive } from '../__testUtils__/barrier';
import { describeTable } from '../describeTable';
import { UnsupportedColumnTypeError } from '../errors';
import { toLocalPath } from '../io/localFiles';
import { readLiveDataFiles, readManifestList } from '../metadata/manifests';
import { currentSnapshot } from '../metadata/tableMetadata';
import { quoteLiteral } from './sql';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('IcebergTableWriter', () => {
  let f: WriterFixture;

  beforeEach(async () => {
    f = await createWriterFixture(databases, 'SQLITE_3');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await f.close();
  });

  const loadMetadata = async () =>
    (await f.catalog.loadTable(ORG, ORDERS)).metadata;

  it('appends twice', async () => {
    const first = await f.write({
      query: `SELECT i::BIGINT AS id, 'a' || i AS name FROM range(1, 4) t(i)`,
      runId: 'run-1',
    });
    const second = await f.write({
      query: `SELECT 10::BIGINT AS id, 'b' AS name`,
      runId: 'run-2',
    });

    expect(await f.read()).toEqual([
      { id: 1n, name: 'a1' },
      { id: 2n, name: 'a2' },
      { id: 3n, name: 'a3' },
      { id: 10n, name: 'b' },
    ]);
    expect(second.snapshot['parent-snapshot-id']).toBe(
      first.snapshot['snapshot-id'],
    );
    expect(second.snapshot['sequence-number']).toBe(2);
    expect(second.snapshot.summary).toMatchObject({
      operation: 'append',
      'ingestion.run-id': 'run-2',
      'added-data-files': '1',
      'added-records': '1',
      'total-data-files': '2',
      'total-records': '4',
    });
    const metadata = await loadMetadata();
    expect(metadata['current-snapshot-id']).toBe(
      second.snapshot['snapshot-id'],
    );
    expect(metadata.refs.main['snapshot-id']).toBe(
      second.snapshot['snapshot-id'],
    );
    expect(metadata['snapshot-log']).toHaveLength(2);
    // The table was created with its first snapshot: no empty version.
    expect(metadata['metadata-log'].map(e => e['metadata-file'])).toEqual([
      first.metadataLocation,
    ]);
    expect(first.metadataLocation).toMatch(/\/v1\.metadata\.json$/);
    expect(second.metadataLocation).toMatch(
      /^file:\/\/\/.*\/v2\.metadata\.json$/,
    );
    const hint = join(
      toLocalPath(metadata.location),
      'metadata/version-hint.text',
    );
    expect(await fs.readFile(hint, 'utf8')).toBe('2');
  });

  it('overwrites all rows', async () => {
    await f.write({
      query: `SELECT 1::BIGINT AS id, 'old' AS name`,
      runId: 'r1',
    });
    await f.write({
      query: `SELECT 2::BIGINT AS id, 'old' AS name`,
      runId: 'r2',
    });
    const result = await f.write({
      query: `SELECT 3::BIGINT AS id, 'new' AS name`,
      runId: 'r3',
      mode: 'overwrite',
    });

    expect(await f.read()).toEqual([{ id: 3n, name: 'new' }]);
    expect(result.snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'ingestion.write-mode': 'overwrite',
      'added-data-files': '1',
      'deleted-data-files': '2',
      'deleted-records': '2',
      'total-data-files': '1',
      'total-records': '1',
    });
    // The previous snapshot still reads the old rows.
    expect(
      await f.read(ORDERS, { metadataFileName: 'v2.metadata.json' }),
    ).toEqual([
      { id: 1n, name: 'old' },
      { id: 2n, name: 'old' },
    ]);
  });

  it('merges by keys, rewriting only files with matching keys', async () => {
    await f.write({
      query: `SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, name)`,
      runId: 'r1',
    });
    await f.write({
      query: `SELECT * FROM (VALUES (3, 'c'), (NULL, 'no key')) t(id, name)`,
      runId: 'r2',
    });
    const result = await f.write({
      query: `SELECT * FROM (VALUES (2, 'B'), (4, 'D'), (NULL, 'new no key')) t(id, name)`,
      runId: 'r3',
      mode: 'merge',
      mergeKeys: ['id'],
    });

    expect(await f.read()).toEqual([
      { id: null, name: 'new no key' },
      { id: 1, name: 'a' },
      { id: 2, name: 'B' },
      { id: 3, name: 'c' },
      { id: 4, name: 'D' },
    ]);
    // Both earlier files hold a matching key (2, NULL): both are replaced by
    // one file with their other rows and the input.
    expect(result.snapshot.summary).toMatchObject({
      operation: 'overwrite',
      'ingestion.write-mode': 'merge',
      'deleted-data-files': '2',
      'deleted-records': '4',
      'added-records': '5',
      'total-records': '5',
    });

    const again = await f.write({
      query: `SELECT 1 AS id, 'A' AS name`,
      runId: 'r4',
      mode: 'merge',
      mergeKeys: ['id'],
    });
    expect(again.snapshot.summary).toMatchObject({
      'deleted-data-files': '1',
      'deleted-records': '5',
      'added-records': '5',
      'total-data-files': '1',
    });
    expect((await f.read()).map(r => r.name)).toEqual([
      'new no key',
      'A',
      'B',
      'c',
      'D',
    ]);
  });

  it('keeps files without matching keys when merging', async () => {
    const first = await f.write({
      query: `SELECT 1 AS id, 'a' AS name`,
      runId: 'r1',
    });
    await f.write({ query: `SELECT 2 AS id, 'b' AS name`, runId: 'r2' });
    const result = await f.write({
      query: `SELECT 2 AS id, 'B' AS name`,
      runId: 'r3',
      mode: 'merge',
      mergeKeys: ['id'],
    });

    expect(result.snapshot.summary).toMatchObject({
      'deleted-data-files': '1',
      'deleted-records': '1',
      'added-data-files': '1',
      'total-data-files': '2',
    });
    const live = await readLiveDataFiles(result.snapshot['manifest-list']);
    const firstFile = (
      await readLiveDataFiles(first.snapshot['manifest-list'])
    )[0];
    expect(live.map(l => l.entry.dataFile.path)).toContain(
      firstFile.entry.dataFile.path,
    );
    expect(await f.read()).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'B' },
    ]);
  });

  it('writes identity-partitioned tables', async () => {
    const result = await f.write({
      query: `SELECT * FROM (VALUES
        (1, 'eu', DATE '2024-01-01'), (2, 'us', DATE '2024-01-01'),
        (3, 'eu', DATE '2024-01-02'), (4, NULL, DATE '2024-01-02')
      ) t(id, region, day)`,
      runId: 'r1',
      partitionBy: ['region', 'day'],
    });

    const metadata = await loadMetadata();
    expect(metadata['partition-specs']).toEqual([
      {
        'spec-id': 0,
        fields: [
          {
            name: 'region',
            transform: 'identity',
            'source-id': 2,
            'field-id': 1000,
          },
          {
            name: 'day',
            transform: 'identity',
            'source-id': 3,
            'field-id': 1001,
          },
        ],
      },
    ]);
    expect(metadata['last-partition-id']).toBe(1001);
    expect(result.snapshot.summary['added-data-files']).toBe('4');
    expect(result.snapshot.summary['changed-partition-count']).toBe('4');

    const live = await readLiveDataFiles(result.snapshot['manifest-list']);
    expect(live.map(l => l.entry.dataFile.partition).sort()).toEqual(
      [
        ['eu', 19723],
        ['eu', 19724],
        ['us', 19723],
        [null, 19724],
      ].sort(),
    );
    const [manifest] = await readManifestList(result.snapshot['manifest-list']);
    expect(manifest.partitions![0]).toEqual({
      contains_null: true,
      contains_nan: null,
      lower_bound: Buffer.from('eu'),
      upper_bound: Buffer.from('us'),
    });
    expect(await f.listFiles()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^data\/region=eu\/day=2024-01-01\/[0-9a-f-]+\.parquet$/,
        ),
        expect.stringMatching(
          /^data\/region=null\/day=2024-01-02\/[0-9a-f-]+\.parquet$/,
        ),
      ]),
    );

    await f.write({
      query: `SELECT 5 AS id, 'us' AS region, DATE '2024-01-03' AS day`,
      runId: 'r2',
    });
    expect(await f.read()).toEqual([
      { id: 1, region: 'eu', day: new Date('2024-01-01') },
      { id: 2, region: 'us', day: new Date('2024-01-01') },
      { id: 3, region: 'eu', day: new Date('2024-01-02') },
      { id: 4, region: null, day: new Date('2024-01-02') },
      { id: 5, region: 'us', day: new Date('2024-01-03') },
    ]);
    await expect(
      f.write({ query: `SELECT 6 AS id`, runId: 'r3', partitionBy: ['id'] }),
    ).rejects.toThrow(InputError);
  });

  it('evolves the schema: new columns get new ids, missing ones are null', async () => {
    await f.write({ query: `SELECT 1 AS id, 'a' AS name`, runId: 'r1' });
    await f.write({
      query: `SELECT 2::BIGINT AS id, 'b' AS name, 2.5::DOUBLE AS score`,
      runId: 'r2',
    });
    await f.write({
      query: `SELECT 3::SMALLINT AS id, 3.5::DOUBLE AS score`,
      runId: 'r3',
    });

    const metadata = await loadMetadata();
    expect(metadata.schemas.map(s => s['schema-id'])).toEqual([0, 1]);
    expect(metadata['current-schema-id']).toBe(1);
    expect(metadata['last-column-id']).toBe(3);
    expect(metadata.schemas[1].fields).toEqual([
      // BIGINT input promoted the INTEGER column; SMALLINT input is cast.
      { id: 1, name: 'id', required: false, type: 'long' },
      { id: 2, name: 'name', required: false, type: 'string' },
      { id: 3, name: 'score', required: false, type: 'double' },
    ]);
    expect((await f.read()).map(r => ({ ...r, id: Number(r.id) }))).toEqual([
      { id: 1, name: 'a', score: null },
      { id: 2, name: 'b', score: 2.5 },
      { id: 3, name: null, score: 3.5 },
    ]);
    await expect(
      f.write({ query: `SELECT 'text' AS id`, runId: 'r4' }),
    ).rejects.toThrow(UnsupportedColumnTypeError);
  });

  it('travels back in time by metadata file', async () => {
    await f.write({ query: `SELECT 1 AS id`, runId: 'r1' });
    await f.write({ query: `SELECT 2 AS id`, runId: 'r2' });
    await f.write({ query: `SELECT 3 AS id`, runId: 'r3', mode: 'overwrite' });

    const read = (v: number) =>
      f.read(ORDERS, { metadataFileName: `v${v}.metadata.json` });
    expect(await read(1)).toEqual([{ id: 1 }]);
    expect(await read(2)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await read(3)).toEqual([{ id: 3 }]);
  });

  it('writes every supported type', async () => {
    await f.connection.run(`CREATE TYPE mood AS ENUM ('happy', 'sad')`);
    const query = `SELECT
      1::BIGINT AS id, true AS b, 1::TINYINT AS i8, 2::SMALLINT AS i16,
      3::INTEGER AS i32, 4::UTINYINT AS u8, 5::USMALLINT AS u16, 6::UINTEGER AS u32,
      1.5::FLOAT AS f32, 2.25::DOUBLE AS f64, 12345.67::DECIMAL(10,2) AS dec,
      DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 12:34:56.789' AS ts,
      TIMESTAMP_S '2024-02-29 12:34:56' AS ts_s, TIMESTAMP_MS '2024-02-29 12:34:56.789' AS ts_ms,
      TIMESTAMPTZ '2024-02-29 12:34:56.789+00' AS tstz, 'héllo' AS s,
      '{"a":1}'::JSON AS j, 'happy'::mood AS e, '\\xAA\\x00'::BLOB AS bin
    UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`;
    const write = await f.write({ query, runId: 'r1' });

    const fields = (await loadMetadata()).schemas[0].fields;
    expect(Object.fromEntries(fields.map(x => [x.name, x.type]))).toEqual({
      id: 'long',
      b: 'boolean',
      i8: 'int',
      i16: 'int',
      i32: 'int',
      u8: 'int',
      u16: 'int',
      u32: 'long',
      f32: 'float',
      f64: 'double',
      dec: 'decimal(10,2)',
      d: 'date',
      ts: 'timestamp',
      ts_s: 'timestamp',
      ts_ms: 'timestamp',
      tstz: 'timestamptz',
      s: 'string',
      j: 'string',
      e: 'string',
      bin: 'binary',
    });
    const [full, empty] = await f.read();
    expect(full).toEqual({
      id: 1n,
      b: true,
      i8: 1,
      i16: 2,
      i32: 3,
      u8: 4,
      u16: 5,
      u32: 6n,
      f32: 1.5,
      f64: 2.25,
      dec: expect.closeTo(12345.67, 6),
      d: new Date('2024-02-29'),
      // icebird reads timestamps as millisecond Dates.
      ts: new Date('2024-02-29T12:34:56.789Z'),
      ts_s: new Date('2024-02-29T12:34:56Z'),
      ts_ms: new Date('2024-02-29T12:34:56.789Z'),
      tstz: new Date('2024-02-29T12:34:56.789Z'),
      s: 'héllo',
      j: '{"a":1}',
      e: 'happy',
      // icebird (hyparquet) decodes unannotated byte arrays as UTF-8.
      bin: Buffer.from([0xaa, 0x00]).toString('utf8'),
    });
    expect(Object.entries(empty).filter(([, v]) => v !== null)).toEqual([
      ['id', 2n],
    ]);

    // The Parquet file carries the exact bytes and every Iceberg field id.
    const [file] = await readLiveDataFiles(write.snapshot['manifest-list']);
    const path = quoteLiteral(toLocalPath(file.entry.dataFile.path));
    const bytes = await f.connection.runAndReadAll(
      `SELECT bin FROM read_parquet(${path}) WHERE id = 1`,
    );
    expect(Buffer.from(bytes.getRowsJS()[0][0] as Uint8Array)).toEqual(
      Buffer.from([0xaa, 0x00]),
    );
    const parquetSchema = await f.connection.runAndReadAll(
      `SELECT name, field_id FROM parquet_schema(${path}) WHERE field_id IS NOT NULL`,
    );
    expect(
      parquetSchema.getRowObjectsJS().map(r => [r.name, Number(r.field_id)]),
    ).toEqual(fields.map(x => [x.name, x.id]));
  });

  it.each([
    ['HUGEINT', `1::HUGEINT`, /cast it to BIGINT or DECIMAL\(38,0\)/],
    ['TIMESTAMP_NS', `TIMESTAMP_NS '2024-01-01'`, /cast it to TIMESTAMP/],
    ['TIME', `TIME '12:00'`, /cast it to VARCHAR/],
    ['UUID', `uuid()`, /cast it to VARCHAR/],
    ['INTEGER[]', `[1, 2]`, /nested types are not supported/],
    ['STRUCT', `{'a': 1}`, /nested types are not supported/],
  ])(
    'rejects %s columns with a clear error',
    async (_type, expression, hint) => {
      const write = f.write({
        query: `SELECT ${expression} AS x`,
        runId: 'r1',
      });
      await expect(write).rejects.toThrow(UnsupportedColumnTypeError);
      await expect(write).rejects.toThrow(hint);
      expect(await f.catalog.tableExists(ORG, ORDERS)).toBe(false);
    },
  );

  it('commits empty inputs as snapshots without files', async () => {
    const empty = await f.write({
      query: `SELECT 1 AS id WHERE false`,
      runId: 'r1',
    });
    expect(empty.snapshot.summary).toMatchObject({
      operation: 'append',
      'added-data-files': '0',
      'total-records': '0',
    });
    expect(await f.listFiles()).not.toContainEqual(
      expect.stringMatching(/^data\//),
    );

    await f.write({ query: `SELECT 1 AS id`, runId: 'r2' });
    expect(await f.read()).toEqual([{ id: 1 }]);
    const cleared = await f.write({
      query: `SELECT 1 AS id WHERE false`,
      runId: 'r3',
      mode: 'overwrite',
    });
    expect(cleared.snapshot.summary).toMatchObject({
      'deleted-data-files': '1',
      'total-data-files': '0',
      'total-records': '0',
    });
    // icebird refuses snapshots without data files instead of returning [].
    await expect(f.read()).rejects.toThrow(/No data manifest files/);
    const description = await describeTable(f.catalog, ORG, ORDERS);
    expect(description.rowCount).toBe(0);
  });

  it('creates no table when the first write fails', async () => {
    await expect(
      f.write({
        query: `SELECT CASE WHEN i = 5 THEN error('boom') ELSE i END AS id FROM range(10) t(i)`,
        runId: 'r1',
      }),
    ).rejects.toThrow(/boom/);
    jest
      .spyOn(f.catalog, 'registerTable')
      .mockRejectedValueOnce(new Error('injected'));
    await expect(
      f.write({ query: `SELECT 1 AS id`, runId: 'r1' }),
    ).rejects.toThrow('injected');

    expect(await f.catalog.tableExists(ORG, ORDERS)).toBe(false);
    expect(await fs.readdir(join(f.root, 'sales'))).toEqual([]);
  });

  it('creates a table once when writers race to create it', async () => {
    holdCallsUntilAllArrive(f.catalog, 'loadTable', 2);
    const results = await Promise.all(
      [1, 2].map(async id =>
        f.write({
          query: `SELECT ${id} AS id`,
          runId: `r${id}`,
          connection: await f.duckdb.connect(),
        }),
      ),
    );

    // Both staged a new table; the second to register appended instead.
    expect(results.map(r => r.attempts).sort()).toEqual([1, 2]);
    expect(await f.read()).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await fs.readdir(join(f.root, 'sales'))).toHaveLength(1);
    expect(await f.unreferencedFiles()).toEqual([]);
  });

  it('commits each run once', async () => {
    const first = await f.write({ query: `SELECT 1 AS id`, runId: 'run-1' });
    const again = await f.write({ query: `SELECT 2 AS id`, runId: 'run-1' });

    expect(again.committed).toBe(false);
    expect(again.snapshot).toEqual(first.snapshot);
    expect(again.metadataLocation).toBe(first.metadataLocation);
    expect((await loadMetadata()).snapshots).toHaveLength(1);
    expect(await f.read()).toEqual([{ id: 1 }]);
  });

  it('rejects merges without usable keys', async () => {
    await expect(
      f.write({ query: `SELECT 1 AS id`, runId: 'r1', mode: 'merge' }),
    ).rejects.toThrow(InputError);
    await expect(
      f.write({
        query: `SELECT 1 AS id`,
        runId: 'r1',
        mode: 'merge',
        mergeKeys: ['nope'],
      }),
    ).rejects.toThrow(/Merge key 'nope'/);
  });

  it('describes tables from metadata', async () => {
    await f.write({
      query: `SELECT i AS id, i % 2 = 0 AS even FROM range(10) t(i)`,
      runId: 'r1',
      partitionBy: ['even'],
      tableProperties: { owner: 'team-a' },
    });
    await f.write({
      query: `SELECT 20 AS id, true AS even, 'x' AS extra`,
      runId: 'r2',
    });

    const description = await describeTable(f.catalog, ORG, ORDERS);
    const dataFiles = (await f.listFiles()).filter(p => p.startsWith('data/'));
    const folder = toLocalPath(description.location);
    const sizes = await Promise.all(
      dataFiles.map(async p => (await fs.stat(join(folder, p))).size),
    );
    expect(description).toMatchObject({
      identifier: ORDERS,
      formatVersion: 2,
      rowCount: 11,
      dataFileCount: 3,
      sizeInBytes: sizes.reduce((a, b) => a + b, 0),
      properties: expect.objectContaining({ owner: 'team-a' }),
      partitionSpec: {
        'spec-id': 0,
        fields: [expect.objectContaining({ name: 'even' })],
      },
    });
    expect(description.schema.fields.map(x => x.name)).toEqual([
      'id',
      'even',
      'extra',
    ]);
    expect(description.schemas).toHaveLength(2);
    expect(description.snapshots.map(s => [s.operation, s.runId])).toEqual([
      ['append', 'r1'],
      ['append', 'r2'],
    ]);
    expect(description.currentSnapshotId).toBe(
      description.snapshots[1].snapshotId,
    );
    expect(currentSnapshot(await loadMetadata())?.['snapshot-id']).toBe(
      description.currentSnapshotId,
    );
  });
});
