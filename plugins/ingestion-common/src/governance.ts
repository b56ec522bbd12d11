/**
 * The governance wire types (`/v1/governance/…`: quota usage, connection usage, role groups),
 * shared by the backend that answers and the admin console that asks.
 */
import type { OrgRole } from './permissions';
import type { OrganizationQuotas } from './api';

/** One hour of an organization's compute: DBUs billed or measured, runs active at some point. @public */
export interface HourlyUsage {
  /** Start of the hour, ISO 8601 UTC. */
  hour: string;
  dbu: number;
  activeRuns: number;
}

/** One day of an organization's API requests and sampled storage. @public */
export interface DailyUsage {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  apiRequests: number;
  /** GB stored that day, from the daily storage sample; absent when the day was not sampled. */
  storageGb?: number;
}

/** Refusals of one quota in the window (recorded in the audit log as `quota.refuse`). @public */
export interface QuotaRefusals {
  /** The quota's key under `quotas`: `databricks.maxDbuPerHour`, `api.requestsPerMinute`, … */
  quota: string;
  count: number;
  /** ISO 8601 of the latest one. */
  lastAt: string;
}

/** `GET /v1/governance/quota-usage`: each quota with its current use, history and refusals. @public */
export interface QuotaUsageHistory {
  organization: string;
  quotas: OrganizationQuotas;
  usage: {
    dbuLastHour: number;
    concurrentRuns: number;
    /** Databricks runs submitted or running: each holds a job cluster. */
    clustersInUse: number;
    storageGb: number;
    /** Age in days of the oldest run on record, against `storage.retentionDays`. */
    oldestRunDays: number;
    apiRequestsToday: number;
  };
  /** The last 24 hours, oldest first. */
  hourly: HourlyUsage[];
  /** The last 14 days, oldest first. */
  daily: DailyUsage[];
  /** Refusals in the last 14 days, by quota. */
  refusals: QuotaRefusals[];
}

/** `GET /v1/governance/connection-usage`: the pipelines whose current spec names each connection. @public */
export interface ConnectionUsage {
  connection: string;
  pipelines: Array<{ id: string; name: string }>;
}

/** `GET /v1/governance/roles`: which catalog groups give which role in the organization. @public */
export interface RoleGroups {
  organization: string;
  roles: Record<OrgRole, string[]>;
  /** Groups whose members administer every organization (`ingestion.platformAdmins`). */
  platformAdmins: string[];
}
