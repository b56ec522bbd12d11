import type { PipelinesStore } from '../../database/PipelinesStore';

/** A pipeline version deployed as a Databricks job. */
export interface DatabricksDeployment {
  jobId: number;
  /** The pipeline version whose notebook and settings the job has. */
  version: number;
}

/** Where the Databricks engine learns which pipelines are deployed as jobs. */
export interface DatabricksDeployments {
  deployedJob(
    organizationId: string,
    pipelineId: string,
  ): Promise<DatabricksDeployment | undefined>;
}

/** The deployments recorded on pipelines (`PipelinesStore.recordDeployment`), read in the run's organization. */
export function pipelineDeployments(
  store: Pick<PipelinesStore, 'get'>,
): DatabricksDeployments {
  return {
    async deployedJob(organizationId, pipelineId) {
      const pipeline = await store.get(
        { organizationIds: [organizationId] },
        pipelineId,
      );
      const deployment = pipeline?.deployment;
      if (!deployment) {
        return undefined;
      }
      const jobId = Number(deployment.databricksJobId);
      if (!Number.isSafeInteger(jobId) || jobId <= 0) {
        return undefined;
      }
      return { jobId, version: deployment.deployedVersion };
    },
  };
}
