/**
 * A table as the portal shows it, from its metadata alone (no data file is read): schema and
 * schema history, snapshots for time travel (operation, summary, added and removed files and
 * rows), partition spec, sort order, properties, current size and row count. The same for tables
 * of the local SQL catalog and of Iceberg REST catalogs: both hand out spec-shaped metadata.
 */

import type { TableSnapshot } from '@ingestion-for-backstage/plugin-ingestion-common';

type Json = Record<string, unknown>;

export type IcebergSnapshotSummaryView = TableSnapshot;

export interface IcebergTableMetadataView {
  identifier: string;
  metadataLocation?: string;
  location?: string;
  tableUuid: string;
  formatVersion: number;
  lastUpdatedMs?: number;
  currentSchemaId: number;
  /** Every schema, oldest first: the schema history. */
  schemas: Json[];
  currentSchema?: Json;
  partitionSpecs: Json[];
  defaultSpecId?: number;
  sortOrders: Json[];
  defaultSortOrderId?: number;
  properties: Record<string, string>;
  currentSnapshotId?: string;
  /** Snapshots, newest first. */
  snapshots: IcebergSnapshotSummaryView[];
  rowCount: number;
  dataFileCount: number;
  sizeBytes: number;
}

const num = (value: unknown): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};

/** Snapshot ids are 64-bit; they are kept as strings so none loses digits. */
const id = (value: unknown): string | undefined =>
  value === undefined || value === null || Number(value) < 0
    ? undefined
    : String(value);

export function describeIcebergMetadata(
  identifier: string,
  metadata: Json,
  metadataLocation?: string,
): IcebergTableMetadataView {
  const schemas = (metadata.schemas as Json[] | undefined) ?? [];
  const currentSchemaId = Number(metadata['current-schema-id'] ?? 0);
  const snapshots = ((metadata.snapshots as Json[] | undefined) ?? [])
    .map(snapshot => {
      const summary = (snapshot.summary as Record<string, string>) ?? {};
      return {
        snapshotId: id(snapshot['snapshot-id'])!,
        parentSnapshotId: id(snapshot['parent-snapshot-id']),
        sequenceNumber: num(snapshot['sequence-number']),
        timestampMs: Number(snapshot['timestamp-ms'] ?? 0),
        operation: summary.operation,
        schemaId: num(snapshot['schema-id']),
        addedFiles: num(summary['added-data-files']),
        removedFiles: num(summary['deleted-data-files']),
        addedRows: num(summary['added-records']),
        removedRows: num(summary['deleted-records']),
        totalRows: num(summary['total-records']),
        totalFiles: num(summary['total-data-files']),
        totalSizeBytes: num(summary['total-files-size']),
        runId: summary['ingestion.run-id'],
        summary,
      };
    })
    .sort((a, b) => b.timestampMs - a.timestampMs);
  const currentSnapshotId = id(metadata['current-snapshot-id']);
  const current = snapshots.find(s => s.snapshotId === currentSnapshotId);
  return {
    identifier,
    metadataLocation,
    location: metadata.location as string | undefined,
    tableUuid: String(metadata['table-uuid'] ?? ''),
    formatVersion: Number(metadata['format-version'] ?? 1),
    lastUpdatedMs: num(metadata['last-updated-ms']),
    currentSchemaId,
    schemas,
    currentSchema: schemas.find(s => s['schema-id'] === currentSchemaId),
    partitionSpecs: (metadata['partition-specs'] as Json[] | undefined) ?? [],
    defaultSpecId: num(metadata['default-spec-id']),
    sortOrders: (metadata['sort-orders'] as Json[] | undefined) ?? [],
    defaultSortOrderId: num(metadata['default-sort-order-id']),
    properties: (metadata.properties as Record<string, string>) ?? {},
    currentSnapshotId,
    snapshots,
    rowCount: current?.totalRows ?? 0,
    dataFileCount: current?.totalFiles ?? 0,
    sizeBytes: current?.totalSizeBytes ?? 0,
  };
}

/** The columns of a schema (top-level fields), for PII name hints and the catalog. */
export function schemaFieldNames(schema: Json | undefined): string[] {
  const fields = (schema?.fields as Json[] | undefined) ?? [];
  return fields
    .map(f => f.name)
    .filter((name): name is string => typeof name === 'string');
}
