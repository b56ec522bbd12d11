import { TestDatabases } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import {
  createWriterFixture,
  ORDERS,
  ORG,
  WriterFixture,
} from '../__testUtils__/writerFixture';
import { CommitConflictError } from '../errors';
import { toLocalPath } from '../io/localFiles';
import { readLiveDataFiles } from '../metadata/manifests';
import { currentSnapshot } from '../metadata/tableMetadata';
import { expireSnapshots } from './expireSnapshots';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const pause = () => new Promise(resolve => setTimeout(resolve, 5));
const exists = (location: string) =>
  fs.access(toLocalPath(location)).then(
    () => true,
    () => false,
  );

describe('expireSnapshots', () => {
  let f: WriterFixture;

  beforeEach(async () => {
    f = await createWriterFixture(databases, 'SQLITE_3');
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await f.close();
  });

  const load = () => f.catalog.loadTable(ORG, ORDERS);

  it('drops old snapshots and the files only they read; the current data stays readable', async () => {
    await f.write({
      query: `SELECT i::BIGINT AS id, 'a' || i AS name FROM range(1, 4) t(i)`,
      runId: 'run-1',
    });
    await pause();
    await f.write({
      query: `SELECT 10::BIGINT AS id, 'b' AS name`,
      runId: 'run-2',
    });
    await pause();
    const overwrite = await f.write({
      query: `SELECT i::BIGINT AS id, 'c' || i AS name FROM range(100, 102) t(i)`,
      runId: 'run-3',
      mode: 'overwrite',
    });
    const before = await load();
    const [s1, s2] = before.metadata.snapshots;
    const oldFiles = [
      ...new Set(
        (
          await Promise.all(
            [s1, s2].map(s => readLiveDataFiles(s['manifest-list'])),
          )
        )
          .flat()
          .map(d => d.entry.dataFile.path),
      ),
    ];
    const currentFiles = (
      await readLiveDataFiles(overwrite.snapshot['manifest-list'])
    ).map(d => d.entry.dataFile.path);
    expect(oldFiles).toHaveLength(2);

    const result = await expireSnapshots({
      catalog: f.catalog,
      organizationId: ORG,
      table: ORDERS,
      olderThanMs: overwrite.snapshot['timestamp-ms'],
    });

    expect(result.expiredSnapshotIds.sort()).toEqual(
      [s1['snapshot-id'], s2['snapshot-id']].sort(),
    );
    const after = await load();
    expect(after.metadataLocation).toBe(result.metadataLocation);
    expect(after.metadata.snapshots.map(s => s['snapshot-id'])).toEqual([
      overwrite.snapshot['snapshot-id'],
    ]);
    expect(currentSnapshot(after.metadata)?.['snapshot-id']).toBe(
      overwrite.snapshot['snapshot-id'],
    );
    expect(after.metadata['snapshot-log']).toEqual([
      {
        'snapshot-id': overwrite.snapshot['snapshot-id'],
        'timestamp-ms': overwrite.snapshot['timestamp-ms'],
      },
    ]);
    expect(after.metadata['metadata-log'].at(-1)?.['metadata-file']).toBe(
      before.metadataLocation,
    );

    // An independent reader (icebird) reads the current data as before.
    expect(await f.read()).toEqual([
      { id: 100n, name: 'c100' },
      { id: 101n, name: 'c101' },
    ]);
    // The overwritten rows' files and the old manifest lists are gone, the current ones are not.
    for (const file of oldFiles) expect(await exists(file)).toBe(false);
    for (const file of currentFiles) expect(await exists(file)).toBe(true);
    for (const s of [s1, s2]) {
      expect(await exists(s['manifest-list'])).toBe(false);
    }
    expect(result.deletedFiles).toEqual(expect.arrayContaining(oldFiles));
    // Nothing is left that the table does not reference.
    expect(await f.unreferencedFiles()).toEqual([]);

    // A second pass finds nothing more to expire.
    expect(
      await expireSnapshots({
        catalog: f.catalog,
        organizationId: ORG,
        table: ORDERS,
        olderThanMs: Date.now() + 1000,
      }),
    ).toEqual({ expiredSnapshotIds: [], deletedFiles: [] });
  });

  it('keeps the data files of appends the current snapshot still reads', async () => {
    for (const [i, runId] of ['run-1', 'run-2', 'run-3'].entries()) {
      await f.write({
        query: `SELECT ${i + 1}::BIGINT AS id, 'r${i + 1}' AS name`,
        runId,
      });
      await pause();
    }
    const before = await load();
    const current = currentSnapshot(before.metadata)!;
    const result = await expireSnapshots({
      catalog: f.catalog,
      organizationId: ORG,
      table: ORDERS,
      olderThanMs: current['timestamp-ms'],
    });
    expect(result.expiredSnapshotIds).toHaveLength(2);
    // Only the two old manifest lists: every data file and manifest is still read.
    expect(result.deletedFiles.sort()).toEqual(
      before.metadata.snapshots
        .slice(0, 2)
        .map(s => s['manifest-list'])
        .sort(),
    );
    expect(await f.read()).toEqual([
      { id: 1n, name: 'r1' },
      { id: 2n, name: 'r2' },
      { id: 3n, name: 'r3' },
    ]);
    expect(await f.unreferencedFiles()).toEqual([]);
  });

  it('keeps the newest snapshots asked for, and the current one whatever its age', async () => {
    for (const runId of ['run-1', 'run-2']) {
      await f.write({ query: `SELECT 1::BIGINT AS id, 'x' AS name`, runId });
      await pause();
    }
    const far = Date.now() + 60_000;
    expect(
      (
        await expireSnapshots({
          catalog: f.catalog,
          organizationId: ORG,
          table: ORDERS,
          olderThanMs: far,
          minSnapshotsToKeep: 2,
        })
      ).expiredSnapshotIds,
    ).toEqual([]);
    const result = await expireSnapshots({
      catalog: f.catalog,
      organizationId: ORG,
      table: ORDERS,
      olderThanMs: far,
    });
    expect(result.expiredSnapshotIds).toHaveLength(1);
    expect((await load()).metadata.snapshots).toHaveLength(1);
  });

  it('deletes nothing when the table changed meanwhile', async () => {
    for (const runId of ['run-1', 'run-2']) {
      await f.write({ query: `SELECT 1::BIGINT AS id, 'x' AS name`, runId });
      await pause();
    }
    const before = await load();
    const filesBefore = await f.listFiles();
    jest
      .spyOn(f.catalog, 'commitTable')
      .mockRejectedValueOnce(new CommitConflictError('changed'));
    await expect(
      expireSnapshots({
        catalog: f.catalog,
        organizationId: ORG,
        table: ORDERS,
        olderThanMs: Date.now() + 60_000,
      }),
    ).rejects.toBeInstanceOf(CommitConflictError);
    expect(await f.listFiles()).toEqual(filesBefore);
    expect((await load()).metadataLocation).toBe(before.metadataLocation);
  });
});
