import { createMockDirectory } from '@backstage/backend-test-utils';
import { DatabricksTestServer } from '@ingestion-for-backstage/plugin-ingestion-node';
import {
  briefBatchExample,
  briefStreamingExample,
  resolveTemplateValues,
  validatePipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import {
  as,
  loadTemplates,
  startScaffolderTestBackend,
} from './__testUtils__/startScaffolderTestBackend';
import { batchAnswers, testConfig } from './__testUtils__/testConfig';

jest.setTimeout(120_000);

/** The product brief's two example configurations, as written there. */
const SEED_BATCH = briefBatchExample();
const SEED_STREAMING = briefStreamingExample();

function normalised(spec: unknown) {
  const result = validatePipelineSpec(spec);
  if (!result.valid) throw new Error(JSON.stringify(result.problems));
  return result.spec;
}

describe('templates through the real scaffolder backend', () => {
  const storage = createMockDirectory();
  const clones = createMockDirectory();
  const templates = loadTemplates();
  let databricks: DatabricksTestServer;
  let backend: Awaited<ReturnType<typeof startScaffolderTestBackend>>;

  beforeAll(async () => {
    databricks = await DatabricksTestServer.start();
    backend = await startScaffolderTestBackend(
      testConfig(storage.path, { databricksHost: databricks.url }),
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await databricks?.stop();
  });

  async function dryRun(
    template: string,
    values: Record<string, unknown>,
    user: string,
  ) {
    return request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', as(user))
      .send({ template: templates[template], values, directoryContents: [] });
  }

  function filesOf(body: {
    directoryContents: Array<{ path: string; base64Content: string }>;
  }): Record<string, string> {
    return Object.fromEntries(
      body.directoryContents.map(f => [
        f.path,
        Buffer.from(f.base64Content, 'base64').toString('utf8'),
      ]),
    );
  }

  async function runTask(
    template: string,
    values: Record<string, unknown>,
    user: string,
  ) {
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', as(user))
      .send({ templateRef: `template:default/${template}`, values });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (let i = 0; i < 600; i++) {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', as(user));
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${id}/events`)
          .set('Authorization', as(user));
        const log = (events.body as Array<{ body: { message?: string } }>)
          .map(e => e.body.message ?? '')
          .join('\n');
        const completion = (
          events.body as Array<{ type: string; body: any }>
        ).find(e => e.type === 'completion');
        return {
          status: task.body.status as string,
          log,
          output: completion?.body.output,
        };
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`task ${id} did not finish`);
  }

  it("dry-runs batch-database-to-iceberg into the guide's batch example", async () => {
    const response = await dryRun(
      'batch-database-to-iceberg',
      batchAnswers(),
      'finance-engineer',
    );
    expect(response.status).toBe(200);
    const files = filesOf(response.body);
    expect(Object.keys(files).sort()).toEqual([
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
    // The answers are the guide's example; the organization adds its catalog.
    expect(yaml.parse(files['pipeline.yaml'])).toEqual(normalised(SEED_BATCH));
    expect(JSON.parse(files['job.json']).schedule.quartz_cron_expression).toBe(
      '0 0 2 * * ?',
    );

    const { output } = response.body;
    expect(output.text.map((t: { title: string }) => t.title)).toEqual([
      'Estimated cost',
      'Repository',
      'Deployment',
    ]);
    expect(output.text[0].content).toContain('| Per run | **0.33 USD**');
    expect(output.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          entityRef: 'component:finance/daily-transactions',
        }),
      ]),
    );
    const log = (
      response.body.log as Array<{ body: { message: string; stepId?: string } }>
    )
      .filter(l => l.body.stepId === 'review')
      .map(l => l.body.message)
      .join('\n');
    expect(log).toContain('| DBU per hour | 3 (3–11) |');
    // The review page asks the backend the same, for the spec it builds from the same answers.
    const review =
      templates['batch-database-to-iceberg'].spec.parameters.at(-1).properties
        .costEstimate['ui:options'];
    const estimate = await request(backend.server)
      .post('/api/ingestion/v1/costs/estimate')
      .set('Authorization', as('finance-engineer'))
      .send(resolveTemplateValues(review, batchAnswers()) as object);
    expect(estimate.status).toBe(200);
    expect(estimate.body.estimate).toMatchObject({
      costPerRun: 0.33,
      dbuPerHour: 3,
    });
    // Nothing left the dry run: no repository, no pipeline.
    expect(
      fs.existsSync(path.join(storage.path, 'finance', 'repositories')),
    ).toBe(false);
    const pipelines = await request(backend.server)
      .get('/api/ingestion/v1/pipelines?organization=finance')
      .set('Authorization', as('finance-engineer'));
    expect(pipelines.body.items).toEqual([]);
  });

  it("dry-runs streaming-kafka-to-delta into the guide's streaming example", async () => {
    const response = await dryRun(
      'streaming-kafka-to-delta',
      {
        organization: 'finance',
        name: 'user-event-stats',
        bootstrapServers: 'kafka-cluster:9092',
        topic: 'user-events',
        consumerGroup: 'finance-analytics',
        startingOffsets: 'latest',
        format: 'json',
        windowType: 'tumbling',
        windowDuration: '5 minutes',
        groupBy: ['user_id', 'event_type'],
        aggregations: { count: 'count', avg_value: 'avg' },
        deltaPath: 's3://finance-data-lake/streaming/user-events',
        outputMode: 'update',
        expectedVolumeGb: 1,
      },
      'finance-engineer',
    );
    expect(response.status).toBe(200);
    const files = filesOf(response.body);
    expect(yaml.parse(files['pipeline.yaml'])).toEqual(
      normalised(SEED_STREAMING),
    );
    expect(files['src/user-event-stats.py']).toContain('readStream');
    expect(response.body.output.text[0].content).toContain(
      '| Per hour (continuous) |',
    );
  });

  it('dry-runs files-to-iceberg with the CSV options, de-duplication and a rule', async () => {
    const response = await dryRun(
      'files-to-iceberg',
      {
        organization: 'retail',
        name: 'orders-files',
        path: 'landing/orders/*.csv',
        format: 'csv',
        header: true,
        delimiter: ';',
        dedupeKeys: ['order_id'],
        dedupeOrderBy: 'updated_at',
        requiredColumns: ['order_id'],
        completenessThreshold: 1,
        targetSchema: 'raw',
        targetTable: 'orders',
        mode: 'append',
        schedule: '0 3 * * *',
      },
      'retail-engineer',
    );
    expect(response.status).toBe(200);
    const spec = yaml.parse(filesOf(response.body)['pipeline.yaml']);
    expect(spec.source).toEqual({
      type: 'file',
      path: 'landing/orders/*.csv',
      format: 'csv',
      header: true,
      delimiter: ';',
    });
    expect(spec.transformations).toEqual([
      {
        type: 'dedupe',
        keys: ['order_id'],
        order_by: [{ column: 'updated_at', direction: 'desc' }],
      },
    ]);
    expect(spec.target.catalog).toBe('retail_catalog');
    expect(spec.data_quality).toEqual([
      expect.objectContaining({
        type: 'completeness',
        columns: ['order_id'],
        threshold: 1,
      }),
    ]);
    // retail runs on Databricks: the dry run says what the real run would deploy.
    const deployment = response.body.output.text.find(
      (t: { title: string }) => t.title === 'Deployment',
    );
    expect(deployment.content).toBe(
      "Dry run: would create the job of the new pipeline in the Databricks workspace of 'retail'",
    );

    const json = await dryRun(
      'files-to-iceberg',
      {
        organization: 'retail',
        name: 'events-files',
        path: 's3://retail-landing/events/',
        format: 'json',
        targetSchema: 'raw',
        targetTable: 'events',
        mode: 'overwrite',
      },
      'retail-engineer',
    );
    expect(json.status).toBe(200);
    const jsonSpec = yaml.parse(filesOf(json.body)['pipeline.yaml']);
    expect(jsonSpec.source).toEqual({
      type: 'file',
      path: 's3://retail-landing/events/',
      format: 'json',
    });
    expect(jsonSpec.transformations).toEqual([]);
    expect(jsonSpec.schedule).toBeUndefined();
  });

  it('reports spec problems with their paths in a dry run', async () => {
    const response = await dryRun(
      'batch-database-to-iceberg',
      batchAnswers({
        filter: 'amount >',
        aggregations: { amount: 'sum' },
        groupBy: ['1bad'],
      }),
      'finance-engineer',
    );
    // The form's own schema rejects '1bad' before any action runs.
    expect(response.status).toBe(400);

    const invalid = await dryRun(
      'batch-database-to-iceberg',
      batchAnswers({ filter: 'amount >', schedule: '0 2 * *' }),
      'finance-engineer',
    );
    const messages = JSON.stringify(invalid.body);
    expect(messages).toContain('The pipeline spec has 2 problems');
    expect(messages).toContain('spec.transformations[0].condition');
    expect(messages).toContain('spec.schedule');
  });

  it('runs batch-database-to-iceberg: publishes, registers and deploys to Databricks', async () => {
    const result = await runTask(
      'batch-database-to-iceberg',
      batchAnswers({
        organization: 'retail',
        name: 'retail-orders',
        description: 'Orders, loaded nightly',
        database: 'postgres',
        connection: 'retail-db',
        sourceSchema: 'shop',
        sourceTable: 'orders',
        filter: "status <> 'test'",
        groupBy: ['store_id'],
        aggregations: { total: 'sum', count: 'count' },
        requiredColumns: ['store_id'],
        targetTable: 'daily_orders',
        mode: 'merge',
        mergeKeys: ['store_id'],
      }),
      'retail-engineer',
    );
    expect(result.log).not.toContain('Error');
    expect(result.status).toBe('completed');

    // The repository: a bare repository under retail's storage, cloneable, with the generated files.
    const remote = path.join(
      storage.path,
      'retail',
      'repositories',
      'retail-orders.git',
    );
    const clone = path.join(clones.path, 'retail-orders');
    execFileSync('git', ['clone', '--quiet', remote, clone]);
    expect(fs.readdirSync(clone).sort()).toEqual([
      '.git',
      '.github',
      'README.md',
      'catalog-info.yaml',
      'ci',
      'databricks.yml',
      'job.json',
      'pipeline.yaml',
      'resources',
      'src',
    ]);
    expect(
      execFileSync('git', ['-C', clone, 'log', '--format=%s'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('Pipeline retail-orders: postgres table orders to Iceberg');
    const committedSpec = yaml.parse(
      fs.readFileSync(path.join(clone, 'pipeline.yaml'), 'utf8'),
    );
    expect(committedSpec.target).toEqual({
      type: 'iceberg',
      catalog: 'retail_catalog',
      schema: 'analytics',
      table: 'daily_orders',
      mode: 'merge',
      merge_keys: ['store_id'],
    });

    // The pipeline: in the ingestion API, owned by the user, with the committed spec.
    const list = await request(backend.server)
      .get('/api/ingestion/v1/pipelines?organization=retail')
      .set('Authorization', as('retail-engineer'));
    expect(list.body.items).toHaveLength(1);
    const [pipeline] = list.body.items;
    expect(pipeline).toMatchObject({
      organization: 'retail',
      name: 'retail-orders',
      description: 'Orders, loaded nightly',
      owner: 'user:default/retail-engineer',
      currentVersion: 1,
      engine: 'databricks',
    });
    const details = await request(backend.server)
      .get(`/api/ingestion/v1/pipelines/${pipeline.id}`)
      .set('Authorization', as('retail-engineer'));
    expect(details.body.spec).toEqual(committedSpec);

    // The job: one, in retail's workspace, for this pipeline and version.
    const jobs = databricks.jobs();
    expect(jobs).toHaveLength(1);
    expect(jobs[0].settings).toMatchObject({
      name: 'retail/retail-orders',
      tags: {
        Organization: 'retail',
        CostCenter: 'RET-001',
        PipelineId: pipeline.id,
      },
    });
    expect(
      databricks.notebook('/Shared/ingestion/retail/retail-orders/v1')?.content,
    ).toContain('MERGE INTO');

    expect(result.output.links).toEqual([
      {
        title: 'Pipeline',
        icon: 'dashboard',
        url: `http://localhost:3000/ingestion/pipelines/${pipeline.id}`,
      },
      {
        title: 'Open in catalog',
        icon: 'catalog',
        entityRef: 'component:retail/retail-orders',
      },
      {
        title: 'Databricks job',
        url: `${databricks.url}/jobs/${jobs[0].jobId}`,
      },
    ]);
    expect(result.output.text[1].content).toContain(
      `git clone file://${remote}`,
    );
  });

  it('runs files-to-iceberg for an organization on the local engine without deploying', async () => {
    const result = await runTask(
      'files-to-iceberg',
      {
        organization: 'finance',
        name: 'card-files',
        path: 'landing/cards/*.parquet',
        format: 'parquet',
        targetSchema: 'raw',
        targetTable: 'cards',
        mode: 'append',
        schedule: '0 3 * * *',
      },
      'finance-admin',
    );
    expect(result.status).toBe('completed');
    const deployment = result.output.text.find(
      (t: { title: string }) => t.title === 'Deployment',
    );
    expect(deployment.content).toContain(
      "Organization 'finance' runs its pipelines on the local engine",
    );
    expect(databricks.jobs().map(j => (j.settings as any).name)).not.toContain(
      'finance/card-files',
    );
    expect(
      fs.existsSync(
        path.join(
          storage.path,
          'finance',
          'repositories',
          'card-files.git',
          'HEAD',
        ),
      ),
    ).toBe(true);
  });

  it('stops an analyst at the first step with a clear message, before anything is created', async () => {
    const result = await runTask(
      'batch-database-to-iceberg',
      batchAnswers({ name: 'analyst-attempt' }),
      'finance-analyst',
    );
    expect(result.status).toBe('failed');
    expect(result.log).toContain(
      "You cannot create pipelines in organization 'finance': that needs the engineer or admin role, and your role is analyst",
    );
    expect(
      fs.existsSync(
        path.join(
          storage.path,
          'finance',
          'repositories',
          'analyst-attempt.git',
        ),
      ),
    ).toBe(false);
    const pipelines = await request(backend.server)
      .get('/api/ingestion/v1/pipelines?organization=finance&q=analyst-attempt')
      .set('Authorization', as('finance-admin'));
    expect(pipelines.body.items).toEqual([]);
  });
});
