import { mockServices } from '@backstage/backend-test-utils';
import {
  DatabricksClient,
  DatabricksTestServer,
  deployJob,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { DatabricksEngine } from './DatabricksEngine';
import type { DatabricksDeployment } from './deployments';
import {
  batchSpec,
  engineRunContext,
  financeOrganization,
  PIPELINE,
  TOKEN,
} from './__testUtils__/engineContext';

jest.setTimeout(60_000);

/**
 * Deployments recorded before jobs were verified (or whose verification was lost) are verified
 * before a run starts them: run-now only ever starts a job whose tags name the organization and
 * the pipeline, in the organization's own workspace; otherwise the run submits the notebook once.
 */
describe('DatabricksEngine: run-now only for verified jobs', () => {
  let server: DatabricksTestServer;
  let logs: Array<{ level: string; message: string }>;
  let deployment: DatabricksDeployment | undefined;
  let marked: Array<[string, string, number]>;
  let engine: DatabricksEngine;

  beforeEach(async () => {
    server = await DatabricksTestServer.start({ token: TOKEN });
    logs = [];
    marked = [];
    deployment = undefined;
    engine = new DatabricksEngine({
      logger: mockServices.logger.mock(),
      client: {
        sleep: async () => {},
        random: () => 0,
        retry: { maxAttempts: 2 },
      },
      deployments: {
        deployedJob: async () => deployment,
        markVerified: async (organizationId, pipelineId, jobId) => {
          marked.push([organizationId, pipelineId, jobId]);
        },
      },
    });
  }, 60_000);

  afterEach(async () => {
    await server.stop();
  });

  const context = () =>
    engineRunContext({
      organization: financeOrganization({ host: server.url }),
      logs,
    });
  const paths = () => server.requests.map(r => `${r.method} ${r.path}`);

  /** A job deployed the way the deploy action does, then retagged with `tags`. */
  async function jobTagged(tags: Record<string, string | undefined>) {
    const { jobId } = await deployJob(
      financeOrganization({ host: server.url }),
      PIPELINE,
      batchSpec(),
    );
    const client = new DatabricksClient({ host: server.url, token: TOKEN });
    const job = (await client.getJob(jobId))!;
    const merged = { ...job.settings!.tags, ...tags };
    for (const key of Object.keys(merged)) {
      if (merged[key] === undefined) delete merged[key];
    }
    await client.createOrUpdateJob(
      { ...job.settings!, tags: merged as Record<string, string> },
      { jobId },
    );
    server.requests.length = 0;
    return jobId;
  }

  it('verifies a job recorded before verification, marks it, then starts it', async () => {
    const jobId = await jobTagged({});
    deployment = { jobId, version: PIPELINE.version, verified: false };
    const { engineRunId } = await engine.submit(context());
    expect(paths()).toEqual([
      'POST /api/2.0/workspace/mkdirs',
      'POST /api/2.0/workspace/import',
      'GET /api/2.2/jobs/get',
      'POST /api/2.2/jobs/run-now',
    ]);
    expect(server.run(Number(engineRunId))).toMatchObject({ jobId });
    expect(marked).toEqual([['finance', PIPELINE.id, jobId]]);
  });

  it.each([
    ['of another pipeline', { PipelineId: 'pl-other' }],
    ['of another organization', { Organization: 'retail' }],
    ['without the organization tag', { Organization: undefined }],
    ['without the pipeline tag', { PipelineId: undefined }],
  ])(
    'never starts a job %s: the notebook runs once instead',
    async (_name, tags) => {
      const jobId = await jobTagged(tags);
      deployment = { jobId, version: PIPELINE.version, verified: false };
      const { engineRunId } = await engine.submit(context());
      expect(paths()).not.toContain('POST /api/2.2/jobs/run-now');
      expect(paths()).toContain('POST /api/2.2/jobs/runs/submit');
      expect(server.run(Number(engineRunId))!.runType).toBe('SUBMIT_RUN');
      expect(marked).toEqual([]);
      expect(logs[0]).toEqual({
        level: 'warn',
        message: expect.stringMatching(
          new RegExp(
            `^Recorded job ${jobId} is not verified as this pipeline's job \\(job ${jobId} is tagged for .*\\); submitting a one-off run instead$`,
          ),
        ),
      });
    },
  );

  it('never starts a job that does not exist: the notebook runs once instead', async () => {
    deployment = { jobId: 9999, version: PIPELINE.version, verified: false };
    await engine.submit(context());
    expect(paths()).toContain('GET /api/2.2/jobs/get');
    expect(paths()).not.toContain('POST /api/2.2/jobs/run-now');
    expect(paths()).toContain('POST /api/2.2/jobs/runs/submit');
    expect(logs[0].message).toContain(
      "job 9999 does not exist in organization finance's workspace",
    );
  });

  it('starts nothing while the workspace cannot verify the job', async () => {
    const jobId = await jobTagged({});
    deployment = { jobId, version: PIPELINE.version, verified: false };
    server.injectFault({
      path: '/api/2.2/jobs/get',
      times: 5,
      respond: { status: 503 },
    });
    await expect(engine.submit(context())).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(paths()).not.toContain('POST /api/2.2/jobs/run-now');
    expect(paths()).not.toContain('POST /api/2.2/jobs/runs/submit');
    expect(server.runs()).toEqual([]);
    expect(marked).toEqual([]);
  });

  it('does not ask again for a job verified when it was recorded', async () => {
    const jobId = await jobTagged({});
    deployment = { jobId, version: PIPELINE.version, verified: true };
    await engine.submit(context());
    expect(paths()).not.toContain('GET /api/2.2/jobs/get');
    expect(paths()).toContain('POST /api/2.2/jobs/run-now');
  });
});
