import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  ORG,
  succeeded,
} from './__testUtils__/engineFixture';

jest.setTimeout(120_000);

const databases = engineTestDatabases();

const CSV = ['id,name', '1,one', '2,two'].join('\n');

/**
 * The local engine applies the shared tenant rule itself, whoever hands it a spec; and a run
 * that reads nothing leaves the high-water mark where it was.
 */
describe('LocalEngine: tenant resources and high-water marks', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await createEngineFixture(databases);
    await fx.writeFile('raw/people.csv', CSV);
  }, 120_000);
  afterAll(async () => {
    await fx.close();
  });

  const fileToIceberg = (catalog: string, table: string) => ({
    pipeline_type: 'batch',
    source: { type: 'file', path: 'raw/people.csv', format: 'csv' },
    target: { type: 'iceberg', catalog, schema: 'raw', table },
  });

  it("refuses another organization's catalog before reading or writing anything", async () => {
    const state = await fx.run(fileToIceberg('retail_catalog', 'stolen'));
    expect(state).toEqual({
      state: 'failed',
      retryable: false,
      message:
        "The spec cannot run in organization finance: target.catalog: catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
    });
    // Not written under any catalog name into the organization's warehouse either.
    await expect(
      fx.catalog('retail_catalog').loadTable(ORG, {
        namespace: ['raw'],
        name: 'stolen',
      }),
    ).rejects.toThrow();
  });

  it("refuses another organization's bucket and Iceberg source", async () => {
    expect(
      await fx.run({
        pipeline_type: 'batch',
        source: {
          type: 'file',
          path: 's3://retail-data-lake/raw/*.csv',
          format: 'csv',
        },
        target: { type: 'parquet', path: 'out/x' },
      }),
    ).toMatchObject({
      state: 'failed',
      message: expect.stringContaining(
        "source.path: `s3://retail-data-lake/raw/*.csv` is not in organization finance's storage",
      ),
    });
    expect(
      await fx.run({
        pipeline_type: 'batch',
        source: {
          type: 'iceberg',
          catalog: 'retail_catalog',
          schema: 'sales',
          table: 'orders',
        },
        target: { type: 'parquet', path: 'out/y' },
      }),
    ).toMatchObject({
      state: 'failed',
      message: expect.stringContaining(
        'source.catalog: catalog `retail_catalog`',
      ),
    });
  });

  it('reports no new high-water mark for an incremental run with no new rows', async () => {
    succeeded(await fx.run(fileToIceberg('finance_catalog', 'people')));
    const consumer = {
      pipeline_type: 'batch',
      source: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'raw',
        table: 'people',
        incremental_column: 'id',
      },
      target: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'curated',
        table: 'people_copy',
      },
    };
    const first = succeeded(await fx.run(consumer));
    expect(first).toMatchObject({ rowsRead: 2, watermarkOut: '2' });

    // Nothing above the mark: the mark stays where it was.
    const idle = succeeded(await fx.run(consumer, { watermarkIn: '2' }));
    expect(idle.rowsRead).toBe(0);
    expect(idle.watermarkOut).toBeUndefined();

    // An override beyond every row reads nothing and must not become the next run's mark.
    const ahead = succeeded(await fx.run(consumer, { watermarkIn: '1000' }));
    expect(ahead.rowsRead).toBe(0);
    expect(ahead.watermarkOut).toBeUndefined();
    const { metadata } = await fx
      .catalog()
      .loadTable(ORG, { namespace: ['curated'], name: 'people_copy' });
    const marks = metadata.snapshots
      .map(snapshot => snapshot.summary['ingestion.watermark'])
      .filter(mark => mark !== undefined);
    expect(marks).toEqual(['2']);
  });
});
