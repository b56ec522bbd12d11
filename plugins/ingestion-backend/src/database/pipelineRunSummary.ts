import type { Knex } from 'knex';

/**
 * The per-pipeline row the dashboard decides health from (`pipeline_run_summary`), kept in the
 * same transaction as the run's final transition or the quality results it summarizes. Each
 * update only moves forward (a run queued earlier that finishes later does not replace a newer
 * one's outcome), so concurrent finishes of one pipeline's runs leave the same row as the
 * per-request queries it replaces would compute.
 */

/** Final statuses whose outcome decides health (a cancelled run says nothing about the data). */
export const DECIDING_STATUSES = ['succeeded', 'failed', 'quality_failed'];

async function ensureRow(
  tx: Knex | Knex.Transaction,
  organizationId: string,
  pipelineId: string,
) {
  await tx('pipeline_run_summary')
    .insert({ pipeline_id: pipelineId, organization_id: organizationId })
    .onConflict('pipeline_id')
    .ignore();
}

/** The columns of a run row the summary reads. */
export interface FinishedRunRow {
  organization_id: string;
  pipeline_id: string;
  status: string;
  queued_at: Date | string | number;
  finished_at: Date | string | number | null;
}

/**
 * Records a run's final status, if it decides health; `run` is the row as the transition left
 * it (read in the same transaction).
 */
export async function recordFinishedRun(
  tx: Knex | Knex.Transaction,
  run: FinishedRunRow,
) {
  const { organization_id: organizationId, status } = run;
  if (!DECIDING_STATUSES.includes(status)) return;
  await ensureRow(tx, organizationId, run.pipeline_id);
  await tx('pipeline_run_summary')
    .where('pipeline_id', run.pipeline_id)
    .where(q =>
      q
        .whereNull('latest_finished_queued_at')
        .orWhere('latest_finished_queued_at', '<=', run.queued_at),
    )
    .update({
      latest_finished_status: status,
      latest_finished_queued_at: run.queued_at,
    });
  if (status === 'succeeded') {
    await tx('pipeline_run_summary')
      .where('pipeline_id', run.pipeline_id)
      .where(q =>
        q
          .whereNull('last_succeeded_queued_at')
          .orWhere('last_succeeded_queued_at', '<=', run.queued_at),
      )
      .update({
        last_succeeded_queued_at: run.queued_at,
        last_succeeded_finished_at: run.finished_at,
      });
  }
}

/**
 * Records that run `runId` of the pipeline was checked at `at` (its results are stored): it is
 * the latest check unless a later one is recorded, breached when any of its rules failed.
 */
export async function recordQualityCheck(
  tx: Knex | Knex.Transaction,
  check: {
    organizationId: string;
    pipelineId: string;
    runId: string;
    at: Date;
  },
) {
  await ensureRow(tx, check.organizationId, check.pipelineId);
  const [{ n }] = (await tx('quality_results')
    .where({ organization_id: check.organizationId, run_id: check.runId })
    .where('passed', false)
    .count({ n: '*' })) as Array<{ n: number | string }>;
  await tx('pipeline_run_summary')
    .where('pipeline_id', check.pipelineId)
    .where(q =>
      q
        .whereNull('latest_checked_at')
        .orWhere('latest_checked_at', '<=', check.at),
    )
    .update({
      latest_checked_run_id: check.runId,
      latest_checked_at: check.at,
      latest_check_breached: Number(n) > 0,
    });
}
