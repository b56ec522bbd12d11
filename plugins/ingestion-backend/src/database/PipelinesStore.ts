import type {
  Pipeline,
  PipelineDetails,
  PipelineSpecDocument,
  PipelineType,
  PipelineVersion,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { AccessFilter } from './conditions';

export interface PipelineListQuery {
  owner?: string;
  type?: PipelineType;
  /** The engine the pipeline runs on (`local`, `databricks`). */
  engine?: string;
  nameContains?: string;
  sort: 'name' | 'createdAt' | 'updatedAt';
  order: 'asc' | 'desc';
  cursor?: string;
  limit: number;
}

export interface NewPipeline {
  id: string;
  organizationId: string;
  name: string;
  description?: string;
  owner: string;
  pipelineType: PipelineType;
  schedule?: { cron: string; timezone: string };
  engine: string;
  spec: PipelineSpecDocument;
  specHash: string;
  comment?: string;
  createdBy: string;
  at: Date;
}

export interface NewPipelineVersion {
  expectedVersion: number;
  spec: PipelineSpecDocument;
  specHash: string;
  pipelineType: PipelineType;
  schedule?: { cron: string; timezone: string };
  description?: string;
  owner?: string;
  comment?: string;
  restoredFromVersion?: number;
  createdBy: string;
  at: Date;
}

/**
 * Pipelines and their immutable versions. Every method is scoped: reads take an access filter
 * (organizations and permission conditions, applied in SQL), writes an organization id.
 */
export interface PipelinesStore {
  list(
    filter: AccessFilter,
    query: PipelineListQuery,
  ): Promise<{ items: Pipeline[]; nextCursor?: string }>;
  get(filter: AccessFilter, id: string): Promise<PipelineDetails | undefined>;
  create(pipeline: NewPipeline): Promise<PipelineDetails>;
  /** Saves a new version if the current one is `expectedVersion`; `undefined` on a conflict. */
  addVersion(
    organizationId: string,
    id: string,
    version: NewPipelineVersion,
  ): Promise<PipelineDetails | undefined>;
  listVersions(
    organizationId: string,
    pipelineId: string,
    page: { cursor?: string; limit: number },
  ): Promise<{ items: PipelineVersion[]; nextCursor?: string }>;
  getVersion(
    organizationId: string,
    pipelineId: string,
    version: number,
  ): Promise<PipelineVersion | undefined>;
  delete(organizationId: string, id: string): Promise<boolean>;
  recordDeployment(
    organizationId: string,
    id: string,
    deployment: PipelineDeployment,
  ): Promise<void>;
  /** The recorded deployment with its verification, for the engine (not the API). */
  getDeployment(
    organizationId: string,
    id: string,
  ): Promise<RecordedDeployment | undefined>;
  /** Marks the recorded job verified, if `databricksJobId` is still the one recorded. */
  markDeploymentVerified(
    organizationId: string,
    id: string,
    databricksJobId: string,
    at: Date,
  ): Promise<boolean>;
}

/** A recorded deployment as the Databricks engine reads it. */
export interface RecordedDeployment {
  databricksJobId: string;
  deployedVersion: number;
  /**
   * When the job was verified as this pipeline's, in the organization's workspace; undefined for
   * deployments recorded before verification existed.
   */
  verifiedAt?: Date;
}

/** A pipeline version deployed as a Databricks job. */
export interface PipelineDeployment {
  databricksJobId: string;
  deployedVersion: number;
  at: Date;
  jobUrl?: string;
  workspaceUrl?: string;
  /** Hash of the effective spec the job was generated from. */
  specHash?: string;
  /** When the job was verified as this pipeline's (the API records only verified jobs). */
  verifiedAt: Date;
}
