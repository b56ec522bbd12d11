import {
  buildJobSettings,
  buildRunSubmitRequest,
  deriveIdempotencyToken,
} from './job';
import { buildClusterSpec, getClusterConfig } from './cluster';
import { finance, healthcare, pipeline } from './__fixtures__/organizations';

const baseParameters = { watermark: '', run_id: '{{job.run_id}}' };

describe('buildJobSettings', () => {
  const job = buildJobSettings({
    organization: finance,
    pipeline: { ...pipeline, description: 'Daily card transactions' },
    notebookPath: '/Shared/ingestion/finance/daily-transactions',
    workloadType: 'batch',
    schedule: { cron: '0 2 * * *', timezone: 'Europe/Paris' },
    exclusive: false,
    baseParameters,
    timeoutSeconds: 7200,
  });

  it('builds a Jobs API 2.2 job with a notebook task on the organization job cluster', () => {
    expect(job).toEqual({
      name: 'finance/daily-transactions',
      description: 'Daily card transactions',
      tags: {
        Organization: 'finance',
        CostCenter: 'FIN-001',
        Environment: 'production',
        Service: 'pipeline',
        Owner: 'group:default/finance-analytics',
        Project: 'pl-7f3a2c',
        PipelineId: 'pl-7f3a2c',
        PipelineVersion: '3',
        ManagedBy: 'backstage-ingestion',
      },
      tasks: [
        {
          task_key: 'ingest',
          job_cluster_key: 'ingestion_cluster',
          notebook_task: {
            notebook_path: '/Shared/ingestion/finance/daily-transactions',
            base_parameters: baseParameters,
          },
        },
      ],
      job_clusters: [
        {
          job_cluster_key: 'ingestion_cluster',
          new_cluster: buildClusterSpec({
            organization: finance,
            pipeline,
            config: getClusterConfig(finance, 'batch'),
            kind: 'job',
          }),
        },
      ],
      schedule: {
        quartz_cron_expression: '0 0 2 * * ?',
        timezone_id: 'Europe/Paris',
        pause_status: 'UNPAUSED',
      },
      max_concurrent_runs: 20,
      queue: { enabled: true },
      email_notifications: { on_failure: ['data-oncall@finance.example.com'] },
      timeout_seconds: 7200,
    });
  });

  it('limits exclusive pipelines to one concurrent run and omits what is not configured', () => {
    const streaming = buildJobSettings({
      organization: healthcare,
      pipeline,
      notebookPath: '/n',
      workloadType: 'streaming',
      exclusive: true,
      baseParameters,
    });
    expect(streaming.max_concurrent_runs).toBe(1);
    expect(streaming.schedule).toBeUndefined();
    expect(streaming.email_notifications).toBeUndefined();
    expect(streaming.timeout_seconds).toBeUndefined();
    expect(streaming.job_clusters![0].new_cluster.autoscale).toEqual({
      min_workers: 3,
      max_workers: 8,
    });
  });

  it('defaults the time zone to UTC and can pause the schedule', () => {
    const paused = buildJobSettings({
      organization: healthcare,
      pipeline,
      notebookPath: '/n',
      workloadType: 'batch',
      schedule: { cron: '30 6 * * 1-5', paused: true },
      exclusive: false,
      baseParameters,
    });
    expect(paused.schedule).toEqual({
      quartz_cron_expression: '0 30 6 ? * MON-FRI',
      timezone_id: 'UTC',
      pause_status: 'PAUSED',
    });
    expect(paused.max_concurrent_runs).toBe(5);
  });
});

describe('deriveIdempotencyToken', () => {
  it('is deterministic, distinct per run and at most 64 characters', () => {
    const token = deriveIdempotencyToken('run-123');
    expect(token).toBe(deriveIdempotencyToken('run-123'));
    expect(token).not.toBe(deriveIdempotencyToken('run-124'));
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(deriveIdempotencyToken('x'.repeat(10_000))).toHaveLength(64);
  });

  it('requires a run id', () => {
    expect(() => deriveIdempotencyToken('')).toThrow('A run id is required');
  });
});

describe('buildRunSubmitRequest', () => {
  const job = buildJobSettings({
    organization: finance,
    pipeline,
    notebookPath: '/Shared/ingestion/finance/daily-transactions',
    workloadType: 'batch',
    exclusive: true,
    baseParameters,
  });

  it('inlines the job cluster and merges the run parameters', () => {
    const request = buildRunSubmitRequest({
      job,
      runId: 'run-42',
      parameters: { watermark: '2024-01-01T00:00:00Z' },
    });
    expect(request).toEqual({
      run_name: 'finance/daily-transactions (run run-42)',
      idempotency_token: deriveIdempotencyToken('run-42'),
      tasks: [
        {
          task_key: 'ingest',
          notebook_task: {
            notebook_path: '/Shared/ingestion/finance/daily-transactions',
            base_parameters: {
              watermark: '2024-01-01T00:00:00Z',
              run_id: 'run-42',
            },
          },
          new_cluster: job.job_clusters![0].new_cluster,
        },
      ],
      email_notifications: job.email_notifications,
      queue: { enabled: true },
    });
  });

  it('rejects tasks that are not notebook tasks on a job cluster', () => {
    expect(() =>
      buildRunSubmitRequest({
        job: { ...job, job_clusters: [] },
        runId: 'run-1',
      }),
    ).toThrow(
      'Task "ingest" must be a notebook task on one of the job\'s clusters',
    );
  });
});
