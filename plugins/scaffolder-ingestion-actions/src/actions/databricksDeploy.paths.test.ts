import { createMockDirectory } from '@backstage/backend-test-utils';
import { DatabricksTestServer } from '@ingestion-for-backstage/plugin-ingestion-node';
import request from 'supertest';
import {
  as,
  startScaffolderTestBackend,
} from '../__testUtils__/startScaffolderTestBackend';
import { batchAnswers, testConfig } from '../__testUtils__/testConfig';

jest.setTimeout(180_000);

type Json = Record<string, any>;

/**
 * The two ways a pipeline version reaches Databricks: the template's `ingestion:databricks:deploy`
 * step (scaffolder) and the pipeline page's redeploy (ingestion backend). Both go through
 * `deployPipelineVersion` of plugin-ingestion-node, so for the same version they must send the
 * workspace the same job settings, the organization's cluster policy and notifications included.
 */
describe('deploying from the scaffolder and redeploying from the portal', () => {
  const storage = createMockDirectory();
  let databricks: DatabricksTestServer;
  let backend: Awaited<ReturnType<typeof startScaffolderTestBackend>>;

  beforeAll(async () => {
    databricks = await DatabricksTestServer.start();
    const config = testConfig(storage.path, { databricksHost: databricks.url });
    const organizations: Json[] = config.ingestion.organizations.map(
      (org: Json) =>
        org.id === 'retail'
          ? {
              ...org,
              databricks: {
                ...org.databricks,
                clusterPolicyId: 'E0631F5C0D000456',
                notificationEmails: ['data-oncall@retail.example.com'],
              },
            }
          : org,
    );
    backend = await startScaffolderTestBackend({
      ...config,
      ingestion: { ...config.ingestion, organizations },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await databricks?.stop();
  });

  async function runTask(values: Record<string, unknown>, user: string) {
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', as(user))
      .send({
        templateRef: 'template:default/batch-database-to-iceberg',
        values,
      });
    expect(created.status).toBe(201);
    for (let i = 0; i < 1200; i++) {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', as(user));
      if (['completed', 'failed', 'cancelled'].includes(task.body.status)) {
        const events = await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
          .set('Authorization', as(user));
        return {
          status: task.body.status as string,
          log: (events.body as Array<{ body: { message?: string } }>)
            .map(e => e.body.message ?? '')
            .join('\n'),
        };
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`task ${created.body.id} did not finish`);
  }

  /** The job settings of each jobs/create and jobs/reset the workspace received, in order. */
  const jobSettingsSent = () =>
    databricks.requests
      .filter(r => /\/jobs\/(create|reset)$/.test(r.path) && r.status === 200)
      .map(r => ({
        call: r.path.endsWith('/reset') ? 'reset' : 'create',
        settings: r.path.endsWith('/reset')
          ? (r.body as Json).new_settings
          : r.body,
      }));

  it('sends the same job settings for the same version', async () => {
    const task = await runTask(
      batchAnswers({
        organization: 'retail',
        name: 'store-orders',
        description: 'Orders per store, nightly',
        database: 'postgres',
        connection: 'retail-db',
        sourceTable: 'orders',
        groupBy: ['store_id'],
        aggregations: { total: 'sum', count: 'count' },
        requiredColumns: ['store_id'],
        targetTable: 'store_orders',
      }),
      'retail-engineer',
    );
    expect(task.log).not.toContain('Error');
    expect(task.status).toBe('completed');
    const list = await request(backend.server)
      .get('/api/ingestion/v1/pipelines?organization=retail&q=store-orders')
      .set('Authorization', as('retail-engineer'));
    const [pipeline] = list.body.items;
    expect(pipeline.deployment).toMatchObject({ deployedVersion: 1 });

    const redeployed = await request(backend.server)
      .post(`/api/ingestion/v1/pipelines/${pipeline.id}/deployment/redeploy`)
      .set('Authorization', as('retail-engineer'))
      .send({});
    expect(redeployed.status).toBe(200);
    expect(redeployed.body).toMatchObject({
      jobId: pipeline.deployment.databricksJobId,
      created: false,
      version: 1,
    });

    const sent = jobSettingsSent();
    expect(sent.map(s => s.call)).toEqual(['create', 'reset']);
    const [fromScaffolder, fromPortal] = sent.map(s => s.settings);
    expect(fromScaffolder).toMatchObject({
      name: 'retail/store-orders',
      description: 'Orders per store, nightly',
      email_notifications: { on_failure: ['data-oncall@retail.example.com'] },
      job_clusters: [{ new_cluster: { policy_id: 'E0631F5C0D000456' } }],
      tags: { Organization: 'retail', PipelineId: pipeline.id },
    });
    expect(fromPortal).toEqual(fromScaffolder);
    expect(databricks.jobs()).toHaveLength(1);
  });
});
