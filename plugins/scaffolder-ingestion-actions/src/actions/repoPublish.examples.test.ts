import {
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import { exampleInput } from '../__testUtils__/examples';
import {
  actionServices,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { testConfig } from '../__testUtils__/testConfig';
import { createRepoPublishAction } from './repoPublish';
import { examples } from './repoPublish.examples';

describe('ingestion:repo:publish examples', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const storage = createMockDirectory();
  const workspace = createMockDirectory();
  const action = createRepoPublishAction({
    ...actionServices(),
    config: mockServices.rootConfig({ data: testConfig(storage.path) }),
  });
  const clone = (url: string) => {
    const dir = createMockDirectory().resolve('clone');
    execFileSync('git', ['clone', '--quiet', url, dir]);
    return dir;
  };

  let api: FakeIngestionApi;

  beforeEach(() => {
    storage.clear();
    workspace.setContent({
      'pipeline.yaml': 'pipeline_type: batch\n',
      'pipeline/pipeline.yaml': 'pipeline_type: batch\n',
    });
    api = new FakeIngestionApi(server);
    // The push goes to a git server on the loopback interface.
    server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()));
  });

  it('publishes the workspace under the pipeline name', async () => {
    const input = exampleInput(examples[0], {
      parameters: { organization: 'finance', name: 'daily-transactions' },
    });
    const ctx = actionContext(input, { workspacePath: workspace.path });
    await action.handler(ctx);
    const dir = clone(outputsOf(ctx).remoteUrl);
    expect(fs.existsSync(path.join(dir, 'pipeline/pipeline.yaml'))).toBe(true);
    expect(api.requests.map(r => r.onBehalfOf)).toEqual([
      'user:default/finance-engineer',
    ]);
  });

  it('publishes one folder on its own branch', async () => {
    const ctx = actionContext(exampleInput(examples[1]), {
      workspacePath: workspace.path,
    });
    await action.handler(ctx);
    expect(outputsOf(ctx).defaultBranch).toBe('trunk');
    const dir = clone(outputsOf(ctx).remoteUrl);
    expect(fs.readdirSync(dir).sort()).toEqual(['.git', 'pipeline.yaml']);
  });
});
