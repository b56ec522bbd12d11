import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { setupServer } from 'msw/node';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import {
  actionServices,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { BATCH_SPEC, testConfig } from '../__testUtils__/testConfig';
import {
  createPipelineRegisterAction,
  DRY_RUN_PIPELINE_ID,
} from './pipelineRegister';

const SPEC = (() => {
  const result = validatePipelineSpec({
    ...BATCH_SPEC,
    target: { ...BATCH_SPEC.target, catalog: 'finance_catalog' },
  });
  if (!result.valid) throw new Error('invalid');
  return result.spec as Record<string, any>;
})();

describe('ingestion:pipeline:register', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let api: FakeIngestionApi;
  const action = createPipelineRegisterAction({
    ...actionServices(),
    config: mockServices.rootConfig({ data: testConfig('/tmp/unused') }),
  });
  const input = (overrides: Record<string, unknown> = {}) => ({
    organization: 'finance',
    name: 'daily-transactions',
    description: 'Daily totals per customer',
    spec: SPEC,
    ...overrides,
  });

  beforeEach(() => {
    api = new FakeIngestionApi(server);
  });

  it('creates the pipeline through the API as the user, and outputs where to find it', async () => {
    const ctx = actionContext(input());
    await action.handler(ctx);

    const [pipeline] = [...api.pipelines.values()];
    expect(pipeline).toMatchObject({
      organization: 'finance',
      name: 'daily-transactions',
      owner: 'user:default/finance-engineer',
      currentVersion: 1,
    });
    expect(outputsOf(ctx)).toEqual({
      pipelineId: pipeline.id,
      organization: 'finance',
      version: 1,
      created: true,
      unchanged: false,
      pipelineUrl: `http://localhost:3000/ingestion/pipelines/${pipeline.id}`,
      entityRef: 'component:finance/daily-transactions',
    });
    const post = api.requests.find(r => r.method === 'POST')!;
    expect(post).toMatchObject({
      path: '/v1/pipelines',
      onBehalfOf: 'user:default/finance-engineer',
      target: 'ingestion',
      body: {
        organization: 'finance',
        name: 'daily-transactions',
        description: 'Daily totals per customer',
        comment: 'Created from template template:default/test-template',
      },
    });
    expect(
      ctx.checkpoints.has(
        'ingestion.pipeline.register.finance.daily-transactions',
      ),
    ).toBe(true);
  });

  it('saves a new version of an existing pipeline, and nothing when the spec is the same', async () => {
    const existing = api.seedPipeline('finance', 'daily-transactions', SPEC);

    const same = actionContext(input({ description: undefined }));
    await action.handler(same);
    expect(outputsOf(same)).toMatchObject({
      pipelineId: existing.id,
      version: 1,
      created: false,
      unchanged: true,
    });

    const changed = structuredClone(SPEC);
    changed.transformations[0].condition = 'amount > 10';
    const ctx = actionContext(input({ spec: changed }));
    await action.handler(ctx);
    expect(outputsOf(ctx)).toMatchObject({
      pipelineId: existing.id,
      version: 2,
      created: false,
      unchanged: false,
    });
    expect(api.requests.find(r => r.method === 'PUT')?.body).toMatchObject({
      expectedVersion: 1,
    });
    expect(api.pipelines.get(existing.id)?.currentVersion).toBe(2);
  });

  it('does not register twice when a retried task replays the step', async () => {
    const checkpoints = new Map();
    await action.handler(actionContext(input(), { checkpoints }));
    const retried = actionContext(input(), { checkpoints });
    await action.handler(retried);
    expect(api.pipelines.size).toBe(1);
    expect(api.requests.filter(r => r.method !== 'GET')).toHaveLength(1);
    expect(outputsOf(retried).created).toBe(true);
  });

  it('only reads in a dry run, and reports the id and version it would get', async () => {
    const ctx = actionContext(input(), { dryRun: true });
    await action.handler(ctx);
    expect(outputsOf(ctx)).toMatchObject({
      pipelineId: DRY_RUN_PIPELINE_ID,
      version: 1,
      created: true,
      entityRef: 'component:finance/daily-transactions',
    });
    const existing = api.seedPipeline('finance', 'daily-transactions', SPEC);
    const again = actionContext(input(), { dryRun: true });
    await action.handler(again);
    expect(outputsOf(again)).toMatchObject({
      pipelineId: existing.id,
      version: 2,
      created: false,
    });
    expect(api.requests.every(r => r.method === 'GET')).toBe(true);
    expect(api.pipelines.size).toBe(1);
  });

  it('rejects an invalid spec with the paths of its problems before calling the backend', async () => {
    const error = await action
      .handler(
        actionContext(input({ spec: { ...SPEC, source: { type: 'mysql' } } })),
      )
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toContain('- spec.source.connection:');
    expect(error.message).toContain('- spec.source.table:');
    expect(api.requests).toEqual([]);
  });

  it('passes on the backend denying an analyst', async () => {
    const error = await action
      .handler(actionContext(input(), { user: 'user:default/finance-analyst' }))
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      "The ingestion backend refused to create pipeline 'daily-transactions' in organization 'finance': You may not create pipelines in organization 'finance'",
    );
    const dry = await action
      .handler(
        actionContext(input(), {
          user: 'user:default/finance-analyst',
          dryRun: true,
        }),
      )
      .catch(e => e);
    expect(dry.name).toBe('NotAllowedError');
    expect(dry.message).toContain('needs the engineer or admin role');
  });

  it('passes on the backend hiding another organization (404)', async () => {
    const error = await action
      .handler(actionContext(input(), { user: 'user:default/retail-engineer' }))
      .catch(e => e);
    expect(error.name).toBe('NotFoundError');
    expect(error.message).toContain("organization 'finance' not found");
  });

  it('passes on a quota or rate limit (429) and a concurrent change (409)', async () => {
    api.failNext(
      'POST',
      /^\/v1\/pipelines$/,
      429,
      {
        name: 'QuotaExceededError',
        message: "organization 'finance' has used its 1000 requests per minute",
      },
      { 'Retry-After': '12' },
    );
    const limited = await action.handler(actionContext(input())).catch(e => e);
    expect(limited.name).toBe('QuotaExceededError');
    expect(limited.retryAfterSeconds).toBe(12);
    expect(limited.message).toContain('Try again in 12 s.');

    const existing = api.seedPipeline('finance', 'daily-transactions', SPEC);
    api.failNext('PUT', new RegExp(`^/v1/pipelines/${existing.id}$`), 409, {
      name: 'ConflictError',
      message: 'expectedVersion: pipeline is at version 2',
    });
    const changed = structuredClone(SPEC);
    changed.schedule = { cron: '0 3 * * *', timezone: 'UTC' };
    const conflict = await action
      .handler(actionContext(input({ spec: changed })))
      .catch(e => e);
    expect(conflict.name).toBe('ConflictError');
  });
});
