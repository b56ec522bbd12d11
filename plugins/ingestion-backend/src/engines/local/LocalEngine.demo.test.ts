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
      // Each runs in its own organization, which owns the catalog it writes to.
      const context = fx.context(pipeline.spec);
      context.organization.id = pipeline.organization;
      context.organization.icebergCatalog = `${pipeline.organization}_catalog`;
      const { engineRunId } = await fx.engine.submit(context);
      await fx.engine.idle();
      const result = succeeded(await fx.engine.poll(context, engineRunId));
      expect(result.rowsRead).toBeGreaterThan(0);
      expect(result.rowsWritten).toBeGreaterThan(0);
      expect(result.tables).toHaveLength(1);
    },
  );
});
