import type { DuckDBInstance } from '@duckdb/node-api';
import {
  getSourceDatasets,
  type SourceSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type {
  EngineRunContext,
  ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { IcebergSqlCatalog, IcebergTableWriter } from '../../iceberg';
import type { OrganizationEgress } from '../../egress';
import { datasetRefString } from '../../runs/datasetRefs';
import { LocalEngineError, RunCancelledError } from './errors';
import { checkQuality, type QualityOutcome } from './quality';
import { runCountingScan } from './scanCounts';
import { loadDataset, openSource, S3Settings, SourceContext } from './sources';
import {
  Column,
  count,
  portableProjection,
  quoteIdentifier,
  scalar,
} from './sql';
import { organizationStorage } from './storage';
import { applyTransforms } from './transforms';
import { RunWorkspace } from './workspace';

/** What a run needs from the engine that hosts it. */
export interface RunHost {
  instance(): Promise<DuckDBInstance>;
  catalog(name: string): IcebergSqlCatalog;
  writer(catalogName: string): IcebergTableWriter;
  workingDirectory: string;
  batchSize: number;
  organizationS3(organizationId: string): S3Settings | undefined;
  /** The egress guard of an organization (see src/egress). */
  egress(organizationId: string): OrganizationEgress;
}

/** A run's cancellation: the signal, and the connection to interrupt. */
export interface RunControl {
  signal: AbortSignal;
  onWorkspace(workspace: RunWorkspace | undefined): void;
}

/** How a run reads its data: as a whole (runs), or a sample of the source (previews). */
export interface StageOptions {
  /** Read at most this many rows of the main source (joined datasets are read whole). */
  sampleRows?: number;
  /**
   * Wraps each read of a dataset (the source, a joined dataset) with the dataset's ref, so a
   * caller can tell a failed read from a failed transformation. Default: the read as it is.
   */
  reading?<T>(datasetRef: string, read: () => Promise<T>): Promise<T>;
}

/** A run's rows staged for its target, and its quality results: everything before the write. */
export interface StagedRun {
  workspace: RunWorkspace;
  storage: Awaited<ReturnType<typeof organizationStorage>>;
  /** The staged table (unquoted): the source, or the transformed rows. */
  stagedTable: string;
  columns: Column[];
  quality: QualityOutcome;
  rowsRead: number;
  watermarkOut?: string;
  lineage: Awaited<ReturnType<typeof applyTransforms>>['lineage'];
  /** With `sampleRows`: whether the source had more rows than were read. */
  truncated: boolean;
}

/**
 * Opens the run's workspace and executes source → transformations → staging → quality rules,
 * writing nothing. Throws on failure; the caller closes the workspace it was given through
 * `control.onWorkspace`.
 */
export async function stageRun(
  host: RunHost,
  context: EngineRunContext,
  control: RunControl,
  secrets: Set<string>,
  options: StageOptions = {},
): Promise<StagedRun> {
  const { spec, organization, run } = context;
  const reading =
    options.reading ?? (<T>(_ref: string, read: () => Promise<T>) => read());
  const checkCancelled = () => {
    if (control.signal.aborted) throw new RunCancelledError();
  };
  if (spec.pipeline_type === 'streaming' || spec.source.type === 'kafka') {
    throw new LocalEngineError(
      spec.source.type === 'kafka'
        ? 'Kafka sources run on the Databricks engine (streaming from Kafka is Databricks-only); the local engine runs batch pipelines'
        : 'Streaming pipelines run on the Databricks engine; the local engine runs batch pipelines',
    );
  }
  const storage = await organizationStorage(
    organization.id,
    organization.storage,
    host.workingDirectory,
  );
  const ws = await RunWorkspace.open(
    await host.instance(),
    storage.tmp,
    run.id,
  );
  control.onWorkspace(ws);
  const log = (level: 'info' | 'warn' | 'error', message: string) =>
    context.log(level, message);

  const sampleRows =
    options.sampleRows === undefined
      ? undefined
      : Math.max(1, Math.floor(options.sampleRows));
  const sourceContext: SourceContext = {
    workspace: ws,
    storage,
    organizationId: organization.id,
    async resolveConnection(name: string): Promise<ResolvedConnection> {
      const resolved = await context.resolveConnection(name);
      if (resolved.password) secrets.add(resolved.password);
      return resolved;
    },
    organizationS3: host.organizationS3(organization.id),
    catalog: name => host.catalog(name),
    log,
    checkCancelled,
    signal: control.signal,
    batchSize: host.batchSize,
    egress: host.egress(organization.id),
    // One row more than the sample tells whether the source had more.
    ...(sampleRows !== undefined && { sampleRows: sampleRows + 1 }),
  };

  // Source
  const datasets = getSourceDatasets(spec);
  const sourceRef = datasetRefString(datasets[0]);
  const incrementalColumn =
    'incremental_column' in spec.source
      ? spec.source.incremental_column
      : undefined;
  let incrementalNote = '';
  if (incrementalColumn) {
    incrementalNote =
      run.watermarkIn === undefined
        ? ` (first incremental load on ${incrementalColumn})`
        : ` where ${incrementalColumn} > ${run.watermarkIn}`;
  }
  await log('info', `Reading ${sourceRef}${incrementalNote}`);
  let truncated = false;
  let opened = await reading(sourceRef, () =>
    openSource(
      sourceContext,
      spec.source,
      sampleRows === undefined ? 'source' : 'source_unsampled',
      incrementalColumn
        ? { column: incrementalColumn, watermark: run.watermarkIn }
        : undefined,
    ),
  );
  if (sampleRows !== undefined) {
    // The first rows of the source, whatever it is: files stop their scan at the limit,
    // databases already sent no more than one row beyond the sample.
    await reading(sourceRef, () =>
      ws.connection.run(
        `CREATE TABLE "source_sample" AS SELECT * FROM "source_unsampled" LIMIT ${
          sampleRows + 1
        }`,
      ),
    );
    const read = await count(ws.connection, '"source_sample"');
    truncated = read > sampleRows;
    await ws.connection.run(
      `CREATE VIEW "source" AS SELECT * FROM "source_sample" LIMIT ${sampleRows}`,
    );
    opened = { rowsRead: Math.min(read, sampleRows), view: true };
  }
  checkCancelled();
  let watermarkOut: string | undefined;
  if (incrementalColumn) {
    const cursor = (await ws.describe(quoteIdentifier('source'))).find(
      c => c.name.toLowerCase() === incrementalColumn.toLowerCase(),
    );
    if (!cursor) {
      throw new LocalEngineError(
        `Incremental column '${incrementalColumn}' is not a column of ${sourceRef}`,
      );
    }
    const max = await scalar(
      ws.connection,
      `SELECT CAST(max(${quoteIdentifier(
        cursor.name,
      )}) AS VARCHAR) FROM "source"`,
    );
    // Nothing read, no new mark: the last recorded one stands (not an override this run began at).
    watermarkOut = max === null || max === undefined ? undefined : String(max);
  }
  if (opened.rowsRead !== undefined) {
    await log('info', `Read ${opened.rowsRead} rows from ${sourceRef}`);
  }

  // Transformations
  const transformed = await applyTransforms({
    workspace: ws,
    source: { table: 'source', datasetRef: sourceRef },
    transforms: spec.transformations,
    checkCancelled,
    async loadJoin(index, transform) {
      const table = `join_${index}`;
      const ref = datasetRefString(
        getSourceDatasets({
          ...spec,
          source: transform.dataset as SourceSpec,
          transformations: [],
        })[0],
      );
      const joined = await reading(ref, () =>
        // Joined datasets are read whole, even for a sample: a partial side would drop matches.
        loadDataset(
          { ...sourceContext, sampleRows: undefined },
          transform.dataset as SourceSpec,
          table,
        ),
      );
      await log('info', `Read ${joined.rowsRead} rows from ${ref} to join`);
      return { table, datasetRef: ref };
    },
  });
  checkCancelled();

  // Rows in types every target stores
  let output = transformed.relation;
  const portable = portableProjection(transformed.columns, output);
  if (portable) {
    await ws.connection.run(`CREATE VIEW "output" AS ${portable}`);
    output = '"output"';
  }
  const columns = await ws.describe(output);

  // Staging: one query streams the source through the transformations into the output table,
  // which quality rules, PII review and the write then read (small after an aggregate). A
  // source that is already a table, untransformed, is staged as it is.
  let stagedTable = 'final';
  let rowsRead = opened.rowsRead;
  if (!opened.view && output === quoteIdentifier('source')) {
    stagedTable = 'source';
  } else {
    const stage = `CREATE TABLE "final" AS SELECT * FROM ${output}`;
    const joins = spec.transformations.some(t => t.type === 'join');
    // A join may stop reading its input early (an empty side), so its scan is not a count.
    if (rowsRead === undefined && opened.scanOperator && !joins) {
      rowsRead = await runCountingScan(ws, stage, opened.scanOperator);
    } else {
      await ws.connection.run(stage);
    }
  }
  checkCancelled();
  if (rowsRead === undefined) {
    rowsRead = await count(ws.connection, quoteIdentifier('source'));
  }
  if (opened.rowsRead === undefined) {
    await log('info', `Read ${rowsRead} rows from ${sourceRef}`);
  }

  // Quality, on the staged rows: a fail rule fails the run before anything is written.
  const quality = await checkQuality({
    workspace: ws,
    rules: spec.data_quality,
    relation: quoteIdentifier(stagedTable),
    columns,
    log,
    checkCancelled,
  });
  return {
    workspace: ws,
    storage,
    stagedTable,
    columns,
    quality,
    rowsRead,
    watermarkOut,
    lineage: transformed.lineage,
    truncated,
  };
}
