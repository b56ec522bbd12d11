import { ConflictError } from '@backstage/errors';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import type { Budgets } from './Budgets';
import { monthOf } from './dates';
import type { TeamResolver } from './teams';

/**
 * With `ingestion.costs.blockRunsAtBudget`, refuses new runs while the organization's budget, or
 * the budget of the pipeline owner's team (or of a team above it), is spent for the month.
 */
export class BudgetGate {
  constructor(
    private readonly options: {
      budgets: Budgets;
      teams?: TeamResolver;
      currency: string;
      clock?: () => Date;
    },
  ) {}

  async checkRunAllowed(
    organization: OrganizationConfig,
    pipeline: { owner: string },
  ): Promise<void> {
    const now = this.options.clock?.() ?? new Date();
    const budgets = await this.options.budgets.of(organization);
    if (budgets.length === 0) return;
    const ownerTeam = await this.options.teams?.teamOf(
      organization,
      pipeline.owner,
    );
    for (const budget of budgets) {
      if (budget.monthly <= 0) continue;
      if (budget.team) {
        // A team's budget covers the pipelines of the team and of its sub-groups.
        const scope = await this.options.budgets.teamScope(budget.team);
        const owner = (ownerTeam ?? pipeline.owner).toLocaleLowerCase('en-US');
        if (!scope.includes(owner)) continue;
      }
      const { spent } = await this.options.budgets.monthToDate(
        organization.id,
        budget.team,
        now,
      );
      if (spent >= budget.monthly) {
        const name = budget.team
          ? `the monthly budget of team ${budget.team} in organization '${organization.id}'`
          : `the monthly budget of organization '${organization.id}'`;
        throw new ConflictError(
          `Budget exhausted: ${name} is ${budget.monthly.toFixed(2)} ${
            this.options.currency
          } and ${spent.toFixed(2)} ${
            this.options.currency
          } are spent in ${monthOf(
            now,
          )}. New runs are refused until the month ends or an admin raises the budget.`,
        );
      }
    }
  }
}
