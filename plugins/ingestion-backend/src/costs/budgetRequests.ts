/** Budgets of an organization and its teams: their status, setting and removing them, and their alerts. */
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  BudgetAlert,
  BudgetList,
  BudgetStatus,
  BudgetUpdate,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { actorOf } from '../audit';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { ORGANIZATION_BUDGET } from './BudgetsStore';
import { monthOf, roundAmount } from './dates';
import type { SpendContext } from './spendContext';
import { parseMonth, parseTeam } from './spendQuery';

/** The organization's and its teams' budgets, with this month's spend against them. */
export async function budgetList(
  context: SpendContext,
  organization: OrganizationConfig,
): Promise<BudgetList> {
  const now = context.now();
  const items: BudgetStatus[] = [];
  for (const budget of await context.budgets.of(organization)) {
    items.push(await context.budgets.status(budget, now));
  }
  return {
    organization: organization.id,
    currency: context.currency,
    month: monthOf(now),
    items,
  };
}

/** Sets the monthly budget of an organization or team (recorded in the audit log). */
export async function putBudget(
  context: SpendContext,
  credentials: BackstageCredentials,
  organization: OrganizationConfig,
  update: BudgetUpdate,
): Promise<BudgetStatus> {
  const team = parseTeam(update.team);
  if (!Number.isFinite(update.monthly) || update.monthly <= 0) {
    throw new InputError('monthly: must be a number greater than 0');
  }
  const thresholds = [
    ...new Set(update.thresholds ?? context.budgets.defaultThresholds),
  ].sort((a, b) => a - b);
  thresholds.forEach((t, i) => {
    if (!Number.isFinite(t) || t <= 0 || t > 2) {
      throw new InputError(
        `thresholds[${i}]: must be a fraction of the budget greater than 0 and at most 2`,
      );
    }
  });
  const now = context.now();
  await context.budgets.store.put({
    organizationId: organization.id,
    team: team ?? ORGANIZATION_BUDGET,
    monthly: update.monthly,
    thresholds,
    updatedBy: actorOf(credentials),
    at: now,
  });
  await context.audit?.record({
    credentials,
    organizationId: organization.id,
    action: 'budget.update',
    targetType: 'budget',
    targetId: team ?? organization.id,
    outcome: 'success',
    meta: { monthly: update.monthly, thresholds },
  });
  return context.budgets.status(
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

/** Removes a budget set through the API (recorded in the audit log); 404 when there is none. */
export async function deleteBudget(
  context: SpendContext,
  credentials: BackstageCredentials,
  query: { organization: string; team?: string },
): Promise<void> {
  const team = parseTeam(query.team);
  const removed = await context.budgets.store.remove(
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
  await context.audit?.record({
    credentials,
    organizationId: query.organization,
    action: 'budget.delete',
    targetType: 'budget',
    targetId: team ?? query.organization,
    outcome: 'success',
  });
}

/** The budget alerts raised, optionally for one team and from a month on. */
export async function budgetAlerts(
  context: SpendContext,
  organizationId: string,
  query: { team?: string; from?: string },
): Promise<{ items: BudgetAlert[] }> {
  const team = parseTeam(query.team);
  const rows = await context.budgets.store.alerts(organizationId, {
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
