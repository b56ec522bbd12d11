import type { Knex } from 'knex';
import { insertOnce } from '../alerts/AlertLedger';

/** `''` is the organization's own budget; otherwise a team's group ref. */
export const ORGANIZATION_BUDGET = '';

export interface StoredBudget {
  organizationId: string;
  team: string;
  monthly: number;
  thresholds: number[];
  updatedBy: string;
  updatedAt: string;
}

export interface BudgetAlertRow {
  organizationId: string;
  team: string;
  period: string;
  threshold: number;
  kind: 'actual' | 'forecast';
  amount: number;
  budget: number;
  raisedAt: string;
}

const iso = (value: unknown) =>
  new Date(
    typeof value === 'string' && /^\d+$/.test(value)
      ? Number(value)
      : (value as string | number | Date),
  ).toISOString();

/** Budgets set through the API, and the alerts they raised. */
export class BudgetsStore {
  constructor(private readonly knex: Knex) {}

  async list(organizationId: string): Promise<StoredBudget[]> {
    const rows = await this.knex('cost_budgets')
      .where('organization_id', organizationId)
      .orderBy('team');
    return rows.map(row => ({
      organizationId: row.organization_id,
      team: row.team,
      monthly: Number(row.monthly),
      thresholds: JSON.parse(row.thresholds),
      updatedBy: row.updated_by,
      updatedAt: iso(row.updated_at),
    }));
  }

  async put(budget: Omit<StoredBudget, 'updatedAt'> & { at: Date }) {
    await this.knex('cost_budgets')
      .insert({
        organization_id: budget.organizationId,
        team: budget.team,
        monthly: budget.monthly,
        thresholds: JSON.stringify(budget.thresholds),
        updated_by: budget.updatedBy,
        updated_at: budget.at,
      })
      .onConflict(['organization_id', 'team'])
      .merge(['monthly', 'thresholds', 'updated_by', 'updated_at']);
  }

  async remove(organizationId: string, team: string): Promise<boolean> {
    const deleted = await this.knex('cost_budgets')
      .where({ organization_id: organizationId, team })
      .delete();
    return deleted > 0;
  }

  /**
   * Claims an alert: true for exactly one caller per budget, threshold, month and kind, however
   * many replicas evaluate budgets at once (the primary key decides; losers insert nothing).
   */
  async claimAlert(alert: Omit<BudgetAlertRow, 'raisedAt'> & { at: Date }) {
    return insertOnce(
      this.knex,
      'cost_budget_alerts',
      {
        organization_id: alert.organizationId,
        team: alert.team,
        period: alert.period,
        threshold: alert.threshold,
        kind: alert.kind,
        amount: alert.amount,
        budget: alert.budget,
        raised_at: alert.at,
      },
      ['organization_id', 'team', 'period', 'threshold', 'kind'],
    );
  }

  async alerts(
    organizationId: string,
    options: { from?: string; team?: string } = {},
  ): Promise<BudgetAlertRow[]> {
    const builder = this.knex('cost_budget_alerts')
      .where('organization_id', organizationId)
      .orderBy([
        { column: 'period', order: 'desc' },
        { column: 'raised_at', order: 'desc' },
        { column: 'threshold', order: 'desc' },
      ])
      .limit(500);
    if (options.from) builder.where('period', '>=', options.from);
    if (options.team !== undefined) builder.where('team', options.team);
    const rows = await builder;
    return rows.map(row => ({
      organizationId: row.organization_id,
      team: row.team,
      period: row.period,
      threshold: Number(row.threshold),
      kind: row.kind,
      amount: Number(row.amount),
      budget: Number(row.budget),
      raisedAt: iso(row.raised_at),
    }));
  }
}
