import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { DatabricksTestServer } from '@ingestion-for-backstage/plugin-ingestion-node';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import { exampleInput } from '../__testUtils__/examples';
import {
  actionServices,
  demoOrganization,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { testConfig } from '../__testUtils__/testConfig';
import { createDatabricksDeployAction } from './databricksDeploy';
import { examples } from './databricksDeploy.examples';

const SPEC = {
  pipeline_type: 'batch',
  schedule: '0 2 * * *',
  source: { type: 'postgres', connection: 'retail-db', table: 'orders' },
  target: {
    type: 'iceberg',
    catalog: 'retail_catalog',
    schema: 'raw',
    table: 'orders',
  },
};

describe('ingestion:databricks:deploy examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let api: FakeIngestionApi;
  let databricks: DatabricksTestServer;
  const user = { user: 'user:default/retail-engineer' };
  const action = () =>
    createDatabricksDeployAction({
      ...actionServices(),
      config: mockServices.rootConfig({
        data: testConfig('/tmp/unused', { databricksHost: databricks.url }),
      }),
    });

  beforeEach(async () => {
    databricks = await DatabricksTestServer.start();
    server.use(http.all(`${databricks.url}/*`, () => passthrough()));
    api = new FakeIngestionApi(server);
    api.organizations = [demoOrganization('retail', { engine: 'databricks' })];
  });

  afterEach(() => databricks.stop());

  it('deploys the pipeline the register step saved', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', SPEC);
    const input = exampleInput(examples[0], {
      steps: {
        register: {
          output: { pipelineId: pipeline.id, organization: 'retail' },
        },
      },
    });
    const ctx = actionContext(input, user);
    await action().handler(ctx);
    expect(outputsOf(ctx)).toMatchObject({ deployed: true, created: true });
    expect(databricks.jobs()).toHaveLength(1);
  });

  it('deploys on the batch_large profile', async () => {
    const input = exampleInput(examples[1]);
    api.seedPipeline('retail', 'orders-backfill', SPEC, input.pipelineId);
    const ctx = actionContext(input, user);
    await action().handler(ctx);
    const [job] = databricks.jobs();
    const cluster = (job.settings as any).job_clusters[0].new_cluster;
    expect(cluster.autoscale.max_workers).toBe(50);
    expect(outputsOf(ctx).deployed).toBe(true);
  });
});
