import type { TargetSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  COMMIT_PROPERTIES,
  type EngineTableCommit,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import { pathToFileURL } from 'node:url';
import {
  describeLoadedTable,
  IcebergSqlCatalog,
  IcebergTableWriter,
} from '../../../iceberg';
import { LocalEngineError } from '../errors';
import { Column } from '../sql';
import { OrganizationStorage, resolveTargetFolder } from '../storage';
import { RunWorkspace } from '../workspace';
import { writeDeltaTarget } from './deltaTarget';
import { writeParquetTarget } from './parquetTarget';

export interface TargetContext {
  workspace: RunWorkspace;
  storage: OrganizationStorage;
  organizationId: string;
  runId: string;
  pipelineId: string;
  /** The new high-water mark of an incremental load, recorded in the snapshot as Databricks notebooks do. */
  watermark?: string;
  catalog(name: string): IcebergSqlCatalog;
  writer(catalogName: string): IcebergTableWriter;
}

export interface TargetOutcome {
  commit: EngineTableCommit;
  rowsWritten: number;
  bytesWritten: number;
  /** False when this run had been committed before (nothing was written now). */
  committed: boolean;
}

const columnSchema = (columns: Column[]) => ({
  type: 'struct',
  fields: columns.map(c => ({ name: c.name, type: c.type })),
});

function localFolder(storage: OrganizationStorage, what: string): string {
  if (storage.kind !== 'local') {
    throw new LocalEngineError(
      `The local engine writes ${what} to local storage only; this organization's storage is ${storage.root}`,
    );
  }
  return storage.root;
}

/** Writes the rows of `relation` to the target; exactly once per run id. */
export async function writeTarget(
  context: TargetContext,
  target: TargetSpec,
  relation: string,
  columns: Column[],
  outputRows: number,
): Promise<TargetOutcome> {
  const { connection } = context.workspace;
  switch (target.type) {
    case 'iceberg': {
      localFolder(context.storage, 'Iceberg tables');
      const unsupported = (target.partitioning ?? []).find(
        p => p.transform !== 'identity',
      );
      if (unsupported) {
        throw new LocalEngineError(
          `The local engine partitions Iceberg tables by identity only; '${unsupported.transform}' on '${unsupported.column}' is not supported (derive a column, e.g. date_trunc('day', ${unsupported.column}), and partition by it)`,
        );
      }
      const identifier = { namespace: [target.schema], name: target.table };
      const result = await context.writer(target.catalog).write({
        organizationId: context.organizationId,
        warehouseRoot: context.storage.warehouse!,
        table: identifier,
        connection,
        query: `SELECT * FROM ${relation}`,
        mode: target.mode,
        mergeKeys: target.merge_keys,
        runId: context.runId,
        partitionBy: target.partitioning?.map(p => p.column),
        summary: {
          'ingestion.pipeline-id': context.pipelineId,
          ...(context.watermark !== undefined
            ? { [COMMIT_PROPERTIES.watermark]: context.watermark }
            : {}),
        },
      });
      const loaded = await context
        .catalog(target.catalog)
        .loadTable(context.organizationId, identifier);
      const description = describeLoadedTable(loaded);
      const summary = result.snapshot.summary;
      return {
        committed: result.committed,
        rowsWritten: result.committed
          ? outputRows
          : Number(summary['added-records'] ?? 0),
        bytesWritten: Number(summary['added-files-size'] ?? 0),
        commit: {
          format: 'iceberg',
          catalogName: target.catalog,
          namespace: target.schema,
          tableName: target.table,
          location: description.location,
          schema: description.schema as unknown as Record<string, unknown>,
          rowCount: description.rowCount,
          sizeBytes: description.sizeInBytes,
          snapshotId: String(result.snapshot['snapshot-id']),
        },
      };
    }
    case 'parquet': {
      if (target.path.startsWith('s3://')) {
        throw new LocalEngineError(
          'The local engine writes Parquet targets to the organization’s local storage only, not to s3://',
        );
      }
      const folder = await resolveTargetFolder(
        localFolder(context.storage, 'Parquet files'),
        target.path,
      );
      const result = await writeParquetTarget({
        connection,
        query: `SELECT * FROM ${relation}`,
        folder,
        runId: context.runId,
        mode: target.mode,
        partitionBy: target.partition_by ?? [],
      });
      return {
        committed: result.committed,
        rowsWritten: result.rowsWritten,
        bytesWritten: result.bytesWritten,
        commit: {
          format: 'parquet',
          location: pathToFileURL(folder).href,
          schema: columnSchema(columns),
          rowCount: result.rowCount,
          sizeBytes: result.sizeBytes,
        },
      };
    }
    case 'delta': {
      if (target.path.startsWith('s3://')) {
        throw new LocalEngineError(
          'The local engine writes Delta tables to the organization’s local storage only, not to s3://',
        );
      }
      const folder = await resolveTargetFolder(
        localFolder(context.storage, 'Delta tables'),
        target.path,
      );
      const result = await writeDeltaTarget({
        connection,
        relation,
        folder,
        runId: context.runId,
        mode: target.mode,
        mergeKeys: target.merge_keys,
        partitionBy: target.partition_by ?? [],
      });
      return {
        committed: result.committed,
        rowsWritten: result.rowsWritten,
        bytesWritten: result.bytesWritten,
        commit: {
          format: 'delta',
          location: pathToFileURL(folder).href,
          schema: { type: 'struct', fields: result.schema },
          rowCount: result.rowCount,
          sizeBytes: result.sizeBytes,
          snapshotId: String(result.version),
        },
      };
    }
    default:
      throw new LocalEngineError(
        `The local engine cannot write targets of type '${
          (target as { type: string }).type
        }'`,
      );
  }
}
