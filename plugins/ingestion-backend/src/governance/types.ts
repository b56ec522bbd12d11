/**
 * The governance wire types are declared in ingestion-common, for this backend and the admin
 * console that reads them.
 */
export type {
  ConnectionUsage,
  DailyUsage,
  HourlyUsage,
  QuotaRefusals,
  QuotaUsageHistory,
  RoleGroups,
} from '@ingestion-for-backstage/plugin-ingestion-common';
