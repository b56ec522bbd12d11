import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { costRecordRow, type NewCostRecord } from '../database/CostsStore';
import { addMonths, DAY_MS, dayOf, daysInMonth, monthOf } from '../costs/dates';
import type { CostPricing } from '../costs/pricing';
import type { OrganizationConfig } from '../organizations/organizationConfig';

/** A number in [0, 1) that depends only on its inputs: the same history on every first start. */
function unit(...parts: string[]): number {
  const hash = createHash('sha256').update(parts.join('\n')).digest();
  return hash.readUInt32BE(0) / 2 ** 32;
}

/**
 * Six months of plausible daily cost history for the demo organizations, so every card and chart
 * has something to show on a fresh portal: each demo pipeline's daily job (Databricks DBUs that
 * grow slowly month over month, less at weekends), its table's storage growing day by day, and
 * the organization's API usage; sized so the month lands at about two thirds of the configured
 * budget. Every record is `source: 'demo'`. Idempotent: an organization with demo records, or
 * without pipelines, gets none.
 */
export async function seedDemoCostHistory(options: {
  knex: Knex;
  logger: LoggerService;
  organizations: readonly OrganizationConfig[];
  pricing: CostPricing;
  now?: Date;
}): Promise<number> {
  const { knex, pricing } = options;
  const now = options.now ?? new Date();
  const today = dayOf(now);
  const first = new Date(`${addMonths(monthOf(now), -5)}-01T00:00:00Z`);
  let written = 0;
  for (const organization of options.organizations) {
    const existing = await knex('cost_records')
      .where({ organization_id: organization.id, source: 'demo' })
      .first('id');
    if (existing) continue;
    const pipelines = await knex('pipelines')
      .where('organization_id', organization.id)
      .orderBy('name')
      .select('id', 'name', 'owner');
    if (pipelines.length === 0) continue;
    const monthlyTarget = (organization.budget?.monthly ?? 3000) * 0.65;
    const weights = pipelines.map(p => 0.5 + unit(organization.id, p.id));
    const weightSum = weights.reduce((a, b) => a + b, 0);
    const records: NewCostRecord[] = [];
    for (
      let date = first;
      dayOf(date) < today;
      date = new Date(date.getTime() + DAY_MS)
    ) {
      const day = dayOf(date);
      const month = day.slice(0, 7);
      const monthIndex =
        (date.getUTCFullYear() - first.getUTCFullYear()) * 12 +
        date.getUTCMonth() -
        first.getUTCMonth();
      // Spend grows about 4% a month; weekends run lighter jobs.
      const growth = 0.82 + 0.04 * monthIndex;
      const weekend = [0, 6].includes(date.getUTCDay()) ? 0.55 : 1;
      const dailyTarget = (monthlyTarget / daysInMonth(month)) * growth;
      const base = {
        organizationId: organization.id,
        costCenter: organization.costCenter,
        environment: organization.environment,
        currency: pricing.currency,
        period: month,
        day,
        source: 'demo' as const,
        at: new Date(date.getTime() + 6 * 3600_000),
      };
      pipelines.forEach((pipeline, index) => {
        const share = (dailyTarget * weights[index]) / weightSum;
        const jitter = 0.85 + 0.3 * unit(organization.id, pipeline.id, day);
        const computeAmount = share * 0.9 * weekend * jitter;
        const tagged = {
          ...base,
          pipelineId: pipeline.id,
          ownerRef: pipeline.owner,
          project: organization.project ?? pipeline.id,
        };
        records.push({
          ...tagged,
          serviceType: 'compute',
          quantity: computeAmount / pricing.dbu,
          unit: 'DBU',
          amount: computeAmount,
          measurement: 'estimated',
        });
        // The table grows with every day's load; a day holds 1/days-in-month of a GB-month.
        const gb =
          (share * 0.08) / pricing.storageGbMonth +
          ((date.getTime() - first.getTime()) / DAY_MS) * 0.4;
        const quantity = gb / daysInMonth(month);
        records.push({
          ...tagged,
          serviceType: 'storage',
          quantity,
          unit: 'GB-month',
          amount: quantity * pricing.storageGbMonth,
          measurement: 'estimated',
        });
      });
      const requests = Math.round(
        1500 + 3000 * unit(organization.id, 'api', day) * weekend,
      );
      records.push({
        ...base,
        serviceType: 'platform',
        ownerRef: organization.ownerGroup,
        project: organization.project,
        quantity: requests,
        unit: 'request',
        amount: (requests / 1000) * pricing.platform.perThousandRequests,
        measurement: 'estimated',
      });
    }
    await knex.transaction(async trx => {
      for (let i = 0; i < records.length; i += 200) {
        await trx('cost_records').insert(
          records.slice(i, i + 200).map(costRecordRow),
        );
      }
    });
    written += records.length;
  }
  if (written > 0) {
    options.logger.info(`Seeded ${written} demo cost records (source: demo)`);
  }
  return written;
}
