import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import type { PipelineDetails } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  DatabricksApiError,
  type EngineOrganization,
  type IngestionEngine,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { PipelinesStore } from '../database/PipelinesStore';
import {
  DatabricksEngine,
  unverifiableMessage,
  type JobVerification,
} from '../engines/databricks';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { MutationAudit } from './PipelinesService';

/** Checks that a Databricks job is the pipeline's own, in the organization's workspace. */
export interface DeployedJobVerifier {
  /** Throws when the workspace cannot answer (see `verifyPipelineJob`). */
  verify(
    organizationId: string,
    pipelineId: string,
    jobId: number,
  ): Promise<JobVerification>;
}

/**
 * The verifier of the plugin's Databricks engine, looked up when a deployment is recorded (engines
 * are registered after the services are made). Without that engine nothing can be verified, so
 * nothing is recorded.
 */
export function databricksJobVerifier(options: {
  engine: () => IngestionEngine | undefined;
  organization: (organizationId: string) => EngineOrganization;
}): DeployedJobVerifier {
  return {
    async verify(organizationId, pipelineId, jobId) {
      const engine = options.engine();
      if (!(engine instanceof DatabricksEngine)) {
        throw new ServiceUnavailableError(
          `jobId: this backend has no Databricks engine to verify job ${jobId} with; nothing was recorded`,
        );
      }
      return engine.verifyPipelineJob(
        options.organization(organizationId),
        pipelineId,
        jobId,
      );
    },
  };
}

/** A URL's origin, or undefined when it does not parse (the schema only checks its scheme). */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * Records that the pipeline's current version runs as Databricks job `input.jobId`, after checking
 * that it does: links must point into the organization's workspace, and the job must exist there
 * with tags naming the organization and the pipeline (asked of the workspace itself, with the
 * organization's token). A job that is not verified is refused (400, audited); a workspace that
 * cannot answer records nothing (503). The caller has authorized the update.
 */
export async function recordVerifiedDeployment(
  deps: {
    store: Pick<PipelinesStore, 'recordDeployment'>;
    directory: OrganizationDirectory;
    verifier: DeployedJobVerifier;
    audit?: MutationAudit;
    now: Date;
  },
  credentials: BackstageCredentials,
  pipeline: PipelineDetails,
  input: {
    jobId: string;
    jobUrl?: string;
    workspaceUrl?: string;
    specHash?: string;
  },
): Promise<void> {
  const organizationId = pipeline.organization;
  const workspace = deps.directory.get(organizationId).databricks;
  if (!workspace) {
    throw new InputError(
      `jobId: organization '${organizationId}' has no Databricks workspace, so job ${input.jobId} cannot be its pipeline's`,
    );
  }
  const origin = new URL(workspace.host).origin;
  for (const field of ['jobUrl', 'workspaceUrl'] as const) {
    const url = input[field];
    if (url && originOf(url) !== origin) {
      throw new InputError(
        `${field}: must be in the Databricks workspace of organization '${organizationId}' (${origin})`,
      );
    }
  }
  const jobId = Number(input.jobId);
  if (!Number.isSafeInteger(jobId) || jobId <= 0) {
    throw new InputError(
      `jobId: must be a Databricks job id (a positive integer below 2^53)`,
    );
  }
  let verification: JobVerification;
  try {
    verification = await deps.verifier.verify(
      organizationId,
      pipeline.id,
      jobId,
    );
  } catch (error) {
    if (error instanceof DatabricksApiError) {
      throw new ServiceUnavailableError(
        unverifiableMessage(organizationId, jobId, error),
      );
    }
    throw error;
  }
  if (!verification.verified) {
    await deps.audit?.record({
      credentials,
      organizationId,
      action: 'pipeline.deploy',
      targetType: 'pipeline',
      targetId: pipeline.id,
      outcome: 'failure',
      reason: verification.reason,
      meta: { jobId: String(jobId) },
    });
    throw new InputError(`jobId: ${verification.reason}`);
  }
  await deps.store.recordDeployment(organizationId, pipeline.id, {
    databricksJobId: String(jobId),
    deployedVersion: pipeline.currentVersion,
    at: deps.now,
    jobUrl: input.jobUrl,
    workspaceUrl: input.workspaceUrl,
    specHash: input.specHash,
    verifiedAt: deps.now,
  });
}
