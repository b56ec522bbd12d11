import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  pipelineUpdatePermission,
  type DeploymentStatus,
  type EffectivePipelineSpec,
  type PipelineDetails,
  type Redeployment,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  DatabricksApiError,
  deployPipelineVersion,
  type DeployedJob,
  type WorkloadType,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { engineOrganization } from '../runs/RunContextFactory';
import type { PipelinesService } from '../service/PipelinesService';
import { requireValidSpec } from '../spec/specValidation';

export type { DeploymentStatus, Redeployment };

type Pipelines = Pick<
  PipelinesService,
  'get' | 'getForAction' | 'effectiveSpec' | 'recordDeployment'
>;

/** Where the deployed job is relative to the pipeline's current version and effective spec. */
export function deploymentStatus(
  pipeline: PipelineDetails,
  engine: string,
  effective: Pick<EffectivePipelineSpec, 'specHash'> | undefined,
): DeploymentStatus {
  const deployment = pipeline.deployment;
  let behindReason: DeploymentStatus['behindReason'];
  if (deployment) {
    if (deployment.deployedVersion < pipeline.currentVersion) {
      behindReason = 'version';
    } else if (
      deployment.specHash &&
      effective &&
      deployment.specHash !== effective.specHash
    ) {
      behindReason = 'spec';
    }
  }
  return {
    pipelineId: pipeline.id,
    engine,
    currentVersion: pipeline.currentVersion,
    deployed: deployment !== undefined,
    behind: behindReason !== undefined,
    ...(behindReason && { behindReason }),
    ...(effective && { effectiveSpecHash: effective.specHash }),
    ...(deployment && { deployment }),
  };
}

/**
 * A pipeline's Databricks deployment: its status (is the job behind the current version?) and
 * redeploy, which is the scaffolder action `ingestion:databricks:deploy` done by the backend:
 * the same generation and job update (`deployPipelineVersion` of plugin-ingestion-node, from the
 * effective spec, updating the recorded job in place) and the same record (`recordDeployment`:
 * verified in the organization's workspace, audited).
 */
export class DeploymentService {
  constructor(
    private readonly options: {
      pipelines: Pipelines;
      directory: OrganizationDirectory;
    },
  ) {}

  async status(
    credentials: BackstageCredentials,
    pipelineId: string,
  ): Promise<DeploymentStatus> {
    const pipeline = await this.options.pipelines.get(credentials, pipelineId);
    const engine = this.options.directory.get(pipeline.organization).engine;
    const effective = pipeline.deployment?.specHash
      ? await this.options.pipelines.effectiveSpec(credentials, pipelineId)
      : undefined;
    return deploymentStatus(pipeline, engine, effective);
  }

  async redeploy(
    credentials: BackstageCredentials,
    pipelineId: string,
    input: { workloadType?: WorkloadType } = {},
  ): Promise<Redeployment> {
    const { pipelines, directory } = this.options;
    const pipeline = await pipelines.getForAction(
      credentials,
      pipelineId,
      pipelineUpdatePermission,
    );
    const organization = directory.get(pipeline.organization);
    const label = `${pipeline.organization}/${pipeline.name}`;
    if (organization.engine !== 'databricks') {
      throw new ConflictError(
        `Organization '${organization.id}' runs its pipelines on the ${organization.engine} engine: ${label} runs there as saved, there is nothing to deploy to Databricks`,
      );
    }
    if (!organization.databricks) {
      throw new InputError(
        `Organization '${organization.id}' runs on Databricks but has no workspace configured (ingestion.organizations[].databricks)`,
      );
    }
    // As the deploy action: the job runs on its own schedule, so it gets the effective spec.
    const effective = await pipelines.effectiveSpec(credentials, pipelineId);
    if (effective.version !== pipeline.currentVersion) {
      throw new ConflictError(
        `Pipeline ${pipeline.id} changed to version ${effective.version} while being deployed; try again`,
      );
    }
    const spec = requireValidSpec(effective.spec, organization).spec;
    let job: DeployedJob;
    try {
      job = await deployPipelineVersion(
        engineOrganization(organization),
        pipeline,
        spec,
        input.workloadType ? { workloadType: input.workloadType } : {},
      );
    } catch (error) {
      if (error instanceof DatabricksApiError) {
        // Never the workspace's own status (a 403 there is not the caller's 403 here).
        throw new ServiceUnavailableError(
          `The Databricks workspace of organization '${
            organization.id
          }' could not deploy ${label}: ${
            error.statusCode
              ? `it answered ${error.statusCode}${
                  error.errorCode ? ` ${error.errorCode}` : ''
                }`
              : 'it could not be reached'
          }; nothing was recorded`,
        );
      }
      throw error;
    }
    const recorded = await pipelines.recordDeployment(credentials, pipelineId, {
      jobId: String(job.jobId),
      jobUrl: job.url,
      workspaceUrl: organization.databricks.host.replace(/\/+$/, ''),
      specHash: effective.specHash,
    });
    return {
      jobId: String(job.jobId),
      jobUrl: job.url,
      jobName: job.jobName,
      notebookPath: job.notebookPath,
      created: job.created,
      version: pipeline.currentVersion,
      status: deploymentStatus(recorded, organization.engine, effective),
    };
  }
}
