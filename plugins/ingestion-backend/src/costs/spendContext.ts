import type { AuditRecord } from '../audit';
import type { Budgets } from './Budgets';
import type { SpendStore } from './SpendStore';

/** What the spend requests read and record, once the caller is authorized for the organization. */
export interface SpendContext {
  spend: SpendStore;
  budgets: Budgets;
  currency: string;
  audit?: { record(event: AuditRecord): Promise<void> };
  now(): Date;
}

/** The owner teams a team filter covers (the team and its sub-groups), or undefined without a filter. */
export async function teamScope(
  context: SpendContext,
  team: string | undefined,
) {
  return team ? context.budgets.teamScope(team) : undefined;
}
