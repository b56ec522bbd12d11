import {
  codegenPipelineOf,
  deployPipelineVersion,
  recordedJobId,
  type DeployablePipeline,
} from './deployPipelineVersion';
import { deployJob } from './deployJob';
import { DatabricksTestServer } from './testServer';
import { batchSpec, financeOrganization } from './__testUtils__/fixtures';

const PIPELINE: DeployablePipeline = {
  id: 'pl-7f3a2c',
  name: 'daily-transactions',
  owner: 'group:default/finance-analytics',
  currentVersion: 3,
  description: 'Daily totals per customer',
};

const recorded = (databricksJobId: string): DeployablePipeline => ({
  ...PIPELINE,
  deployment: {
    databricksJobId,
    deployedVersion: 2,
    deployedAt: '2026-01-01T00:00:00.000Z',
  },
});

describe('deployPipelineVersion', () => {
  let server: DatabricksTestServer;

  beforeEach(async () => {
    server = await DatabricksTestServer.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  const organization = () =>
    financeOrganization({ host: server.url, token: server.token });
  /** The settings of the jobs/create and jobs/reset calls the workspace received, in order. */
  const jobSettingsSent = () =>
    server.requests
      .filter(r => /\/jobs\/(create|reset)$/.test(r.path))
      .map(r =>
        r.path.endsWith('/reset')
          ? (r.body as { new_settings: unknown }).new_settings
          : r.body,
      );

  it("names the pipeline's current version as code generation does", () => {
    expect(codegenPipelineOf(PIPELINE)).toEqual({
      id: 'pl-7f3a2c',
      name: 'daily-transactions',
      owner: 'group:default/finance-analytics',
      version: 3,
      description: 'Daily totals per customer',
    });
    expect(
      codegenPipelineOf({ ...PIPELINE, description: undefined }),
    ).not.toHaveProperty('description');
    expect(recordedJobId(PIPELINE)).toBeUndefined();
    expect(recordedJobId(recorded('123'))).toBe(123);
    expect(recordedJobId(recorded('job-123'))).toBeUndefined();
  });

  it('sends the job settings deployJob sends for that version, and updates the recorded job', async () => {
    const direct = await deployJob(
      organization(),
      codegenPipelineOf(PIPELINE),
      batchSpec(),
      { workloadType: 'batch_large' },
    );
    const first = await deployPipelineVersion(
      organization(),
      recorded(String(direct.jobId)),
      batchSpec(),
      { workloadType: 'batch_large' },
    );
    expect(first).toMatchObject({ jobId: direct.jobId, created: false });
    expect(server.jobs()).toHaveLength(1);
    const [created, reset] = jobSettingsSent();
    expect(created).toMatchObject({ name: 'finance/daily-transactions' });
    expect(reset).toEqual(created);
  });

  it('creates the job when none is recorded, or the recorded id is not a job id', async () => {
    const created = await deployPipelineVersion(
      organization(),
      recorded('not-a-job'),
      batchSpec(),
    );
    expect(created).toMatchObject({
      created: true,
      jobName: 'finance/daily-transactions',
      notebookPath: '/Shared/ingestion/finance/daily-transactions/v3',
    });
    // Found by name the second time, without a recorded id.
    const again = await deployPipelineVersion(
      organization(),
      PIPELINE,
      batchSpec(),
    );
    expect(again).toMatchObject({ jobId: created.jobId, created: false });
    expect(server.jobs()).toHaveLength(1);
  });
});
