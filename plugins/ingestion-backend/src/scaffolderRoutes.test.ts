import { TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabricksClient,
  DatabricksTestServer,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DatabaseCostsStore } from './database/CostsStore';
import { TEST_CONFIG } from './__testUtils__/demoTenants';
import { batchSpec } from './__testUtils__/specs';
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(60_000);

/**
 * The routes the scaffolder's templates and actions use besides the pipeline CRUD: the cost
 * estimate of the review step and the deployment record of `ingestion:databricks:deploy`.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const TOKEN = 'dapi00112233445566778899aabbccddeeff';

describe.each(databases.eachSupportedId())(
  'cost estimate and deployment routes on %s',
  databaseId => {
    // finance's and retail's Databricks workspace: recorded jobs are verified there.
    let workspace: DatabricksTestServer;
    let RETAIL_WORKSPACE: string;

    beforeAll(async () => {
      workspace = await DatabricksTestServer.start({ token: TOKEN });
      RETAIL_WORKSPACE = workspace.url;
    }, 120_000);

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      () => ({
        validateResponses: true,
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            organizations: TEST_CONFIG.ingestion.organizations.map(org => {
              if (org.id === 'retail') {
                return {
                  ...org,
                  engine: 'databricks',
                  databricks: { host: RETAIL_WORKSPACE, token: TOKEN },
                };
              }
              if (org.id === 'finance') {
                return {
                  ...org,
                  databricks: { host: RETAIL_WORKSPACE, token: TOKEN },
                };
              }
              // Production runs are not masked.
              if (org.id === 'healthcare') {
                return { ...org, environment: 'production' };
              }
              return org;
            }),
            pricing: { dbu: 0.55, currency: 'USD' },
          },
        },
      }),
      { timeout: 120_000 },
    );

    beforeAll(async () => {
      // finance has spent 995 of its 1,000 this month.
      const at = new Date();
      await new DatabaseCostsStore(ingestion.knex).add({
        organizationId: 'finance',
        costCenter: 'FIN-001',
        environment: 'development',
        serviceType: 'compute',
        quantity: 1809,
        unit: 'DBU',
        amount: 995,
        currency: 'USD',
        period: at.toISOString().slice(0, 7),
        at,
      });
    }, 120_000);

    afterAll(async () => {
      await workspace?.stop();
    });

    /** A job of the pipeline in its organization's workspace, tagged as the code generator does. */
    async function jobFor(org: string, pipelineId: string): Promise<string> {
      const client = new DatabricksClient({
        host: workspace.url,
        token: TOKEN,
      });
      const { jobId } = await client.createOrUpdateJob({
        name: `${org}-${pipelineId}-${Math.random()}`,
        tags: { Organization: org, PipelineId: pipelineId },
      });
      return String(jobId);
    }

    const estimate = (user: string, body: Record<string, unknown>) =>
      request(ingestion.server)
        .post('/api/ingestion/v1/costs/estimate')
        .set('Authorization', as(user))
        .send(body);
    const { catalog: _catalog, ...targetWithoutCatalog } = batchSpec().target;
    const templateSpec = { ...batchSpec(), target: targetWithoutCatalog };

    describe('POST /v1/costs/estimate', () => {
      it("estimates on the organization's cluster, with its budget and quota headroom", async () => {
        const res = await estimate('finance-engineer', {
          organization: 'finance',
          spec: templateSpec,
          expectedVolumeGb: 5,
        });
        expect(res.status).toBe(200);
        // finance: i3.xlarge (1 DBU/h), 2–10 workers; a daily run of 5 GB on 2 workers.
        expect(res.body.estimate).toMatchObject({
          currency: 'USD',
          dbuPrice: 0.55,
          workloadType: 'batch',
          nodeType: 'i3.xlarge',
          workers: 2,
          costPerRun: 0.33,
          runsPerMonth: 30.4,
          costPerMonth: 10.03,
        });
        expect(res.body.budget).toEqual({
          monthly: 1000,
          spentThisMonth: 995,
          remaining: 5,
          remainingAfter: -5.03,
          exceeded: true,
        });
        expect(res.body.warnings).toEqual([
          "The estimated monthly cost (10.03 USD) is more than the 5 USD left of 'finance''s budget this month.",
        ]);
        expect(res.body.quotas).toMatchObject({
          dbuPerHour: { quota: 50, usedLastHour: 0, headroom: 50 },
          concurrentRuns: { current: 0 },
          exceeded: [],
        });
        expect(res.body.appliedDefaults).toEqual([
          'target.catalog: finance_catalog',
        ]);
      });

      it("counts only the organization's own spend", async () => {
        const res = await estimate('retail-engineer', {
          organization: 'retail',
          spec: { ...templateSpec, source: { ...templateSpec.source } },
          workloadType: 'batch_large',
        });
        expect(res.status).toBe(200);
        expect(res.body.budget).toMatchObject({
          monthly: 2000,
          spentThisMonth: 0,
          exceeded: false,
        });
        expect(res.body.estimate).toMatchObject({
          workloadType: 'batch_large',
          nodeType: 'i3.2xlarge',
          maxWorkers: 50,
        });
        // The largest batch_large cluster (51 × 2 DBU/h) is above retail's 50 DBU/h.
        expect(res.body.quotas.warnings).toEqual([
          expect.stringContaining('At its largest (50 workers)'),
        ]);
      });

      it('answers 400 listing every problem of the spec with its path', async () => {
        const res = await estimate('finance-engineer', {
          organization: 'finance',
          spec: {
            ...templateSpec,
            source: { type: 'mysql', connection: 'finance-db' },
            transformations: [{ type: 'filter', condition: 'amount >' }],
          },
        });
        expect(res.status).toBe(400);
        expect(res.body.problems.map((p: { path: string }) => p.path)).toEqual(
          expect.arrayContaining([
            'source.table',
            'transformations[0].condition',
          ]),
        );
      });

      it('refuses analysts and hides other organizations', async () => {
        const analyst = await estimate('finance-analyst', {
          organization: 'finance',
          spec: templateSpec,
        });
        expect(analyst.status).toBe(403);
        expect(analyst.body.error.message).toBe(
          "Your roles in organization 'finance' do not allow ingestion.pipeline.create",
        );
        const outsider = await estimate('retail-engineer', {
          organization: 'finance',
          spec: templateSpec,
        });
        expect(outsider.status).toBe(404);
        expect(JSON.stringify(outsider.body)).not.toContain('995');
      });
    });

    async function newPipeline(
      org: string,
      name: string,
      transformations?: unknown[],
    ) {
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-engineer`))
        .send({
          organization: org,
          name,
          spec: {
            ...batchSpec(name.replace(/-/g, '_')),
            target: { ...targetWithoutCatalog, catalog: `${org}_catalog` },
            ...(transformations ? { transformations } : {}),
          },
        });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    describe('GET /v1/pipelines/{id}/effective-spec', () => {
      /** A table the pipeline wrote, tagged with a PII column by an earlier run or scan. */
      async function writtenTableWithPii(org: string, pipelineId: string) {
        await ingestion.knex('data_tables').insert({
          id: randomUUID(),
          organization_id: org,
          format: 'iceberg',
          catalog_name: `${org}_catalog`,
          namespace: 'analytics',
          table_name: `t_${pipelineId.slice(0, 8)}`,
          location: `file:///w/${pipelineId}`,
          owner: `group:default/${org}`,
          pipeline_id: pipelineId,
          pii_columns: JSON.stringify(['email']),
          created_at: new Date(),
          updated_at: new Date(),
        });
      }
      const effective = (user: string, id: string) =>
        request(ingestion.server)
          .get(`/api/ingestion/v1/pipelines/${id}/effective-spec`)
          .set('Authorization', as(user));
      const filterOnly = [{ type: 'filter', condition: 'amount > 0' }];

      it('adds the masks of the known PII columns outside production', async () => {
        const id = await newPipeline('finance', 'with-pii', filterOnly);
        const before = await effective('finance-viewer', id);
        expect(before.status).toBe(200);
        expect(before.body.maskedColumns).toEqual([]);
        expect(before.body.spec.transformations).toEqual(filterOnly);

        await writtenTableWithPii('finance', id);
        const res = await effective('finance-viewer', id);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          pipelineId: id,
          version: 1,
          environment: 'development',
          maskedColumns: [
            { column: 'email', types: ['email'], source: 'table' },
          ],
        });
        expect(res.body.spec.transformations).toEqual([
          ...filterOnly,
          expect.objectContaining({ type: 'mask', columns: ['email'] }),
        ]);
        expect(res.body.specHash).toMatch(/^[0-9a-f]{64}$/);
        expect(res.body.specHash).not.toBe(before.body.specHash);

        // The deploy action records which effective spec the job was generated from.
        const recorded = await request(ingestion.server)
          .put(`/api/ingestion/v1/pipelines/${id}/deployment`)
          .set('Authorization', as('finance-engineer'))
          .send({
            jobId: await jobFor('finance', id),
            specHash: res.body.specHash,
          });
        expect(recorded.status).toBe(200);
        expect(recorded.body.deployment.specHash).toBe(res.body.specHash);
        const bad = await request(ingestion.server)
          .put(`/api/ingestion/v1/pipelines/${id}/deployment`)
          .set('Authorization', as('finance-engineer'))
          .send({ jobId: '77', specHash: 'not-a-hash' });
        expect(bad.status).toBe(400);
        expect(JSON.stringify(bad.body)).toContain('specHash');
      });

      it('masks nothing in production', async () => {
        const id = await newPipeline('healthcare', 'prod-pii', filterOnly);
        await writtenTableWithPii('healthcare', id);
        const res = await effective('healthcare-analyst', id);
        expect(res.status).toBe(200);
        expect(res.body.environment).toBe('production');
        expect(res.body.maskedColumns).toEqual([]);
        expect(res.body.spec.transformations).toEqual(filterOnly);
      });

      it('hides the pipeline from other organizations', async () => {
        const id = await newPipeline('finance', 'hidden-spec', filterOnly);
        await writtenTableWithPii('finance', id);
        const res = await effective('retail-admin', id);
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain('email');
      });
    });

    describe('PUT /v1/pipelines/{id}/deployment', () => {
      const record = (
        user: string,
        id: string,
        body: Record<string, unknown>,
      ) =>
        request(ingestion.server)
          .put(`/api/ingestion/v1/pipelines/${id}/deployment`)
          .set('Authorization', as(user))
          .send(body);

      it('records the job, shows it on the pipeline, and audits it', async () => {
        const id = await newPipeline('retail', 'deployed');
        const jobId = await jobFor('retail', id);
        const res = await record('retail-engineer', id, {
          jobId,
          jobUrl: `${RETAIL_WORKSPACE}/jobs/${jobId}`,
          workspaceUrl: RETAIL_WORKSPACE,
        });
        expect(res.status).toBe(200);
        const expected = {
          databricksJobId: jobId,
          deployedVersion: 1,
          deployedAt: expect.any(String),
          jobUrl: `${RETAIL_WORKSPACE}/jobs/${jobId}`,
          workspaceUrl: RETAIL_WORKSPACE,
        };
        expect(res.body.deployment).toEqual(expected);
        const read = await request(ingestion.server)
          .get(`/api/ingestion/v1/pipelines/${id}`)
          .set('Authorization', as('retail-viewer'));
        expect(read.body.deployment).toEqual(expected);

        // A later deployment without links replaces the earlier links.
        const secondJobId = await jobFor('retail', id);
        const again = await record('retail-admin', id, { jobId: secondJobId });
        expect(again.body.deployment).toEqual({
          databricksJobId: secondJobId,
          deployedVersion: 1,
          deployedAt: expect.any(String),
        });

        const audit = await request(ingestion.server)
          .get(
            `/api/ingestion/v1/audit?organization=retail&action=pipeline.deploy&targetId=${id}`,
          )
          .set('Authorization', as('retail-admin'));
        expect(
          audit.body.items.map((e: { actor: string; outcome: string }) => [
            e.actor,
            e.outcome,
          ]),
        ).toEqual([
          ['user:default/retail-admin', 'success'],
          ['user:default/retail-engineer', 'success'],
        ]);
      });

      it("refuses links outside the organization's workspace", async () => {
        const id = await newPipeline('retail', 'elsewhere');
        const res = await record('retail-engineer', id, {
          jobId: '7',
          jobUrl: 'https://attacker.example.com/jobs/7',
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(
          `jobUrl: must be in the Databricks workspace of organization 'retail' (${RETAIL_WORKSPACE})`,
        );
        const unparsable = await record('retail-engineer', id, {
          jobId: '7',
          workspaceUrl: 'https://[not-a-host',
        });
        expect(unparsable.status).toBe(400);
        expect(unparsable.body.error.message).toMatch(/^workspaceUrl: /);
      });

      it('refuses analysts and hides the pipeline from other organizations', async () => {
        const id = await newPipeline('finance', 'not-yours');
        expect(
          (await record('finance-analyst', id, { jobId: '1' })).status,
        ).toBe(403);
        expect((await record('retail-admin', id, { jobId: '1' })).status).toBe(
          404,
        );
        const read = await request(ingestion.server)
          .get(`/api/ingestion/v1/pipelines/${id}`)
          .set('Authorization', as('finance-admin'));
        expect(read.body.deployment).toBeUndefined();
      });
    });
  },
);
