import { getSourceDatasets } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Knex } from 'knex';
import { toEpochMs, toIso } from '../database/rows';
import type {
  ConnectionUsage,
  DailyUsage,
  HourlyUsage,
  QuotaRefusals,
} from './types';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ACTIVE = ['queued', 'submitted', 'running'];

type Timestamp = Date | number | string;
type RunRow = {
  engine: string;
  status: string;
  queued_at: Timestamp;
  finished_at: Timestamp | null;
  dbus: number | string | null;
};

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round3 = (value: number) => Math.round(value * 1000) / 1000;
const daysInMonth = (day: string) =>
  new Date(
    Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 0),
  ).getUTCDate();

/**
 * What the quotas' history is made of, read from records the plugin keeps anyway: runs (DBUs,
 * activity, clusters), the daily API request counts and storage samples of the spend records, and
 * the audit log's `quota.refuse` events. Every query is limited to one organization in SQL.
 */
export class QuotaHistoryStore {
  constructor(private readonly knex: Knex) {}

  /**
   * The `hours` whole hours up to `now`, oldest first: DBUs of the runs queued in each hour (the
   * DBU quota counts runs by when they were queued) and the runs active at some point in it.
   */
  async hourly(
    organizationId: string,
    now: Date,
    hours: number,
  ): Promise<HourlyUsage[]> {
    const end = Math.floor(now.getTime() / HOUR) * HOUR + HOUR;
    const start = end - hours * HOUR;
    const rows: RunRow[] = await this.knex('runs')
      .where('organization_id', organizationId)
      .where('queued_at', '<', new Date(end))
      .where(q =>
        q
          .whereNull('finished_at')
          .orWhere('finished_at', '>=', new Date(start)),
      )
      .select('engine', 'status', 'queued_at', 'finished_at', 'dbus');
    const buckets = Array.from({ length: hours }, (_, index) => ({
      hour: toIso(start + index * HOUR),
      dbu: 0,
      activeRuns: 0,
    }));
    for (const row of rows) {
      const queued = toEpochMs(row.queued_at);
      const finished =
        row.finished_at === null ? now.getTime() : toEpochMs(row.finished_at);
      if (queued >= start && row.dbus !== null) {
        buckets[Math.floor((queued - start) / HOUR)].dbu += Number(row.dbus);
      }
      const first = Math.max(0, Math.floor((queued - start) / HOUR));
      const last = Math.min(hours - 1, Math.floor((finished - start) / HOUR));
      for (let index = first; index <= last; index++) {
        buckets[index].activeRuns += 1;
      }
    }
    return buckets.map(bucket => ({ ...bucket, dbu: round3(bucket.dbu) }));
  }

  /**
   * The `days` days up to `now`, oldest first: API requests counted for the platform charge and
   * the GB stored, from the day's storage samples (GB-month fractions of one day).
   */
  async daily(
    organizationId: string,
    now: Date,
    days: number,
  ): Promise<DailyUsage[]> {
    const today = Date.parse(`${dayOf(now.getTime())}T00:00:00Z`);
    const list = Array.from({ length: days }, (_, index) =>
      dayOf(today - (days - 1 - index) * DAY),
    );
    const [requests, storage]: [
      Array<{ day: string; requests: number | string }>,
      Array<{ day: string; quantity: number | string }>,
    ] = await Promise.all([
      this.knex('cost_api_requests')
        .where('organization_id', organizationId)
        .whereBetween('day', [list[0], list[list.length - 1]])
        .select('day', 'requests'),
      this.knex('cost_records')
        .where({ organization_id: organizationId, source: 'storage-sample' })
        .whereBetween('day', [list[0], list[list.length - 1]])
        .groupBy('day')
        .select('day')
        .sum({ quantity: 'quantity' }) as Promise<
        Array<{ day: string; quantity: number | string }>
      >,
    ]);
    const requestsOf = new Map(
      requests.map(row => [String(row.day), Number(row.requests)]),
    );
    const storageOf = new Map(
      storage.map(row => [
        String(row.day),
        round3(Number(row.quantity) * daysInMonth(String(row.day))),
      ]),
    );
    return list.map(day => ({
      day,
      apiRequests: requestsOf.get(day) ?? 0,
      ...(storageOf.has(day) ? { storageGb: storageOf.get(day) } : {}),
    }));
  }

  /** Databricks runs submitted or running: each holds a job cluster. */
  async clustersInUse(organizationId: string): Promise<number> {
    const [{ n }] = await this.knex('runs')
      .where({ organization_id: organizationId, engine: 'databricks' })
      .whereIn('status', ACTIVE.slice(1))
      .count({ n: '*' });
    return Number(n);
  }

  /** Age in whole days of the organization's oldest run record (0 without runs). */
  async oldestRunDays(organizationId: string, now: Date): Promise<number> {
    const [{ oldest }] = await this.knex('runs')
      .where('organization_id', organizationId)
      .min({ oldest: 'queued_at' });
    if (oldest === null || oldest === undefined) return 0;
    return Math.max(
      0,
      Math.floor((now.getTime() - toEpochMs(oldest as Timestamp)) / DAY),
    );
  }

  /** `quota.refuse` audit events since `since`, counted by quota. */
  async refusals(
    organizationId: string,
    since: Date,
  ): Promise<QuotaRefusals[]> {
    const rows = (await this.knex('audit_events')
      .where({ organization_id: organizationId, action: 'quota.refuse' })
      .where('at', '>=', since)
      .groupBy('target_id')
      .select('target_id')
      .count({ n: '*' })
      .max({ last: 'at' })) as Array<{
      target_id: string | null;
      n: number | string;
      last: Timestamp;
    }>;
    return rows
      .map(row => ({
        quota: String(row.target_id ?? 'unknown'),
        count: Number(row.n),
        lastAt: toIso(row.last),
      }))
      .sort((a, b) => a.quota.localeCompare(b.quota));
  }

  /**
   * For every connection name an organization's pipelines use (in their current version's
   * source or joins), the pipelines, by name.
   */
  async connectionUsage(organizationId: string): Promise<ConnectionUsage[]> {
    const rows: Array<{ id: string; name: string; spec: string }> =
      await this.knex('pipelines as p')
        .join('pipeline_versions as v', join =>
          join
            .on('v.pipeline_id', 'p.id')
            .andOn('v.version', 'p.current_version'),
        )
        .where('p.organization_id', organizationId)
        .orderBy('p.name')
        .select('p.id', 'p.name', 'v.spec');
    const byConnection = new Map<string, Array<{ id: string; name: string }>>();
    for (const row of rows) {
      let spec: PipelineSpec;
      try {
        spec = JSON.parse(row.spec) as PipelineSpec;
      } catch {
        continue;
      }
      const names = new Set(
        getSourceDatasets(spec).flatMap(dataset =>
          dataset.connection ? [dataset.connection] : [],
        ),
      );
      for (const name of names) {
        byConnection.set(name, [
          ...(byConnection.get(name) ?? []),
          { id: row.id, name: row.name },
        ]);
      }
    }
    return [...byConnection.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([connection, pipelines]) => ({ connection, pipelines }));
  }
}
