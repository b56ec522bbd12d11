import { createHash } from 'node:crypto';
import type { jobs } from '@databricks/sdk-experimental';
import { buildClusterSpec, costTags, getClusterConfig } from './cluster';
import { unixCronToQuartz } from './cron';
import type {
  CodegenOrganization,
  CodegenPipeline,
  WorkloadType,
} from './types';

/** Key of the single notebook task in generated jobs. */
export const TASK_KEY = 'ingest';
/** Key of the job cluster the task runs on. */
export const JOB_CLUSTER_KEY = 'ingestion_cluster';
/** The Jobs API caps `max_concurrent_runs` at 1000. */
const MAX_CONCURRENT_RUNS_LIMIT = 1000;

/**
 * A pipeline schedule: a 5-field Unix cron expression and an IANA/Java time zone.
 *
 * @public
 */
export interface JobScheduleInput {
  cron: string;
  /** Defaults to `UTC`. */
  timezone?: string;
  paused?: boolean;
}

/**
 * Options of {@link buildJobSettings}.
 *
 * @public
 */
export interface BuildJobSettingsOptions {
  organization: CodegenOrganization;
  pipeline: CodegenPipeline;
  /** Workspace path (or, in a bundle, file path) of the notebook the task runs. */
  notebookPath: string;
  workloadType: WorkloadType;
  schedule?: JobScheduleInput;
  /**
   * True when two runs must never overlap: a streaming checkpoint or an incremental watermark would be
   * corrupted by a concurrent run, so `max_concurrent_runs` is 1 regardless of the quota.
   */
  exclusive: boolean;
  /** Notebook widget defaults (`notebook_task.base_parameters`). */
  baseParameters: Record<string, string>;
  timeoutSeconds?: number;
}

/**
 * The Databricks Jobs API 2.2 settings for a pipeline: one notebook task on a job cluster sized for the
 * organization (see {@link getClusterConfig}), the schedule as a Quartz cron, `max_concurrent_runs` from the
 * organization's concurrent jobs quota, queueing, failure e-mails and tags. Keys are emitted in a fixed order so
 * the JSON is stable for review.
 *
 * @public
 */
export function buildJobSettings(
  options: BuildJobSettingsOptions,
): jobs.JobSettings {
  const { organization, pipeline, workloadType, schedule } = options;
  const emails = organization.databricks?.notificationEmails ?? [];
  const cluster = buildClusterSpec({
    organization,
    pipeline,
    config: getClusterConfig(organization, workloadType),
    kind: 'job',
  });
  const quota = Math.max(
    1,
    Math.min(organization.quotas.maxConcurrentJobs, MAX_CONCURRENT_RUNS_LIMIT),
  );
  return {
    name: `${organization.id}/${pipeline.name}`,
    ...(pipeline.description ? { description: pipeline.description } : {}),
    tags: jobTags(organization, pipeline),
    tasks: [
      {
        task_key: TASK_KEY,
        job_cluster_key: JOB_CLUSTER_KEY,
        notebook_task: {
          notebook_path: options.notebookPath,
          base_parameters: { ...options.baseParameters },
        },
      },
    ],
    job_clusters: [{ job_cluster_key: JOB_CLUSTER_KEY, new_cluster: cluster }],
    ...(schedule
      ? {
          schedule: {
            quartz_cron_expression: unixCronToQuartz(schedule.cron),
            timezone_id: schedule.timezone ?? 'UTC',
            pause_status: schedule.paused ? 'PAUSED' : 'UNPAUSED',
          },
        }
      : {}),
    max_concurrent_runs: options.exclusive ? 1 : quota,
    // Runs beyond the limit wait instead of being skipped.
    queue: { enabled: true },
    ...(emails.length > 0
      ? { email_notifications: { on_failure: [...emails] } }
      : {}),
    ...(options.timeoutSeconds
      ? { timeout_seconds: options.timeoutSeconds }
      : {}),
  };
}

/**
 * Job tags: the cost tags (Databricks propagates job tags to job clusters) plus the pipeline identity, so jobs
 * can be found per organization and pipeline in the workspace.
 */
function jobTags(
  organization: CodegenOrganization,
  pipeline: CodegenPipeline,
): Record<string, string> {
  const tags = costTags(organization, pipeline);
  return {
    ...tags,
    PipelineId: pipeline.id.slice(0, 255),
    PipelineVersion: String(pipeline.version),
    ManagedBy: 'backstage-ingestion',
  };
}

/**
 * The idempotency token for submitting a run: the SHA-256 (hex, exactly 64 characters, the API's limit) of the
 * ingestion run id. Retrying a submit for the same run therefore never starts a second Databricks run.
 *
 * @public
 */
export function deriveIdempotencyToken(runId: string): string {
  if (!runId) {
    throw new Error('A run id is required to derive an idempotency token');
  }
  return createHash('sha256').update(`ingestion-run:${runId}`).digest('hex');
}

/**
 * Options of {@link buildRunSubmitRequest}.
 *
 * @public
 */
export interface BuildRunSubmitRequestOptions {
  job: jobs.JobSettings;
  /** The ingestion run id; becomes the idempotency token and the `run_id` notebook parameter. */
  runId: string;
  /** Notebook parameters for this run (e.g. `watermark`), overriding the job's base parameters. */
  parameters?: Record<string, string>;
}

/**
 * A one-time `runs/submit` request for a generated job: the same tasks with their job cluster inlined as
 * `new_cluster` (submitted runs have no job clusters), this run's parameters and a deterministic idempotency
 * token.
 *
 * @public
 */
export function buildRunSubmitRequest(
  options: BuildRunSubmitRequestOptions,
): jobs.SubmitRun {
  const { job, runId } = options;
  const clusters = new Map(
    (job.job_clusters ?? []).map(cluster => [
      cluster.job_cluster_key,
      cluster.new_cluster,
    ]),
  );
  const tasks = (job.tasks ?? []).map((task): jobs.SubmitTask => {
    const cluster = task.job_cluster_key
      ? clusters.get(task.job_cluster_key)
      : undefined;
    if (!cluster || !task.notebook_task) {
      throw new Error(
        `Task "${task.task_key}" must be a notebook task on one of the job's clusters to be submitted`,
      );
    }
    return {
      task_key: task.task_key,
      notebook_task: {
        ...task.notebook_task,
        base_parameters: {
          ...task.notebook_task.base_parameters,
          ...options.parameters,
          run_id: runId,
        },
      },
      new_cluster: cluster,
    };
  });
  return {
    run_name: `${job.name ?? 'ingestion'} (run ${runId})`,
    idempotency_token: deriveIdempotencyToken(runId),
    tasks,
    ...(job.email_notifications
      ? { email_notifications: job.email_notifications }
      : {}),
    ...(job.timeout_seconds ? { timeout_seconds: job.timeout_seconds } : {}),
    ...(job.queue ? { queue: job.queue } : {}),
  };
}
