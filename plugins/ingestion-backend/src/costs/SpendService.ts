import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  budgetManagePermission,
  costReadPermission,
  type BudgetAlert,
  type BudgetList,
  type BudgetStatus,
  type BudgetUpdate,
  type ChargebackBreakdown,
  type PipelineSpend,
  type SpendGranularity,
  type SpendSeries,
  type SpendSummary,
  type SpendTag,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { actorOf, type AuditRecord } from '../audit';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import type { Budgets } from './Budgets';
import { ORGANIZATION_BUDGET } from './BudgetsStore';
import {
  addMonths,
  DAY_MS,
  dayOf,
  monthEndForecast,
  monthOf,
  roundAmount,
  weekOf,
} from './dates';
import type { SpendStore } from './SpendStore';

const UNATTRIBUTED = 'unattributed';
/** The longest range of one spend request, per granularity (bounded points per series). */
const MAX_RANGE_DAYS: Record<SpendGranularity, number> = {
  day: 366,
  week: 2 * 366,
  month: 5 * 366,
};
const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

function parseDay(field: string, value: string): string {
  if (
    !DAY_PATTERN.test(value) ||
    dayOf(new Date(`${value}T00:00:00Z`)) !== value
  ) {
    throw new InputError(`${field}: must be a date YYYY-MM-DD`);
  }
  return value;
}

export function parseMonth(field: string, value: string): string {
  if (!MONTH_PATTERN.test(value)) {
    throw new InputError(`${field}: must be a month YYYY-MM`);
  }
  return value;
}

function parseTeam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^group:[^/\s]+\/[^/\s]+$/.test(value)) {
    throw new InputError(
      'team: must be a group entity ref such as group:default/finance-data',
    );
  }
  return value.toLocaleLowerCase('en-US');
}

/**
 * Spend of an organization and its teams: series by any tag, the card summary, per-pipeline
 * cost per run and per good row, chargeback by cost center or team, budgets and their alerts.
 * Every method requires `ingestion.cost.read` on the organization (other organizations: 404),
 * as `GET /v1/costs` does; setting budgets requires `ingestion.budget.manage` (admins).
 */
export class SpendService {
  constructor(
    private readonly options: {
      spend: SpendStore;
      budgets: Budgets;
      authorizer: IngestionAuthorizer;
      directory: OrganizationDirectory;
      currency: string;
      audit?: { record(event: AuditRecord): Promise<void> };
      clock?: () => Date;
    },
  ) {}

  private now() {
    return this.options.clock?.() ?? new Date();
  }

  private async authorize(
    credentials: BackstageCredentials,
    organization: string,
  ) {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      costReadPermission,
      organization,
    );
    return this.options.directory.get(organization);
  }

  private async teamScope(team: string | undefined) {
    return team ? this.options.budgets.teamScope(team) : undefined;
  }

  /** Labels of tag values that are ids: pipeline names, table identifiers. */
  private async labels(
    organizationId: string,
    groupBy: SpendTag,
    keys: string[],
  ): Promise<Map<string, string>> {
    if (groupBy === 'pipeline') {
      return this.options.spend.pipelineNames(organizationId, keys);
    }
    return new Map();
  }

  async spend(
    credentials: BackstageCredentials,
    query: {
      organization: string;
      from?: string;
      to?: string;
      granularity?: SpendGranularity;
      groupBy?: SpendTag;
      team?: string;
    },
  ): Promise<SpendSeries> {
    const organization = await this.authorize(credentials, query.organization);
    const granularity = query.granularity ?? 'day';
    const groupBy = query.groupBy ?? 'service';
    const team = parseTeam(query.team);
    const now = this.now();
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
    const rows = await this.options.spend.series(
      {
        organizationId: organization.id,
        from,
        to,
        teams: await this.teamScope(team),
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
    const labels = await this.labels(organization.id, groupBy, [
      ...keyTotals.keys(),
    ]);
    return {
      organization: organization.id,
      currency: this.options.currency,
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

  async summary(
    credentials: BackstageCredentials,
    query: { organization: string; team?: string },
  ): Promise<SpendSummary> {
    const organization = await this.authorize(credentials, query.organization);
    const team = parseTeam(query.team);
    const teams = await this.teamScope(team);
    const now = this.now();
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
      this.options.spend.series(
        { ...monthScope, from: `${firstMonth}-01` },
        { bucket: 'month', groupBy: 'organization' },
      ),
      this.options.spend.totals(monthScope, 'service'),
      this.options.spend.topPipelines(organization.id, month, teams, 5),
    ]);
    const monthToDate = byService.reduce((sum, s) => sum + s.amount, 0);
    const byMonth = new Map(trendRows.map(r => [r.bucket, r.amount]));
    const names = await this.options.spend.pipelineNames(
      organization.id,
      top.map(p => p.key),
    );
    const budget = (await this.options.budgets.of(organization)).find(
      b => (b.team ?? undefined) === team,
    );
    return {
      organization: organization.id,
      ...(team ? { team } : {}),
      currency: this.options.currency,
      month,
      monthToDate: roundAmount(monthToDate),
      forecast: roundAmount(monthEndForecast(monthToDate, now)),
      ...(budget
        ? { budget: await this.options.budgets.status(budget, now) }
        : {}),
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

  async pipelines(
    credentials: BackstageCredentials,
    query: {
      organization: string;
      month?: string;
      team?: string;
      cursor?: string;
      limit: number;
    },
  ): Promise<{ items: PipelineSpend[]; nextCursor?: string }> {
    const organization = await this.authorize(credentials, query.organization);
    const month = query.month
      ? parseMonth('month', query.month)
      : monthOf(this.now());
    const team = parseTeam(query.team);
    const page = await this.options.spend.pipelinesOfMonth({
      organizationId: organization.id,
      month,
      owners: await this.teamScope(team),
      cursor: query.cursor,
      limit: query.limit,
    });
    return {
      items: page.rows.map(row => ({
        pipelineId: row.id,
        name: row.name,
        owner: row.owner,
        month,
        currency: this.options.currency,
        cost: roundAmount(row.amount),
        runs: row.runs,
        ...(row.runs > 0
          ? { costPerRun: roundAmount(row.amount / row.runs) }
          : {}),
        goodRows: row.goodRows,
        ...(row.goodRows > 0
          ? { costPerGoodRow: row.amount / row.goodRows }
          : {}),
      })),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  async chargebackBreakdown(
    credentials: BackstageCredentials,
    query: { organization: string; month: string; by: 'costCenter' | 'team' },
  ): Promise<ChargebackBreakdown> {
    const organization = await this.authorize(credentials, query.organization);
    const month = parseMonth('month', query.month);
    const lines = await this.options.spend.chargebackBy(
      organization.id,
      month,
      query.by,
    );
    return {
      organization: organization.id,
      month,
      currency: this.options.currency,
      by: query.by,
      total: roundAmount(lines.reduce((sum, l) => sum + l.amount, 0)),
      lines: lines.map(line => ({
        key: line.key ?? UNATTRIBUTED,
        serviceType: line.serviceType,
        amount: roundAmount(line.amount),
      })),
    };
  }

  async budgets(
    credentials: BackstageCredentials,
    organizationId: string,
  ): Promise<BudgetList> {
    const organization = await this.authorize(credentials, organizationId);
    const now = this.now();
    const items: BudgetStatus[] = [];
    for (const budget of await this.options.budgets.of(organization)) {
      items.push(await this.options.budgets.status(budget, now));
    }
    return {
      organization: organization.id,
      currency: this.options.currency,
      month: monthOf(now),
      items,
    };
  }

  async putBudget(
    credentials: BackstageCredentials,
    update: BudgetUpdate,
  ): Promise<BudgetStatus> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      budgetManagePermission,
      update.organization,
    );
    const organization = this.options.directory.get(update.organization);
    const team = parseTeam(update.team);
    if (!Number.isFinite(update.monthly) || update.monthly <= 0) {
      throw new InputError('monthly: must be a number greater than 0');
    }
    const thresholds = [
      ...new Set(update.thresholds ?? this.options.budgets.defaultThresholds),
    ].sort((a, b) => a - b);
    thresholds.forEach((t, i) => {
      if (!Number.isFinite(t) || t <= 0 || t > 2) {
        throw new InputError(
          `thresholds[${i}]: must be a fraction of the budget greater than 0 and at most 2`,
        );
      }
    });
    const now = this.now();
    await this.options.budgets.store.put({
      organizationId: organization.id,
      team: team ?? ORGANIZATION_BUDGET,
      monthly: update.monthly,
      thresholds,
      updatedBy: actorOf(credentials),
      at: now,
    });
    await this.options.audit?.record({
      credentials,
      organizationId: organization.id,
      action: 'budget.update',
      targetType: 'budget',
      targetId: team ?? organization.id,
      outcome: 'success',
      meta: { monthly: update.monthly, thresholds },
    });
    return this.options.budgets.status(
      {
        organizationId: organization.id,
        team,
        monthly: update.monthly,
        thresholds,
        origin: 'custom',
      },
      now,
    );
  }

  async deleteBudget(
    credentials: BackstageCredentials,
    query: { organization: string; team?: string },
  ): Promise<void> {
    await this.options.authorizer.authorizeOrganization(
      credentials,
      budgetManagePermission,
      query.organization,
    );
    const team = parseTeam(query.team);
    const removed = await this.options.budgets.store.remove(
      query.organization,
      team ?? ORGANIZATION_BUDGET,
    );
    if (!removed) {
      throw new NotFoundError(
        team
          ? `No budget for team '${team}' in organization '${query.organization}'`
          : `Organization '${query.organization}' has no budget set through the API`,
      );
    }
    await this.options.audit?.record({
      credentials,
      organizationId: query.organization,
      action: 'budget.delete',
      targetType: 'budget',
      targetId: team ?? query.organization,
      outcome: 'success',
    });
  }

  async alerts(
    credentials: BackstageCredentials,
    query: { organization: string; team?: string; from?: string },
  ): Promise<{ items: BudgetAlert[] }> {
    const organization = await this.authorize(credentials, query.organization);
    const team = parseTeam(query.team);
    const rows = await this.options.budgets.store.alerts(organization.id, {
      from: query.from ? parseMonth('from', query.from) : undefined,
      team: query.team === undefined ? undefined : team,
    });
    return {
      items: rows.map(row => ({
        ...(row.team ? { team: row.team } : {}),
        month: row.period,
        threshold: row.threshold,
        kind: row.kind,
        amount: roundAmount(row.amount),
        budget: row.budget,
        raisedAt: row.raisedAt,
      })),
    };
  }
}
