import type { OrgRole } from './permissions';

/**
 * An organization as the API shows it to one of its members.
 *
 * @public
 */
export interface OrganizationSummary {
  id: string;
  name: string;
  costCenter: string;
  environment: string;
  ownerGroup: string;
  engine: string;
  /** The calling user's roles in this organization. */
  roles: OrgRole[];
  quotas: OrganizationQuotas;
  usage: QuotaUsage;
  budget?: { monthly: number; alertThresholds: number[] };
}

/**
 * What an organization currently uses of its quotas.
 *
 * @public
 */
export interface QuotaUsage {
  /** Runs queued, submitted or running. */
  concurrentRuns: number;
  dbuLastHour: number;
  storageGb: number;
}

/** @public */
export interface QuotaReport {
  organization: string;
  quotas: OrganizationQuotas;
  usage: QuotaUsage;
}

/**
 * Quotas in the shape of the product brief's `organization_quotas`.
 *
 * @public
 */
export interface OrganizationQuotas {
  databricks: {
    maxDbuPerHour: number;
    maxClusters: number;
    maxConcurrentJobs: number;
  };
  storage: { maxStorageGb: number; retentionDays: number };
  compute: { maxEcsTasks: number; maxCpuUnits: number };
  api: { requestsPerMinute: number; requestsPerDay: number };
}

/**
 * A page of a list endpoint.
 *
 * @public
 */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * A pipeline spec document as stored and returned (see the spec schema in this package).
 *
 * @public
 */
export type PipelineSpecDocument = Record<string, unknown>;

/** @public */
export type PipelineType = 'batch' | 'streaming';

/**
 * A pipeline, without its spec.
 *
 * @public
 */
export interface Pipeline {
  id: string;
  organization: string;
  name: string;
  description?: string;
  /** Entity ref of the owning user or group. */
  owner: string;
  pipelineType: PipelineType;
  /** 5-field cron expression of a scheduled batch pipeline. */
  schedule?: string;
  /** IANA time zone the schedule is in. */
  scheduleTimezone?: string;
  engine: string;
  currentVersion: number;
  deployment?: {
    databricksJobId: string;
    deployedVersion: number;
    deployedAt: string;
    /** The job's page in the Databricks workspace. */
    jobUrl?: string;
    workspaceUrl?: string;
    /** Hash of the effective spec the job was generated from. */
    specHash?: string;
  };
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/**
 * A pipeline with the spec of its current version.
 *
 * @public
 */
export interface PipelineDetails extends Pipeline {
  spec: PipelineSpecDocument;
}

/**
 * The spec a pipeline's current version executes in its organization's environment
 * (`GET /v1/pipelines/{id}/effective-spec`): outside production, with the governance policy's
 * masks of the target's known PII columns.
 *
 * @public
 */
export interface EffectivePipelineSpec {
  pipelineId: string;
  version: number;
  environment: string;
  spec: PipelineSpecDocument;
  specHash: string;
  maskedColumns: Array<{
    column: string;
    types: string[];
    source: 'table' | 'staged';
  }>;
}

/**
 * One immutable version of a pipeline's spec.
 *
 * @public
 */
export interface PipelineVersion {
  pipelineId: string;
  version: number;
  spec?: PipelineSpecDocument;
  specHash: string;
  comment?: string;
  restoredFromVersion?: number;
  createdAt: string;
  createdBy: string;
}

/**
 * The states of a run: `queued → submitted → running → succeeded | failed | quality_failed | cancelled`.
 *
 * @public
 */
export const RUN_STATUSES = [
  'queued',
  'submitted',
  'running',
  'succeeded',
  'failed',
  'quality_failed',
  'cancelled',
] as const;

/** @public */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run never leaves. @public */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'quality_failed',
  'cancelled',
];

/**
 * One execution of one pipeline version on one engine.
 *
 * @public
 */
export interface Run {
  id: string;
  organization: string;
  pipelineId: string;
  pipelineVersion: number;
  engine: string;
  status: RunStatus;
  trigger: 'manual' | 'schedule' | 'api';
  triggeredBy: string;
  queuedAt: string;
  submittedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  rowsRead?: number;
  rowsWritten?: number;
  bytesWritten?: number;
  durationMs?: number;
  dbus?: number;
  cost?: number;
  engineRunId?: string;
  attempt: number;
  errorMessage?: string;
  watermarkIn?: string;
  watermarkOut?: string;
}

/**
 * A state transition or log line of a run.
 *
 * @public
 */
export interface RunEvent {
  id: string;
  at: string;
  kind: 'transition' | 'log';
  level: 'info' | 'warn' | 'error';
  status?: RunStatus;
  message: string;
}

/**
 * A table a pipeline writes.
 *
 * @public
 */
export interface DataTable {
  id: string;
  organization: string;
  format: 'iceberg' | 'delta' | 'parquet';
  /** `catalog.namespace.table` for Iceberg tables. */
  identifier?: string;
  location?: string;
  owner: string;
  pipelineId?: string;
  classification?: string;
  piiColumns?: string[];
  schema?: Record<string, unknown>;
  rowCount?: number;
  sizeBytes?: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * The outcome of one quality rule in one run.
 *
 * @public
 */
export interface QualityResult {
  id: string;
  runId: string;
  pipelineId: string;
  ruleIndex: number;
  ruleType: string;
  columns: string[];
  severity: 'warn' | 'drop' | 'fail';
  threshold?: number;
  observed?: number;
  passed: boolean;
  failedRows?: number;
  message?: string;
  createdAt: string;
}

/** @public */
export interface LineageGraph {
  nodes: Array<{ id: string; kind: string; name: string; pipelineId?: string }>;
  edges: Array<{ from: string; to: string }>;
}

/** Dimensions costs can be grouped by. @public */
export type CostGroupBy =
  | 'pipeline'
  | 'serviceType'
  | 'period'
  | 'costCenter'
  | 'environment';

/** @public */
export interface CostReport {
  organization: string;
  currency: string;
  groupBy: CostGroupBy;
  total: number;
  budget?: { monthly: number; spentThisMonth: number; remaining: number };
  groups: Array<{ key: string; amount: number; quantity: number }>;
}

/** @public */
export interface Chargeback {
  organization: string;
  costCenter: string;
  month: string;
  currency: string;
  total: number;
  lines: Array<{
    serviceType: string;
    pipelineId?: string;
    pipelineName?: string;
    unit: string;
    quantity: number;
    amount: number;
  }>;
}

/**
 * One problem of a spec or a request body.
 *
 * @public
 */
export interface FieldProblem {
  /** Where: `transformations[1].group_by[0]`. */
  path: string;
  message: string;
}

/**
 * One Iceberg snapshot as `/v1/tables/{tableId}/metadata` lists it, for time travel.
 *
 * @public
 */
export interface TableSnapshot {
  /** 64-bit ids travel as strings so none loses digits. */
  snapshotId: string;
  parentSnapshotId?: string;
  sequenceNumber?: number;
  timestampMs: number;
  operation?: string;
  schemaId?: number;
  addedFiles?: number;
  removedFiles?: number;
  addedRows?: number;
  removedRows?: number;
  totalRows?: number;
  totalFiles?: number;
  totalSizeBytes?: number;
  /** The ingestion run that committed it, when one did. */
  runId?: string;
  summary: Record<string, string>;
}
