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
