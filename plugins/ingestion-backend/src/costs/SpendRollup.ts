import type { Knex } from 'knex';
import { dayOf } from './dates';

const DAY_MS = 86_400_000;

/**
 * The tag columns `cost_daily_totals` sums by (absent tags are ''). Not the Project: it is the
 * pipeline's id wherever an organization has no project of its own, which would make the totals
 * as many as the records; its column stays '' and spend by project reads the records.
 */
export const ROLLUP_TAGS = [
  'owner_team',
  'service_type',
  'cost_center',
  'environment',
  'source',
] as const;

/**
 * Keeps `cost_daily_totals` equal to the sums of `cost_records` per organization, day and tag.
 * A day is recomputed as a whole (delete, then insert the aggregate) in one transaction; a
 * replica that loses a race on the primary key retries, and its recomputation wins, equal anyway.
 */
export class SpendRollup {
  /** Syncs in flight in this process: concurrent requests of one organization share one. */
  readonly #syncing = new Map<string, Promise<void>>();

  constructor(private readonly knex: Knex) {}

  /** Recomputes some days of an organization. */
  async refreshDays(organizationId: string, days: Iterable<string>) {
    const list = [...new Set(days)].filter(Boolean).sort();
    for (let i = 0; i < list.length; i += 100) {
      const chunk = list.slice(i, i + 100);
      for (let attempt = 0; ; attempt++) {
        try {
          await this.knex.transaction(async trx => {
            await trx('cost_daily_totals')
              .where('organization_id', organizationId)
              .whereIn('day', chunk)
              .delete();
            const sums = await trx('cost_records')
              .where('organization_id', organizationId)
              .whereIn('day', chunk)
              .select('day', ...ROLLUP_TAGS)
              .sum({ amount: 'amount' })
              .count({ records: '*' })
              .groupBy('day', ...ROLLUP_TAGS);
            // Tags that are null in records become '' (a key column); equal keys add up.
            const rows = new Map<string, Record<string, unknown>>();
            for (const sum of sums as Array<Record<string, unknown>>) {
              const row: Record<string, unknown> = {
                organization_id: organizationId,
                day: sum.day,
                project: '',
              };
              for (const tag of ROLLUP_TAGS) row[tag] = sum[tag] ?? '';
              const key = JSON.stringify(row);
              const existing = rows.get(key);
              rows.set(key, {
                ...row,
                amount: Number(existing?.amount ?? 0) + Number(sum.amount ?? 0),
                records: Number(existing?.records ?? 0) + Number(sum.records),
              });
            }
            const values = [...rows.values()];
            for (let j = 0; j < values.length; j += 200) {
              await trx('cost_daily_totals').insert(values.slice(j, j + 200));
            }
          });
          break;
        } catch (error) {
          // Another replica recomputed the same day at the same time: once more, after it.
          if (attempt >= 2) throw error;
        }
      }
    }
  }

  /**
   * Brings an organization's totals up to date with the records inserted since the last call
   * (a look at the newest record id; the days of newer records are recomputed).
   */
  async sync(organizationId: string): Promise<void> {
    let pending = this.#syncing.get(organizationId);
    if (!pending) {
      pending = this.#sync(organizationId).finally(() =>
        this.#syncing.delete(organizationId),
      );
      this.#syncing.set(organizationId, pending);
    }
    return pending;
  }

  async #sync(organizationId: string): Promise<void> {
    const [{ max }] = await this.knex('cost_records')
      .where('organization_id', organizationId)
      .max({ max: 'id' });
    const newest = Number(max ?? 0);
    const state = await this.knex('cost_rollup_state')
      .where('organization_id', organizationId)
      .first('last_record_id');
    const last = Number(state?.last_record_id ?? 0);
    if (newest <= last) return;
    const days = await this.knex('cost_records')
      .where('organization_id', organizationId)
      .where('id', '>', last)
      .where('id', '<=', newest)
      .whereNotNull('day')
      .distinct('day');
    await this.refreshDays(
      organizationId,
      days.map(d => d.day as string),
    );
    await this.knex('cost_rollup_state')
      .insert({ organization_id: organizationId, last_record_id: newest })
      .onConflict('organization_id')
      .merge();
  }

  /** Recomputes the last `days` days (records updated in place: billed DBUs). */
  async refreshRecent(organizationId: string, now: Date, days = 4) {
    const list = Array.from({ length: days }, (_, i) =>
      dayOf(new Date(now.getTime() - i * DAY_MS)),
    );
    await this.refreshDays(organizationId, list);
  }
}
