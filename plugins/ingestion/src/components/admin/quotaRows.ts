import type { QuotaUsageHistory } from '../../api/AdminApi';

/** One point of a quota's recent history. */
export interface HistoryPoint {
  label: string;
  value: number;
}

/** One quota of the brief as the console shows it: used of limit, in its unit. */
export interface QuotaRow {
  /** The quota's key under `quotas`, as refusals name it. */
  key: string;
  title: string;
  unit: string;
  limit: number;
  /** Undefined when the backend does not track the current use (API requests this minute). */
  used?: number;
  usedNote: string;
  history?: { title: string; points: HistoryPoint[] };
  refusals: number;
  lastRefusal?: string;
}

const hourLabel = (iso: string) => `${iso.slice(11, 13)}:00`;
const dayLabel = (day: string) => day.slice(5);

/**
 * The brief's quotas (DBU/hour, clusters, concurrent jobs, storage, retention, API requests per
 * minute and per day) from the governance report, each with its history where one is recorded
 * and the refusals it caused.
 */
export function quotaRows(report: QuotaUsageHistory): QuotaRow[] {
  const { quotas, usage, hourly, daily } = report;
  const refusalsOf = (key: string) =>
    report.refusals.find(r => r.quota === key);
  const row = (
    value: Omit<QuotaRow, 'refusals' | 'lastRefusal'>,
  ): QuotaRow => ({
    ...value,
    refusals: refusalsOf(value.key)?.count ?? 0,
    lastRefusal: refusalsOf(value.key)?.lastAt,
  });
  const storageDays = daily.filter(d => d.storageGb !== undefined);
  return [
    row({
      key: 'databricks.maxDbuPerHour',
      title: 'DBU per hour',
      unit: 'DBU',
      limit: quotas.databricks.maxDbuPerHour,
      used: usage.dbuLastHour,
      usedNote: 'DBUs of the runs queued in the last 60 minutes',
      history: {
        title: 'DBU by hour, last 24 hours',
        points: hourly.map(h => ({ label: hourLabel(h.hour), value: h.dbu })),
      },
    }),
    row({
      key: 'databricks.maxClusters',
      title: 'Clusters',
      unit: 'clusters',
      limit: quotas.databricks.maxClusters,
      used: usage.clustersInUse,
      usedNote: 'Databricks runs holding a job cluster now',
    }),
    row({
      key: 'databricks.maxConcurrentJobs',
      title: 'Concurrent jobs',
      unit: 'jobs',
      limit: quotas.databricks.maxConcurrentJobs,
      used: usage.concurrentRuns,
      usedNote: 'Runs queued, submitted or running now',
      history: {
        title: 'Runs active by hour, last 24 hours',
        points: hourly.map(h => ({
          label: hourLabel(h.hour),
          value: h.activeRuns,
        })),
      },
    }),
    row({
      key: 'storage.maxStorageGb',
      title: 'Storage',
      unit: 'GB',
      limit: quotas.storage.maxStorageGb,
      used: usage.storageGb,
      usedNote: 'Size of the organization’s tables',
      history: storageDays.length
        ? {
            title: 'GB stored by day (daily samples)',
            points: storageDays.map(d => ({
              label: dayLabel(d.day),
              value: d.storageGb ?? 0,
            })),
          }
        : undefined,
    }),
    row({
      key: 'storage.retentionDays',
      title: 'Retention',
      unit: 'days',
      limit: quotas.storage.retentionDays,
      used: usage.oldestRunDays,
      usedNote: 'Age of the oldest run on record',
    }),
    row({
      key: 'api.requestsPerMinute',
      title: 'API requests per minute',
      unit: 'requests',
      limit: quotas.api.requestsPerMinute,
      usedNote:
        'The current minute is counted by the rate limiter; refusals show when it was reached',
    }),
    row({
      key: 'api.requestsPerDay',
      title: 'API requests per day',
      unit: 'requests',
      limit: quotas.api.requestsPerDay,
      used: usage.apiRequestsToday,
      usedNote: 'Requests today (UTC)',
      history: {
        title: 'API requests by day, last 14 days',
        points: daily.map(d => ({
          label: dayLabel(d.day),
          value: d.apiRequests,
        })),
      },
    }),
  ];
}
