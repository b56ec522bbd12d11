import {
  DatabricksApiError,
  notebookRunResult,
  type DatabricksClient,
  type DatabricksRun,
  type DatabricksRunOutput,
  type EngineRunContext,
  type EngineRunResult,
  type NotebookRunSummary,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { estimateRunDbus, type ClusterSpec } from './dbus';
import { workspaceArtifacts } from './runSubmission';

/** The output of the run's notebook task; undefined (logged) when it cannot be read. */
export async function readRunOutput(
  context: EngineRunContext,
  client: DatabricksClient,
  run: DatabricksRun,
): Promise<DatabricksRunOutput | undefined> {
  // Runs submitted with `tasks` are multi-task runs: only a task run has an output.
  const task = run.tasks?.find(t => t.notebook_task) ?? run.tasks?.[0];
  const outputRunId = task?.run_id ?? run.run_id;
  if (outputRunId === undefined) {
    return undefined;
  }
  try {
    return await client.getRunOutput(outputRunId);
  } catch (error) {
    if (error instanceof DatabricksApiError && !error.retryable) {
      await context.log(
        'warn',
        `The output of Databricks run ${outputRunId} cannot be read: ${error.message}`,
      );
      return undefined;
    }
    throw error;
  }
}

/** The result of a run from its notebook's summary, with the run's estimated DBUs. */
export function summaryRunResult(
  context: EngineRunContext,
  run: DatabricksRun,
  summary: NotebookRunSummary,
  dbuRates: Record<string, number> | undefined,
): EngineRunResult {
  return notebookRunResult(summary, {
    spec: context.spec,
    storage: context.organization.storage,
    dbus: runDbus(context, run, dbuRates),
  });
}

/** The result of a run without a readable summary: nothing known but its estimated DBUs. */
export function emptyRunResult(
  context: EngineRunContext,
  run: DatabricksRun,
  dbuRates: Record<string, number> | undefined,
): EngineRunResult {
  return {
    rowsRead: 0,
    rowsWritten: 0,
    bytesWritten: 0,
    dbus: runDbus(context, run, dbuRates),
    quality: [],
    tables: [],
  };
}

function runDbus(
  context: EngineRunContext,
  run: DatabricksRun,
  dbuRates: Record<string, number> | undefined,
): number {
  const needsFallback = (run.tasks ?? []).some(
    t =>
      !t.new_cluster &&
      !t.existing_cluster_id &&
      !run.job_clusters?.some(c => c.job_cluster_key === t.job_cluster_key),
  );
  let fallbackCluster: ClusterSpec | undefined;
  if (needsFallback) {
    // The cluster the run was submitted with, generated again (generation is deterministic).
    fallbackCluster =
      workspaceArtifacts(context).job.job_clusters?.[0]?.new_cluster;
  }
  return estimateRunDbus(run, {
    rates: dbuRates,
    fallbackCluster,
  });
}

/** The message of a run stopped by failed quality rules. */
export function qualityMessage(summary: NotebookRunSummary): string {
  const failed = summary.quality
    .filter(entry => entry.severity !== 'warn' && !entry.passed)
    .map(entry => `${entry.rule} (${entry.severity})`);
  return `Quality rules failed, nothing was written: ${
    failed.join(', ') || 'see the quality results'
  }`;
}
