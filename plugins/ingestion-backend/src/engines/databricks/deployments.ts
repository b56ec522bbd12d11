import type { PipelinesStore } from '../../database/PipelinesStore';

/** A pipeline version deployed as a Databricks job. */
export interface DatabricksDeployment {
  jobId: number;
  /** The pipeline version whose notebook and settings the job has. */
  version: number;
  /**
   * Whether the job was verified as the pipeline's own in the organization's workspace (see
   * `verifyPipelineJob`). Deployments recorded before verification existed are not.
   */
  verified: boolean;
}

/** Where the Databricks engine learns which pipelines are deployed as jobs. */
export interface DatabricksDeployments {
  deployedJob(
    organizationId: string,
    pipelineId: string,
  ): Promise<DatabricksDeployment | undefined>;
  /** Records that the pipeline's recorded job `jobId` was verified (again) just now. */
  markVerified(
    organizationId: string,
    pipelineId: string,
    jobId: number,
  ): Promise<void>;
}

/** The deployments recorded on pipelines (`PipelinesStore.recordDeployment`), read in the run's organization. */
export function pipelineDeployments(
  store: Pick<PipelinesStore, 'getDeployment' | 'markDeploymentVerified'>,
  clock: () => Date = () => new Date(),
): DatabricksDeployments {
  return {
    async deployedJob(organizationId, pipelineId) {
      const deployment = await store.getDeployment(organizationId, pipelineId);
      if (!deployment) {
        return undefined;
      }
      const jobId = Number(deployment.databricksJobId);
      if (!Number.isSafeInteger(jobId) || jobId <= 0) {
        return undefined;
      }
      return {
        jobId,
        version: deployment.deployedVersion,
        verified: deployment.verifiedAt !== undefined,
      };
    },
    async markVerified(organizationId, pipelineId, jobId) {
      await store.markDeploymentVerified(
        organizationId,
        pipelineId,
        String(jobId),
        clock(),
      );
    },
  };
}
