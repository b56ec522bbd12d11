/**
 * TypeScript model of the Iceberg v2 table metadata JSON (Iceberg table spec,
 * "Appendix C: JSON serialization"). Only what this package reads and writes.
 */

/**
 * Identifies a table inside one organization's catalog.
 *
 * @public
 */
export interface IcebergTableIdentifier {
  /** Namespace levels, outermost first, for example `['sales', 'raw']`. */
  namespace: string[];
  name: string;
}

/**
 * Primitive Iceberg types this package writes. Decimals are serialized as
 * `decimal(P,S)`.
 *
 * @public
 */
export type IcebergPrimitiveType =
  | 'boolean'
  | 'int'
  | 'long'
  | 'float'
  | 'double'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'string'
  | 'binary'
  | `decimal(${number},${number})`;

/**
 * A top-level schema field.
 *
 * @public
 */
export interface IcebergField {
  id: number;
  name: string;
  required: boolean;
  /** A primitive type; tables created elsewhere may hold other types. */
  type: IcebergPrimitiveType | string | Record<string, unknown>;
  doc?: string;
}

/** @public */
export interface IcebergSchema {
  type: 'struct';
  'schema-id': number;
  fields: IcebergField[];
  'identifier-field-ids'?: number[];
}

/** @public */
export interface IcebergPartitionField {
  'source-id': number;
  'field-id': number;
  name: string;
  transform: string;
}

/** @public */
export interface IcebergPartitionSpec {
  'spec-id': number;
  fields: IcebergPartitionField[];
}

/** @public */
export interface IcebergSortOrder {
  'order-id': number;
  fields: Array<Record<string, unknown>>;
}

/**
 * Snapshot summary: string values only, `operation` is required.
 *
 * @public
 */
export type IcebergSnapshotSummary = {
  operation: 'append' | 'overwrite' | 'replace' | 'delete';
} & Record<string, string>;

/** @public */
export interface IcebergSnapshot {
  'snapshot-id': number;
  'parent-snapshot-id'?: number;
  'sequence-number': number;
  'timestamp-ms': number;
  'manifest-list': string;
  summary: IcebergSnapshotSummary;
  'schema-id'?: number;
}

/** @public */
export interface IcebergSnapshotRef {
  'snapshot-id': number;
  type: 'branch' | 'tag';
}

/**
 * Iceberg v2 table metadata, as stored in `vN.metadata.json`.
 *
 * @public
 */
export interface IcebergTableMetadata {
  'format-version': number;
  'table-uuid': string;
  location: string;
  'last-sequence-number': number;
  'last-updated-ms': number;
  'last-column-id': number;
  schemas: IcebergSchema[];
  'current-schema-id': number;
  'partition-specs': IcebergPartitionSpec[];
  'default-spec-id': number;
  'last-partition-id': number;
  properties: Record<string, string>;
  'current-snapshot-id'?: number | null;
  snapshots: IcebergSnapshot[];
  'snapshot-log': Array<{ 'snapshot-id': number; 'timestamp-ms': number }>;
  'metadata-log': Array<{ 'metadata-file': string; 'timestamp-ms': number }>;
  'sort-orders': IcebergSortOrder[];
  'default-sort-order-id': number;
  refs: Record<string, IcebergSnapshotRef>;
}

/**
 * A table as the catalog returns it: where its current metadata lives, and that
 * metadata.
 *
 * @public
 */
export interface IcebergLoadedTable {
  identifier: IcebergTableIdentifier;
  metadataLocation: string;
  metadata: IcebergTableMetadata;
}
