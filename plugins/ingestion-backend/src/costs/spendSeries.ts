/** Spend series grouped by a tag, and the spend card's summary of the month. */
import { InputError } from '@backstage/errors';
import type {
  SpendGranularity,
  SpendSeries,
  SpendSummary,
  SpendTag,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import {
  addMonths,
  DAY_MS,
  dayOf,
  monthEndForecast,
  monthOf,
  roundAmount,
  weekOf,
} from './dates';
import { teamScope, type SpendContext } from './spendContext';
import { parseDay, parseTeam, UNATTRIBUTED } from './spendQuery';

/** The longest range of one spend request, per granularity (bounded points per series). */
const MAX_RANGE_DAYS: Record<SpendGranularity, number> = {
  day: 366,
  week: 2 * 366,
  month: 5 * 366,
};

/** Labels of tag values that are ids: pipeline names, table identifiers. */
async function tagLabels(
  context: SpendContext,
  organizationId: string,
  groupBy: SpendTag,
  keys: string[],
): Promise<Map<string, string>> {
  if (groupBy === 'pipeline') {
    return context.spend.pipelineNames(organizationId, keys);
  }
  return new Map();
}

/** Spend of an organization (or a team) over a range of days, by period and tag value. */
export async function spendSeries(
  context: SpendContext,
  organizationId: string,
  query: {
    from?: string;
    to?: string;
    granularity?: SpendGranularity;
    groupBy?: SpendTag;
    team?: string;
  },
): Promise<SpendSeries> {
  const granularity = query.granularity ?? 'day';
  const groupBy = query.groupBy ?? 'service';
  const team = parseTeam(query.team);
  const now = context.now();
  const to = query.to ? parseDay('to', query.to) : dayOf(now);
  const defaultFrom =
    granularity === 'month'
      ? `${addMonths(monthOf(now), -5)}-01`
      : dayOf(
          new Date(
            new Date(`${to}T00:00:00Z`).getTime() -
              (granularity === 'week' ? 83 : 29) * DAY_MS,
          ),
        );
  const from = query.from ? parseDay('from', query.from) : defaultFrom;
  const days =
    (new Date(`${to}T00:00:00Z`).getTime() -
      new Date(`${from}T00:00:00Z`).getTime()) /
    DAY_MS;
  if (days < 0) throw new InputError('from: must not be after to');
  if (days >= MAX_RANGE_DAYS[granularity]) {
    throw new InputError(
      `from: a ${granularity} series covers at most ${MAX_RANGE_DAYS[granularity]} days`,
    );
  }
  const rows = await context.spend.series(
    {
      organizationId,
      from,
      to,
      teams: await teamScope(context, team),
    },
    { bucket: granularity === 'month' ? 'month' : 'day', groupBy },
  );
  const points = new Map<
    string,
    { period: string; key: string; amount: number }
  >();
  const keyTotals = new Map<string, number>();
  for (const row of rows) {
    const period = granularity === 'week' ? weekOf(row.bucket) : row.bucket;
    const key = row.key ?? UNATTRIBUTED;
    const id = `${period}\n${key}`;
    const point = points.get(id) ?? { period, key, amount: 0 };
    point.amount += row.amount;
    points.set(id, point);
    keyTotals.set(key, (keyTotals.get(key) ?? 0) + row.amount);
  }
  const labels = await tagLabels(context, organizationId, groupBy, [
    ...keyTotals.keys(),
  ]);
  return {
    organization: organizationId,
    currency: context.currency,
    from,
    to,
    granularity,
    groupBy,
    ...(team ? { team } : {}),
    total: roundAmount(rows.reduce((sum, r) => sum + r.amount, 0)),
    keys: [...keyTotals]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, amount]) => ({
        key,
        label: labels.get(key) ?? key,
        amount: roundAmount(amount),
      })),
    points: [...points.values()]
      .sort(
        (a, b) =>
          a.period.localeCompare(b.period) || a.key.localeCompare(b.key),
      )
      .map(p => ({ ...p, amount: roundAmount(p.amount) })),
  };
}

/** This month's spend to date and forecast, the budget, the six-month trend, by service and the top pipelines. */
export async function spendSummary(
  context: SpendContext,
  organization: OrganizationConfig,
  query: { team?: string },
): Promise<SpendSummary> {
  const team = parseTeam(query.team);
  const teams = await teamScope(context, team);
  const now = context.now();
  const month = monthOf(now);
  const today = dayOf(now);
  const monthScope = {
    organizationId: organization.id,
    from: `${month}-01`,
    to: today,
    teams,
  };
  const firstMonth = addMonths(month, -5);
  const [trendRows, byService, top] = await Promise.all([
    context.spend.series(
      { ...monthScope, from: `${firstMonth}-01` },
      { bucket: 'month', groupBy: 'organization' },
    ),
    context.spend.totals(monthScope, 'service'),
    context.spend.topPipelines(organization.id, month, teams, 5),
  ]);
  const monthToDate = byService.reduce((sum, s) => sum + s.amount, 0);
  const byMonth = new Map(trendRows.map(r => [r.bucket, r.amount]));
  const names = await context.spend.pipelineNames(
    organization.id,
    top.map(p => p.key),
  );
  const budget = (await context.budgets.of(organization)).find(
    b => (b.team ?? undefined) === team,
  );
  return {
    organization: organization.id,
    ...(team ? { team } : {}),
    currency: context.currency,
    month,
    monthToDate: roundAmount(monthToDate),
    forecast: roundAmount(monthEndForecast(monthToDate, now)),
    ...(budget ? { budget: await context.budgets.status(budget, now) } : {}),
    trend: Array.from({ length: 6 }, (_, i) => {
      const m = addMonths(firstMonth, i);
      return { month: m, amount: roundAmount(byMonth.get(m) ?? 0) };
    }),
    byService: byService.map(s => ({
      service: s.key ?? UNATTRIBUTED,
      amount: roundAmount(s.amount),
    })),
    topPipelines: top.map(p => ({
      id: p.key,
      name: names.get(p.key) ?? p.key,
      amount: roundAmount(p.amount),
    })),
  };
}
