import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  PipelineDetails,
  PipelineVersion,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { actorOf } from '../audit/AuditLog';
import type { PipelinesStore } from '../database/PipelinesStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { requireValidSpec } from '../spec/specValidation';
import type { MutationAudit } from './PipelinesService';

/** A new version of a pipeline: its validated spec and what else changes with it. */
export type PipelineVersionChange = ReturnType<typeof requireValidSpec> & {
  expectedVersion: number;
  description?: string;
  owner?: string;
  comment?: string;
  restoredFromVersion?: number;
  action: string;
};

/**
 * Saves `change` as the pipeline's next version if the pipeline is still at the expected version
 * (409 otherwise), audits it and notifies the listeners.
 */
export async function saveVersion(
  deps: {
    store: PipelinesStore;
    audit?: MutationAudit;
    now: () => Date;
    changed: (organizationId: string, pipelineId: string) => Promise<void>;
  },
  credentials: BackstageCredentials,
  current: PipelineDetails,
  change: PipelineVersionChange,
): Promise<PipelineDetails> {
  if (change.expectedVersion !== current.currentVersion) {
    throw new ConflictError(
      `expectedVersion: pipeline '${current.name}' is at version ${current.currentVersion}, not ${change.expectedVersion}; reload it and apply your change again`,
    );
  }
  const saved = await deps.store.addVersion(current.organization, current.id, {
    expectedVersion: change.expectedVersion,
    spec: change.spec,
    specHash: change.specHash,
    pipelineType: change.pipelineType,
    schedule: change.schedule,
    description: change.description,
    owner: change.owner,
    comment: change.comment,
    restoredFromVersion: change.restoredFromVersion,
    createdBy: actorOf(credentials),
    at: deps.now(),
  });
  if (!saved) {
    throw new ConflictError(
      `expectedVersion: pipeline '${current.name}' was changed concurrently; reload it and apply your change again`,
    );
  }
  await deps.audit?.record({
    credentials,
    organizationId: current.organization,
    action: change.action,
    targetType: 'pipeline',
    targetId: current.id,
    outcome: 'success',
    meta: { version: saved.currentVersion },
  });
  await deps.changed(current.organization, current.id);
  return saved;
}

/**
 * The change that restores version `input.version` of pipeline `id` (read as `current`): 400 when there is no such
 * version, or when its spec is no longer valid in the organization.
 */
export async function rollbackChange(
  deps: { store: PipelinesStore; directory: OrganizationDirectory },
  current: PipelineDetails,
  id: string,
  input: { version: number; expectedVersion?: number; comment?: string },
): Promise<PipelineVersionChange> {
  const target = await deps.store.getVersion(
    current.organization,
    id,
    input.version,
  );
  if (!target?.spec) {
    throw new InputError(
      `version: pipeline '${current.name}' has no version ${input.version}`,
    );
  }
  // An old version is checked again: it may name what is no longer the organization's.
  const valid = requireValidSpec(
    target.spec,
    deps.directory.get(current.organization),
  );
  return {
    ...valid,
    expectedVersion: input.expectedVersion ?? current.currentVersion,
    comment: input.comment ?? `Rollback to version ${input.version}`,
    restoredFromVersion: input.version,
    action: 'pipeline.rollback',
  };
}

/** Version `version` of pipeline `id` (read as `pipeline`); 404 when it has none. */
export async function requireVersion(
  store: PipelinesStore,
  pipeline: PipelineDetails,
  id: string,
  version: number,
): Promise<PipelineVersion> {
  const found = await store.getVersion(pipeline.organization, id, version);
  if (!found) {
    throw new NotFoundError(
      `Pipeline '${pipeline.name}' has no version ${version}`,
    );
  }
  return found;
}
