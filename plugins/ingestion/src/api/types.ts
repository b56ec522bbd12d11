/**
 * Shapes the frontend reads from the backend that the common package does not type: the
 * `/v1/tables/{tableId}/metadata` answer (see the backend's OpenAPI document).
 */
import type { TableSnapshot } from '@ingestion-for-backstage/plugin-ingestion-common';

export type { TableSnapshot };

/** An Iceberg schema field, as the table's metadata spells it. @public */
export interface IcebergField {
  id: number;
  name: string;
  required?: boolean;
  /** A primitive type name, or a nested struct, list or map. */
  type: string | Record<string, unknown>;
  doc?: string;
}

/** The personal-data kinds the backend's scanner finds in columns. @public */
export type PiiKind = 'ssn' | 'credit_card' | 'email' | 'phone';

/** An Iceberg table's metadata, read from its catalog. @public */
export interface TableMetadata {
  identifier: string;
  tableId: string;
  organization: string;
  metadataLocation?: string;
  location?: string;
  discoveredIn?: string;
  formatVersion: number;
  lastUpdatedMs?: number;
  currentSchemaId?: number;
  /** Every schema, oldest first. */
  schemas: Array<{ 'schema-id'?: number; fields?: IcebergField[] }>;
  currentSchema?: { 'schema-id'?: number; fields?: IcebergField[] };
  partitionSpecs?: Array<{
    'spec-id'?: number;
    fields?: Array<{
      name: string;
      transform: string;
      'source-id': number;
      'field-id'?: number;
    }>;
  }>;
  defaultSpecId?: number;
  sortOrders?: Array<Record<string, unknown>>;
  properties?: Record<string, string>;
  currentSnapshotId?: string;
  /** Newest first. */
  snapshots: TableSnapshot[];
  rowCount: number;
  dataFileCount?: number;
  sizeBytes: number;
  /** Column name → the kinds of personal data found in it. */
  pii: Record<string, PiiKind[]>;
}
