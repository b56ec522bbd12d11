import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { ALERT_TOPICS, deliverAlert } from '../alerts/deliverAlert';
import type { AuditRecord } from '../audit';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import type { Budget, Budgets } from './Budgets';
import { monthOf } from './dates';

export const BUDGET_ALERTS_ACTOR = 'service:ingestion-budget-alerts';

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** The cost page of an organization, where an alert links to. */
export function costPageLink(organizationId: string): string {
  return `/ingestion/costs?organization=${encodeURIComponent(organizationId)}`;
}

/**
 * Evaluates every budget against its thresholds, on the actual spend and on the month-end
 * forecast, and raises each crossing once: the alert row's primary key (budget, threshold,
 * month, kind) is claimed before anything is sent (`insertOnce`, as every alert of the plugin),
 * so of several replicas evaluating at the same time exactly one sends the notification and
 * records the audit event.
 */
export class BudgetAlerter {
  constructor(
    private readonly options: {
      budgets: Budgets;
      organizations: () => readonly OrganizationConfig[];
      notifications?: NotificationService;
      audit?: { record(event: AuditRecord): Promise<void> };
      logger: LoggerService;
      currency: string;
      clock?: () => Date;
    },
  ) {}

  /** One pass over every organization; returns the alerts this replica raised. */
  async evaluate(): Promise<number> {
    let raised = 0;
    for (const organization of this.options.organizations()) {
      for (const budget of await this.options.budgets.of(organization)) {
        try {
          raised += await this.evaluateBudget(organization, budget);
        } catch (error) {
          this.options.logger.warn(
            `Budget evaluation failed for ${organization.id}${
              budget.team ? ` team ${budget.team}` : ''
            }: ${error}`,
          );
        }
      }
    }
    return raised;
  }

  private async evaluateBudget(
    organization: OrganizationConfig,
    budget: Budget,
  ): Promise<number> {
    if (budget.monthly <= 0) return 0;
    const now = this.options.clock?.() ?? new Date();
    const period = monthOf(now);
    const { spent, forecast } = await this.options.budgets.monthToDate(
      organization.id,
      budget.team,
      now,
    );
    let raised = 0;
    for (const threshold of budget.thresholds) {
      const limit = threshold * budget.monthly;
      // An actual crossing supersedes a forecast one of the same threshold.
      let kind: 'actual' | 'forecast';
      if (spent >= limit) kind = 'actual';
      else if (forecast >= limit) kind = 'forecast';
      else continue;
      const amount = kind === 'actual' ? spent : forecast;
      const claimed = await this.options.budgets.store.claimAlert({
        organizationId: organization.id,
        team: budget.team ?? '',
        period,
        threshold,
        kind,
        amount,
        budget: budget.monthly,
        at: now,
      });
      if (!claimed) continue;
      raised += 1;
      await this.announce(organization, budget, {
        threshold,
        kind,
        amount,
        period,
      });
    }
    return raised;
  }

  private async announce(
    organization: OrganizationConfig,
    budget: Budget,
    alert: {
      threshold: number;
      kind: 'actual' | 'forecast';
      amount: number;
      period: string;
    },
  ) {
    const { currency } = this.options;
    const name = budget.team
      ? `the budget of team ${budget.team} in ${organization.name}`
      : `the budget of ${organization.name}`;
    const money = (n: number) => `${n.toFixed(2)} ${currency}`;
    const title =
      alert.kind === 'actual'
        ? `${organization.name}: ${percent(alert.threshold)} of ${
            budget.team ? `${budget.team}'s` : 'the'
          } monthly budget spent`
        : `${organization.name}: forecast to reach ${percent(
            alert.threshold,
          )} of ${budget.team ? `${budget.team}'s` : 'the'} monthly budget`;
    const description =
      alert.kind === 'actual'
        ? `${money(alert.amount)} spent in ${alert.period}, ${percent(
            alert.amount / budget.monthly,
          )} of ${name} (${money(budget.monthly)}).`
        : `At this month's pace ${alert.period} ends at ${money(
            alert.amount,
          )}, ${percent(alert.amount / budget.monthly)} of ${name} (${money(
            budget.monthly,
          )}).`;
    // The organization's admins, and the team itself (its members, who own its pipelines).
    const recipients = [
      ...organization.roles.admin,
      ...(budget.team ? [budget.team] : []),
    ];
    await deliverAlert(this.options.notifications, this.options.logger, {
      recipients,
      payload: {
        title,
        description,
        link: costPageLink(organization.id),
        severity: alert.threshold >= 1 ? 'high' : 'normal',
        topic: ALERT_TOPICS.budget,
        scope: `ingestion-budget:${organization.id}:${budget.team ?? ''}:${
          alert.period
        }:${alert.threshold}:${alert.kind}`,
      },
    });
    // The alert stays recorded (and visible on the cost page) even if delivery failed.
    await this.options.audit?.record({
      actor: BUDGET_ALERTS_ACTOR,
      organizationId: organization.id,
      action: 'budget.alert',
      targetType: 'budget',
      targetId: budget.team ?? organization.id,
      outcome: 'success',
      meta: {
        threshold: alert.threshold,
        kind: alert.kind,
        amount: Math.round(alert.amount * 100) / 100,
        budget: budget.monthly,
        month: alert.period,
        recipients,
      },
    });
  }
}
