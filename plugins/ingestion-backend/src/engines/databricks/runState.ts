import {
  DatabricksApiError,
  findQualityFailureSummary,
  parseNotebookSummary,
  type DatabricksClient,
  type DatabricksRun,
  type EngineRunContext,
  type EngineRunState,
  type NotebookRunSummary,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import {
  emptyRunResult,
  qualityMessage,
  readRunOutput,
  summaryRunResult,
} from './runResult';

const MAX_MESSAGE = 2000;

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function failure(
  run: DatabricksRun,
  what: string,
  detail: string | undefined,
): string {
  const page = run.run_page_url ? ` (${run.run_page_url})` : '';
  return truncate(
    `Databricks run ${run.run_id} ${what}${page}${detail ? `: ${detail}` : ''}`,
  );
}

/**
 * The engine state of Databricks run `runId`: its life-cycle and result states mapped, and a
 * finished run's result read from its notebook's summary. Unknown when the workspace has no such run.
 */
export async function pollRunState(
  context: EngineRunContext,
  client: DatabricksClient,
  runId: number,
  dbuRates: Record<string, number> | undefined,
): Promise<EngineRunState> {
  let run: DatabricksRun;
  try {
    run = await client.getRun(runId);
  } catch (error) {
    if (error instanceof DatabricksApiError && error.isNotFound) {
      return { state: 'unknown' };
    }
    throw error;
  }
  const state = run.state ?? {};
  const message = state.state_message || undefined;
  switch (state.life_cycle_state) {
    case 'QUEUED':
    case 'PENDING':
    case 'BLOCKED':
    case 'WAITING_FOR_RETRY':
    case undefined:
      return { state: 'pending', ...(message ? { message } : {}) };
    case 'RUNNING':
    case 'TERMINATING':
      return { state: 'running', ...(message ? { message } : {}) };
    case 'SKIPPED':
      return {
        state: 'failed',
        message: failure(run, 'was skipped', message),
        retryable: true,
      };
    case 'INTERNAL_ERROR': {
      // A missing notebook or a bad cluster setting (CLIENT_ERROR) fails again; cloud or service trouble may not.
      const type = run.status?.termination_details?.type;
      return {
        state: 'failed',
        message: failure(run, 'ended with an internal error', message),
        retryable: type !== 'CLIENT_ERROR',
      };
    }
    case 'TERMINATED':
      return terminatedRunState(context, client, run, dbuRates);
    default:
      return {
        state: 'running',
        message: `Databricks reports ${state.life_cycle_state}`,
      };
  }
}

async function terminatedRunState(
  context: EngineRunContext,
  client: DatabricksClient,
  run: DatabricksRun,
  dbuRates: Record<string, number> | undefined,
): Promise<EngineRunState> {
  const message = run.state?.state_message || undefined;
  switch (run.state?.result_state) {
    case 'SUCCESS': {
      const output = await readRunOutput(context, client, run);
      const text = output?.notebook_output?.result;
      let summary: NotebookRunSummary | undefined;
      if (text === undefined) {
        await context.log(
          'warn',
          `Databricks run ${run.run_id} succeeded without a run summary (the notebook did not call dbutils.notebook.exit); rows and quality results are unknown`,
        );
      } else {
        try {
          summary = parseNotebookSummary(text);
        } catch (error) {
          await context.log(
            'warn',
            `Databricks run ${
              run.run_id
            } succeeded but its summary is unreadable: ${
              (error as Error).message
            }`,
          );
        }
      }
      const result = summary
        ? summaryRunResult(context, run, summary, dbuRates)
        : emptyRunResult(context, run, dbuRates);
      if (summary?.status === 'quality_failed') {
        return {
          state: 'quality_failed',
          result,
          message: qualityMessage(summary),
        };
      }
      return { state: 'succeeded', result };
    }
    case 'FAILED': {
      const output = await readRunOutput(context, client, run);
      const qualityFailure = findQualityFailureSummary(
        output?.error,
        output?.error_trace,
      );
      if (qualityFailure) {
        return {
          state: 'quality_failed',
          result: summaryRunResult(context, run, qualityFailure, dbuRates),
          message: qualityMessage(qualityFailure),
        };
      }
      const type = run.status?.termination_details?.type;
      return {
        state: 'failed',
        message: failure(run, 'failed', output?.error ?? message),
        retryable: type === 'CLOUD_FAILURE' || type === 'INTERNAL_ERROR',
      };
    }
    case 'CANCELED':
      return { state: 'cancelled', ...(message ? { message } : {}) };
    case 'TIMEDOUT':
      return {
        state: 'failed',
        message: failure(run, 'timed out', message),
        retryable: false,
      };
    case 'MAXIMUM_CONCURRENT_RUNS_REACHED':
      return {
        state: 'failed',
        message: failure(
          run,
          'was not started: the concurrent runs limit was reached',
          message,
        ),
        retryable: true,
      };
    default:
      return {
        state: 'failed',
        message: failure(
          run,
          `ended with result ${run.state?.result_state ?? 'unknown'}`,
          message,
        ),
        retryable: false,
      };
  }
}
