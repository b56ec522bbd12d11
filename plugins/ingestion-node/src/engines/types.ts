import type {
  PipelineSpec,
  QualityResult,
  TransformSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';

/**
 * The organization as an engine needs it: where its data lives and how it is billed.
 *
 * @public
 */
export interface EngineOrganization {
  id: string;
  name: string;
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  /** Storage root: an absolute local folder or `s3://bucket/prefix`. */
  storage: string;
  /** Name of the organization's Iceberg catalog (`finance_catalog`). */
  icebergCatalog: string;
  /** More catalogs whose tables belong to the organization (its Iceberg REST catalogs). */
  icebergCatalogs?: string[];
  /** More S3 locations the organization owns besides `storage` (`s3://bucket[/prefix]`). */
  storageLocations?: string[];
  quotas: { maxConcurrentJobs: number; maxDbuPerHour: number };
  databricks?: {
    host: string;
    token: string;
    clusterPolicyId?: string;
    notificationEmails: string[];
    /** SQL warehouse that reads `system.billing.usage` for billed DBUs; cluster estimates only without it. */
    billingWarehouseId?: string;
    /** The workspace's id in billing records (they cover every workspace of the account). */
    workspaceId?: string;
  };
  owner: string;
  project?: string;
}

/**
 * A source connection with its secret, resolved for one run. Never log it.
 *
 * @public
 */
export interface ResolvedConnection {
  type: string;
  settings: Record<string, unknown>;
  password?: string;
}

/**
 * Everything an engine gets to execute one run of one pipeline version.
 *
 * @public
 */
export interface EngineRunContext {
  run: {
    id: string;
    attempt: number;
    /** Derived from the run id: a retried submit never starts a second job. */
    idempotencyToken: string;
    /** Incremental loads continue from here. */
    watermarkIn?: string;
  };
  pipeline: { id: string; name: string; owner: string; version: number };
  spec: PipelineSpec;
  organization: EngineOrganization;
  resolveConnection(name: string): Promise<ResolvedConnection>;
  log(level: 'info' | 'warn' | 'error', message: string): Promise<void>;
  /**
   * For engines that stage their output before committing it: reviews a sample of the staged
   * rows and returns the PII columns found (the commit's `piiColumns`) and transforms to apply
   * to the staged rows before the commit (the governance policy's PII masking outside
   * production). `spec` already masks the columns known before the run.
   */
  reviewStagedOutput?(sample: StagedOutputSample): Promise<StagedOutputReview>;
}

/**
 * Column → sampled values of a run's staged output.
 *
 * @public
 */
export type StagedOutputSample = Record<string, unknown[]>;

/**
 * What to do with a run's staged output before it is committed.
 *
 * @public
 */
export interface StagedOutputReview {
  piiColumns: string[];
  /** Applied to the staged rows, in order, with the spec's semantics (masks). */
  transforms: TransformSpec[];
}

/**
 * A table an engine committed to.
 *
 * @public
 */
export interface EngineTableCommit {
  format: 'iceberg' | 'delta' | 'parquet';
  catalogName?: string;
  namespace?: string;
  tableName?: string;
  location?: string;
  schema?: Record<string, unknown>;
  rowCount?: number;
  sizeBytes?: number;
  /** Columns that look like personal data (names and sampled values). */
  piiColumns?: string[];
  snapshotId?: string;
}

/**
 * The outcome of a finished run.
 *
 * @public
 */
export interface EngineRunResult {
  rowsRead: number;
  rowsWritten: number;
  bytesWritten: number;
  /** Databricks units consumed; 0 on the local engine. */
  dbus: number;
  /**
   * Resources the run used, where the engine measures them itself (the local engine): priced per
   * CPU-second and per GB-hour of peak memory.
   */
  usage?: {
    cpuSeconds: number;
    peakMemoryBytes: number;
    durationSeconds: number;
  };
  watermarkOut?: string;
  quality: Array<
    Omit<QualityResult, 'id' | 'runId' | 'pipelineId' | 'createdAt'>
  >;
  tables: EngineTableCommit[];
}

/**
 * What an engine reports about a submitted run.
 *
 * @public
 */
export type EngineRunState =
  | { state: 'pending' | 'running'; message?: string }
  | { state: 'succeeded'; result: EngineRunResult }
  | { state: 'quality_failed'; result: EngineRunResult; message: string }
  | { state: 'failed'; message: string; retryable: boolean }
  | { state: 'cancelled'; message?: string }
  /** The engine has no record of the run (e.g. the local engine after a restart). */
  | { state: 'unknown' };

/**
 * An execution engine. Runs are driven by the backend's run driver: `submit` once (it must be
 * idempotent for the same run id and attempt), then `poll` until a final state.
 *
 * @public
 */
export interface IngestionEngine {
  /** Matches `ingestion.organizations[].engine`: `local`, `databricks`, … */
  readonly id: string;
  submit(context: EngineRunContext): Promise<{ engineRunId: string }>;
  poll(context: EngineRunContext, engineRunId: string): Promise<EngineRunState>;
  cancel(context: EngineRunContext, engineRunId: string): Promise<void>;
}
