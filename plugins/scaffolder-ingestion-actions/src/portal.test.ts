import { createMockDirectory } from '@backstage/backend-test-utils';
import { DatabricksTestServer } from '@ingestion-for-backstage/plugin-ingestion-node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import {
  as,
  startPortalTestBackend,
} from './__testUtils__/startScaffolderTestBackend';
import { testConfig } from './__testUtils__/testConfig';

jest.setTimeout(180_000);

async function eventually<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

/**
 * The Create page's flow as the portal runs it: templates from this package's catalog module, the real
 * catalog with the ingestion entity provider, the scaffolder with the ingestion actions, the
 * ingestion and permission backends.
 */
describe('creating a pipeline from the portal', () => {
  const storage = createMockDirectory();
  const clones = createMockDirectory();
  let databricks: DatabricksTestServer;
  let backend: Awaited<ReturnType<typeof startPortalTestBackend>>;

  beforeAll(async () => {
    databricks = await DatabricksTestServer.start();
    backend = await startPortalTestBackend(
      testConfig(storage.path, { databricksHost: databricks.url }),
    );
  });

  afterAll(async () => {
    await backend?.stop();
    await databricks?.stop();
  });

  it('an engineer creates a pipeline that ends up in the repository, the API, Databricks and the catalog', async () => {
    // The templates are in the catalog, from this package's catalog module.
    const template = await eventually(async () => {
      const res = await request(backend.server)
        .get(
          '/api/catalog/entities/by-name/template/default/batch-database-to-iceberg',
        )
        .set('Authorization', as('retail-engineer'));
      return res.status === 200 ? res.body : undefined;
    }, 'the template in the catalog');
    expect(
      template.spec.steps.map((s: { action: string }) => s.action),
    ).toEqual([
      'ingestion:pipeline:create',
      'debug:log',
      'ingestion:repo:publish',
      'ingestion:pipeline:register',
      'ingestion:databricks:deploy',
    ]);

    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', as('retail-engineer'))
      .send({
        templateRef: 'template:default/batch-database-to-iceberg',
        values: {
          organization: 'retail',
          name: 'store-sales',
          description: 'Sales per store and day',
          database: 'mariadb',
          connection: 'retail-db',
          sourceTable: 'sales',
          incrementalColumn: 'updated_at',
          groupBy: ['store_id', 'day'],
          aggregations: { revenue: 'sum', count: 'count' },
          targetSchema: 'analytics',
          targetTable: 'store_sales',
          mode: 'append',
          schedule: '30 1 * * *',
          expectedVolumeGb: 40,
        },
      });
    expect(created.status).toBe(201);
    const task = await eventually(async () => {
      const res = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
        .set('Authorization', as('retail-engineer'));
      return ['completed', 'failed'].includes(res.body.status)
        ? res.body
        : undefined;
    }, 'the task');
    if (task.status !== 'completed') {
      const events = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${created.body.id}/events`)
        .set('Authorization', as('retail-engineer'));
      throw new Error(
        `task ${task.status}: ${(
          events.body as Array<{ body: { message?: string } }>
        )
          .map(e => e.body.message)
          .join('\n')}`,
      );
    }

    // Repository
    const clone = path.join(clones.path, 'store-sales');
    execFileSync('git', [
      'clone',
      '--quiet',
      path.join(storage.path, 'retail', 'repositories', 'store-sales.git'),
      clone,
    ]);

    // Ingestion API
    const list = await request(backend.server)
      .get('/api/ingestion/v1/pipelines?organization=retail&q=store-sales')
      .set('Authorization', as('retail-engineer'));
    const [pipeline] = list.body.items;
    expect(pipeline).toMatchObject({ name: 'store-sales', currentVersion: 1 });

    // Databricks
    expect(databricks.jobs().map(j => (j.settings as any).name)).toEqual([
      'retail/store-sales',
    ]);

    // Catalog: the entity provider publishes the pipeline, visible to retail only.
    const entity = await eventually(async () => {
      const res = await request(backend.server)
        .get('/api/catalog/entities/by-name/component/retail/store-sales')
        .set('Authorization', as('retail-engineer'));
      return res.status === 200 ? res.body : undefined;
    }, 'the pipeline in the catalog');
    expect(entity.metadata.annotations).toMatchObject({
      'ingestion.backstage.io/organization': 'retail',
      'ingestion.backstage.io/pipeline-id': pipeline.id,
      'ingestion.backstage.io/owner': 'user:default/retail-engineer',
    });
    // Owned by a group of the organization: this catalog has no users, so its owner group.
    expect(entity.spec).toMatchObject({
      type: 'data-pipeline',
      owner: 'group:default/retail',
    });
    const outsider = await request(backend.server)
      .get('/api/catalog/entities/by-name/component/retail/store-sales')
      .set('Authorization', as('finance-engineer'));
    expect(outsider.status).toBe(404);

    // The repository's catalog-info.yaml names the entity the provider publishes.
    const committed = yaml.parse(
      fs.readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8'),
    );
    expect(committed.metadata).toMatchObject({
      name: entity.metadata.name,
      namespace: entity.metadata.namespace,
    });
    expect(committed.spec.system).toBe(entity.spec.system);
  });
});
