/** Chargeback of a month's spend to cost centers or teams. */
import type { ChargebackBreakdown } from '@ingestion-for-backstage/plugin-ingestion-common';
import { roundAmount } from './dates';
import type { SpendContext } from './spendContext';
import { parseMonth, UNATTRIBUTED } from './spendQuery';

/** A month's spend by cost center or team and service type. */
export async function chargebackBreakdown(
  context: SpendContext,
  organizationId: string,
  query: { month: string; by: 'costCenter' | 'team' },
): Promise<ChargebackBreakdown> {
  const month = parseMonth('month', query.month);
  const lines = await context.spend.chargebackBy(
    organizationId,
    month,
    query.by,
  );
  return {
    organization: organizationId,
    month,
    currency: context.currency,
    by: query.by,
    total: roundAmount(lines.reduce((sum, l) => sum + l.amount, 0)),
    lines: lines.map(line => ({
      key: line.key ?? UNATTRIBUTED,
      serviceType: line.serviceType,
      amount: roundAmount(line.amount),
    })),
  };
}
