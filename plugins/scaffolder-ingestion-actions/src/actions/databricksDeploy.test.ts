import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import {
  briefStreamingExample,
  validatePipelineSpec,
  withPiiMasking,
  type PiiType,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  DatabricksTestServer,
  hashPipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { http, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { actionContext, outputsOf } from '../__testUtils__/actionContext';
import {
  actionServices,
  demoOrganization,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { testConfig } from '../__testUtils__/testConfig';
import { createDatabricksDeployAction } from './databricksDeploy';
import { DRY_RUN_PIPELINE_ID } from './pipelineRegister';

/** The brief's streaming example, in retail's workspace. */
const STREAM_SPEC = (() => {
  const brief = briefStreamingExample();
  return {
    ...brief,
    source: { ...brief.source, consumer_group: 'retail-analytics' },
    target: { ...brief.target, path: 'streaming/user-events' },
  };
})();

const BATCH_SPEC = {
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

/** The hash the deployment records: of the pipeline's spec with the environment's PII masks. */
function maskedSpecHash(
  spec: unknown,
  environment: string,
  pii: Record<string, PiiType[]>,
) {
  const valid = validatePipelineSpec(spec);
  if (!valid.valid) throw new Error('invalid spec');
  return hashPipelineSpec(withPiiMasking(valid.spec, environment, pii).spec);
}

describe('ingestion:databricks:deploy', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let api: FakeIngestionApi;
  let databricks: DatabricksTestServer;

  const action = (token?: string) =>
    createDatabricksDeployAction({
      ...actionServices(),
      config: mockServices.rootConfig({
        data: testConfig('/tmp/unused', {
          databricksHost: databricks.url,
          databricksToken: token ?? databricks.token,
        }),
      }),
    });
  const retailUser = { user: 'user:default/retail-engineer' };

  beforeEach(async () => {
    databricks = await DatabricksTestServer.start();
    server.use(http.all(`${databricks.url}/*`, () => passthrough()));
    api = new FakeIngestionApi(server);
    api.organizations = [
      demoOrganization('finance'),
      demoOrganization('retail', { engine: 'databricks' }),
    ];
  });

  afterEach(async () => {
    await databricks.stop();
  });

  it('creates the job in the organization workspace with the generated notebook', async () => {
    const pipeline = api.seedPipeline(
      'retail',
      'user-event-stats',
      STREAM_SPEC,
    );
    const ctx = actionContext({ pipelineId: pipeline.id }, retailUser);
    await action().handler(ctx);

    const [job] = databricks.jobs();
    expect(databricks.jobs()).toHaveLength(1);
    const notebookPath = '/Shared/ingestion/retail/user-event-stats/v1';
    expect(outputsOf(ctx)).toEqual({
      engine: 'databricks',
      version: 1,
      deployed: true,
      created: true,
      jobId: String(job.jobId),
      jobUrl: `${databricks.url}/jobs/${job.jobId}`,
      jobName: 'retail/user-event-stats',
      notebookPath,
      message: expect.stringContaining(`Created job ${job.jobId}`),
    });
    expect(job.settings).toMatchObject({
      name: 'retail/user-event-stats',
      max_concurrent_runs: 1,
      tags: { Organization: 'retail', PipelineId: pipeline.id },
    });
    expect(databricks.notebook(notebookPath)?.content).toContain('readStream');
    // The job is recorded in the backend, which shows it on the pipeline.
    expect(api.pipelines.get(pipeline.id)?.deployment).toMatchObject({
      databricksJobId: String(job.jobId),
      deployedVersion: 1,
      jobUrl: `${databricks.url}/jobs/${job.jobId}`,
      workspaceUrl: databricks.url,
    });
    expect(
      api.requests.filter(r => r.method === 'PUT').map(r => r.path),
    ).toEqual([`/v1/pipelines/${pipeline.id}/deployment`]);
    expect(
      api.requests.every(r => r.onBehalfOf === 'user:default/retail-engineer'),
    ).toBe(true);
  });

  it('deploys the effective spec, with the PII masks of the environment, and records its hash', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    api.piiColumns[pipeline.id] = { customer_email: ['email'] };
    const ctx = actionContext({ pipelineId: pipeline.id }, retailUser);
    const info = jest.spyOn(ctx.logger, 'info');
    await action().handler(ctx);

    const notebook = databricks.notebook('/Shared/ingestion/retail/orders/v1');
    expect(notebook?.content).toContain(
      'F.sha2(F.col("customer_email").cast("string"), 256)',
    );
    const effective = maskedSpecHash(BATCH_SPEC, 'development', {
      customer_email: ['email'],
    });
    expect(api.pipelines.get(pipeline.id)?.deployment?.specHash).toBe(
      effective,
    );
    expect(info).toHaveBeenCalledWith(
      'Masking PII in the development environment: customer_email (email)',
    );

    // Columns tagged later change the effective spec: deploying again updates the job.
    api.piiColumns[pipeline.id] = {
      customer_email: ['email'],
      phone: ['phone'],
    };
    await action().handler(
      actionContext({ pipelineId: pipeline.id }, retailUser),
    );
    expect(databricks.jobs()).toHaveLength(1);
    expect(
      databricks.notebook('/Shared/ingestion/retail/orders/v1')?.content,
    ).toContain('F.sha2(F.col("phone").cast("string"), 256)');
    expect(api.pipelines.get(pipeline.id)?.deployment?.specHash).not.toBe(
      effective,
    );
  });

  it('deploys the spec unmasked in production', async () => {
    api.organizations = [
      demoOrganization('retail', {
        engine: 'databricks',
        environment: 'production',
      }),
    ];
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    api.piiColumns[pipeline.id] = { customer_email: ['email'] };
    await action().handler(
      actionContext({ pipelineId: pipeline.id }, retailUser),
    );
    expect(
      databricks.notebook('/Shared/ingestion/retail/orders/v1')?.content,
    ).not.toContain('F.sha2(');
  });

  it('passes on the backend refusing to record the deployment', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    api.failNext('PUT', /\/deployment$/, 403, {
      name: 'NotAllowedError',
      message: "Your roles in organization 'retail' do not allow this",
    });
    const error = await action()
      .handler(actionContext({ pipelineId: pipeline.id }, retailUser))
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      `The ingestion backend refused to record the deployment of pipeline ${pipeline.id}: Your roles in organization 'retail' do not allow this`,
    );
  });

  it('leaves one job when run twice, and points it at each new version', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    await action().handler(
      actionContext({ pipelineId: pipeline.id }, retailUser),
    );
    const again = actionContext({ pipelineId: pipeline.id }, retailUser);
    await action().handler(again);
    expect(databricks.jobs()).toHaveLength(1);
    expect(outputsOf(again)).toMatchObject({ created: false, deployed: true });

    api.pipelines.set(pipeline.id, { ...pipeline, currentVersion: 2 });
    const v2 = actionContext({ pipelineId: pipeline.id }, retailUser);
    await action().handler(v2);
    const [job] = databricks.jobs();
    expect(databricks.jobs()).toHaveLength(1);
    expect(outputsOf(v2)).toMatchObject({
      version: 2,
      jobId: String(job.jobId),
    });
    expect((job.settings as any).tasks[0].notebook_task.notebook_path).toBe(
      '/Shared/ingestion/retail/orders/v2',
    );
    expect((job.settings as any).schedule.quartz_cron_expression).toBe(
      '0 0 2 * * ?',
    );
  });

  it('does not deploy again when a retried task replays the step', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    const checkpoints = new Map();
    await action().handler(
      actionContext(
        { pipelineId: pipeline.id },
        { ...retailUser, checkpoints },
      ),
    );
    const calls = databricks.requests.length;
    const retried = actionContext(
      { pipelineId: pipeline.id },
      { ...retailUser, checkpoints },
    );
    await action().handler(retried);
    expect(databricks.requests).toHaveLength(calls);
    expect(outputsOf(retried).created).toBe(true);
    expect(api.requests.filter(r => r.method === 'PUT')).toHaveLength(1);
  });

  it('finds the job it created when the create answer was lost', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    databricks.injectFault({
      path: '/api/2.2/jobs/create',
      when: 'after',
      respond: {
        status: 503,
        message: 'temporarily unavailable',
        retryAfter: 0,
      },
    });
    const ctx = actionContext({ pipelineId: pipeline.id }, retailUser);
    await action().handler(ctx);
    expect(databricks.pendingFaults()).toEqual([]);
    expect(databricks.jobs()).toHaveLength(1);
    expect(outputsOf(ctx).jobId).toBe(String(databricks.jobs()[0].jobId));
  });

  it('says so and deploys nothing for organizations on the local engine', async () => {
    const pipeline = api.seedPipeline('finance', 'daily', {
      ...BATCH_SPEC,
      source: {
        type: 'mysql',
        connection: 'finance-db',
        table: 'transactions',
      },
      target: { ...BATCH_SPEC.target, catalog: 'finance_catalog' },
    });
    const ctx = actionContext({ pipelineId: pipeline.id });
    await action().handler(ctx);
    expect(outputsOf(ctx)).toEqual({
      engine: 'local',
      version: 1,
      deployed: false,
      message:
        "Organization 'finance' runs its pipelines on the local engine: finance/daily runs there as registered, nothing was deployed to Databricks.",
    });
    expect(databricks.requests).toEqual([]);
    expect(api.requests.filter(r => r.method !== 'GET')).toEqual([]);
  });

  it('calls nothing in Databricks in a dry run and reports what it would deploy', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    const ctx = actionContext(
      { pipelineId: pipeline.id },
      { ...retailUser, dryRun: true },
    );
    await action().handler(ctx);
    expect(outputsOf(ctx)).toMatchObject({
      deployed: false,
      engine: 'databricks',
      jobId: '0',
      jobUrl: `${databricks.url}/jobs/0`,
      jobName: 'retail/orders',
      notebookPath: '/Shared/ingestion/retail/orders/v1',
      created: true,
      message: expect.stringMatching(
        /^Dry run: would create or update the job/,
      ),
    });
    expect(databricks.requests).toEqual([]);
    expect(api.requests.filter(r => r.method !== 'GET')).toEqual([]);
  });

  it('reports what it would do for a pipeline a dry run did not register', async () => {
    const retail = actionContext(
      { pipelineId: DRY_RUN_PIPELINE_ID, organization: 'retail' },
      { ...retailUser, dryRun: true },
    );
    await action().handler(retail);
    expect(outputsOf(retail)).toEqual({
      engine: 'databricks',
      version: 1,
      deployed: false,
      message:
        "Dry run: would create the job of the new pipeline in the Databricks workspace of 'retail'",
    });
    const finance = actionContext(
      { pipelineId: DRY_RUN_PIPELINE_ID, organization: 'finance' },
      { dryRun: true },
    );
    await action().handler(finance);
    expect(outputsOf(finance).message).toContain('on the local engine');
    const analyst = await action()
      .handler(
        actionContext(
          { pipelineId: DRY_RUN_PIPELINE_ID, organization: 'retail' },
          { user: 'user:default/retail-analyst', dryRun: true },
        ),
      )
      .catch(e => e);
    expect(analyst.name).toBe('NotAllowedError');
    expect(databricks.requests).toEqual([]);
  });

  it('checks the organization it is given against the pipeline', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    const error = await action()
      .handler(
        actionContext(
          { pipelineId: pipeline.id, organization: 'finance' },
          retailUser,
        ),
      )
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toBe(
      `organization: pipeline ${pipeline.id} belongs to 'retail', not 'finance'`,
    );
  });

  it('refuses users who may not change the pipeline, as the backend would', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    const analyst = await action()
      .handler(
        actionContext(
          { pipelineId: pipeline.id },
          { user: 'user:default/retail-analyst' },
        ),
      )
      .catch(e => e);
    expect(analyst.name).toBe('NotAllowedError');
    expect(analyst.message).toContain(
      "You cannot deploy pipelines in organization 'retail': that needs the engineer or admin role",
    );

    const outsider = await action()
      .handler(
        actionContext(
          { pipelineId: pipeline.id },
          { user: 'user:default/finance-admin' },
        ),
      )
      .catch(e => e);
    expect(outsider.name).toBe('NotFoundError');
    expect(outsider.message).toContain(
      `refused to read pipeline ${pipeline.id}`,
    );
    expect(databricks.requests).toEqual([]);
  });

  it('passes on the backend answering 429', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    api.failNext('GET', /^\/v1\/pipelines\//, 429, {
      name: 'QuotaExceededError',
      message: "organization 'retail' has used its requests for today",
    });
    const error = await action()
      .handler(actionContext({ pipelineId: pipeline.id }, retailUser))
      .catch(e => e);
    expect(error.name).toBe('QuotaExceededError');
    expect(error.message).toContain('used its requests for today');
  });

  it('reports a workspace that refuses the token without showing the token', async () => {
    const pipeline = api.seedPipeline('retail', 'orders', BATCH_SPEC);
    const error = await action('dapi-wrong-token-0123456789abcdef')
      .handler(actionContext({ pipelineId: pipeline.id }, retailUser))
      .catch(e => e);
    expect(error.name).toBe('DatabricksApiError');
    expect(error.message).toMatch(/401|403|invalid access token/i);
    expect(String(error.message)).not.toContain('dapi-wrong-token');
    expect(databricks.jobs()).toEqual([]);
  });
});
