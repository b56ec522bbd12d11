import type { EngineRunContext } from '@ingestion-for-backstage/plugin-ingestion-node';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  ORG,
  succeeded,
} from '../__testUtils__/engineFixture';
import { LocalEngine } from '../LocalEngine';

jest.setTimeout(60_000);

type Json = Record<string, any>;

const databases = engineTestDatabases();

/** A continuous stream of CSV files from `landing/<name>` into the Iceberg table `<name>`. */
const streamSpec = (name: string, extra: Json = {}): Json => ({
  pipeline_type: 'streaming',
  trigger: { interval: '1 second' },
  source: {
    type: 'file',
    path: `landing/${name}`,
    format: 'csv',
    max_files_per_trigger: 1,
  },
  transformations: [{ type: 'filter', condition: 'amount > 0' }],
  target: {
    type: 'iceberg',
    catalog: 'finance_catalog',
    schema: 'analytics',
    table: name,
    checkpoint: `_checkpoints/${name}`,
  },
  data_quality: [
    { type: 'completeness', columns: ['customer_id'], severity: 'drop' },
  ],
  ...extra,
});

const csv = (rows: Array<[number, string, number]>) =>
  ['id,customer_id,amount', ...rows.map(r => r.join(','))].join('\n');

/** Waits for `check` to hold; the test's own timeout bounds the wait. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(100);
}

describe('LocalEngine streaming (files arriving in a folder)', () => {
  let fx: EngineFixture;

  beforeAll(async () => {
    fx = await createEngineFixture(databases);
  });
  afterAll(async () => {
    await fx.close();
  });

  const snapshots = async (table: string) => {
    try {
      const { metadata } = await fx
        .catalog()
        .loadTable(ORG, { namespace: ['analytics'], name: table });
      return metadata.snapshots;
    } catch {
      return [];
    }
  };
  const ids = async (table: string) =>
    (await fx.readTable(table)).map(row => Number(row.id));
  const checkpointFiles = async (name: string, log: 'offsets' | 'commits') =>
    (await fs.readdir(join(fx.root, '_checkpoints', name, log))).filter(file =>
      /^\d+$/.test(file),
    );

  /** Writes a file under a hidden name and renames it, as a well-behaved producer does. */
  const arrive = async (path: string, content: string) => {
    const hidden = path.replace(/([^/]+)$/, '_$1.tmp');
    await fx.writeFile(hidden, content);
    await fs.rename(join(fx.root, hidden), join(fx.root, path));
  };

  async function start(
    spec: Json,
    engine: LocalEngine = fx.engine,
    run: Partial<EngineRunContext['run']> = {},
  ) {
    const context = fx.context(spec, run);
    const { engineRunId } = await engine.submit(context);
    return {
      context,
      poll: () => engine.poll(context, engineRunId),
      cancel: async () => {
        await engine.cancel(context, engineRunId);
        await engine.idle();
        return engine.poll(context, engineRunId);
      },
    };
  }

  it('commits one snapshot per micro-batch, reads each file once, stays running and stops when cancelled', async () => {
    await arrive(
      'landing/tx/a.csv',
      csv([
        [1, 'c1', 10],
        [2, 'c1', -1],
        [3, 'c2', 5],
      ]),
    );
    const stream = await start(streamSpec('tx'));
    await until(async () => (await snapshots('tx')).length === 1);
    expect(await ids('tx')).toEqual([1, 3]);
    expect(await stream.poll()).toEqual({ state: 'running' });

    // Two files at once: one micro-batch each (max_files_per_trigger 1), oldest first.
    await arrive('landing/tx/b.csv', csv([[4, 'c3', 7]]));
    await arrive('landing/tx/c.csv', csv([[5, 'c3', 8]]));
    await until(async () => (await snapshots('tx')).length === 3);
    // A file arriving later is the next micro-batch.
    await arrive('landing/tx/d.csv', 'id,customer_id,amount\n6,,9\n7,c4,2\n');
    await until(async () => (await snapshots('tx')).length === 4);

    const committed = await snapshots('tx');
    expect(committed.map(s => s.summary.operation)).toEqual([
      'append',
      'append',
      'append',
      'append',
    ]);
    expect(committed.map(s => Number(s.summary['added-records']))).toEqual([
      2, 1, 1, 1,
    ]);
    expect(committed.map(s => s.summary['ingestion.run-id'])).toEqual(
      [0, 1, 2, 3].map(n => `${stream.context.run.id}#${n}`),
    );
    // Every row once: the drop rule removed id 6 (no customer), the filter id 2.
    expect(await ids('tx')).toEqual([1, 3, 4, 5, 7]);
    const planned = await Promise.all(
      (
        await checkpointFiles('tx', 'offsets')
      ).map(async id =>
        JSON.parse(
          await fs.readFile(
            join(fx.root, '_checkpoints/tx/offsets', id),
            'utf8',
          ),
        ),
      ),
    );
    expect(planned.flatMap(batch => batch.files).sort()).toEqual([
      'landing/tx/a.csv',
      'landing/tx/b.csv',
      'landing/tx/c.csv',
      'landing/tx/d.csv',
    ]);
    expect(await checkpointFiles('tx', 'commits')).toHaveLength(4);
    expect(await stream.poll()).toEqual({ state: 'running' });
    expect(fx.logs).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining(
          'checkpoint _checkpoints/tx (micro-batches committed before: 0)',
        ),
      }),
    );

    const stopped = await stream.cancel();
    expect(stopped).toEqual({
      state: 'cancelled',
      message:
        'Cancelled after 4 micro-batches, 5 rows written; the committed snapshots stay',
    });
    expect(await snapshots('tx')).toHaveLength(4);
    expect(await ids('tx')).toEqual([1, 3, 4, 5, 7]);
  });

  it('resumes after a restart without reading a file twice or skipping one, even when it stopped between commit and checkpoint', async () => {
    const before = fx.newEngine();
    const runId = 'run-restart';
    await arrive('landing/restart/a.csv', csv([[1, 'c1', 1]]));
    const first = await start(streamSpec('restart'), before, { id: runId });
    await until(async () => (await snapshots('restart')).length === 1);
    // The backend stops; the stream had committed batch 0 but (as if it died a moment earlier)
    // not yet recorded that in its checkpoint. A file arrives while it is down.
    await before.close();
    // Not over: a run driver still polling the stopping backend leaves it for the next one.
    expect(await first.poll()).toEqual({ state: 'running' });
    await fs.rm(join(fx.root, '_checkpoints/restart/commits/0'));
    await arrive('landing/restart/b.csv', csv([[2, 'c2', 2]]));

    // The run driver of the next backend submits the run again.
    const after = fx.newEngine();
    const resumed = await start(streamSpec('restart'), after, { id: runId });
    await until(async () => (await snapshots('restart')).length === 2);
    expect(await ids('restart')).toEqual([1, 2]);
    expect(
      (await snapshots('restart')).map(s => s.summary['ingestion.run-id']),
    ).toEqual([`${runId}#0`, `${runId}#1`]);
    expect(await checkpointFiles('restart', 'commits')).toEqual(['0', '1']);
    expect(fx.logs.map(l => l.message)).toContain(
      'Resuming micro-batch 0, which was planned but not committed',
    );
    expect((await resumed.cancel()).state).toBe('cancelled');
  });

  it('fails the run on a `fail` rule without committing that micro-batch, and retries it on the next run', async () => {
    const spec = streamSpec('checked', {
      source: {
        type: 'file',
        path: 'landing/checked/*.json',
        format: 'json',
        max_files_per_trigger: 1,
      },
      data_quality: [{ type: 'completeness', columns: ['customer_id'] }],
    });
    await fx.writeFile(
      'landing/checked/1.json',
      '{"id": 1, "customer_id": "c1", "amount": 3}\n',
    );
    const stream = await start(spec);
    await until(async () => (await snapshots('checked')).length === 1);
    await arrive(
      'landing/checked/2.json',
      '{"id": 2, "customer_id": null, "amount": 4}\n',
    );
    await fx.engine.idle();
    const state = await stream.poll();
    expect(state).toMatchObject({
      state: 'quality_failed',
      message: expect.stringContaining(
        'this micro-batch was not committed and runs again when the stream restarts',
      ),
      result: {
        rowsWritten: 1,
        quality: [expect.objectContaining({ passed: false })],
      },
    });
    expect(await snapshots('checked')).toHaveLength(1);
    expect(await ids('checked')).toEqual([1]);
    expect(await checkpointFiles('checked', 'commits')).toEqual(['0']);

    // The next run takes up the same micro-batch first, and fails on it again.
    const again = await start(spec);
    await fx.engine.idle();
    expect((await again.poll()).state).toBe('quality_failed');
    expect(await checkpointFiles('checked', 'offsets')).toEqual(['0', '1']);
    expect(await snapshots('checked')).toHaveLength(1);
  });

  it('processes what has arrived and succeeds when scheduled (available now), reading declared column types', async () => {
    for (const [file, rows] of [
      ['a.csv', [[1, 'c1', 1.25]]],
      ['b.csv', [[2, 'c2', 2]]],
      ['c.csv', [[3, 'c3', 3.5]]],
    ] as const) {
      await arrive(
        `landing/scheduled/${file}`,
        csv(rows as unknown as Array<[number, string, number]>),
      );
    }
    const spec = streamSpec('scheduled', {
      schedule: '*/15 * * * *',
      source: {
        type: 'file',
        path: 'landing/scheduled',
        format: 'csv',
        columns: { amount: 'decimal(10, 2)' },
        max_files_per_trigger: 2,
      },
    });
    delete spec.trigger;
    const result = succeeded(await fx.run(spec));
    expect(result).toMatchObject({ rowsRead: 3, rowsWritten: 3 });
    // Lineage names the stream's folder, not a micro-batch's staged copy of its files.
    expect(
      (result as { columnLineage?: Record<string, string[]> }).columnLineage,
    ).toMatchObject({ amount: ['file:landing/scheduled#amount'] });
    expect(await snapshots('scheduled')).toHaveLength(2);
    const rows = await fx.readTable('scheduled');
    expect(rows.map(row => [Number(row.id), Number(row.amount)])).toEqual([
      [1, 1.25],
      [2, 2],
      [3, 3.5],
    ]);
    // Nothing new: the next scheduled run commits nothing.
    expect(succeeded(await fx.run(spec))).toMatchObject({ rowsWritten: 0 });
    expect(await snapshots('scheduled')).toHaveLength(2);
  });

  it('keeps the types inferred from the first files, and refuses a file that does not fit them', async () => {
    await arrive('landing/typed/a.csv', csv([[1, 'c1', 10]]));
    await arrive('landing/typed/b.csv', 'id,customer_id,amount\n2,c2,10.5\n');
    const spec = streamSpec('typed', { schedule: '0 * * * *' });
    delete spec.trigger;
    const state = await fx.run(spec);
    expect(state).toMatchObject({
      state: 'failed',
      retryable: false,
      message: expect.stringContaining(
        "Micro-batch 1 does not fit the stream's schema, which was inferred from its first files and is kept in the checkpoint: amount reads as double, the stream's schema says bigint",
      ),
    });
    expect(await ids('typed')).toEqual([1]);
  });

  it('refuses Kafka streaming before it starts, saying it needs the Databricks engine', async () => {
    // The architecture guide's streaming example.
    const stream = await start({
      pipeline_type: 'streaming',
      source: {
        type: 'kafka',
        bootstrap_servers: 'kafka-cluster:9092',
        topic: 'user-events',
        consumer_group: 'finance-analytics',
      },
      target: { type: 'delta', path: 'streaming/user-events' },
    });
    await fx.engine.idle();
    const message = expect.stringMatching(
      /^Kafka streaming needs the Databricks engine: the local engine streams only files arriving in a folder/,
    );
    expect(await stream.poll()).toEqual({
      state: 'failed',
      retryable: false,
      message,
    });
    // Nothing was opened: no checkpoint, and the refusal is all the run logged.
    await expect(
      fs.access(join(fx.root, '_checkpoints', 'pipeline-1')),
    ).rejects.toThrow();
    expect(fx.logs.filter(l => l.runId === stream.context.run.id)).toEqual([
      { runId: stream.context.run.id, level: 'error', message },
    ]);
  });

  it('never lets two runs stream into one checkpoint', async () => {
    const first = await start(streamSpec('shared'));
    await until(async () =>
      fx.logs.some(
        l =>
          l.runId === first.context.run.id && l.message.startsWith('Streaming'),
      ),
    );
    const second = await start(streamSpec('shared'));
    await until(async () => (await second.poll()).state !== 'running');
    expect(await second.poll()).toMatchObject({
      state: 'failed',
      message: expect.stringContaining(
        `Run ${first.context.run.id} is already streaming with the checkpoint _checkpoints/shared`,
      ),
    });
    expect((await first.cancel()).state).toBe('cancelled');
  });
});
