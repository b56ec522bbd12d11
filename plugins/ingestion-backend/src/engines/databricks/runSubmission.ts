import {
  buildRunSubmitRequest,
  generateWorkspaceArtifacts,
  type DatabricksClient,
  type EngineRunContext,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { DatabricksDeployments } from './deployments';
import { startDeployedJob } from './deployedJobRun';
import { submitToken } from './runIdentifiers';

/**
 * The notebook's watermark parameters of a run the backend starts. Without a watermark (a full
 * refresh, or nothing recorded yet) the notebook reads every row: the backend's record decides,
 * not the mark of the target's last commit, which only runs of the job's own schedule follow.
 */
function watermarkParameters(context: EngineRunContext) {
  const { watermarkIn } = context.run;
  return {
    watermark: watermarkIn ?? '',
    full_refresh: watermarkIn === undefined ? 'true' : '',
  };
}

/** The notebook and job generated for the run's pipeline version in its organization. */
export function workspaceArtifacts(context: EngineRunContext) {
  return generateWorkspaceArtifacts({
    spec: context.spec,
    organization: context.organization,
    pipeline: {
      id: context.pipeline.id,
      name: context.pipeline.name,
      owner: context.pipeline.owner,
      version: context.pipeline.version,
    },
  });
}

/**
 * Imports the run's notebook, then starts the pipeline's deployed job at this version (`run-now`)
 * or else submits a one-time run (`jobs/runs/submit`); see `DatabricksEngine.submit`.
 */
export async function submitDatabricksRun(
  context: EngineRunContext,
  client: DatabricksClient,
  deployments: DatabricksDeployments | undefined,
): Promise<{ engineRunId: string }> {
  const artifacts = workspaceArtifacts(context);
  // Also the deployed job's notebook (same versioned path): run-now then runs this run's
  // effective spec, with the PII masks known now, whatever the job was deployed with.
  await client.importNotebook(
    artifacts.notebook.path,
    artifacts.notebook.content,
  );
  const started = await startDeployedJob({
    context,
    client,
    deployments,
    idempotencyToken: submitToken(context.run),
    notebookParams: {
      ...watermarkParameters(context),
      run_id: context.run.id,
    },
  });
  if (started) {
    return started;
  }
  const request = buildRunSubmitRequest({
    job: artifacts.job,
    runId: context.run.id,
    parameters: watermarkParameters(context),
  });
  const { runId } = await client.submitRun({
    ...request,
    run_name:
      context.run.attempt > 1
        ? `${request.run_name}, attempt ${context.run.attempt}`
        : request.run_name,
    idempotency_token: submitToken(context.run),
  });
  await context.log(
    'info',
    `Submitted Databricks run ${runId} of notebook ${artifacts.notebook.path} to ${client.host}`,
  );
  return { engineRunId: String(runId) };
}
