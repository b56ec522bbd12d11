import {
  createMockDirectory,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { briefStreamingExample } from '@ingestion-for-backstage/plugin-ingestion-common';
import { setupServer } from 'msw/node';
import fs from 'node:fs';
import { actionContext } from '../__testUtils__/actionContext';
import {
  actionServices,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { BATCH_SPEC, testConfig } from '../__testUtils__/testConfig';
import { createPipelineCreateAction } from './pipelineCreate';

/**
 * The create action validates with the organization, as the backend and the engines do: a spec
 * naming another organization's catalog or bucket is refused before anything is generated,
 * dry run or not.
 */
describe('ingestion:pipeline:create: tenant resources', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const storage = createMockDirectory();
  const workspace = createMockDirectory();
  const action = () =>
    createPipelineCreateAction({
      ...actionServices(),
      config: mockServices.rootConfig({ data: testConfig(storage.path) }),
    });

  let api: FakeIngestionApi;
  beforeEach(() => {
    workspace.clear();
    api = new FakeIngestionApi(server);
  });

  async function refusal(spec: Record<string, any>) {
    const ctx = actionContext(
      { organization: 'finance', name: 'tenant-check', spec },
      { workspacePath: workspace.path, dryRun: true },
    );
    return action()
      .handler(ctx)
      .then(
        () => undefined,
        error => error,
      );
  }

  it("refuses retail's catalog, with the field path", async () => {
    const spec = structuredClone(BATCH_SPEC) as any;
    spec.target.catalog = 'retail_catalog';
    const error = await refusal(spec);
    expect(error?.name).toBe('InputError');
    expect(error.message).toContain(
      "- spec.target.catalog: catalog `retail_catalog` is not one of organization finance's catalogs (finance_catalog)",
    );
    expect(fs.readdirSync(workspace.path)).toEqual([]);
    // Refused before the backend was asked to estimate anything.
    expect(api.requests.some(r => r.path === '/v1/costs/estimate')).toBe(false);
  });

  it("refuses retail's bucket and a path out of the storage root", async () => {
    const streaming = briefStreamingExample();
    streaming.target.path = 's3://retail-data-lake/streaming/user-events';
    expect((await refusal(streaming))?.message).toContain(
      "- spec.target.path: `s3://retail-data-lake/streaming/user-events` is not in organization finance's storage",
    );
    const climbing = structuredClone(BATCH_SPEC) as any;
    climbing.source = { type: 'file', path: '../retail/x.csv', format: 'csv' };
    expect((await refusal(climbing))?.message).toContain('- spec.source.path:');
    expect(fs.readdirSync(workspace.path)).toEqual([]);
  });

  it("accepts the brief's streaming example for finance", async () => {
    expect(await refusal(briefStreamingExample())).toBeUndefined();
  });
});
