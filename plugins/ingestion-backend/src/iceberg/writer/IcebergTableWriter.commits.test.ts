import { TestDatabases } from '@backstage/backend-test-utils';
import { basename } from 'node:path';
import {
  createWriterFixture,
  ORDERS,
  ORG,
  WriterFixture,
} from '../__testUtils__/writerFixture';
import { holdCallsUntilAllArrive } from '../__testUtils__/barrier';
import { CommitStateUnknownError } from '../errors';
import { IcebergWriteRequest } from './IcebergTableWriter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/**
 * Commit behaviour: concurrent writers, failures and unknown commit outcomes.
 * Conflicts are forced, not left to timing: a barrier holds every writer's
 * first table load until all writers have loaded the same base.
 */
describe.each(databases.eachSupportedId())(
  'IcebergTableWriter commits on %p',
  databaseId => {
    let f: WriterFixture;

    beforeEach(async () => {
      f = await createWriterFixture(databases, databaseId);
      await f.write({
        query: `SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, name)`,
        runId: 'seed',
      });
    });

    afterEach(async () => {
      jest.restoreAllMocks();
      await f.close();
    });

    /** Runs writes at once, each on its own DuckDB connection. */
    async function writeConcurrently(
      requests: Array<
        Pick<IcebergWriteRequest, 'query' | 'runId'> &
          Partial<IcebergWriteRequest>
      >,
    ) {
      holdCallsUntilAllArrive(f.catalog, 'loadTable', requests.length);
      return Promise.all(
        requests.map(async request =>
          f.write({ ...request, connection: await f.duckdb.connect() }),
        ),
      );
    }

    const currentLocation = () => f.catalog.loadMetadataLocation(ORG, ORDERS);

    it('keeps every snapshot of concurrent appends', async () => {
      const writers = [1, 2, 3, 4, 5];
      const results = await writeConcurrently(
        writers.map(n => ({
          query: `SELECT (${
            n * 10
          } + i)::INTEGER AS id, 'w${n}' AS name FROM range(3) t(i)`,
          runId: `run-${n}`,
        })),
      );

      // All started from the same base: one won at once, the others retried.
      expect(results.filter(r => r.attempts === 1)).toHaveLength(1);
      expect(results.every(r => r.committed)).toBe(true);

      const { metadata } = await f.catalog.loadTable(ORG, ORDERS);
      expect(metadata.snapshots).toHaveLength(1 + writers.length);
      expect(metadata.snapshots.map(s => s['sequence-number'])).toEqual([
        1, 2, 3, 4, 5, 6,
      ]);
      metadata.snapshots.slice(1).forEach((snapshot, i) => {
        expect(snapshot['parent-snapshot-id']).toBe(
          metadata.snapshots[i]['snapshot-id'],
        );
      });
      expect(
        metadata.snapshots.map(s => s.summary['ingestion.run-id']).sort(),
      ).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'seed']);

      const rows = await f.read();
      expect(rows.map(r => r.id)).toEqual([
        1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52,
      ]);
      expect(metadata.snapshots.at(-1)!.summary['total-records']).toBe('17');
      // Lost attempts removed their manifest lists and metadata files.
      expect(await f.unreferencedFiles()).toEqual([]);
    });

    it('re-runs a merge that lost against an append', async () => {
      const [merge, append] = await writeConcurrently([
        {
          query: `SELECT 1 AS id, 'A' AS name`,
          runId: 'merge',
          mode: 'merge',
          mergeKeys: ['id'],
        },
        { query: `SELECT 10 AS id, 'j' AS name`, runId: 'append' },
      ]);

      expect([merge.attempts, append.attempts].sort()).toEqual([1, 2]);
      expect(await f.read()).toEqual([
        { id: 1, name: 'A' },
        { id: 2, name: 'b' },
        { id: 10, name: 'j' },
      ]);
      expect(await f.unreferencedFiles()).toEqual([]);
    });

    it('commits a run once when two writers race with it', async () => {
      const results = await writeConcurrently([
        { query: `SELECT 7 AS id, 'x' AS name`, runId: 'same-run' },
        { query: `SELECT 7 AS id, 'x' AS name`, runId: 'same-run' },
      ]);

      expect(results.map(r => r.committed).sort()).toEqual([false, true]);
      expect(results[0].snapshot['snapshot-id']).toBe(
        results[1].snapshot['snapshot-id'],
      );
      expect((await f.read()).map(r => r.id)).toEqual([1, 2, 7]);
      expect(await f.unreferencedFiles()).toEqual([]);
    });

    // DuckDB removes its partial output itself; the write must not commit.
    it('leaves the table unchanged when DuckDB fails mid-write', async () => {
      const before = await currentLocation();
      const rowsBefore = await f.read();

      await expect(
        f.write({
          query: `SELECT i AS id, 'p' || (i % 7) AS name,
                    CASE WHEN i = 150000 THEN error('boom') ELSE i END AS x
                  FROM range(200000) t(i)`,
          runId: 'failing',
          mode: 'overwrite',
        }),
      ).rejects.toThrow(/boom/);

      expect(await currentLocation()).toBe(before);
      expect(await f.read()).toEqual(rowsBefore);
      expect(await f.unreferencedFiles()).toEqual([]);
    });

    it('leaves the table unchanged when the commit fails', async () => {
      const before = await currentLocation();
      const rowsBefore = await f.read();
      let pending: string[] = [];
      jest.spyOn(f.catalog, 'commitTable').mockImplementationOnce(async () => {
        pending = await f.unreferencedFiles();
        throw new Error('injected before commit');
      });

      await expect(
        f.write({ query: `SELECT 3 AS id, 'c' AS name`, runId: 'r' }),
      ).rejects.toThrow('injected before commit');

      // Data file, manifest, manifest list and metadata file were written…
      expect(pending).toEqual([
        expect.stringMatching(/^data\/.+\.parquet$/),
        expect.stringMatching(/^metadata\/.+-m0\.avro$/),
        expect.stringMatching(/^metadata\/snap-.+\.avro$/),
        'metadata/v2.metadata.json',
      ]);
      // …and removed again; the table did not change.
      expect(await currentLocation()).toBe(before);
      expect(await f.read()).toEqual(rowsBefore);
      expect(await f.unreferencedFiles()).toEqual([]);
    });

    it('recognizes a commit that happened despite an error', async () => {
      const commit = f.catalog.commitTable.bind(f.catalog);
      jest
        .spyOn(f.catalog, 'commitTable')
        .mockImplementationOnce(async (...args) => {
          await commit(...args);
          throw new Error('connection lost after the update');
        });

      const result = await f.write({
        query: `SELECT 3 AS id, 'c' AS name`,
        runId: 'r',
      });

      expect(result.committed).toBe(true);
      expect(await currentLocation()).toBe(result.metadataLocation);
      expect((await f.read()).map(r => r.id)).toEqual([1, 2, 3]);
    });

    it('keeps its files when the commit outcome is unknown', async () => {
      const commit = f.catalog.commitTable.bind(f.catalog);
      jest
        .spyOn(f.catalog, 'commitTable')
        .mockImplementationOnce(async (...args) => {
          await commit(...args);
          jest
            .spyOn(f.catalog, 'loadTable')
            .mockRejectedValue(new Error('database unreachable'));
          throw new Error('connection lost');
        });

      await expect(
        f.write({ query: `SELECT 3 AS id, 'c' AS name`, runId: 'r' }),
      ).rejects.toThrow(CommitStateUnknownError);

      jest.restoreAllMocks();
      // The commit did happen: deleting its files would have broken the table.
      // (version-hint.text was not moved on, so read the catalog's version.)
      const metadataFileName = basename(await currentLocation());
      expect(
        (await f.read(ORDERS, { metadataFileName })).map(r => r.id),
      ).toEqual([1, 2, 3]);
    });
  },
);
