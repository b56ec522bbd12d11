import fs from 'node:fs';
import path from 'node:path';
import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { deployJob } from './deployJob';
import {
  codegenPipelineOf,
  deployPipelineVersion,
  recordedJobId,
  type DeployablePipeline,
} from './deployPipelineVersion';
import { DatabricksTestServer } from './testServer';
import {
  generateWorkspaceArtifacts,
  toCodegenOrganization,
} from './workspaceArtifacts';
import { buildRunSubmitRequest } from '../codegen';
import {
  batchSpec,
  financeOrganization,
  pipeline,
  testClient,
} from './__testUtils__/fixtures';

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

describe('deployJob', () => {
  let server: DatabricksTestServer;

  beforeEach(async () => {
    server = await DatabricksTestServer.start();
  });

  afterEach(async () => {
    await server.stop();
  });

  const organization = () =>
    financeOrganization({ host: server.url, token: server.token });

  it('imports the version notebook and creates the scheduled job', async () => {
    const deployed = await deployJob(organization(), pipeline, batchSpec());
    expect(deployed).toEqual({
      jobId: expect.any(Number),
      url: `${server.url}/jobs/${deployed.jobId}`,
      created: true,
      jobName: 'finance/daily-transactions',
      notebookPath: '/Shared/ingestion/finance/daily-transactions/v3',
      duplicateJobIds: [],
    });
    expect(server.notebook(deployed.notebookPath)?.content).toMatch(
      /^# Databricks notebook source\n/,
    );
    const [job] = server.jobs();
    expect(job.settings).toMatchObject({
      name: 'finance/daily-transactions',
      schedule: {
        quartz_cron_expression: '0 0 2 * * ?',
        timezone_id: 'UTC',
        pause_status: 'UNPAUSED',
      },
      tasks: [{ notebook_task: { notebook_path: deployed.notebookPath } }],
      job_clusters: [
        {
          new_cluster: {
            policy_id: 'E0631F5C0D000123',
            node_type_id: 'i3.xlarge',
          },
        },
      ],
      tags: {
        Organization: 'finance',
        CostCenter: 'FIN-001',
        ManagedBy: 'backstage-ingestion',
      },
    });
  });

  it('updates the same job for the next version, keeping the older notebook for runs in flight', async () => {
    const first = await deployJob(organization(), pipeline, batchSpec());
    const second = await deployJob(
      organization(),
      { ...pipeline, version: 4 },
      batchSpec({ schedule: '30 3 * * *' }),
    );
    expect(second).toMatchObject({ jobId: first.jobId, created: false });
    expect(server.jobs()).toHaveLength(1);
    expect(server.jobs()[0].settings).toMatchObject({
      schedule: { quartz_cron_expression: '0 30 3 * * ?' },
      tasks: [
        {
          notebook_task: {
            notebook_path: '/Shared/ingestion/finance/daily-transactions/v4',
          },
        },
      ],
    });
    expect(
      server.notebook('/Shared/ingestion/finance/daily-transactions/v3'),
    ).toBeDefined();
  });

  it('uses the given client and recorded job id', async () => {
    const { client } = testClient(server);
    const first = await deployJob(organization(), pipeline, batchSpec(), {
      client,
    });
    const renamed = await deployJob(
      organization(),
      { ...pipeline, name: 'daily-transactions-v2' },
      batchSpec(),
      { client, jobId: first.jobId },
    );
    expect(renamed).toMatchObject({
      jobId: first.jobId,
      jobName: 'finance/daily-transactions-v2',
    });
    expect(server.jobs()).toHaveLength(1);
  });

  it('needs a Databricks workspace for the organization', async () => {
    await expect(
      deployJob(financeOrganization(undefined), pipeline, batchSpec()),
    ).rejects.toThrow(
      'Organization "finance" has no Databricks workspace configured (ingestion.organizations[].databricks)',
    );
  });

  describe('deployPipelineVersion', () => {
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
});

describe('generated artifacts against the Jobs API contract', () => {
  let server: DatabricksTestServer;

  beforeAll(async () => {
    server = await DatabricksTestServer.start();
  });

  afterAll(async () => {
    await server.stop();
  });

  const specsDir = path.join(
    __dirname,
    '..',
    'codegen',
    '__fixtures__',
    'specs',
  );
  const files = fs.readdirSync(specsDir).sort();

  it.each(files)(
    '%s: the job and the run submit request are accepted',
    async file => {
      const result = validatePipelineSpec(
        fs.readFileSync(path.join(specsDir, file), 'utf8'),
      );
      if (!result.valid) {
        throw new Error(JSON.stringify(result.problems));
      }
      // One organization runs every fixture here, so it owns what they all name.
      const organization = {
        ...financeOrganization({ host: server.url, token: server.token }),
        icebergCatalogs: ['retail_catalog', 'research_catalog', 'crm_catalog'],
        storageLocations: ['s3://retail-reference'],
      };
      const artifacts = generateWorkspaceArtifacts({
        spec: result.spec,
        organization,
        pipeline: { ...pipeline, id: file, name: file.replace(/\.\w+$/, '') },
      });
      const { client } = testClient(server);
      await client.importNotebook(
        artifacts.notebook.path,
        artifacts.notebook.content,
      );
      await expect(
        client.createOrUpdateJob(artifacts.job),
      ).resolves.toMatchObject({ jobId: expect.any(Number) });
      const request = buildRunSubmitRequest({
        job: artifacts.job,
        runId: `run-${file}`,
        parameters: { watermark: '' },
      });
      const { runId } = await client.submitRun(request);
      expect(server.startRun(runId).lifeCycleState).toBe('RUNNING');
    },
  );

  it('keeps the token out of the code generation input', () => {
    const codegen = toCodegenOrganization(
      financeOrganization({ host: 'https://x', token: 'dapi-secret' }),
    );
    expect(JSON.stringify(codegen)).not.toContain('dapi-secret');
    expect(codegen.databricks).toEqual({
      host: 'https://x',
      clusterPolicyId: 'E0631F5C0D000123',
      notificationEmails: ['data-oncall@finance.example.com'],
    });
  });
});
