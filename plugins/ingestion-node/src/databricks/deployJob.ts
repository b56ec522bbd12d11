import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { CodegenPipeline, WorkloadType } from '../codegen/types';
import type { EngineOrganization } from '../engines/types';
import { DatabricksClient } from './DatabricksClient';
import { generateWorkspaceArtifacts } from './workspaceArtifacts';

/**
 * Options of {@link deployJob}.
 *
 * @public
 */
export interface DeployJobOptions {
  /** The client for the organization's workspace; by default one is made from `organization.databricks`. */
  client?: DatabricksClient;
  /**
   * The job id recorded by an earlier deployment. When that job still exists it is updated even if the pipeline
   * was renamed since; otherwise the job is found by name.
   */
  jobId?: number;
  workloadType?: WorkloadType;
}

/**
 * A deployed scheduled job.
 *
 * @public
 */
export interface DeployedJob {
  jobId: number;
  /** The job's page in the workspace. */
  url: string;
  /** False when an existing job was updated. */
  created: boolean;
  jobName: string;
  /** Where the job's notebook was imported. */
  notebookPath: string;
  /** Other jobs with the same name, left untouched (normally none). */
  duplicateJobIds: number[];
}

/**
 * Deploys a pipeline version to the organization's Databricks workspace: generates the notebook and job
 * (see `generateDatabricksArtifacts`), imports the notebook at `/Shared/ingestion/<organization>/<pipeline>/v<version>`
 * and creates the job — or, when it exists, resets it to the new settings (schedule, cluster, notebook). Calling
 * it again leaves one job.
 *
 * @public
 */
export async function deployJob(
  organization: EngineOrganization,
  pipeline: CodegenPipeline,
  spec: PipelineSpec,
  options: DeployJobOptions = {},
): Promise<DeployedJob> {
  const workspace = organization.databricks;
  if (!workspace && !options.client) {
    throw new Error(
      `Organization "${organization.id}" has no Databricks workspace configured (ingestion.organizations[].databricks)`,
    );
  }
  const client =
    options.client ??
    new DatabricksClient({ host: workspace!.host, token: workspace!.token });
  const artifacts = generateWorkspaceArtifacts({
    spec,
    organization,
    pipeline,
    workloadType: options.workloadType,
  });
  await client.importNotebook(
    artifacts.notebook.path,
    artifacts.notebook.content,
  );
  const deployment = await client.createOrUpdateJob(artifacts.job, {
    jobId: options.jobId,
  });
  return {
    jobId: deployment.jobId,
    url: client.jobUrl(deployment.jobId),
    created: deployment.created,
    jobName: artifacts.job.name!,
    notebookPath: artifacts.notebook.path,
    duplicateJobIds: deployment.duplicateJobIds,
  };
}
