import type {
  BackstageCredentials,
  BackstageUserPrincipal,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  pipelineCreatePermission,
  pipelineDeletePermission,
  pipelineReadPermission,
  pipelineUpdatePermission,
  type EffectivePipelineSpec,
  type Pipeline,
  type PipelineDetails,
  type PipelineVersion,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { randomUUID } from 'node:crypto';
import { actorOf } from '../audit/AuditLog';
import type {
  IngestionAuthorizer,
  IngestionPermission,
} from '../authorization/IngestionAuthorizer';
import type {
  PipelineListQuery,
  PipelinesStore,
} from '../database/PipelinesStore';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { PiiMasking } from '../pii/PiiMasking';
import { requireValidSpec } from '../spec/specValidation';
import { effectivePipelineSpec } from './effectivePipelineSpec';
import {
  recordVerifiedDeployment,
  type DeployedJobVerifier,
} from './pipelineDeployment';
import {
  requireVersion,
  rollbackChange,
  saveVersion,
  type PipelineVersionChange,
} from './pipelineVersions';
import { isUniqueViolation } from './uniqueViolation';

/** Called after every change, e.g. to send delta mutations to the catalog. */
export type PipelineChangeListener = (change: {
  type: 'upserted' | 'deleted';
  organizationId: string;
  pipelineId: string;
}) => void | Promise<void>;

export interface MutationAudit {
  record(event: {
    credentials: BackstageCredentials;
    organizationId: string;
    action: string;
    targetType: string;
    targetId?: string;
    outcome: 'success' | 'denied' | 'failure';
    reason?: string;
    meta?: Record<string, unknown>;
  }): Promise<void>;
}

/** Pipelines and their versions, with the org's permissions applied to every call. */
export class PipelinesService {
  static create(options: {
    store: PipelinesStore;
    authorizer: IngestionAuthorizer;
    directory: OrganizationDirectory;
    masking: Pick<PiiMasking, 'effectiveSpec'>;
    /** Checks recorded Databricks jobs against the organization's workspace. */
    deployedJobs: DeployedJobVerifier;
    audit?: MutationAudit;
    clock?: () => Date;
  }) {
    return new PipelinesService(options);
  }

  private readonly listeners: PipelineChangeListener[] = [];

  private constructor(
    private readonly options: {
      store: PipelinesStore;
      authorizer: IngestionAuthorizer;
      directory: OrganizationDirectory;
      masking: Pick<PiiMasking, 'effectiveSpec'>;
      deployedJobs: DeployedJobVerifier;
      audit?: MutationAudit;
      clock?: () => Date;
    },
  ) {}

  onChange(listener: PipelineChangeListener) {
    this.listeners.push(listener);
  }

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  private async changed(
    type: 'upserted' | 'deleted',
    organizationId: string,
    pipelineId: string,
  ) {
    for (const listener of this.listeners) {
      await listener({ type, organizationId, pipelineId });
    }
  }

  async list(
    credentials: BackstageCredentials,
    query: PipelineListQuery & { organization?: string },
  ): Promise<{ items: Pipeline[]; nextCursor?: string }> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
      query.organization,
    );
    return this.options.store.list(filter, query);
  }

  /** The pipeline, if the caller may read it; otherwise 404 whether it exists or not. */
  async get(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<PipelineDetails> {
    const filter = await this.options.authorizer.accessFilter(
      credentials,
      pipelineReadPermission,
    );
    const pipeline = await this.options.store.get(filter, id);
    if (!pipeline) {
      throw new NotFoundError(`Pipeline '${id}' not found`);
    }
    return pipeline;
  }

  /**
   * The pipeline, if the caller may read it (404 otherwise) and may act on it with `permission`
   * (403 otherwise).
   */
  async getForAction(
    credentials: BackstageCredentials,
    id: string,
    permission: IngestionPermission,
  ): Promise<PipelineDetails> {
    const pipeline = await this.get(credentials, id);
    await this.options.authorizer.authorizeResource(
      credentials,
      permission,
      { organizationId: pipeline.organization, owner: pipeline.owner },
      `pipeline '${pipeline.name}'`,
    );
    return pipeline;
  }

  /**
   * What the pipeline's current version executes in its organization's environment: the spec
   * with the governance policy's masks of the target's known PII columns outside production.
   * Whoever may read the pipeline may read this.
   */
  async effectiveSpec(
    credentials: BackstageCredentials,
    id: string,
  ): Promise<EffectivePipelineSpec> {
    const pipeline = await this.get(credentials, id);
    return effectivePipelineSpec(this.options, pipeline);
  }

  /**
   * `specs/validate`: the spec's structure, and with an organization (of which the caller must
   * be a member: 404 otherwise) whether the catalogs and storage it names are that organization's.
   */
  async validateSpec(
    credentials: BackstageCredentials,
    input: { spec: unknown; organization?: string },
  ) {
    if (input.organization === undefined) {
      return requireValidSpec(input.spec).spec;
    }
    await this.options.authorizer.authorizeOrganization(
      credentials,
      pipelineCreatePermission,
      input.organization,
    );
    const organization = this.options.directory.get(input.organization);
    return requireValidSpec(input.spec, organization).spec;
  }

  async create(
    credentials:
      | BackstageCredentials<BackstageUserPrincipal>
      | BackstageCredentials,
    input: {
      organization: string;
      name: string;
      description?: string;
      owner?: string;
      spec: unknown;
      comment?: string;
    },
  ): Promise<PipelineDetails> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      pipelineCreatePermission,
      input.organization,
    );
    const organization = this.options.directory.get(input.organization);
    const valid = requireValidSpec(input.spec, organization);
    const actor = actorOf(credentials);
    try {
      const created = await this.options.store.create({
        id: randomUUID(),
        organizationId: organization.id,
        name: input.name,
        description: input.description,
        owner: (input.owner ?? actor).toLocaleLowerCase('en-US'),
        pipelineType: valid.pipelineType,
        schedule: valid.schedule,
        engine: organization.engine,
        spec: valid.spec,
        specHash: valid.specHash,
        comment: input.comment,
        createdBy: actor,
        at: this.now(),
      });
      await this.options.audit?.record({
        credentials,
        organizationId: organization.id,
        action: 'pipeline.create',
        targetType: 'pipeline',
        targetId: created.id,
        outcome: 'success',
        meta: { name: created.name, version: 1 },
      });
      await this.changed('upserted', organization.id, created.id);
      return created;
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `name: a pipeline named '${input.name}' already exists in organization '${organization.id}'`,
        );
      }
      throw error;
    }
  }

  async update(
    credentials: BackstageCredentials,
    id: string,
    input: {
      spec: unknown;
      expectedVersion: number;
      description?: string;
      owner?: string;
      comment?: string;
    },
  ): Promise<PipelineDetails> {
    const current = await this.getForAction(
      credentials,
      id,
      pipelineUpdatePermission,
    );
    const valid = requireValidSpec(
      input.spec,
      this.options.directory.get(current.organization),
    );
    return this.saveVersion(credentials, current, {
      ...valid,
      expectedVersion: input.expectedVersion,
      description: input.description,
      owner: input.owner?.toLocaleLowerCase('en-US'),
      comment: input.comment,
      action: 'pipeline.update',
    });
  }

  async rollback(
    credentials: BackstageCredentials,
    id: string,
    input: { version: number; expectedVersion?: number; comment?: string },
  ): Promise<PipelineDetails> {
    const current = await this.getForAction(
      credentials,
      id,
      pipelineUpdatePermission,
    );
    return this.saveVersion(
      credentials,
      current,
      await rollbackChange(this.options, current, id, input),
    );
  }

  private async saveVersion(
    credentials: BackstageCredentials,
    current: PipelineDetails,
    change: PipelineVersionChange,
  ): Promise<PipelineDetails> {
    return saveVersion(
      {
        store: this.options.store,
        audit: this.options.audit,
        now: () => this.now(),
        changed: (organizationId, pipelineId) =>
          this.changed('upserted', organizationId, pipelineId),
      },
      credentials,
      current,
      change,
    );
  }

  /**
   * Records that the pipeline's current version runs as Databricks job `jobId` (the deploy action
   * calls this after creating or updating the job), once the organization's workspace confirms
   * the job is this pipeline's (see `recordVerifiedDeployment`).
   */
  async recordDeployment(
    credentials: BackstageCredentials,
    id: string,
    input: {
      jobId: string;
      jobUrl?: string;
      workspaceUrl?: string;
      specHash?: string;
    },
  ): Promise<PipelineDetails> {
    const current = await this.getForAction(
      credentials,
      id,
      pipelineUpdatePermission,
    );
    await recordVerifiedDeployment(
      {
        store: this.options.store,
        directory: this.options.directory,
        verifier: this.options.deployedJobs,
        audit: this.options.audit,
        now: this.now(),
      },
      credentials,
      current,
      input,
    );
    await this.options.audit?.record({
      credentials,
      organizationId: current.organization,
      action: 'pipeline.deploy',
      targetType: 'pipeline',
      targetId: id,
      outcome: 'success',
      meta: {
        jobId: input.jobId,
        version: current.currentVersion,
        ...(input.specHash ? { specHash: input.specHash } : {}),
      },
    });
    await this.changed('upserted', current.organization, id);
    return this.get(credentials, id);
  }

  async delete(credentials: BackstageCredentials, id: string): Promise<void> {
    const current = await this.getForAction(
      credentials,
      id,
      pipelineDeletePermission,
    );
    await this.options.store.delete(current.organization, id);
    await this.options.audit?.record({
      credentials,
      organizationId: current.organization,
      action: 'pipeline.delete',
      targetType: 'pipeline',
      targetId: id,
      outcome: 'success',
      meta: { name: current.name },
    });
    await this.changed('deleted', current.organization, id);
  }

  async listVersions(
    credentials: BackstageCredentials,
    id: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: PipelineVersion[]; nextCursor?: string }> {
    const pipeline = await this.get(credentials, id);
    return this.options.store.listVersions(pipeline.organization, id, page);
  }

  async getVersion(
    credentials: BackstageCredentials,
    id: string,
    version: number,
  ): Promise<PipelineVersion> {
    const pipeline = await this.get(credentials, id);
    return requireVersion(this.options.store, pipeline, id, version);
  }
}
