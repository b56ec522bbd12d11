import type {
  EngineRunContext,
  EngineRunResult,
  EngineRunState,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { CommitConflictError, CommitStateUnknownError } from '../../iceberg';
import { isTransientError, RunCancelledError, safeMessage } from './errors';
import { reviewStagedOutput } from './pii';
import { RunControl, RunHost, stageRun } from './stageRun';
import { count, quoteIdentifier } from './sql';
import { writeTarget } from './targets';
import { lineageRecord } from './transforms';
import { RunWorkspace } from './workspace';

export type { RunControl, RunHost } from './stageRun';

/**
 * The result of a local run: the engine contract's result, plus the column lineage of the
 * target (`{ column: ['<dataset ref>#<column>', …] }`), which the run driver stores with the
 * lineage edge when an engine reports it.
 */
export type LocalRunResult = EngineRunResult & {
  columnLineage?: Record<string, string[]>;
};

/**
 * Executes one run of a batch pipeline: source → transformations → quality rules → target, in
 * a workspace of its own, and returns the final state. Never throws.
 */
export async function runPipeline(
  host: RunHost,
  context: EngineRunContext,
  control: RunControl,
): Promise<EngineRunState> {
  const secrets = new Set<string>();
  const { spec, organization, run } = context;
  const checkCancelled = () => {
    if (control.signal.aborted) throw new RunCancelledError();
  };
  let workspace: RunWorkspace | undefined;
  let committed = false;
  try {
    const staged = await stageRun(
      host,
      context,
      {
        ...control,
        onWorkspace: opened => {
          workspace = opened;
          control.onWorkspace(opened);
        },
      },
      secrets,
    );
    const { workspace: ws, storage, stagedTable, columns, quality } = staged;
    const { rowsRead, watermarkOut } = staged;
    const log = (level: 'info' | 'warn' | 'error', message: string) =>
      context.log(level, message);
    const result: EngineRunResult = {
      rowsRead,
      rowsWritten: 0,
      bytesWritten: 0,
      dbus: 0,
      quality: quality.results,
      tables: [],
    };
    if (quality.failure) {
      return {
        state: 'quality_failed',
        message: `Quality checks failed, nothing was written: ${quality.failure}`,
        result,
      };
    }
    checkCancelled();

    // The rows to write: the staged table, less the rows `drop` rules removed (a view over it).
    const checked = quality.dropView ?? stagedTable;
    const outputRows = await count(ws.connection, quoteIdentifier(checked));
    // PII: tagged, and masked outside production, before anything is committed.
    const reviewed = await reviewStagedOutput({
      workspace: ws,
      context,
      table: checked,
      columns,
      checkCancelled,
    });
    checkCancelled();
    const written = await writeTarget(
      {
        workspace: ws,
        storage,
        organizationId: organization.id,
        runId: run.id,
        pipelineId: context.pipeline.id,
        watermark: watermarkOut,
        catalog: name => host.catalog(name),
        writer: name => host.writer(name),
      },
      spec.target,
      reviewed.relation,
      reviewed.columns,
      outputRows,
    );
    committed = true;
    written.commit.piiColumns = reviewed.piiColumns;
    await log(
      'info',
      written.committed
        ? `Wrote ${written.rowsWritten} rows (${
            written.bytesWritten
          } bytes) to ${spec.target.type} target${
            written.commit.snapshotId
              ? ` (snapshot ${written.commit.snapshotId})`
              : ''
          }`
        : `This run had already been committed to the ${spec.target.type} target; nothing was written again`,
    );
    const succeeded: LocalRunResult = {
      ...result,
      rowsWritten: written.rowsWritten,
      bytesWritten: written.bytesWritten,
      watermarkOut,
      tables: [written.commit],
      columnLineage: lineageRecord(staged.lineage),
    };
    return { state: 'succeeded', result: succeeded };
  } catch (error) {
    if (error instanceof RunCancelledError || control.signal.aborted) {
      return {
        state: 'cancelled',
        message: committed
          ? 'Cancelled after the target was committed'
          : 'Cancelled before anything was written',
      };
    }
    const retryable =
      error instanceof CommitConflictError ||
      error instanceof CommitStateUnknownError ||
      isTransientError(error);
    return {
      state: 'failed',
      message: safeMessage(error, secrets),
      retryable,
    };
  } finally {
    control.onWorkspace(undefined);
    await workspace?.close().catch(() => undefined);
  }
}
