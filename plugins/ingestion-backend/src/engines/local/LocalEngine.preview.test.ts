import { RunCancelledError } from './errors';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  succeeded,
} from './__testUtils__/engineFixture';
import { PreviewSourceError, PreviewStepError } from './previewPipeline';

jest.setTimeout(60_000);

const databases = engineTestDatabases();

const CSV = `id,name,amount\n${Array.from(
  { length: 40 },
  (_, i) => `${i + 1},name ${i + 1},${(i + 1) * 10}`,
).join('\n')}\n`;

const iceberg = (table: string) => ({
  type: 'iceberg',
  catalog: 'finance_catalog',
  schema: 'raw',
  table,
});

/**
 * `LocalEngine.preview`: the run's code on a sample, directly on the engine: the sample's
 * limit per source, drop rules, step errors with their path, and that nothing is written.
 */
describe('LocalEngine.preview', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await createEngineFixture(databases);
    await fx.writeFile('preview/rows.csv', CSV);
    succeeded(
      await fx.run({
        pipeline_type: 'batch',
        source: { type: 'file', path: 'preview/rows.csv', format: 'csv' },
        target: iceberg('preview_rows'),
      }),
    );
  });
  afterAll(async () => {
    await fx.close();
  });

  const preview = (spec: unknown, sampleRows = 5) =>
    fx.engine.preview(fx.context(spec), {
      sampleRows,
      signal: new AbortController().signal,
    });

  it('reads the first rows of an Iceberg table, applies drop rules, writes nothing', async () => {
    const snapshots = await fx.knex('iceberg_tables').select();
    const result = await preview(
      {
        pipeline_type: 'batch',
        source: iceberg('preview_rows'),
        transformations: [
          { type: 'derive', column: 'double', expression: 'amount * 2' },
        ],
        target: iceberg('never_written'),
        data_quality: [
          {
            type: 'range',
            columns: ['amount'],
            min: 30,
            severity: 'drop',
            threshold: 0.1,
          },
        ],
      },
      5,
    );
    expect(result).toMatchObject({
      sampleRows: 5,
      outputRows: 3,
      truncated: true,
    });
    expect(result.rows.map(r => r.id)).toEqual(['3', '4', '5']);
    expect(result.columns.map(c => c.name)).toEqual([
      'id',
      'name',
      'amount',
      'double',
    ]);
    expect(result.quality).toEqual([
      expect.objectContaining({ severity: 'drop', passed: true }),
    ]);
    expect(await fx.knex('iceberg_tables').select()).toEqual(snapshots);
  });

  it('reads a whole small source and says it is not truncated', async () => {
    const result = await preview(
      {
        pipeline_type: 'batch',
        source: { type: 'file', path: 'preview/rows.csv', format: 'csv' },
        target: iceberg('never_written'),
      },
      1000,
    );
    expect(result).toMatchObject({
      sampleRows: 40,
      outputRows: 40,
      truncated: false,
    });
  });

  it('tells a source it cannot read from a step that cannot run', async () => {
    await expect(
      preview({
        pipeline_type: 'batch',
        source: iceberg('no_such_table'),
        target: iceberg('never_written'),
      }),
    ).rejects.toThrow(PreviewSourceError);
    const step = preview({
      pipeline_type: 'batch',
      source: { type: 'file', path: 'preview/rows.csv', format: 'csv' },
      transformations: [
        { type: 'filter', condition: 'id > 1' },
        { type: 'select', columns: ['nope'] },
      ],
      target: iceberg('never_written'),
    });
    await expect(step).rejects.toThrow(PreviewStepError);
    await expect(step).rejects.toMatchObject({ path: 'transformations[1]' });
  });

  it('stops when its signal is aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(
      fx.engine.preview(
        fx.context({
          pipeline_type: 'batch',
          source: { type: 'file', path: 'preview/rows.csv', format: 'csv' },
          target: iceberg('never_written'),
        }),
        { sampleRows: 5, signal: abort.signal },
      ),
    ).rejects.toThrow(RunCancelledError);
  });
});
