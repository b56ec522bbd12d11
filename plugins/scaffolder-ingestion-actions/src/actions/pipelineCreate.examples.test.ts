import {
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import { exampleInput } from '../__testUtils__/examples';
import {
  actionServices,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { testConfig } from '../__testUtils__/testConfig';
import { createPipelineCreateAction } from './pipelineCreate';
import { examples } from './pipelineCreate.examples';

describe('ingestion:pipeline:create examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const storage = createMockDirectory();
  const workspace = createMockDirectory();
  const action = createPipelineCreateAction({
    ...actionServices(),
    config: mockServices.rootConfig({ data: testConfig(storage.path) }),
  });
  const spec = () =>
    yaml.parse(
      fs.readFileSync(path.join(workspace.path, 'pipeline.yaml'), 'utf8'),
    );

  let api: FakeIngestionApi;

  beforeEach(() => {
    workspace.clear();
    api = new FakeIngestionApi(server);
  });

  it("generates the guide's batch example with the organization's catalog", async () => {
    const ctx = actionContext(exampleInput(examples[0]), {
      workspacePath: workspace.path,
    });
    await action.handler(ctx);
    expect(spec().target.catalog).toBe('finance_catalog');
    expect(spec().transformations.map((t: { type: string }) => t.type)).toEqual(
      ['filter', 'aggregate'],
    );
    expect(outputsOf(ctx).owner).toBe('group:default/finance-engineers');
    expect(outputsOf(ctx).estimatedCostPerRun).toBeGreaterThan(0);
    // Only reads, and the backend's estimate, which changes nothing.
    expect(
      api.requests.every(
        r => r.method === 'GET' || r.path === '/v1/costs/estimate',
      ),
    ).toBe(true);
  });

  it('drops what the form left unanswered, and keeps what it answered', async () => {
    const parameters = () => ({
      organization: 'finance',
      name: 'orders',
      database: 'postgres',
      connection: 'finance-db',
      sourceTable: 'orders',
      targetSchema: 'raw',
      targetTable: 'orders',
    });
    const input = exampleInput(examples[1], { parameters: parameters() });
    const ctx = actionContext(input, { workspacePath: workspace.path });
    await action.handler(ctx);
    expect(spec()).toEqual({
      version: 1,
      pipeline_type: 'batch',
      source: { type: 'postgres', connection: 'finance-db', table: 'orders' },
      transformations: [],
      target: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'raw',
        table: 'orders',
        mode: 'append',
      },
      data_quality: [],
    });

    const filtered = actionContext(
      {
        ...input,
        spec: exampleInput(examples[1], {
          parameters: { ...parameters(), filter: 'total > 0' },
        }).spec,
      },
      { workspacePath: workspace.path },
    );
    await action.handler(filtered);
    expect(spec().transformations).toEqual([
      { type: 'filter', condition: 'total > 0' },
    ]);
  });

  it("generates the guide's streaming example, estimated per hour", async () => {
    const ctx = actionContext(exampleInput(examples[2]), {
      workspacePath: workspace.path,
      user: 'user:default/retail-engineer',
    });
    await action.handler(ctx);
    expect(spec().pipeline_type).toBe('streaming');
    expect(outputsOf(ctx).costEstimate.basis).toBe('hour');
    expect(outputsOf(ctx).files).toContain('src/user-event-stats.py');
  });
});
