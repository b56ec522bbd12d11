import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import { exampleInput } from '../__testUtils__/examples';
import {
  actionServices,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { BATCH_SPEC, testConfig } from '../__testUtils__/testConfig';
import { createPipelineRegisterAction } from './pipelineRegister';
import { examples } from './pipelineRegister.examples';

describe('ingestion:pipeline:register examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let api: FakeIngestionApi;
  const action = createPipelineRegisterAction({
    ...actionServices(),
    config: mockServices.rootConfig({ data: testConfig('/tmp/unused') }),
  });

  beforeEach(() => {
    api = new FakeIngestionApi(server);
  });

  it('registers what ingestion:pipeline:create built', async () => {
    const input = exampleInput(examples[0], {
      parameters: { description: 'Daily totals' },
      steps: {
        create: {
          output: {
            organization: 'finance',
            name: 'daily-transactions',
            owner: 'group:default/finance-engineers',
            spec: {
              ...BATCH_SPEC,
              target: { ...BATCH_SPEC.target, catalog: 'finance_catalog' },
            },
          },
        },
      },
    });
    const ctx = actionContext(input);
    await action.handler(ctx);
    const [pipeline] = [...api.pipelines.values()];
    expect(pipeline).toMatchObject({
      owner: 'group:default/finance-engineers',
      description: 'Daily totals',
    });
    expect(outputsOf(ctx).pipelineId).toBe(pipeline.id);
  });

  it('registers a literal spec, then saves version 2 when it changes', async () => {
    const input = exampleInput(examples[1]);
    await action.handler(actionContext(input));
    const changed = structuredClone(input);
    changed.spec.source.incremental_column = 'created_at';
    const ctx = actionContext(changed);
    await action.handler(ctx);
    expect(outputsOf(ctx)).toMatchObject({ version: 2, created: false });
  });
});
