import { TestDatabases } from '@backstage/backend-test-utils';
import type { PipelineDetails } from '@ingestion-for-backstage/plugin-ingestion-common';
import { DatabricksTestServer } from '@ingestion-for-backstage/plugin-ingestion-node';
import request from 'supertest';
import { TEST_CONFIG } from '../__testUtils__/demoTenants';
import { batchSpec } from '../__testUtils__/specs';
import { as } from '../__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from '../__testUtils__/setUpIngestionTestBackend';
import { deploymentStatus } from './DeploymentService';

jest.setTimeout(120_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

type Json = Record<string, any>;

describe('deploymentStatus', () => {
  const pipeline = (deployment?: Json) =>
    ({
      id: 'p',
      currentVersion: 3,
      ...(deployment && { deployment }),
    } as unknown as PipelineDetails);
  const at = '2026-01-01T00:00:00.000Z';

  it('is behind when the job runs an older version or an older effective spec', () => {
    expect(deploymentStatus(pipeline(), 'databricks', undefined)).toEqual({
      pipelineId: 'p',
      engine: 'databricks',
      currentVersion: 3,
      deployed: false,
      behind: false,
    });
    const old = {
      databricksJobId: '1',
      deployedVersion: 2,
      deployedAt: at,
      specHash: 'a',
    };
    expect(
      deploymentStatus(pipeline(old), 'databricks', { specHash: 'a' }),
    ).toMatchObject({ deployed: true, behind: true, behindReason: 'version' });
    const current = { ...old, deployedVersion: 3 };
    expect(
      deploymentStatus(pipeline(current), 'databricks', { specHash: 'a' }),
    ).toMatchObject({ behind: false });
    expect(
      deploymentStatus(pipeline(current), 'databricks', { specHash: 'b' }),
    ).toMatchObject({ behind: true, behindReason: 'spec' });
  });
});

describe.each(databases.eachSupportedId())(
  'deployment status and redeploy on %s',
  databaseId => {
    let workspace: DatabricksTestServer;
    const token = 'dapi00112233445566778899aabbccddeeff';
    let counter = 0;

    beforeAll(async () => {
      workspace = await DatabricksTestServer.start({ token });
    });

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      () => ({
        validateResponses: true,
        config: {
          ingestion: {
            ...TEST_CONFIG.ingestion,
            // finance runs on Databricks; retail stays on the local engine.
            organizations: TEST_CONFIG.ingestion.organizations.map(org =>
              org.id === 'finance'
                ? {
                    ...org,
                    engine: 'databricks',
                    databricks: { host: workspace.url, token },
                  }
                : org,
            ),
            runDriver: { enabled: false },
          },
        },
      }),
      { stop: true },
    );

    afterAll(async () => {
      await workspace?.stop();
    });

    async function newPipeline(org = 'finance') {
      counter += 1;
      const spec: Json = batchSpec();
      // Each organization writes to its own catalog.
      spec.target = { ...spec.target, catalog: `${org}_catalog` };
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-engineer`))
        .send({ organization: org, name: `deployed-${counter}`, spec });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    const status = (id: string, user = 'finance-engineer') =>
      request(ingestion.server)
        .get(`/api/ingestion/v1/pipelines/${id}/deployment`)
        .set('Authorization', as(user));
    const redeploy = (id: string, user = 'finance-engineer', body?: Json) =>
      request(ingestion.server)
        .post(`/api/ingestion/v1/pipelines/${id}/deployment/redeploy`)
        .set('Authorization', as(user))
        .send(body ?? {});

    it('deploys, says when the job is behind, and redeploys the same job', async () => {
      const id = await newPipeline();
      const before = await status(id);
      expect(before.status).toBe(200);
      expect(before.body).toEqual({
        pipelineId: id,
        engine: 'databricks',
        currentVersion: 1,
        deployed: false,
        behind: false,
      });

      const first = await redeploy(id);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        created: true,
        version: 1,
        jobName: `finance/deployed-${counter}`,
        status: {
          deployed: true,
          behind: false,
          deployment: { deployedVersion: 1 },
        },
      });
      const jobId = Number(first.body.jobId);
      const job = workspace.jobs().find(j => j.jobId === jobId);
      // The job the deploy action makes: tagged with the organization and the pipeline.
      expect(job?.settings.tags).toMatchObject({
        Organization: 'finance',
        PipelineId: id,
      });
      expect(workspace.notebook(first.body.notebookPath)).toBeDefined();

      // A new version: the deployed job is behind.
      const changed = await request(ingestion.server)
        .put(`/api/ingestion/v1/pipelines/${id}`)
        .set('Authorization', as('finance-engineer'))
        .send({ spec: batchSpec('changed'), expectedVersion: 1 });
      expect(changed.status).toBe(200);
      const behind = await status(id, 'finance-viewer');
      expect(behind.status).toBe(200);
      expect(behind.body).toMatchObject({
        currentVersion: 2,
        deployed: true,
        behind: true,
        behindReason: 'version',
        deployment: { deployedVersion: 1, databricksJobId: String(jobId) },
      });

      // Redeploy updates the recorded job in place: still one job for the pipeline.
      const jobsBefore = workspace.jobs().length;
      const second = await redeploy(id, 'finance-admin', {
        workloadType: 'batch',
      });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({
        jobId: String(jobId),
        created: false,
        version: 2,
        status: { behind: false, deployment: { deployedVersion: 2 } },
      });
      expect(workspace.jobs()).toHaveLength(jobsBefore);
      expect((await status(id)).body.behind).toBe(false);
    });

    it('lets only engineers and admins of the organization redeploy', async () => {
      const id = await newPipeline();
      expect((await redeploy(id, 'finance-analyst')).status).toBe(403);
      expect((await redeploy(id, 'finance-viewer')).status).toBe(403);
      expect((await redeploy(id, 'retail-admin')).status).toBe(404);
      expect((await status(id, 'retail-engineer')).status).toBe(404);
      const tagged = workspace
        .jobs()
        .filter(j => (j.settings.tags as Json | undefined)?.PipelineId === id);
      expect(tagged).toEqual([]);
    });

    it('answers 409 for an organization on the local engine', async () => {
      const id = await newPipeline('retail');
      expect((await status(id, 'retail-engineer')).body).toMatchObject({
        engine: 'local',
        deployed: false,
        behind: false,
      });
      const res = await redeploy(id, 'retail-engineer');
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/local engine/);
    });

    it('answers 503 and records nothing when the workspace refuses', async () => {
      const id = await newPipeline();
      workspace.injectFault({
        times: 20,
        respond: {
          status: 403,
          errorCode: 'PERMISSION_DENIED',
          message: 'Invalid access token',
        },
      });
      try {
        const res = await redeploy(id);
        expect(res.status).toBe(503);
        expect(res.body.error.message).toMatch(
          /could not deploy .*answered 403 PERMISSION_DENIED; nothing was recorded/,
        );
      } finally {
        workspace.clearFaults();
      }
      expect((await status(id)).body.deployed).toBe(false);
    });
  },
);
