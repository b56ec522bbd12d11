import type {
  Pipeline,
  PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { CodegenPipeline, WorkloadType } from '../codegen/types';
import type { EngineOrganization } from '../engines/types';
import type { DatabricksClient } from './DatabricksClient';
import { deployJob, type DeployedJob } from './deployJob';

/**
 * A pipeline as the ingestion API returns it, with what the deployment of its current version
 * needs: its name, owner and description for the job and its tags, and the job recorded by an
 * earlier deployment.
 *
 * @public
 */
export type DeployablePipeline = Pick<
  Pipeline,
  'id' | 'name' | 'owner' | 'currentVersion' | 'description' | 'deployment'
>;

/**
 * Options of {@link deployPipelineVersion}.
 *
 * @public
 */
export interface DeployPipelineVersionOptions {
  /** Cluster profile; default streaming for streaming pipelines, batch otherwise. */
  workloadType?: WorkloadType;
  /** The client for the organization's workspace; by default one is made from `organization.databricks`. */
  client?: DatabricksClient;
}

/**
 * The pipeline's current version as code generation names it (notebook path, job name, tags).
 *
 * @public
 */
export function codegenPipelineOf(
  pipeline: DeployablePipeline,
): CodegenPipeline {
  return {
    id: pipeline.id,
    name: pipeline.name,
    owner: pipeline.owner,
    version: pipeline.currentVersion,
    ...(pipeline.description ? { description: pipeline.description } : {}),
  };
}

/**
 * The Databricks job id an earlier deployment recorded, when there is one (a numeric id).
 *
 * @public
 */
export function recordedJobId(
  pipeline: DeployablePipeline,
): number | undefined {
  const jobId = pipeline.deployment?.databricksJobId;
  return jobId && /^\d+$/.test(jobId) ? Number(jobId) : undefined;
}

/**
 * Deploys a pipeline's current version as its scheduled job in the organization's Databricks
 * workspace, as the scaffolder action `ingestion:databricks:deploy` and the backend's redeploy
 * both do: the notebook and job are generated from `spec` (the effective spec of that version)
 * and the job recorded by an earlier deployment is updated in place (see {@link deployJob}), so
 * both paths send the workspace the same job settings.
 *
 * @public
 */
export function deployPipelineVersion(
  organization: EngineOrganization,
  pipeline: DeployablePipeline,
  spec: PipelineSpec,
  options: DeployPipelineVersionOptions = {},
): Promise<DeployedJob> {
  const jobId = recordedJobId(pipeline);
  return deployJob(organization, codegenPipelineOf(pipeline), spec, {
    ...(jobId !== undefined ? { jobId } : {}),
    ...(options.workloadType ? { workloadType: options.workloadType } : {}),
    ...(options.client ? { client: options.client } : {}),
  });
}
