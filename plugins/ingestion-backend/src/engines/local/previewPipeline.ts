import type { EngineRunContext } from '@ingestion-for-backstage/plugin-ingestion-node';
import { LocalEngineError, RunCancelledError, safeMessage } from './errors';
import { reviewStagedOutput } from './pii';
import type { QualityResultRecord } from './quality';
import { RunHost, stageRun } from './stageRun';
import { Column, count, quoteIdentifier } from './sql';
import type { RunWorkspace } from './workspace';

/** What a preview runs on. */
export interface PreviewOptions {
  /** Rows read from the main source, at most. */
  sampleRows: number;
  /** Aborts the preview (its time box, or the caller leaving); a running query is interrupted. */
  signal: AbortSignal;
}

/** What a draft spec produces on a sample of its source. Nothing of it was written anywhere. */
export interface PipelinePreview {
  /** Output rows (at most `sampleRows`), as JSON values. */
  rows: Array<Record<string, unknown>>;
  /** The output's columns with DuckDB's types. */
  columns: Column[];
  /** Columns the staged-output review found personal data in (see pii.ts). */
  piiColumns: string[];
  /** Each quality rule's result on the sample, in the spec's order. */
  quality: QualityResultRecord[];
  /** Rows read from the source. */
  sampleRows: number;
  /** Rows the draft outputs from them (after `drop` rules). */
  outputRows: number;
  /** The source had more rows than the sample. */
  truncated: boolean;
}

/** A dataset (the source or a joined one) could not be read. */
export class PreviewSourceError extends LocalEngineError {
  constructor(readonly datasetRef: string, reason: string) {
    super(`Cannot read ${datasetRef}: ${reason}`);
    this.name = 'PreviewSourceError';
  }
}

/**
 * The draft does not run on the data it read (a transformation or rule naming a column the
 * source does not have, a cast that fails, …). `path` is the step's place in the spec
 * (`transformations[1]`, `data_quality[0]`), or empty when the engine does not say.
 */
export class PreviewStepError extends LocalEngineError {
  constructor(readonly path: string, message: string) {
    super(message);
    this.name = 'PreviewStepError';
  }
}

const STEP = /^((?:transformations|data_quality)\[\d+\])(?: \([a-z_]+\))?: /;

/**
 * Runs `context.spec` on the first `sampleRows` rows of its source with the run's own code
 * (source → transformations → staging → quality rules → PII review, see runPipeline.ts), and
 * returns the output instead of writing it: no table, no commit. The workspace is dropped at the
 * end, as a run's is. A rule that fails is a result; a source that cannot be read is a
 * {@link PreviewSourceError}; an aborted signal a {@link RunCancelledError}.
 */
export async function previewPipeline(
  host: RunHost,
  context: EngineRunContext,
  options: PreviewOptions,
): Promise<PipelinePreview> {
  const secrets = new Set<string>();
  const { signal } = options;
  const sampleRows = Math.max(1, Math.floor(options.sampleRows));
  let workspace: RunWorkspace | undefined;
  const interrupt = () => workspace?.connection.interrupt();
  signal.addEventListener('abort', interrupt, { once: true });
  const checkCancelled = () => {
    if (signal.aborted) throw new RunCancelledError();
  };
  try {
    checkCancelled();
    const staged = await stageRun(
      host,
      context,
      {
        signal,
        onWorkspace: opened => {
          workspace = opened;
        },
      },
      secrets,
      {
        sampleRows,
        async reading(datasetRef, read) {
          try {
            return await read();
          } catch (error) {
            if (signal.aborted || error instanceof RunCancelledError) {
              throw error;
            }
            throw new PreviewSourceError(
              datasetRef,
              safeMessage(error, secrets),
            );
          }
        },
      },
    );
    const ws = staged.workspace;
    const checked = staged.quality.dropView ?? staged.stagedTable;
    const outputRows = await count(ws.connection, quoteIdentifier(checked));
    // The masks a run applies before its commit apply to what the preview shows.
    const reviewed = await reviewStagedOutput({
      workspace: ws,
      context,
      table: checked,
      columns: staged.columns,
      checkCancelled,
    });
    const reader = await ws.connection.runAndReadAll(
      `SELECT * FROM ${reviewed.relation} LIMIT ${sampleRows}`,
    );
    return {
      rows: reader.getRowObjectsJson() as Array<Record<string, unknown>>,
      columns: await ws.describe(reviewed.relation),
      piiColumns: reviewed.piiColumns,
      quality: staged.quality.results,
      sampleRows: staged.rowsRead,
      outputRows,
      truncated: staged.truncated || outputRows > sampleRows,
    };
  } catch (error) {
    if (signal.aborted || error instanceof RunCancelledError) {
      throw new RunCancelledError();
    }
    if (error instanceof PreviewSourceError) throw error;
    const message = safeMessage(error, secrets);
    throw new PreviewStepError(STEP.exec(message)?.[1] ?? '', message);
  } finally {
    signal.removeEventListener('abort', interrupt);
    await workspace?.close().catch(() => undefined);
  }
}
