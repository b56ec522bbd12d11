import type { PipelineSpecDocument, PipelineType } from '../api';

/*
 * The service-to-service export the catalog module reads (`/api/ingestion/v1/catalog/...`):
 * everything the catalog shows about the organizations' pipelines and tables, across
 * organizations. Only backend plugins (service credentials) may read it.
 */

/** An organization, as the catalog shows its data platform. @public */
export interface CatalogOrganization {
  id: string;
  name: string;
  costCenter: string;
  environment: 'production' | 'staging' | 'development';
  /** Entity ref of the group that owns the organization's data platform. */
  ownerGroup: string;
  engine: string;
  icebergCatalog: string;
  /** The Databricks workspace URL, for links to jobs. */
  databricksHost?: string;
  /** Group refs per role (admin, engineer, analyst, viewer): who belongs to it. */
  roles?: Partial<
    Record<'admin' | 'engineer' | 'analyst' | 'viewer', string[]>
  >;
  /** Retired by a platform admin: its namespace stays reserved, its entities are removed. */
  retired?: boolean;
}

/** A pipeline with the spec of its current version. @public */
export interface CatalogPipeline {
  id: string;
  organization: string;
  name: string;
  description?: string;
  owner: string;
  pipelineType: PipelineType;
  schedule?: string;
  engine: string;
  currentVersion: number;
  databricksJobId?: string;
  spec: PipelineSpecDocument;
  updatedAt: string;
}

/** PII kinds the detector recognises. @public */
export type PiiType = 'ssn' | 'credit_card' | 'email' | 'phone';

/** A column of a table, as its current schema has it. @public */
export interface CatalogColumn {
  name: string;
  type: string;
  required?: boolean;
  /** PII found in the column's sampled values (or name). */
  pii?: PiiType[];
}

/** A table the organization's pipelines write or its Iceberg catalogs hold. @public */
export interface CatalogTable {
  id: string;
  organization: string;
  format: 'iceberg' | 'delta' | 'parquet';
  /** `catalog.namespace.table` for Iceberg tables. */
  identifier?: string;
  location?: string;
  metadataLocation?: string;
  owner: string;
  pipelineId?: string;
  classification?: string;
  piiColumns: string[];
  columns: CatalogColumn[];
  /** Where the table is known from: an engine's commit, or an Iceberg catalog by name. */
  discoveredIn?: string;
  updatedAt: string;
}

/** @public */
export interface CatalogPage<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * What changed since a point in time. Pipelines and tables changed at or after `since` (minus a
 * small overlap, so a change committed late is not missed) are listed whole; deletions show as
 * lower `counts` (the reader then compares `ids`).
 * @public
 */
export interface CatalogChanges {
  pipelines: CatalogPipeline[];
  tables: CatalogTable[];
  counts: Record<string, { pipelines: number; tables: number }>;
  /** Pass as `since` next time. */
  until: string;
  /** More changed than one answer holds: read everything again instead. */
  truncated: boolean;
  /**
   * Changes when an organization is added, changed or retired: a reader holding another version
   * reads the organizations (and everything) again.
   */
  organizationsVersion?: string;
}
