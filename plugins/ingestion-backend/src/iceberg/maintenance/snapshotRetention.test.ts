import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  createWriterFixture,
  ORDERS,
  WriterFixture,
} from '../__testUtils__/writerFixture';
import { IcebergSnapshotRetention } from './snapshotRetention';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const DAY = 86_400_000;
const pause = () => new Promise(resolve => setTimeout(resolve, 5));

describe('IcebergSnapshotRetention', () => {
  let f: WriterFixture;

  beforeEach(async () => {
    f = await createWriterFixture(databases, 'SQLITE_3');
  });

  afterEach(async () => {
    await f.close();
  });

  /** Two snapshots of the orders table of `organizationId`. */
  async function twoSnapshots(organizationId: string) {
    for (const runId of ['run-1', 'run-2']) {
      await f.write({
        organizationId,
        query: `SELECT 1::BIGINT AS id, '${organizationId}' AS name`,
        runId,
      });
      await pause();
    }
  }
  const snapshotCount = async (organizationId: string) =>
    (await f.catalog.loadTable(organizationId, ORDERS)).metadata.snapshots
      .length;
  const retention = (organizations: Array<[string, number]>, now: number) =>
    new IcebergSnapshotRetention({
      knex: f.knex,
      logger: mockServices.logger.mock(),
      organizations: () =>
        organizations.map(([id, retentionDays]) => ({
          id,
          quotas: { storage: { retentionDays } },
        })),
      now: () => now,
    });

  it("applies each organization's retention to its own tables only", async () => {
    await twoSnapshots('org-a');
    await twoSnapshots('org-b');
    const pass = await retention(
      [
        ['org-a', 1],
        ['org-b', 30],
      ],
      Date.now() + 3 * DAY,
    ).expire();
    expect(pass).toEqual({
      tables: 2,
      expiredSnapshots: 1,
      deletedFiles: 1,
      conflicts: 0,
      errors: 0,
    });
    expect(await snapshotCount('org-a')).toBe(1);
    expect(await snapshotCount('org-b')).toBe(2);
    // An organization the pass does not name is not touched.
    await twoSnapshots('org-c');
    await retention([['org-a', 1]], Date.now() + 3 * DAY).expire();
    expect(await snapshotCount('org-c')).toBe(2);
  });

  it('deletes metadata files older than the metadata log, and only those', async () => {
    for (const runId of ['run-1', 'run-2', 'run-3', 'run-4']) {
      await f.write({
        organizationId: 'org-a',
        query: `SELECT 1::BIGINT AS id, '${runId}' AS name`,
        runId,
        tableProperties: { 'write.metadata.previous-versions-max': '1' },
      });
    }
    const metadataFiles = async () =>
      (await f.listFiles()).filter(p => p.endsWith('.metadata.json')).sort();
    expect(await metadataFiles()).toHaveLength(4);
    // Nothing is old enough to expire: only the metadata files outside the log go.
    const pass = await retention([['org-a', 365]], Date.now()).expire();
    expect(pass).toMatchObject({ expiredSnapshots: 0, deletedFiles: 2 });
    const { metadata, metadataLocation } = await f.catalog.loadTable(
      'org-a',
      ORDERS,
    );
    expect(await metadataFiles()).toEqual(
      [metadata['metadata-log'][0]['metadata-file'], metadataLocation]
        .map(l => l.slice(l.indexOf('metadata/')))
        .sort(),
    );
    expect(await f.unreferencedFiles()).toEqual([]);
    expect(await f.read()).toHaveLength(4);
  });

  it('never expires snapshots younger than a day', async () => {
    await twoSnapshots('org-a');
    const pass = await retention([['org-a', 0]], Date.now() + DAY / 2).expire();
    expect(pass.expiredSnapshots).toBe(0);
    expect(await snapshotCount('org-a')).toBe(2);
  });
});
