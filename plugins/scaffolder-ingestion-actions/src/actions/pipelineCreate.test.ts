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
import {
  actionServices,
  demoOrganization,
  FakeIngestionApi,
} from '../__testUtils__/fakeIngestionApi';
import { BATCH_SPEC, testConfig } from '../__testUtils__/testConfig';
import { createPipelineCreateAction } from './pipelineCreate';

describe('ingestion:pipeline:create', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const storage = createMockDirectory();
  const workspace = createMockDirectory();
  let api: FakeIngestionApi;
  const action = () =>
    createPipelineCreateAction({
      ...actionServices(),
      config: mockServices.rootConfig({ data: testConfig(storage.path) }),
    });
  const input = (overrides: Record<string, unknown> = {}) => ({
    organization: 'finance',
    name: 'daily-transactions',
    description: 'Daily totals per customer',
    expectedVolumeGb: 5,
    spec: structuredClone(BATCH_SPEC),
    ...overrides,
  });
  const read = (file: string) =>
    fs.readFileSync(path.join(workspace.path, file), 'utf8');

  beforeEach(() => {
    workspace.clear();
    api = new FakeIngestionApi(server);
  });

  it('writes the spec, the generated Databricks files, the entity and a README', async () => {
    const ctx = actionContext(input(), { workspacePath: workspace.path });
    await action().handler(ctx);

    const out = outputsOf(ctx);
    expect(out.files.sort()).toEqual([
      '.github/workflows/ingestion.yml',
      'README.md',
      'catalog-info.yaml',
      'ci/ingestion.sh',
      'databricks.yml',
      'job.json',
      'pipeline.yaml',
      'resources/daily-transactions.job.yml',
      'src/daily-transactions.py',
    ]);
    // The organization's Iceberg catalog fills the one the form does not ask for.
    const spec = yaml.parse(read('pipeline.yaml'));
    expect(spec.target).toEqual({
      type: 'iceberg',
      catalog: 'finance_catalog',
      schema: 'analytics',
      table: 'daily_transactions',
      mode: 'append',
    });
    expect(spec).toEqual(out.spec);
    expect(spec.schedule).toEqual({ cron: '0 2 * * *', timezone: 'UTC' });

    const job = JSON.parse(read('job.json'));
    expect(job.name).toBe('finance/daily-transactions');
    expect(job.tags).toMatchObject({
      Organization: 'finance',
      CostCenter: 'FIN-001',
    });
    expect(read('src/daily-transactions.py')).toContain(
      '# Databricks notebook source',
    );
    expect(yaml.parse(read('databricks.yml')).bundle.name).toBe(
      'finance-daily-transactions',
    );

    const entity = yaml.parse(read('catalog-info.yaml'));
    expect(entity).toMatchObject({
      kind: 'Component',
      metadata: {
        name: 'daily-transactions',
        namespace: 'finance',
        annotations: {
          'ingestion.backstage.io/organization': 'finance',
          'ingestion.backstage.io/pipeline-name': 'daily-transactions',
        },
      },
      spec: {
        type: 'data-pipeline',
        owner: 'user:default/finance-engineer',
        system: 'system:finance/finance-data-platform',
      },
    });

    // finance: i3.xlarge (1 DBU/h) with 2–10 workers; 5 GB need the minimum of 2 workers.
    expect(out.costEstimate).toMatchObject({
      nodeType: 'i3.xlarge',
      minWorkers: 2,
      maxWorkers: 10,
      workers: 2,
      dbuPerHour: 3,
      hoursPerRun: 0.2,
      dbusPerRun: 0.6,
      runsPerMonth: 30.4,
      basis: 'run',
    });
    expect(out.estimatedCostPerRun).toBe(0.33);
    expect(out.estimatedMonthlyCost).toBe(10.03);
    expect(out.currency).toBe('USD');
    expect(out.budgetRemaining).toBe(4200);
    expect(out.warnings).toEqual([]);
    expect(out.review).toContain('| Per run | **0.33 USD**');
    expect(read('README.md')).toContain('## Estimated cost on Databricks');
    expect(read('README.md')).toContain(
      '| Per month | **10.03 USD** (30.4 runs) |',
    );
    expect(read('README.md')).not.toContain('Budget left');
    expect(read('README.md')).toContain('`ingestion-finance-finance-db`');

    // Every call went to the ingestion backend on behalf of the user.
    expect(
      api.requests.map(r => `${r.method} ${r.path.split('?')[0]}`),
    ).toEqual([
      'GET /v1/organizations',
      'GET /v1/pipelines',
      'GET /v1/connections',
      'POST /v1/costs/estimate',
    ]);
    // The estimate is the backend's, for the spec the action writes.
    expect(api.requests[3].body).toEqual({
      organization: 'finance',
      spec: out.spec,
      expectedVolumeGb: 5,
    });
    expect(
      api.requests.every(
        r =>
          r.onBehalfOf === 'user:default/finance-engineer' &&
          r.target === 'ingestion',
      ),
    ).toBe(true);
  });

  it('does the same in a dry run, which only reads from the backend', async () => {
    const real = actionContext(input(), { workspacePath: workspace.path });
    await action().handler(real);
    const dryWorkspace = createMockDirectory();
    const dry = actionContext(input(), {
      workspacePath: dryWorkspace.path,
      dryRun: true,
    });
    await action().handler(dry);

    expect(outputsOf(dry)).toEqual(outputsOf(real));
    expect(
      fs.readFileSync(path.join(dryWorkspace.path, 'job.json'), 'utf8'),
    ).toBe(read('job.json'));
    // Reads, and the estimate, which changes nothing.
    expect(
      api.requests.every(
        r => r.method === 'GET' || r.path === '/v1/costs/estimate',
      ),
    ).toBe(true);
  });

  it("passes on the backend's refusal to estimate, and writes nothing", async () => {
    api.failNext('POST', /^\/v1\/costs\/estimate/, 403, {
      name: 'NotAllowedError',
      message:
        "Your roles in organization 'finance' do not allow ingestion.pipeline.create",
    });
    const error = await action()
      .handler(actionContext(input(), { workspacePath: workspace.path }))
      .catch(e => e);
    expect(error.name).toBe('NotAllowedError');
    expect(error.message).toBe(
      "The ingestion backend refused to estimate the cost of a pipeline in organization 'finance': Your roles in organization 'finance' do not allow ingestion.pipeline.create",
    );
    expect(fs.readdirSync(workspace.path)).toEqual([]);
  });

  it('reports every problem of the spec at once, with its path', async () => {
    const spec = structuredClone(BATCH_SPEC) as any;
    delete spec.source.table;
    spec.transformations[0].condition = 'amount >';
    spec.data_quality[0].threshold = 2;
    const ctx = actionContext(input({ spec }), {
      workspacePath: workspace.path,
    });

    const error = await action()
      .handler(ctx)
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(/^The pipeline spec has 3 problems:/);
    expect(error.message).toContain('- spec.source.table:');
    expect(error.message).toContain('- spec.transformations[0].condition:');
    expect(error.message).toContain('- spec.data_quality[0].threshold:');
    expect(fs.readdirSync(workspace.path)).toEqual([]);
  });

  it('leaves out unanswered fields and list items switched off with `if`', async () => {
    const spec = {
      pipeline_type: 'batch',
      schedule: '',
      source: {
        type: 'postgres',
        connection: 'finance-db',
        schema: '',
        table: 'orders',
      },
      transformations: [
        { if: false, type: 'filter', condition: '' },
        { if: true, type: 'filter', condition: 'total > 0' },
      ],
      target: {
        type: 'iceberg',
        schema: 'raw',
        table: 'orders',
        partitioning: null,
      },
      data_quality: [{ if: '', type: 'completeness', columns: [] }],
    };
    const ctx = actionContext(input({ spec }), {
      workspacePath: workspace.path,
    });
    await action().handler(ctx);
    expect(outputsOf(ctx).spec).toEqual({
      version: 1,
      pipeline_type: 'batch',
      source: { type: 'postgres', connection: 'finance-db', table: 'orders' },
      transformations: [{ type: 'filter', condition: 'total > 0' }],
      target: {
        type: 'iceberg',
        catalog: 'finance_catalog',
        schema: 'raw',
        table: 'orders',
        mode: 'append',
      },
      data_quality: [],
    });
    expect(outputsOf(ctx).estimatedMonthlyCost).toBe(
      outputsOf(ctx).estimatedCostPerRun,
    );
  });

  it('fails when the smallest cluster needs more DBU per hour than the organization may use', async () => {
    api.organizations = [
      demoOrganization('finance', {
        quotas: {
          ...demoOrganization('finance').quotas,
          databricks: {
            maxDbuPerHour: 2,
            maxClusters: 1,
            maxConcurrentJobs: 1,
          },
        },
      }),
    ];
    const error = await action()
      .handler(actionContext(input(), { workspacePath: workspace.path }))
      .catch(e => e);
    expect(error.name).toBe('QuotaExceededError');
    expect(error.message).toContain('uses 3 DBU per hour');
    expect(error.message).toContain('maxDbuPerHour 2');
  });

  it('fails when the storage is used up, and warns about a month of data above it and the budget', async () => {
    api.organizations = [
      demoOrganization('finance', {
        usage: { concurrentRuns: 0, dbuLastHour: 0, storageGb: 10000 },
      }),
    ];
    const error = await action()
      .handler(actionContext(input(), { workspacePath: workspace.path }))
      .catch(e => e);
    expect(error.name).toBe('QuotaExceededError');
    expect(error.message).toContain(
      "Organization 'finance' has used all of its 10000 GB of storage",
    );

    api.organizations = [
      demoOrganization('finance', {
        usage: { concurrentRuns: 0, dbuLastHour: 0, storageGb: 9990 },
      }),
    ];
    const nearlyFull = actionContext(input(), {
      workspacePath: workspace.path,
    });
    await action().handler(nearlyFull);
    expect(outputsOf(nearlyFull).warnings).toEqual([
      "A month of this pipeline's source data (152 GB) would bring 'finance' to 10142 GB, above its storage quota of 10000 GB (9990 GB used).",
    ]);

    api.organizations = [demoOrganization('finance')];
    api.budgetRemaining.finance = 5;
    const ctx = actionContext(input(), { workspacePath: workspace.path });
    await action().handler(ctx);
    expect(outputsOf(ctx).warnings).toEqual([
      expect.stringContaining('more than the 5 USD left'),
    ]);
    expect(outputsOf(ctx).review).toContain('> **Warning:**');
  });

  it('passes on the backend answering 429 with a retry hint', async () => {
    api.failNext(
      'GET',
      /^\/v1\/organizations/,
      429,
      {
        name: 'TooManyRequestsError',
        message: "organization 'finance' is over its API rate limit",
      },
      { 'Retry-After': '30' },
    );
    const error = await action()
      .handler(actionContext(input(), { workspacePath: workspace.path }))
      .catch(e => e);
    expect(error.name).toBe('QuotaExceededError');
    expect(error.message).toBe(
      "The ingestion backend refused to list your organizations: organization 'finance' is over its API rate limit. Try again in 30 s.",
    );
  });

  it('refuses analysts and non-members with a message that says why', async () => {
    const analyst = await action()
      .handler(
        actionContext(input(), {
          workspacePath: workspace.path,
          user: 'user:default/finance-analyst',
        }),
      )
      .catch(e => e);
    expect(analyst.name).toBe('NotAllowedError');
    expect(analyst.message).toBe(
      "You cannot create pipelines in organization 'finance': that needs the engineer or admin role, and your role is analyst",
    );

    const outsider = await action()
      .handler(
        actionContext(input(), {
          workspacePath: workspace.path,
          user: 'user:default/retail-engineer',
        }),
      )
      .catch(e => e);
    expect(outsider.name).toBe('NotFoundError');
    expect(outsider.message).toContain(
      "you are not a member of organization 'finance'",
    );

    api.failNext('GET', /^\/v1\/organizations/, 403, {
      name: 'NotAllowedError',
      message: 'denied by policy',
    });
    const denied = await action()
      .handler(actionContext(input(), { workspacePath: workspace.path }))
      .catch(e => e);
    expect(denied.name).toBe('NotAllowedError');
    expect(denied.message).toBe(
      'The ingestion backend refused to list your organizations: denied by policy',
    );
  });

  it('refuses a name that is taken, unless asked to generate the next version', async () => {
    const existing = api.seedPipeline('finance', 'daily-transactions', {
      ...BATCH_SPEC,
      target: { ...BATCH_SPEC.target, catalog: 'finance_catalog' },
    });
    const error = await action()
      .handler(actionContext(input(), { workspacePath: workspace.path }))
      .catch(e => e);
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(
      /^name: organization 'finance' already has a pipeline/,
    );

    const ctx = actionContext(input({ ifExists: 'update' }), {
      workspacePath: workspace.path,
    });
    await action().handler(ctx);
    expect(outputsOf(ctx).existingPipelineId).toBe(existing.id);
    expect(
      yaml.parse(read('catalog-info.yaml')).metadata.annotations,
    ).toMatchObject({
      'ingestion.backstage.io/pipeline-id': existing.id,
    });
    expect(read('src/daily-transactions.py')).toContain(
      `${existing.id}, version 2`,
    );
  });

  it('warns about connections the organization does not have yet', async () => {
    api.connections.finance = [];
    const ctx = actionContext(input(), { workspacePath: workspace.path });
    await action().handler(ctx);
    expect(outputsOf(ctx).warnings).toEqual([
      "Connection 'finance-db' does not exist in 'finance' yet: an admin must create it before the pipeline can run.",
    ]);
  });

  it('estimates a continuous stream per hour', async () => {
    const ctx = actionContext(
      {
        organization: 'retail',
        name: 'user-event-stats',
        expectedVolumeGb: 2,
        spec: {
          pipeline_type: 'streaming',
          source: {
            type: 'kafka',
            bootstrap_servers: 'kafka:9092',
            topic: 'user-events',
          },
          target: {
            type: 'delta',
            path: 'streaming/user-events',
            output_mode: 'append',
          },
        },
      },
      { workspacePath: workspace.path, user: 'user:default/retail-admin' },
    );
    await action().handler(ctx);
    // retail streaming: i3.2xlarge (2 DBU/h), min 3 workers with autoscaling.
    expect(outputsOf(ctx).costEstimate).toMatchObject({
      basis: 'hour',
      workloadType: 'streaming',
      nodeType: 'i3.2xlarge',
      workers: 3,
      dbuPerHour: 8,
      runsPerMonth: 730,
    });
    expect(outputsOf(ctx).estimatedCostPerRun).toBe(4.4);
    expect(outputsOf(ctx).estimatedMonthlyCost).toBe(3212);
  });
});
