import {
  DatabricksApiError,
  type DatabricksClient,
} from '@ingestion-for-backstage/plugin-ingestion-node';

/**
 * Whether a Databricks job is the pipeline's own: it exists in the organization's workspace and
 * the tags the code generator puts on every job (`Organization`, `PipelineId`) name this
 * organization and this pipeline. A job id is otherwise just a number a caller typed: recording
 * or starting it would run someone else's job with the organization's token.
 */
export type JobVerification =
  | { verified: true }
  | { verified: false; reason: string };

/** Tag values are echoed in messages; a hostile job could carry anything in them. */
function shown(value: string | undefined): string {
  if (value === undefined) return 'no';
  const printable = value.replace(/[^\w .:/@-]/g, '?');
  return `'${
    printable.length > 64 ? `${printable.slice(0, 64)}…` : printable
  }'`;
}

/**
 * Looks the job up (`jobs/get`) in the organization's workspace through its own client and
 * checks its tags. Throws the client's `DatabricksApiError` when the workspace cannot answer
 * (unreachable, 5xx, credentials refused): not knowing is not a verdict.
 */
export async function verifyPipelineJob(
  client: Pick<DatabricksClient, 'getJob'>,
  expected: { organizationId: string; pipelineId: string; jobId: number },
): Promise<JobVerification> {
  const { organizationId, pipelineId, jobId } = expected;
  if (!Number.isSafeInteger(jobId) || jobId <= 0) {
    return {
      verified: false,
      reason: `job ${jobId} is not a Databricks job id`,
    };
  }
  const job = await client.getJob(jobId);
  if (!job) {
    return {
      verified: false,
      reason: `job ${jobId} does not exist in organization ${organizationId}'s workspace`,
    };
  }
  const tags = job.settings?.tags ?? {};
  if (tags.Organization !== organizationId) {
    return {
      verified: false,
      reason: `job ${jobId} is tagged for organization ${shown(
        tags.Organization,
      )}, not '${organizationId}'`,
    };
  }
  // The generator cuts the tag to 255 characters, the tag value limit.
  if (tags.PipelineId !== pipelineId.slice(0, 255)) {
    return {
      verified: false,
      reason: `job ${jobId} is tagged for pipeline ${shown(
        tags.PipelineId,
      )}, not '${pipelineId}'`,
    };
  }
  return { verified: true };
}

/** A failed `jobs/get` in words for an API caller: which workspace, and that nothing changed. */
export function unverifiableMessage(
  organizationId: string,
  jobId: number,
  error: unknown,
): string {
  let why = 'the workspace could not be asked';
  if (error instanceof DatabricksApiError) {
    if (error.isAuthError) {
      why = 'the workspace refused the organization’s credentials';
    } else if (error.statusCode) {
      const code = error.errorCode ? ` ${error.errorCode}` : '';
      why = `the workspace answered ${error.statusCode}${code}`;
    } else {
      why = 'the workspace did not answer';
    }
  }
  return `jobId: could not verify job ${jobId} in organization ${organizationId}'s Databricks workspace (${why}); nothing was recorded, try again later`;
}
