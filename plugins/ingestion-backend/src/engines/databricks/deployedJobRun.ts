import {
  DatabricksApiError,
  type DatabricksClient,
  type EngineRunContext,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { DatabricksDeployments } from './deployments';
import { verifyPipelineJob } from './jobVerification';

/**
 * Starts the pipeline's deployed job (`jobs/run-now`) when it runs this version and is verified
 * as the pipeline's own; returns undefined to have the caller submit the notebook as a one-off
 * run instead. A job recorded before verification existed is verified first (once: a verified
 * job is marked so); a job that fails verification is never started. A job deleted in the
 * workspace also falls back to a one-off run.
 */
export async function startDeployedJob(options: {
  context: EngineRunContext;
  client: DatabricksClient;
  deployments?: DatabricksDeployments;
  idempotencyToken: string;
  /** The run's notebook parameters (watermark, full refresh, run id). */
  notebookParams: Record<string, string>;
}): Promise<{ engineRunId: string } | undefined> {
  const { context, client } = options;
  const deployment = await options.deployments?.deployedJob(
    context.organization.id,
    context.pipeline.id,
  );
  if (!deployment) {
    return undefined;
  }
  if (deployment.version !== context.pipeline.version) {
    await context.log(
      'info',
      `Pipeline is deployed as job ${deployment.jobId} at version ${deployment.version}; version ${context.pipeline.version} runs as a one-off run`,
    );
    return undefined;
  }
  if (!deployment.verified) {
    // Throws when the workspace cannot answer: the run driver retries the submit later.
    const verification = await verifyPipelineJob(client, {
      organizationId: context.organization.id,
      pipelineId: context.pipeline.id,
      jobId: deployment.jobId,
    });
    if (!verification.verified) {
      await context.log(
        'warn',
        `Recorded job ${deployment.jobId} is not verified as this pipeline's job (${verification.reason}); submitting a one-off run instead`,
      );
      return undefined;
    }
    await options.deployments!.markVerified(
      context.organization.id,
      context.pipeline.id,
      deployment.jobId,
    );
    await context.log(
      'info',
      `Verified recorded job ${deployment.jobId} as this pipeline's job in ${client.host}`,
    );
  }
  try {
    const { runId } = await client.runNow({
      job_id: deployment.jobId,
      idempotency_token: options.idempotencyToken,
      // The generated job declares notebook base parameters (no job-level ones): these override them.
      notebook_params: options.notebookParams,
    });
    await context.log(
      'info',
      `Started Databricks run ${runId} of job ${
        deployment.jobId
      } (${client.jobUrl(deployment.jobId)})`,
    );
    return { engineRunId: String(runId) };
  } catch (error) {
    if (!(error instanceof DatabricksApiError && error.isNotFound)) {
      throw error;
    }
    await context.log(
      'warn',
      `Deployed job ${deployment.jobId} no longer exists on ${client.host}; submitting a one-off run instead`,
    );
    return undefined;
  }
}
