import { TestDatabases } from '@backstage/backend-test-utils';
import {
  DatabricksClient,
  DatabricksTestServer,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import request from 'supertest';
import { TEST_CONFIG } from './__testUtils__/demoTenants';
import { batchSpec } from './__testUtils__/specs';
import { as } from './__testUtils__/startIngestionTestBackend';
import { setUpIngestionTestBackend } from './__testUtils__/setUpIngestionTestBackend';

jest.setTimeout(120_000);

/**
 * `PUT /v1/pipelines/{id}/deployment` records only a job that the organization's own workspace
 * confirms is the pipeline's: it exists there and its tags name the organization and the
 * pipeline. Anything else is a 400 naming `jobId` (a 503 when the workspace cannot answer), and
 * nothing is recorded.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const TOKEN = 'dapi00112233445566778899aabbccddeeff';

describe.each(databases.eachSupportedId())(
  'deployment records on %s',
  databaseId => {
    let finance: DatabricksTestServer;
    let retail: DatabricksTestServer;
    let counter = 0;

    beforeAll(async () => {
      finance = await DatabricksTestServer.start({ token: TOKEN });
      retail = await DatabricksTestServer.start({ token: TOKEN });
    }, 120_000);

    const ingestion = setUpIngestionTestBackend(
      databases,
      databaseId,
      () => {
        const workspaces: Record<string, string> = {
          finance: finance.url,
          retail: retail.url,
        };
        return {
          validateResponses: true,
          config: {
            ingestion: {
              ...TEST_CONFIG.ingestion,
              organizations: TEST_CONFIG.ingestion.organizations.map(org =>
                workspaces[org.id]
                  ? {
                      ...org,
                      databricks: { host: workspaces[org.id], token: TOKEN },
                    }
                  : org,
              ),
              runDriver: { enabled: false },
              rateLimits: { enabled: false },
            },
          },
        };
      },
      { timeout: 120_000 },
    );

    afterAll(async () => {
      await finance?.stop();
      await retail?.stop();
    }, 60_000);

    async function newPipeline(org: string) {
      counter += 1;
      const spec = batchSpec(`deployed_${counter}`);
      const res = await request(ingestion.server)
        .post('/api/ingestion/v1/pipelines')
        .set('Authorization', as(`${org}-engineer`))
        .send({
          organization: org,
          name: `deployed-${counter}`,
          spec: {
            ...spec,
            target: { ...spec.target, catalog: `${org}_catalog` },
          },
        });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }

    /** A job in `workspace` with the tags the code generator puts on jobs. */
    async function jobIn(
      workspace: DatabricksTestServer,
      tags: Record<string, string>,
    ): Promise<number> {
      const client = new DatabricksClient({
        host: workspace.url,
        token: TOKEN,
      });
      counter += 1;
      const { jobId } = await client.createOrUpdateJob({
        name: `job-${counter}`,
        tags: { ManagedBy: 'backstage-ingestion', ...tags },
      });
      workspace.requests.length = 0;
      return jobId;
    }

    const record = (id: string, body: Record<string, unknown>) =>
      request(ingestion.server)
        .put(`/api/ingestion/v1/pipelines/${id}/deployment`)
        .set('Authorization', as('finance-engineer'))
        .send(body);
    const deploymentOf = async (id: string) =>
      (
        await request(ingestion.server)
          .get(`/api/ingestion/v1/pipelines/${id}`)
          .set('Authorization', as('finance-admin'))
      ).body.deployment;

    it("records a job that the organization's workspace confirms is the pipeline's", async () => {
      const id = await newPipeline('finance');
      const jobId = await jobIn(finance, {
        Organization: 'finance',
        PipelineId: id,
      });
      const res = await record(id, {
        jobId: String(jobId),
        jobUrl: `${finance.url}/jobs/${jobId}`,
      });
      expect(res.status).toBe(200);
      expect(res.body.deployment).toMatchObject({
        databricksJobId: String(jobId),
        deployedVersion: 1,
      });
      // Asked of finance's own workspace, with finance's token; retail's was not asked.
      expect(finance.requests.map(r => `${r.method} ${r.path}`)).toEqual([
        'GET /api/2.2/jobs/get',
      ]);
      expect(retail.requests).toEqual([]);
    });

    it.each([
      [
        'of another pipeline',
        (_id: string) => ({ Organization: 'finance', PipelineId: 'pl-other' }),
        (jobId: number, id: string) =>
          `jobId: job ${jobId} is tagged for pipeline 'pl-other', not '${id}'`,
      ],
      [
        'of another organization',
        (id: string) => ({ Organization: 'retail', PipelineId: id }),
        (jobId: number) =>
          `jobId: job ${jobId} is tagged for organization 'retail', not 'finance'`,
      ],
      [
        'without tags',
        (_id: string) => ({}),
        (jobId: number) =>
          `jobId: job ${jobId} is tagged for organization no, not 'finance'`,
      ],
    ])(
      'refuses a job %s and records nothing',
      async (_name, tagsOf, message) => {
        const id = await newPipeline('finance');
        const jobId = await jobIn(finance, tagsOf(id));
        const res = await record(id, { jobId: String(jobId) });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(message(jobId, id));
        expect(await deploymentOf(id)).toBeUndefined();
        // The refusal is audited.
        const audit = await request(ingestion.server)
          .get(
            `/api/ingestion/v1/audit?organization=finance&action=pipeline.deploy&targetId=${id}`,
          )
          .set('Authorization', as('finance-admin'));
        expect(audit.body.items).toEqual([
          expect.objectContaining({
            outcome: 'failure',
            actor: 'user:default/finance-engineer',
          }),
        ]);
      },
    );

    it("refuses a job that does not exist in the organization's workspace", async () => {
      const id = await newPipeline('finance');
      const res = await record(id, { jobId: '987654' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        "jobId: job 987654 does not exist in organization finance's workspace",
      );
      expect(await deploymentOf(id)).toBeUndefined();
    });

    it("looks a job id up in the organization's own workspace only", async () => {
      const id = await newPipeline('finance');
      // A job tagged for this pipeline, but in retail's workspace: in finance's, its id is
      // another job (ids are per workspace) or none.
      const jobId = await jobIn(retail, {
        Organization: 'finance',
        PipelineId: id,
      });
      const res = await record(id, { jobId: String(jobId) });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        new RegExp(`^jobId: job ${jobId} (is tagged for|does not exist in)`),
      );
      expect(retail.requests).toEqual([]);
      expect(await deploymentOf(id)).toBeUndefined();
    });

    it('records nothing and answers 503 while the workspace cannot answer', async () => {
      const id = await newPipeline('finance');
      const jobId = await jobIn(finance, {
        Organization: 'finance',
        PipelineId: id,
      });
      finance.injectFault({
        path: '/api/2.2/jobs/get',
        respond: { status: 403, errorCode: 'PERMISSION_DENIED' },
      });
      const refused = await record(id, { jobId: String(jobId) });
      expect(refused.status).toBe(503);
      expect(refused.body.error.message).toBe(
        `jobId: could not verify job ${jobId} in organization finance's Databricks workspace (the workspace refused the organization’s credentials); nothing was recorded, try again later`,
      );
      finance.injectFault({
        path: '/api/2.2/jobs/get',
        // Every attempt of the client's retries.
        times: 5,
        respond: { status: 503 },
      });
      const down = await record(id, { jobId: String(jobId) });
      expect(down.status).toBe(503);
      expect(down.body.error.message).toMatch(
        /^jobId: could not verify job \d+ in organization finance's Databricks workspace \(the workspace answered 503/,
      );
      expect(await deploymentOf(id)).toBeUndefined();
      expect(finance.pendingFaults()).toEqual([]);
    });

    it('refuses job ids that are not Databricks job ids, and organizations without a workspace', async () => {
      const id = await newPipeline('finance');
      const huge = await record(id, { jobId: '99999999999999999999' });
      expect(huge.status).toBe(400);
      expect(huge.body.error.message).toMatch(
        /^jobId: must be a Databricks job id/,
      );
      const healthcare = await newPipeline('healthcare');
      const none = await request(ingestion.server)
        .put(`/api/ingestion/v1/pipelines/${healthcare}/deployment`)
        .set('Authorization', as('healthcare-engineer'))
        .send({ jobId: '1' });
      expect(none.status).toBe(400);
      expect(none.body.error.message).toBe(
        "jobId: organization 'healthcare' has no Databricks workspace, so job 1 cannot be its pipeline's",
      );
    });
  },
);
