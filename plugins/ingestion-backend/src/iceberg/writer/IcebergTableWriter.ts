import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { IcebergSqlCatalog } from '../catalog/IcebergSqlCatalog';
import { CommitConflictError, CommitStateUnknownError } from '../errors';
import { assertValidIdentifier, formatIdentifier } from '../identifiers';
import { removeQuietly, toFileUri, toLocalPath } from '../io/localFiles';
import { ManifestContext } from '../metadata/manifests';
import {
  metadataVersion,
  publishTableMetadata,
  writeVersionHint,
} from '../metadata/metadataFiles';
import {
  bindPartitionSpec,
  identityPartitionSpec,
  specMatchesColumns,
  unpartitionedSpec,
} from '../metadata/partitioning';
import {
  currentSchema,
  evolveSchema,
  findByName,
  InputColumn,
  schemaForNewTable,
  SchemaEvolution,
} from '../metadata/schema';
import {
  commitTimestamp,
  defaultSpec,
  findSnapshotByRunId,
  metadataWithSnapshot,
  newTableMetadata,
  RUN_ID_SUMMARY_KEY,
} from '../metadata/tableMetadata';
import {
  IcebergSnapshot,
  IcebergTableIdentifier,
  IcebergTableMetadata,
} from '../types';
import {
  PendingData,
  pendingFiles,
  preparePendingData,
  stageInput,
} from './pendingData';
import { produceSnapshot } from './snapshot';
import { describeQuery } from './sql';

/**
 * How a write changes the table.
 *
 * - `append`: adds the rows.
 * - `overwrite`: replaces all rows of the table.
 * - `merge`: rows whose `mergeKeys` equal an input row's (NULLs equal) are
 *   replaced by the input rows; other rows stay. Recorded as `overwrite`.
 *
 * @public
 */
export type IcebergWriteMode = 'append' | 'overwrite' | 'merge';

/**
 * One write: the rows of a DuckDB query committed as one snapshot.
 *
 * @public
 */
export interface IcebergWriteRequest {
  organizationId: string;
  /**
   * The organization's warehouse folder (absolute path or `file:///` URI).
   * Used only to place a table created by this write.
   */
  warehouseRoot: string;
  table: IcebergTableIdentifier;
  /** Connection the query runs on; not used concurrently by anything else. */
  connection: DuckDBConnection;
  /**
   * A DuckDB query (`SELECT …`, `FROM …`) producing the rows. It can be
   * evaluated again when a concurrent commit forces rewriting the data files.
   */
  query: string;
  mode: IcebergWriteMode;
  /** Key columns of `merge`. */
  mergeKeys?: string[];
  /**
   * The ingestion run. A table that already has a snapshot of this run is
   * left alone (exactly once per run).
   */
  runId: string;
  /** Identity partition columns of a table created by this write. */
  partitionBy?: string[];
  /** Properties of a table created by this write. */
  tableProperties?: Record<string, string>;
  /** Extra snapshot summary entries. */
  summary?: Record<string, string>;
}

/**
 * The outcome of {@link IcebergTableWriter.write}.
 *
 * @public
 */
export interface IcebergWriteResult {
  /** The table's metadata location after the write. */
  metadataLocation: string;
  /** The snapshot of the run. */
  snapshot: IcebergSnapshot;
  /** False when the run had been committed before and nothing was written. */
  committed: boolean;
  /** Commit attempts made (more than one after concurrent commits). */
  attempts: number;
}

/**
 * Options of {@link IcebergTableWriter}.
 *
 * @public
 */
export interface IcebergTableWriterOptions {
  catalog: IcebergSqlCatalog;
  logger?: LoggerService;
  /** Commit attempts before giving up on concurrent commits; default 10. */
  maxCommitAttempts?: number;
}

/**
 * The table a commit attempt builds on. Without `metadataLocation` the table
 * does not exist yet: the commit creates it together with its first snapshot,
 * so a failed first write leaves no empty table behind.
 */
interface BaseTable {
  metadataLocation?: string;
  metadata: IcebergTableMetadata;
}

/** Snapshot ids stay below 2^53 so that JSON readers keep them exact. */
function newSnapshotId(): number {
  return Number(randomBytes(8).readBigUInt64BE() >> 11n) || 1;
}

/**
 * Commits the rows of DuckDB queries to Iceberg v2 tables of an
 * {@link IcebergSqlCatalog}: Parquet data files written by DuckDB, Avro
 * manifests and manifest list, JSON table metadata, swapped in by the
 * catalog's compare-and-swap.
 *
 * Concurrent writers are safe: a commit that loses the swap is rebuilt on the
 * new table state and retried. A failed write leaves the table as it was and
 * removes what it wrote.
 *
 * @public
 */
export class IcebergTableWriter {
  readonly #catalog: IcebergSqlCatalog;
  readonly #logger?: LoggerService;
  readonly #maxCommitAttempts: number;

  constructor(options: IcebergTableWriterOptions) {
    this.#catalog = options.catalog;
    this.#logger = options.logger;
    this.#maxCommitAttempts = options.maxCommitAttempts ?? 10;
  }

  /** Commits the rows of `request.query` as one snapshot. */
  async write(request: IcebergWriteRequest): Promise<IcebergWriteResult> {
    assertValidIdentifier(request.table);
    if (!request.runId) {
      throw new InputError('A write needs a run id');
    }
    const columns = await describeQuery(request.connection, request.query);
    this.#validateKeys(request, columns);

    let base = await this.#loadOrStage(request, columns);
    const done = findSnapshotByRunId(base.metadata, request.runId);
    if (done) {
      return this.#alreadyCommitted(base, done, 1);
    }
    // Set when this write creates the table; its folder is ours alone.
    const newTableFolder = base.metadataLocation
      ? undefined
      : base.metadata.location;
    const snapshotId = newSnapshotId();
    const input = await stageInput(
      request.connection,
      request.query,
      columns,
      request.mode === 'merge',
    );
    let data: PendingData | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const evolution = evolveSchema(base.metadata, columns);
        const context = this.#manifestContext(base.metadata, evolution);
        data = await preparePendingData({
          connection: request.connection,
          mode: request.mode,
          mergeKeys: request.mergeKeys,
          input,
          base: base.metadata,
          context,
          snapshotId,
          previous: data,
        });

        const committed = await this.#tryCommit(request, base, {
          snapshotId,
          evolution,
          context,
          data,
        });
        if (committed) {
          await this.#syncVersionHint(request, base.metadata.location);
          return { ...committed, committed: true, attempts: attempt };
        }
        if (attempt >= this.#maxCommitAttempts) {
          throw new CommitConflictError(
            `Gave up committing to ${formatIdentifier(
              request.table,
            )} after ${attempt} attempts`,
          );
        }

        base = await this.#catalog.loadTable(
          request.organizationId,
          request.table,
        );
        if (newTableFolder && base.metadata.location !== newTableFolder) {
          // Another writer created the table first; write into its folder.
          await removeQuietly([newTableFolder]);
        }
        const concurrent = findSnapshotByRunId(base.metadata, request.runId);
        if (concurrent) {
          // Another process committed this run while this one was writing.
          await removeQuietly(pendingFiles(data));
          return this.#alreadyCommitted(base, concurrent, attempt);
        }
      }
    } catch (error) {
      // After an unknown commit outcome the table may use these files.
      if (!(error instanceof CommitStateUnknownError)) {
        await removeQuietly(pendingFiles(data));
        if (newTableFolder) {
          await removeQuietly([newTableFolder]);
        }
      }
      throw error;
    } finally {
      await input.release();
    }
  }

  #alreadyCommitted(
    base: BaseTable,
    snapshot: IcebergSnapshot,
    attempts: number,
  ): IcebergWriteResult {
    return {
      metadataLocation: base.metadataLocation!,
      snapshot,
      committed: false,
      attempts,
    };
  }

  #validateKeys(request: IcebergWriteRequest, columns: InputColumn[]) {
    if (request.mode !== 'merge') {
      return;
    }
    if (!request.mergeKeys?.length) {
      throw new InputError('A merge needs at least one merge key');
    }
    for (const key of request.mergeKeys) {
      if (!findByName(columns, key)) {
        throw new InputError(`Merge key '${key}' is not a column of the input`);
      }
    }
  }

  /**
   * Loads the table, or prepares the metadata of a new one (schema from the
   * input) in a fresh folder, so a dropped table's files never collide.
   */
  async #loadOrStage(
    request: IcebergWriteRequest,
    columns: InputColumn[],
  ): Promise<BaseTable> {
    const { organizationId: org, table: identifier } = request;
    const existing = await this.#catalog
      .loadTable(org, identifier)
      .catch(error => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
    if (existing) {
      const { metadata } = existing;
      if (
        request.partitionBy &&
        !specMatchesColumns(
          defaultSpec(metadata),
          currentSchema(metadata),
          request.partitionBy,
        )
      ) {
        throw new InputError(
          `Table ${formatIdentifier(
            identifier,
          )} exists with another partitioning; partition evolution is not supported`,
        );
      }
      return existing;
    }

    const schema = schemaForNewTable(columns);
    const folder = join(
      toLocalPath(request.warehouseRoot),
      ...identifier.namespace,
      `${identifier.name}-${randomUUID()}`,
    );
    return {
      metadata: newTableMetadata({
        location: toFileUri(folder),
        schema,
        spec: request.partitionBy?.length
          ? identityPartitionSpec(schema, request.partitionBy)
          : unpartitionedSpec(),
        properties: request.tableProperties,
      }),
    };
  }

  #manifestContext(
    metadata: IcebergTableMetadata,
    evolution: SchemaEvolution,
  ): ManifestContext {
    const spec = defaultSpec(metadata);
    return {
      schema: evolution.schema,
      spec,
      partitionFields: bindPartitionSpec(spec, evolution.schema),
    };
  }

  /**
   * One commit attempt: manifest list, metadata file, swap. Returns undefined
   * when another commit came first, after removing the attempt's files.
   */
  async #tryCommit(
    request: IcebergWriteRequest,
    base: BaseTable,
    attempt: {
      snapshotId: number;
      evolution: SchemaEvolution;
      context: ManifestContext;
      data: PendingData;
    },
  ): Promise<
    { metadataLocation: string; snapshot: IcebergSnapshot } | undefined
  > {
    const { data } = attempt;
    const attemptFiles: string[] = [];
    try {
      const produced = await produceSnapshot({
        base: base.metadata,
        snapshotId: attempt.snapshotId,
        timestampMs: commitTimestamp(base.metadata),
        changes: {
          operation: request.mode === 'append' ? 'append' : 'overwrite',
          addedManifest: data.manifest,
          added: data.added,
          removed: data.removed,
          live: data.live,
        },
        context: attempt.context,
        summary: {
          ...request.summary,
          [RUN_ID_SUMMARY_KEY]: request.runId,
          'ingestion.write-mode': request.mode,
        },
      });
      attemptFiles.push(...produced.attemptFiles);
      const metadataLocation = await publishTableMetadata(
        metadataWithSnapshot(
          base.metadata,
          base.metadataLocation,
          produced.snapshot,
          attempt.evolution,
        ),
        base.metadataLocation ? metadataVersion(base.metadataLocation) : 0,
      );
      attemptFiles.push(metadataLocation);

      await this.#swap(request, base, metadataLocation, produced.snapshot);
      return { metadataLocation, snapshot: produced.snapshot };
    } catch (error) {
      if (error instanceof CommitStateUnknownError) {
        throw error;
      }
      await removeQuietly(attemptFiles);
      if (error instanceof CommitConflictError) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Points the catalog at the new metadata: compare-and-swap, or registration
   * of a new table. When that fails otherwise than by a conflict, the table is
   * reloaded to learn whether the swap happened after all.
   */
  async #swap(
    request: IcebergWriteRequest,
    base: BaseTable,
    metadataLocation: string,
    snapshot: IcebergSnapshot,
  ) {
    const { organizationId: org, table: identifier } = request;
    try {
      if (base.metadataLocation) {
        await this.#catalog.commitTable(
          org,
          identifier,
          base.metadataLocation,
          metadataLocation,
        );
      } else {
        await this.#catalog
          .createNamespace(org, identifier.namespace)
          .catch(error => {
            if (!(error instanceof ConflictError)) throw error;
          });
        await this.#catalog.registerTable(org, identifier, metadataLocation);
      }
    } catch (error) {
      if (error instanceof CommitConflictError) {
        throw error;
      }
      if (error instanceof ConflictError) {
        // The table was created concurrently.
        throw new CommitConflictError(error.message);
      }
      const current = await this.#catalog
        .loadTable(org, identifier)
        .catch(loadError => {
          if (loadError instanceof NotFoundError) return undefined;
          throw new CommitStateUnknownError(
            `Commit to ${formatIdentifier(
              identifier,
            )} may or may not have happened`,
            error,
          );
        });
      const committed = current?.metadata.snapshots.some(
        s => s['snapshot-id'] === snapshot['snapshot-id'],
      );
      if (!committed) {
        throw error;
      }
    }
  }

  /**
   * Points version-hint.text at the catalog's current version. Rewritten until
   * the catalog is unchanged after writing it, so that racing writers leave
   * the newest version behind.
   */
  async #syncVersionHint(request: IcebergWriteRequest, tableLocation: string) {
    const { organizationId: org, table: identifier } = request;
    try {
      let current = await this.#catalog.loadMetadataLocation(org, identifier);
      for (let i = 0; i < 10; i++) {
        await writeVersionHint(tableLocation, metadataVersion(current));
        const after = await this.#catalog.loadMetadataLocation(org, identifier);
        if (after === current) {
          return;
        }
        current = after;
      }
    } catch (error) {
      // The commit is done; only file-based readers would see an old version.
      this.#logger?.warn(
        `Could not update version-hint.text of ${formatIdentifier(
          identifier,
        )}: ${error}`,
      );
    }
  }
}
