import {
  getSourceDatasets,
  IDENTIFIER_PATTERN,
  parseDurationSeconds,
  type FileSource,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  EngineRunState,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { datasetRefString } from '../../../runs/datasetRefs';
import { isTransientError, LocalEngineError, safeMessage } from '../errors';
import {
  LocalRunResult,
  RunControl,
  RunHost,
  runPipeline,
} from '../runPipeline';
import { organizationStorage, resolveTargetFolder } from '../storage';
import { PlannedBatch, StreamCheckpoint, StreamSchema } from './checkpoint';
import {
  inferStreamSchema,
  listStreamFiles,
  schemaConflicts,
  stageBatchFiles,
} from './streamFiles';

/** How often a stream without `trigger` looks for new files. */
export const DEFAULT_TRIGGER_SECONDS = 10;

/** Checkpoint folders streamed into by this process, so two runs never share one. */
const activeCheckpoints = new Map<string, string>();

/**
 * Why the local engine cannot run a streaming spec, or undefined when it can. Checked before
 * anything is opened, so such a run fails at once, with nothing retried.
 */
export function localStreamingRefusal(spec: PipelineSpec): string | undefined {
  if (spec.source.type === 'kafka') {
    return 'Kafka streaming needs the Databricks engine: the local engine streams only files arriving in a folder of the organization’s storage. Run this pipeline in an organization whose engine is databricks, or read the topic’s data from files.';
  }
  if (spec.source.type !== 'file') {
    return `The local engine streams files arriving in a folder; a ${spec.source.type} source runs as a batch pipeline`;
  }
  if (spec.source.path.startsWith('s3://')) {
    return 'The local engine streams files from the organization’s local storage only, not from s3:// (the Databricks engine reads S3 with Auto Loader)';
  }
  return undefined;
}

/** The batch pipeline one micro-batch runs: the same transforms, rules and target, over its files. */
function microBatchSpec(
  spec: PipelineSpec,
  source: FileSource,
  folder: string,
  schema: StreamSchema | undefined,
): PipelineSpec {
  const { columns, max_files_per_trigger, connection, ...read } = source;
  const { checkpoint, ...target } = spec.target as typeof spec.target & {
    checkpoint?: string;
  };
  const casts = Object.entries(schema ?? {}).filter(([name]) =>
    IDENTIFIER_PATTERN.test(name),
  );
  return {
    ...spec,
    pipeline_type: 'batch',
    schedule: undefined,
    trigger: undefined,
    source: { ...read, path: folder },
    transformations: [
      // The stream's schema first, so every micro-batch hands the same types to the transforms.
      ...(casts.length > 0
        ? [{ type: 'cast' as const, columns: Object.fromEntries(casts) }]
        : []),
      ...spec.transformations,
    ],
    target: target as PipelineSpec['target'],
  };
}

const sourceRef = (spec: PipelineSpec) =>
  datasetRefString(getSourceDatasets(spec)[0]);

/** Column lineage that names the stream's folder instead of the micro-batch's staged copy. */
function withLineageFrom(
  result: LocalRunResult,
  staged: string,
  stream: string,
): LocalRunResult {
  if (!result.columnLineage) return result;
  const rename = (ref: string) =>
    ref.startsWith(`${staged}#`) ? `${stream}${ref.slice(staged.length)}` : ref;
  return {
    ...result,
    columnLineage: Object.fromEntries(
      Object.entries(result.columnLineage).map(([column, refs]) => [
        column,
        refs.map(rename),
      ]),
    ),
  };
}

/** Totals over the micro-batches of this run. */
class StreamTotals {
  batches = 0;
  rowsRead = 0;
  rowsWritten = 0;
  bytesWritten = 0;
  last?: LocalRunResult;

  add(result: LocalRunResult) {
    this.batches += 1;
    this.rowsRead += result.rowsRead;
    this.rowsWritten += result.rowsWritten;
    this.bytesWritten += result.bytesWritten;
    this.last = result;
  }

  result(): LocalRunResult {
    return {
      rowsRead: this.rowsRead,
      rowsWritten: this.rowsWritten,
      bytesWritten: this.bytesWritten,
      dbus: 0,
      // The latest micro-batch's rules and table state, as the Databricks notebook reports them.
      quality: this.last?.quality ?? [],
      tables: this.last?.tables ?? [],
      columnLineage: this.last?.columnLineage,
    };
  }

  describe(): string {
    return `${this.batches} micro-batch${this.batches === 1 ? '' : 'es'}, ${
      this.rowsWritten
    } rows written`;
  }
}

/**
 * A streaming run of files arriving in a folder, as micro-batches: each takes the files that
 * appeared since the previous one (at most `max_files_per_trigger`), runs the batch pipeline over
 * exactly those files (same transforms, quality rules and target code as a batch run) and commits
 * one snapshot; progress is kept in the checkpoint (see checkpoint.ts), so a restarted backend
 * resumes where the stream stopped. A continuous stream looks for new files every trigger
 * interval until it is cancelled; a scheduled one (available-now) processes what has arrived and
 * succeeds. A micro-batch that fails (a `fail` rule, an error) ends the run without committing.
 * Never throws.
 */
export async function runStream(
  host: RunHost,
  context: EngineRunContext,
  control: RunControl,
): Promise<EngineRunState> {
  const { spec, organization, run } = context;
  const refusal = localStreamingRefusal(spec);
  if (refusal) {
    await context.log('error', refusal);
    return { state: 'failed', message: refusal, retryable: false };
  }
  const source = spec.source as FileSource;
  const totals = new StreamTotals();
  let checkpointFolder: string | undefined;
  let staging: string | undefined;
  try {
    const storage = await organizationStorage(
      organization.id,
      organization.storage,
      host.workingDirectory,
    );
    if (storage.kind !== 'local') {
      throw new LocalEngineError(
        `The local engine streams files from local storage only; this organization’s storage is ${storage.root}`,
      );
    }
    const checkpointPath =
      ('checkpoint' in spec.target ? spec.target.checkpoint : undefined) ??
      `_checkpoints/${context.pipeline.id}`;
    const folder = await resolveTargetFolder(storage.root, checkpointPath);
    const holder = activeCheckpoints.get(folder);
    if (holder && holder !== run.id) {
      throw new LocalEngineError(
        `Run ${holder} is already streaming with the checkpoint ${checkpointPath}; cancel it first (two streams on one checkpoint would read files twice)`,
      );
    }
    activeCheckpoints.set(folder, run.id);
    checkpointFolder = folder;
    const checkpoint = await StreamCheckpoint.open(folder);
    staging = join(
      storage.tmp,
      'streams',
      run.id.replace(/[^A-Za-z0-9-]/g, ''),
    );
    const availableNow = spec.schedule !== undefined;
    const intervalMs =
      (spec.trigger
        ? parseDurationSeconds(spec.trigger.interval) ?? DEFAULT_TRIGGER_SECONDS
        : DEFAULT_TRIGGER_SECONDS) * 1000;
    await context.log(
      'info',
      `Streaming ${source.format} files arriving in ${
        source.path
      } as micro-batches ${
        availableNow
          ? 'until every file that has arrived is processed'
          : `every ${intervalMs / 1000} s until the run is cancelled`
      }; checkpoint ${checkpointPath} (micro-batches committed before: ${
        checkpoint.committedBatches
      })`,
    );

    const processBatch = async (
      batch: PlannedBatch,
    ): Promise<EngineRunState> => {
      const staged = await stageBatchFiles({
        root: storage.root,
        folder: join(staging!, String(batch.batchId)),
        files: batch.files,
      });
      if (staged.missing.length > 0) {
        await context.log(
          'warn',
          `Micro-batch ${batch.batchId}: ${staged.missing.join(
            ', ',
          )} disappeared before it was read`,
        );
        if (staged.missing.length === batch.files.length) {
          await checkpoint.commit({
            batchId: batch.batchId,
            committedAt: new Date().toISOString(),
            rowsRead: 0,
            rowsWritten: 0,
          });
          return { state: 'succeeded', result: new StreamTotals().result() };
        }
      }
      if (!source.columns) {
        const read = await inferStreamSchema(
          await host.instance(),
          batch.files
            .filter(file => !staged.missing.includes(file))
            .map(file => join(storage.root, file)),
          source,
        );
        if (!checkpoint.schema) await checkpoint.saveSchema(read);
        const conflicts = schemaConflicts(checkpoint.schema!, read);
        if (conflicts.length > 0) {
          throw new LocalEngineError(
            `Micro-batch ${
              batch.batchId
            } does not fit the stream's schema, which was inferred from its first files and is kept in the checkpoint: ${conflicts.join(
              '; ',
            )}. Declare the source's \`columns\` with types that hold every file's values.`,
          );
        }
      }
      await context.log(
        'info',
        `Micro-batch ${batch.batchId}: ${batch.files.length} file${
          batch.files.length === 1 ? '' : 's'
        } (${batch.files.slice(0, 5).join(', ')}${
          batch.files.length > 5 ? ', …' : ''
        })`,
      );
      const batchSpec = microBatchSpec(
        spec,
        source,
        staged.path,
        source.columns ?? checkpoint.schema,
      );
      const state = await runPipeline(
        host,
        {
          ...context,
          // The batch's commit key: the target skips a batch it has already committed.
          run: { ...context.run, id: batch.commitKey, watermarkIn: undefined },
          spec: batchSpec,
        },
        control,
      );
      await fs.rm(join(staging!, String(batch.batchId)), {
        recursive: true,
        force: true,
      });
      if (state.state === 'succeeded') {
        const commit = state.result.tables[0];
        await checkpoint.commit({
          batchId: batch.batchId,
          committedAt: new Date().toISOString(),
          rowsRead: state.result.rowsRead,
          rowsWritten: state.result.rowsWritten,
          snapshotId: commit?.snapshotId,
        });
        totals.add(
          withLineageFrom(state.result, sourceRef(batchSpec), sourceRef(spec)),
        );
      }
      return state;
    };

    // A micro-batch planned but not committed when the stream stopped comes first, unchanged.
    const unfinished = checkpoint.unfinished();
    let nextBatch: PlannedBatch | undefined = unfinished;
    if (unfinished) {
      await context.log(
        'info',
        `Resuming micro-batch ${unfinished.batchId}, which was planned but not committed`,
      );
    }
    for (;;) {
      if (control.signal.aborted) break;
      if (!nextBatch) {
        const fresh = (await listStreamFiles(storage.root, source))
          .filter(file => !checkpoint.isTaken(file.path))
          .slice(0, source.max_files_per_trigger)
          .map(file => file.path);
        if (fresh.length > 0) {
          nextBatch = await checkpoint.plan(fresh, run.id);
        }
      }
      if (nextBatch) {
        const state = await processBatch(nextBatch);
        nextBatch = undefined;
        if (state.state !== 'succeeded') {
          return stopped(state, totals);
        }
        // Files that arrived meanwhile are taken at once when the batch used its whole share.
        continue;
      }
      if (availableNow) {
        return { state: 'succeeded', result: totals.result() };
      }
      try {
        await sleep(intervalMs, undefined, { signal: control.signal });
      } catch {
        break; // cancelled while waiting
      }
    }
    return cancelled(totals);
  } catch (error) {
    if (control.signal.aborted) return cancelled(totals);
    return {
      state: 'failed',
      message: safeMessage(error),
      retryable: isTransientError(error),
    };
  } finally {
    if (checkpointFolder) activeCheckpoints.delete(checkpointFolder);
    if (staging) await fs.rm(staging, { recursive: true, force: true });
  }
}

function cancelled(totals: StreamTotals): EngineRunState {
  return {
    state: 'cancelled',
    message: `Cancelled after ${totals.describe()}; the committed snapshots stay`,
  };
}

/** The run's end when a micro-batch did not succeed; earlier micro-batches stay committed. */
function stopped(state: EngineRunState, totals: StreamTotals): EngineRunState {
  switch (state.state) {
    case 'cancelled':
      return cancelled(totals);
    case 'quality_failed':
      return {
        ...state,
        // Earlier micro-batches' rows, and the rules of the one that failed.
        result: {
          ...totals.result(),
          rowsRead: totals.rowsRead + state.result.rowsRead,
          quality: state.result.quality,
        },
        message: `${
          state.message
        } (the stream stopped after ${totals.describe()}; this micro-batch was not committed and runs again when the stream restarts)`,
      };
    case 'failed':
      return {
        ...state,
        message: `${
          state.message
        } (the stream stopped after ${totals.describe()})`,
      };
    default:
      return state;
  }
}
