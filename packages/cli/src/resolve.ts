import type { Pipeline } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { IngestionClient } from './client/IngestionClient';
import { CliError, EXIT } from './exitCodes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A pipeline of an organization by its exact name, if the caller may read it. */
export async function findPipelineByName(
  client: IngestionClient,
  organization: string,
  name: string,
): Promise<Pipeline | undefined> {
  for await (const pipeline of client.pages<Pipeline>('/pipelines', {
    organization,
    q: name,
    limit: 100,
  })) {
    if (pipeline.name === name && pipeline.organization === organization) {
      return pipeline;
    }
  }
  return undefined;
}

/**
 * A pipeline's id from what people type: its id, `org/name`, or a name with `--org`.
 */
export async function resolvePipelineId(
  client: IngestionClient,
  ref: string,
  organization?: string,
): Promise<string> {
  if (UUID.test(ref)) return ref;
  const slash = ref.indexOf('/');
  const org = slash > 0 ? ref.slice(0, slash) : organization;
  const name = slash > 0 ? ref.slice(slash + 1) : ref;
  if (!org) {
    throw new CliError(
      `'${ref}': give a pipeline id, <organization>/<name>, or a name with --org`,
      EXIT.USAGE,
    );
  }
  const pipeline = await findPipelineByName(client, org, name);
  if (!pipeline) {
    throw new CliError(`Pipeline '${org}/${name}' not found`, EXIT.NOT_FOUND);
  }
  return pipeline.id;
}
