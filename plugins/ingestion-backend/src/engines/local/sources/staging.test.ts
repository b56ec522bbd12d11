import { DuckDBInstance } from '@duckdb/node-api';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunWorkspace } from '../workspace';
import { RowStager } from './staging';

describe('RowStager', () => {
  let instance: DuckDBInstance;
  let folder: string;
  let workspace: RunWorkspace;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    folder = await fs.mkdtemp(join(tmpdir(), 'row-stager-'));
  });
  beforeEach(async () => {
    workspace = await RunWorkspace.open(instance, folder, 'test');
  });
  afterEach(async () => {
    await workspace.close();
  });
  afterAll(async () => {
    instance.closeSync();
    await fs.rm(folder, { recursive: true, force: true });
  });

  const rowsOf = async (sql: string) =>
    (await workspace.connection.runAndReadAll(sql)).getRowsJS();

  it('keeps text exactly: separators, quotes, line breaks, empty strings apart from NULL, any script', async () => {
    const stager = await RowStager.create(workspace, 't', [
      { name: 'id', type: 'INTEGER' },
      { name: 'text', type: 'VARCHAR' },
      { name: 'bytes', type: 'BLOB', fromText: ref => `from_hex(${ref})` },
    ]);
    const texts = [
      'a,b',
      'say "hi"',
      'two\nlines',
      'crlf\r\nend',
      '',
      null,
      'é 漢字 😀',
      '"',
      ',',
      ' padded ',
      'x'.repeat(3_000_000),
    ];
    await stager.append(
      texts.map((text, i) => [i, text, i === 0 ? Buffer.from([0, 255]) : null]),
    );
    await stager.finish();
    expect(stager.rows).toBe(texts.length);
    const rows = await rowsOf('SELECT id, text, hex(bytes) FROM t ORDER BY id');
    expect(rows.map(r => r[1])).toEqual(texts);
    expect(rows[0][2]).toBe('00FF');
    expect(rows[1][2]).toBeNull();
  });

  it('loads a one-column table whose values are NULL', async () => {
    const stager = await RowStager.create(workspace, 't', [
      { name: 'n', type: 'INTEGER' },
    ]);
    await stager.append([[null], [1], [null]]);
    await stager.finish();
    expect(await rowsOf('SELECT count(*), count(n) FROM t')).toEqual([
      [3n, 1n],
    ]);
  });

  it('streams many chunks in order, asking the reader to wait while DuckDB is behind', async () => {
    // 128-byte chunks: hundreds of loads, so the back-pressure path is taken.
    const stager = await RowStager.create(
      workspace,
      't',
      [
        { name: 'id', type: 'BIGINT' },
        { name: 'amount', type: 'DECIMAL(12,2)' },
        { name: 'at', type: 'TIMESTAMP' },
      ],
      128,
    );
    let waits = 0;
    for (let i = 0; i < 1000; i++) {
      const at = `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}.5`;
      if (stager.appendRow([i, `${i}.25`, at])) {
        waits++;
        await stager.ready();
      }
    }
    await stager.finish();
    expect(waits).toBeGreaterThan(0);
    const [[count, ordered, sum]] = await rowsOf(
      `SELECT count(*), bool_and(id = rn - 1), sum(amount)
       FROM (SELECT *, row_number() OVER () AS rn FROM t)`,
    );
    expect(count).toBe(1000n);
    expect(ordered).toBe(true);
    expect(String(sum)).toBe(String((999 * 1000) / 2 + 0.25 * 1000));
  });

  it('reports a value DuckDB cannot convert', async () => {
    const stager = await RowStager.create(workspace, 't', [
      { name: 'n', type: 'INTEGER' },
    ]);
    stager.appendRow(['not a number']);
    await expect(stager.finish()).rejects.toThrow(/not a number/);
  });
});
