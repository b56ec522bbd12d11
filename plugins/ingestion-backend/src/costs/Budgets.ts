import type { BudgetStatus } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import { BudgetsStore, ORGANIZATION_BUDGET } from './BudgetsStore';
import { dayOf, monthEndForecast, monthOf, roundAmount } from './dates';
import type { SpendStore } from './SpendStore';
import type { TeamResolver } from './teams';

export const DEFAULT_THRESHOLDS = [0.5, 0.8, 1];

/** A budget as it applies: set through the API, or the organization's configured one. */
export interface Budget {
  organizationId: string;
  /** Absent: the organization's own budget. */
  team?: string;
  monthly: number;
  thresholds: number[];
  origin: 'configured' | 'custom';
}

/**
 * The budgets of organizations and teams, and their spend this month: the organization's
 * budget is the one set through the API, else its configured `budget`; team budgets are set
 * through the API. A team's spend includes its sub-groups'.
 */
export class Budgets {
  constructor(
    private readonly options: {
      store: BudgetsStore;
      spend: SpendStore;
      teams?: TeamResolver;
      defaultThresholds?: number[];
    },
  ) {}

  get store() {
    return this.options.store;
  }

  async of(organization: OrganizationConfig): Promise<Budget[]> {
    const stored = await this.options.store.list(organization.id);
    const own = stored.find(b => b.team === ORGANIZATION_BUDGET);
    const budgets: Budget[] = [];
    if (own) {
      budgets.push({
        organizationId: organization.id,
        monthly: own.monthly,
        thresholds: own.thresholds,
        origin: 'custom',
      });
    } else if (organization.budget) {
      budgets.push({
        organizationId: organization.id,
        monthly: organization.budget.monthly,
        thresholds: organization.budget.alertThresholds.length
          ? organization.budget.alertThresholds
          : this.defaultThresholds,
        origin: 'configured',
      });
    }
    for (const b of stored) {
      if (b.team !== ORGANIZATION_BUDGET) {
        budgets.push({
          organizationId: organization.id,
          team: b.team,
          monthly: b.monthly,
          thresholds: b.thresholds,
          origin: 'custom',
        });
      }
    }
    return budgets;
  }

  get defaultThresholds() {
    return this.options.defaultThresholds ?? DEFAULT_THRESHOLDS;
  }

  /** The owner teams whose records count for a team: the team and its sub-groups. */
  async teamScope(team: string): Promise<string[]> {
    return this.options.teams
      ? this.options.teams.withSubGroups(team)
      : [team.toLocaleLowerCase('en-US')];
  }

  /** Month-to-date spend and the month-end forecast of an organization or team. */
  async monthToDate(
    organizationId: string,
    team: string | undefined,
    now: Date,
  ) {
    const month = monthOf(now);
    const spent = await this.options.spend.total({
      organizationId,
      from: `${month}-01`,
      to: dayOf(now),
      teams: team ? await this.teamScope(team) : undefined,
    });
    return { spent, forecast: monthEndForecast(spent, now) };
  }

  async status(budget: Budget, now: Date): Promise<BudgetStatus> {
    const { spent, forecast } = await this.monthToDate(
      budget.organizationId,
      budget.team,
      now,
    );
    return {
      ...(budget.team ? { team: budget.team } : {}),
      monthly: budget.monthly,
      thresholds: budget.thresholds,
      origin: budget.origin,
      spent: roundAmount(spent),
      forecast: roundAmount(forecast),
      progress: budget.monthly > 0 ? roundAmount(spent / budget.monthly) : 0,
      forecastProgress:
        budget.monthly > 0 ? roundAmount(forecast / budget.monthly) : 0,
    };
  }
}
