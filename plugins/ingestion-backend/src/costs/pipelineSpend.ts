/** Per-pipeline spend of a month: cost, runs, cost per run and per good row. */
import type { PipelineSpend } from '@ingestion-for-backstage/plugin-ingestion-common';
import { monthOf, roundAmount } from './dates';
import { teamScope, type SpendContext } from './spendContext';
import { parseMonth, parseTeam } from './spendQuery';

/** One page of the pipelines' spend in a month. */
export async function pipelineSpend(
  context: SpendContext,
  organizationId: string,
  query: { month?: string; team?: string; cursor?: string; limit: number },
): Promise<{ items: PipelineSpend[]; nextCursor?: string }> {
  const month = query.month
    ? parseMonth('month', query.month)
    : monthOf(context.now());
  const team = parseTeam(query.team);
  const page = await context.spend.pipelinesOfMonth({
    organizationId,
    month,
    owners: await teamScope(context, team),
    cursor: query.cursor,
    limit: query.limit,
  });
  return {
    items: page.rows.map(row => ({
      pipelineId: row.id,
      name: row.name,
      owner: row.owner,
      month,
      currency: context.currency,
      cost: roundAmount(row.amount),
      runs: row.runs,
      // Unit costs are of the runs only: storage, platform usage and records without a run
      // (the demo history) are the pipeline's cost but no run's.
      ...(row.runs > 0
        ? { costPerRun: roundAmount(row.runAmount / row.runs) }
        : {}),
      goodRows: row.goodRows,
      ...(row.goodRows > 0
        ? { costPerGoodRow: row.runAmount / row.goodRows }
        : {}),
    })),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}
