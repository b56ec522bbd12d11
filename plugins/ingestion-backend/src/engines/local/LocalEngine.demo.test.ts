import { DEMO_PIPELINES } from '../../demo/demoPipelines';
import {
  createEngineFixture,
  EngineFixture,
  engineTestDatabases,
  succeeded,
} from './__testUtils__/engineFixture';

jest.setTimeout(120_000);

const databases = engineTestDatabases();

/** The embedded default's first start runs these: each must succeed on the local engine. */
describe('LocalEngine on the demo pipelines', () => {
  let fx: EngineFixture;
  beforeAll(async () => {
    fx = await createEngineFixture(databases, { batchSize: 10_000 });
  });
  afterAll(async () => {
    await fx.close();
  });

  it.each(DEMO_PIPELINES.map(p => [`${p.organization}/${p.name}`, p] as const))(
    'runs %s',
    async (_name, pipeline) => {
      for (const [path, content] of Object.entries(pipeline.files)) {
        await fx.writeFile(path, content());
      }
      const result = succeeded(await fx.run(pipeline.spec));
      expect(result.rowsRead).toBeGreaterThan(0);
      expect(result.rowsWritten).toBeGreaterThan(0);
      expect(result.tables).toHaveLength(1);
    },
  );
});
