import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamCheckpoint } from './checkpoint';
import { schemaConflicts, widensTo } from './streamFiles';

describe('StreamCheckpoint', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await fs.mkdtemp(join(tmpdir(), 'stream-checkpoint-'));
  });
  afterEach(async () => {
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('remembers planned files and the batch left unfinished, across reopening', async () => {
    const first = await StreamCheckpoint.open(folder);
    const zero = await first.plan(['in/a.csv'], 'run-1');
    await first.commit({
      batchId: zero.batchId,
      committedAt: 'now',
      rowsRead: 1,
      rowsWritten: 1,
    });
    await first.plan(['in/b.csv', 'in/c.csv'], 'run-1');

    const reopened = await StreamCheckpoint.open(folder);
    expect(
      ['in/a.csv', 'in/b.csv', 'in/c.csv', 'in/d.csv'].map(f =>
        reopened.isTaken(f),
      ),
    ).toEqual([true, true, true, false]);
    expect(reopened.committedBatches).toBe(1);
    expect(reopened.unfinished()).toMatchObject({
      batchId: 1,
      commitKey: 'run-1#1',
      files: ['in/b.csv', 'in/c.csv'],
    });
    // A later run numbers on, keying its commits with its own id.
    expect((await reopened.plan(['in/d.csv'], 'run-2')).commitKey).toBe(
      'run-2#2',
    );
  });

  it('refuses to plan a batch another writer planned first', async () => {
    const one = await StreamCheckpoint.open(folder);
    const two = await StreamCheckpoint.open(folder);
    await one.plan(['a'], 'run-1');
    await expect(two.plan(['b'], 'run-2')).rejects.toThrow(
      'two runs are streaming into the same checkpoint',
    );
  });

  it('keeps the first schema it is given', async () => {
    const checkpoint = await StreamCheckpoint.open(folder);
    await checkpoint.saveSchema({ id: 'bigint' });
    await checkpoint.saveSchema({ id: 'string' });
    expect((await StreamCheckpoint.open(folder)).schema).toEqual({
      id: 'bigint',
    });
  });
});

describe('schemaConflicts', () => {
  it.each([
    ['int', 'bigint', true],
    ['bigint', 'int', false],
    ['double', 'bigint', false],
    ['bigint', 'double', false],
    ['int', 'double', true],
    ['float', 'double', true],
    ['date', 'timestamp', true],
    ['timestamp', 'date', false],
    ['boolean', 'string', true],
    ['bigint', 'decimal(38, 0)', true],
    ['bigint', 'decimal(18, 2)', false],
    ['decimal(10, 2)', 'decimal(12, 3)', true],
    ['decimal(10, 2)', 'decimal(10, 3)', false],
  ])('%s fits a %s column: %s', (from, to, fits) => {
    expect(widensTo(from, to)).toBe(fits);
  });

  it('names each column that does not fit, ignoring new columns', () => {
    expect(
      schemaConflicts(
        { id: 'bigint', amount: 'bigint', day: 'date' },
        { id: 'int', amount: 'double', day: 'date', extra: 'string' },
      ),
    ).toEqual(["amount reads as double, the stream's schema says bigint"]);
  });
});
