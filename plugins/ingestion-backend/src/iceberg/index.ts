/**
 * Iceberg v2 tables for the local engine: a SQL catalog scoped by
 * organization, a writer committing DuckDB query results as snapshots, and a
 * metadata-only table description.
 */
export { IcebergSqlCatalog } from './catalog/IcebergSqlCatalog';
export type {
  IcebergCreateTableOptions,
  IcebergSqlCatalogOptions,
} from './catalog/IcebergSqlCatalog';
export { IcebergTableWriter } from './writer/IcebergTableWriter';
export type {
  IcebergTableWriterOptions,
  IcebergWriteMode,
  IcebergWriteRequest,
  IcebergWriteResult,
} from './writer/IcebergTableWriter';
export { describeLoadedTable, describeTable } from './describeTable';
export type {
  IcebergSnapshotDescription,
  IcebergTableDescription,
} from './describeTable';
export {
  CommitConflictError,
  CommitStateUnknownError,
  UnsupportedColumnTypeError,
} from './errors';
export { RUN_ID_SUMMARY_KEY } from './metadata/tableMetadata';
export type {
  IcebergField,
  IcebergLoadedTable,
  IcebergPartitionField,
  IcebergPartitionSpec,
  IcebergPrimitiveType,
  IcebergSchema,
  IcebergSnapshot,
  IcebergSnapshotRef,
  IcebergSnapshotSummary,
  IcebergSortOrder,
  IcebergTableIdentifier,
  IcebergTableMetadata,
} from './types';
export {
  expireSnapshots,
  MAX_SNAPSHOT_AGE_PROPERTY,
  MIN_SNAPSHOTS_TO_KEEP_PROPERTY,
  snapshotsToExpire,
} from './maintenance/expireSnapshots';
export type { ExpiredSnapshots } from './maintenance/expireSnapshots';
export {
  ICEBERG_SNAPSHOT_EXPIRY_TASK_ID,
  IcebergSnapshotRetention,
  MIN_SNAPSHOT_AGE_MS,
  startIcebergSnapshotExpiry,
} from './maintenance/snapshotRetention';
export type {
  RetentionOrganization,
  RetentionPass,
} from './maintenance/snapshotRetention';
