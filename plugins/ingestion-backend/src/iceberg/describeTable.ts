import { IcebergSqlCatalog } from './catalog/IcebergSqlCatalog';
import { currentSchema } from './metadata/schema';
import {
  currentSnapshot,
  defaultSpec,
  RUN_ID_SUMMARY_KEY,
} from './metadata/tableMetadata';
import {
  IcebergLoadedTable,
  IcebergPartitionSpec,
  IcebergSchema,
  IcebergSnapshotSummary,
  IcebergTableIdentifier,
} from './types';

/**
 * A snapshot as {@link IcebergTableDescription} lists it.
 *
 * @public
 */
export interface IcebergSnapshotDescription {
  snapshotId: number;
  parentSnapshotId?: number;
  sequenceNumber: number;
  timestampMs: number;
  operation: IcebergSnapshotSummary['operation'];
  /** The ingestion run that wrote it, if written by this product. */
  runId?: string;
  schemaId?: number;
  summary: IcebergSnapshotSummary;
}

/**
 * What the product shows about a table, taken from its metadata only (no data
 * file is read).
 *
 * @public
 */
export interface IcebergTableDescription {
  identifier: IcebergTableIdentifier;
  metadataLocation: string;
  tableUuid: string;
  location: string;
  formatVersion: number;
  lastUpdatedMs: number;
  schema: IcebergSchema;
  /** All schemas, oldest first. */
  schemas: IcebergSchema[];
  partitionSpec: IcebergPartitionSpec;
  properties: Record<string, string>;
  currentSnapshotId?: number;
  /** Snapshots, oldest first. */
  snapshots: IcebergSnapshotDescription[];
  /** Rows, live data files and their bytes in the current snapshot. */
  rowCount: number;
  dataFileCount: number;
  sizeInBytes: number;
}

/**
 * Describes a loaded table from its metadata.
 *
 * @public
 */
export function describeLoadedTable(
  table: IcebergLoadedTable,
): IcebergTableDescription {
  const { metadata } = table;
  const current = currentSnapshot(metadata);
  const total = (key: string) => Number(current?.summary[key] ?? 0);
  return {
    identifier: table.identifier,
    metadataLocation: table.metadataLocation,
    tableUuid: metadata['table-uuid'],
    location: metadata.location,
    formatVersion: metadata['format-version'],
    lastUpdatedMs: metadata['last-updated-ms'],
    schema: currentSchema(metadata),
    schemas: metadata.schemas,
    partitionSpec: defaultSpec(metadata),
    properties: metadata.properties ?? {},
    currentSnapshotId: current?.['snapshot-id'],
    snapshots: metadata.snapshots.map(s => ({
      snapshotId: s['snapshot-id'],
      parentSnapshotId: s['parent-snapshot-id'],
      sequenceNumber: s['sequence-number'],
      timestampMs: s['timestamp-ms'],
      operation: s.summary.operation,
      runId: s.summary[RUN_ID_SUMMARY_KEY],
      schemaId: s['schema-id'],
      summary: s.summary,
    })),
    rowCount: total('total-records'),
    dataFileCount: total('total-data-files'),
    sizeInBytes: total('total-files-size'),
  };
}

/**
 * Loads a table of an organization and describes it.
 *
 * @public
 */
export async function describeTable(
  catalog: IcebergSqlCatalog,
  organizationId: string,
  identifier: IcebergTableIdentifier,
): Promise<IcebergTableDescription> {
  return describeLoadedTable(
    await catalog.loadTable(organizationId, identifier),
  );
}
