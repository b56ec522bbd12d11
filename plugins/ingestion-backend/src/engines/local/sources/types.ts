import type { ResolvedConnection } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { OrganizationEgress } from '../../../egress';
import type { IcebergSqlCatalog } from '../../../iceberg';
import type { OrganizationStorage } from '../storage';
import type { RunWorkspace } from '../workspace';

/** S3 client settings: from a connection of type `s3`, or the organization's `s3` config. */
export interface S3Settings {
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** A connection's bucket and prefix: the only place it may be used for. */
  bucket?: string;
  prefix?: string;
}

/** What a source reader gets from the run. */
export interface SourceContext {
  workspace: RunWorkspace;
  storage: OrganizationStorage;
  organizationId: string;
  /** Resolves a connection of the organization and remembers its secret for masking. */
  resolveConnection(name: string): Promise<ResolvedConnection>;
  /** The organization's default S3 settings (for `s3://` storage roots). */
  organizationS3?: S3Settings;
  /** The organization's Iceberg catalog of this name. */
  catalog(name: string): IcebergSqlCatalog;
  log(level: 'info' | 'warn' | 'error', message: string): Promise<void>;
  /** Throws when the run was cancelled. */
  checkCancelled(): void;
  signal: AbortSignal;
  batchSize: number;
  /**
   * The organization's view of the egress guard: every connection a source opens (HTTP, MySQL,
   * PostgreSQL, S3) is checked by it and pinned to the address it checked.
   */
  egress: OrganizationEgress;
  /** Read at most this many rows of the main source (a preview's sample); readers that can, limit. */
  sampleRows?: number;
}

/** An incremental load: rows whose `column` is above `watermark`. */
export interface IncrementalRead {
  column: string;
  watermark?: string;
}

/** What reading a dataset into a DuckDB table produced. */
export interface LoadedDataset {
  rowsRead: number;
}

/**
 * The run's main source, opened as the table or view `source`. Its row count is known up front
 * (`rowsRead`), or taken from the profiled scan `scanOperator` of the query that reads the view
 * (see scanCounts.ts).
 */
export interface OpenedSource {
  rowsRead?: number;
  scanOperator?: string;
  /** A view read at query time (false: a table holding the rows). */
  view: boolean;
}
