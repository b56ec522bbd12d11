import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { DuckDBConnection } from '@duckdb/node-api';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { IcebergSqlCatalog } from '../catalog/IcebergSqlCatalog';
import { CommitConflictError, CommitStateUnknownError } from '../errors';
import { assertValidIdentifier, formatIdentifier } from '../identifiers';
import { removeQuietly, toFileUri, toLocalPath } from '../io/localFiles';
import {
  DataFile,
  LiveDataFile,
  ManifestContext,
  PendingManifest,
  readLiveDataFiles,
  writeManifest,
  EntryStatus,
} from '../metadata/manifests';
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
  currentSnapshot,
  findSnapshotByRunId,
  metadataWithSnapshot,
  RUN_ID_SUMMARY_KEY,
} from '../metadata/tableMetadata';
import {
  IcebergLoadedTable,
  IcebergSnapshot,
  IcebergTableIdentifier,
} from '../types';
import { writeDataFiles } from './dataFiles';
import { mergeDataFiles } from './merge';
import { produceSnapshot, SnapshotChanges } from './snapshot';
import {
  asSubquery,
  describeQuery,
  projectToSchema,
  quoteIdentifier,
} from './sql';

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

/** Data files written for the current state of a write, reusable on retry. */
interface WrittenData {
  /** The schema fields the files were written with. */
  fieldsKey: string;
  added: DataFile[];
  removed: LiveDataFile[];
  live?: LiveDataFile[];
  manifest: PendingManifest | null;
  files: string[];
}

/** Snapshot ids stay below 2^53 so that JSON readers keep them exact. */
function newSnapshotId(): number {
  return Number(randomBytes(8).readBigUInt64BE() >> 11n) || 1;
}

function dataFileLocations(data: WrittenData | undefined): string[] {
  return data ? [...data.added.map(f => f.path), ...data.files] : [];
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

    let table = await this.#loadOrCreate(request, columns);
    const previous = findSnapshotByRunId(table.metadata, request.runId);
    if (previous) {
      return this.#alreadyCommitted(table, previous, 1);
    }
    const snapshotId = newSnapshotId();
    const input = await this.#stageInput(request);
    let data: WrittenData | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const evolution = evolveSchema(table.metadata, columns);
        const context = this.#manifestContext(table, evolution);
        data = await this.#writeData(
          { request, columns, source: input.source },
          table,
          context,
          data,
          snapshotId,
        );

        const outcome = await this.#tryCommit(request, table, {
          snapshotId,
          evolution,
          context,
          data,
        });
        if (outcome.committed) {
          await this.#syncVersionHint(request, table.metadata.location);
          return { ...outcome.result, attempts: attempt };
        }
        if (attempt >= this.#maxCommitAttempts) {
          throw new CommitConflictError(
            `Gave up committing to ${formatIdentifier(
              request.table,
            )} after ${attempt} attempts of concurrent commits`,
          );
        }
        table = await this.#catalog.loadTable(
          request.organizationId,
          request.table,
        );
        const concurrent = findSnapshotByRunId(table.metadata, request.runId);
        if (concurrent) {
          // Another process committed this run while this one was writing.
          await removeQuietly(dataFileLocations(data));
          return this.#alreadyCommitted(table, concurrent, attempt);
        }
      }
    } catch (error) {
      if (!(error instanceof CommitStateUnknownError)) {
        await removeQuietly(dataFileLocations(data));
      }
      throw error;
    } finally {
      await input.release();
    }
  }

  #alreadyCommitted(
    table: IcebergLoadedTable,
    snapshot: IcebergSnapshot,
    attempts: number,
  ): IcebergWriteResult {
    return {
      metadataLocation: table.metadataLocation,
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

  /** Loads the table, creating it (and its namespace) from the input first. */
  async #loadOrCreate(
    request: IcebergWriteRequest,
    columns: InputColumn[],
  ): Promise<IcebergLoadedTable> {
    const { organizationId: org, table: identifier } = request;
    try {
      const table = await this.#catalog.loadTable(org, identifier);
      if (
        request.partitionBy &&
        !specMatchesColumns(
          table.metadata['partition-specs'].find(
            s => s['spec-id'] === table.metadata['default-spec-id'],
          )!,
          currentSchema(table.metadata),
          request.partitionBy,
        )
      ) {
        throw new InputError(
          `Table ${formatIdentifier(
            identifier,
          )} exists with another partitioning; partition evolution is not supported`,
        );
      }
      return table;
    } catch (error) {
      if (!(error instanceof NotFoundError)) {
        throw error;
      }
    }

    await this.#catalog
      .createNamespace(org, identifier.namespace)
      .catch(error => {
        if (!(error instanceof ConflictError)) throw error;
      });
    const schema = schemaForNewTable(columns);
    const folder = join(
      toLocalPath(request.warehouseRoot),
      ...identifier.namespace,
      // A fresh folder per table, so a dropped table's files never collide.
      `${identifier.name}-${randomUUID()}`,
    );
    try {
      return await this.#catalog.createTable(org, identifier, {
        location: toFileUri(folder),
        schema,
        partitionSpec: request.partitionBy?.length
          ? identityPartitionSpec(schema, request.partitionBy)
          : unpartitionedSpec(),
        properties: request.tableProperties,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        // Created concurrently by another writer.
        return this.#catalog.loadTable(org, identifier);
      }
      throw error;
    }
  }

  /**
   * A merge reads its input twice (to find and to replace matching rows), so
   * the input is materialized once in a temporary table.
   */
  async #stageInput(request: IcebergWriteRequest) {
    if (request.mode !== 'merge') {
      return { source: asSubquery(request.query), release: async () => {} };
    }
    const name = quoteIdentifier(`iceberg_merge_input_${randomUUID()}`);
    await request.connection.run(
      `CREATE TEMP TABLE ${name} AS SELECT * FROM ${asSubquery(
        request.query,
      )} AS input`,
    );
    return {
      source: name,
      release: async () => {
        await request.connection.run(`DROP TABLE IF EXISTS ${name}`);
      },
    };
  }

  #manifestContext(
    table: IcebergLoadedTable,
    evolution: SchemaEvolution,
  ): ManifestContext {
    const { metadata } = table;
    const spec = metadata['partition-specs'].find(
      s => s['spec-id'] === metadata['default-spec-id'],
    );
    if (!spec) {
      throw new Error(`Table ${table.metadataLocation} has no default spec`);
    }
    return {
      schema: evolution.schema,
      spec,
      partitionFields: bindPartitionSpec(spec, evolution.schema),
    };
  }

  /**
   * Writes the data files and their manifest, or reuses those of a previous
   * attempt when still valid: appends and overwrites add the same files on
   * any base with the same schema; merges depend on the base's rows.
   */
  async #writeData(
    input: {
      request: IcebergWriteRequest;
      columns: InputColumn[];
      source: string;
    },
    table: IcebergLoadedTable,
    context: ManifestContext,
    previous: WrittenData | undefined,
    snapshotId: number,
  ): Promise<WrittenData> {
    const { request } = input;
    const fieldsKey = JSON.stringify(context.schema.fields);
    const parent = currentSnapshot(table.metadata);
    const live =
      request.mode === 'append' || !parent
        ? undefined
        : await readLiveDataFiles(parent['manifest-list']);

    if (
      previous &&
      previous.fieldsKey === fieldsKey &&
      request.mode !== 'merge'
    ) {
      return { ...previous, live, removed: live ?? [] };
    }
    await removeQuietly(dataFileLocations(previous));

    const select = projectToSchema(context.schema, input.columns, input.source);
    const common = {
      connection: request.connection,
      schema: context.schema,
      partitionFields: context.partitionFields,
      tableLocation: table.metadata.location,
    };
    const { added, removed } =
      request.mode === 'merge'
        ? await mergeDataFiles({
            ...common,
            input: select,
            live: live ?? [],
            keys: request.mergeKeys!.map(
              key => findByName(context.schema.fields, key)!.name,
            ),
          })
        : {
            added: await writeDataFiles({ ...common, select }),
            removed: live ?? [],
          };

    const files: string[] = [];
    let manifest: PendingManifest | null = null;
    if (added.length > 0) {
      const location = `${
        table.metadata.location
      }/metadata/${randomUUID()}-m0.avro`;
      files.push(location);
      try {
        manifest = await writeManifest(
          location,
          context,
          added.map(dataFile => ({
            status: EntryStatus.ADDED,
            snapshotId,
            sequenceNumber: null,
            fileSequenceNumber: null,
            dataFile,
          })),
          snapshotId,
        );
      } catch (error) {
        await removeQuietly([...added.map(f => f.path), ...files]);
        throw error;
      }
    }
    return { fieldsKey, added, removed, live, manifest, files };
  }

  /**
   * One commit attempt: manifest list, metadata file, compare-and-swap. A lost
   * swap removes the attempt's files and reports `committed: false`.
   */
  async #tryCommit(
    request: IcebergWriteRequest,
    table: IcebergLoadedTable,
    attempt: {
      snapshotId: number;
      evolution: SchemaEvolution;
      context: ManifestContext;
      data: WrittenData;
    },
  ): Promise<
    | { committed: true; result: Omit<IcebergWriteResult, 'attempts'> }
    | { committed: false }
  > {
    const { data } = attempt;
    const changes: SnapshotChanges = {
      operation: request.mode === 'append' ? 'append' : 'overwrite',
      addedManifest: data.manifest,
      added: data.added,
      removed: data.removed,
      live: data.live,
    };
    const attemptFiles: string[] = [];
    try {
      const produced = await produceSnapshot({
        base: table.metadata,
        snapshotId: attempt.snapshotId,
        timestampMs: commitTimestamp(table.metadata),
        changes,
        context: attempt.context,
        summary: {
          ...request.summary,
          [RUN_ID_SUMMARY_KEY]: request.runId,
          'ingestion.write-mode': request.mode,
        },
      });
      attemptFiles.push(...produced.attemptFiles);
      const metadata = metadataWithSnapshot(
        table.metadata,
        table.metadataLocation,
        produced.snapshot,
        attempt.evolution,
      );
      const location = await publishTableMetadata(
        metadata,
        metadataVersion(table.metadataLocation),
      );
      attemptFiles.push(location);

      await this.#swap(request, table, location, produced.snapshot);
      return {
        committed: true,
        result: {
          metadataLocation: location,
          snapshot: produced.snapshot,
          committed: true,
        },
      };
    } catch (error) {
      if (error instanceof CommitStateUnknownError) {
        throw error;
      }
      await removeQuietly(attemptFiles);
      if (error instanceof CommitConflictError) {
        return { committed: false };
      }
      throw error;
    }
  }

  /**
   * The compare-and-swap. When it fails otherwise than by a conflict, the
   * table is reloaded to learn whether the swap happened after all.
   */
  async #swap(
    request: IcebergWriteRequest,
    table: IcebergLoadedTable,
    location: string,
    snapshot: IcebergSnapshot,
  ) {
    const { organizationId: org, table: identifier } = request;
    try {
      await this.#catalog.commitTable(
        org,
        identifier,
        table.metadataLocation,
        location,
      );
    } catch (error) {
      if (error instanceof CommitConflictError) {
        throw error;
      }
      let current: IcebergLoadedTable;
      try {
        current = await this.#catalog.loadTable(org, identifier);
      } catch {
        throw new CommitStateUnknownError(
          `Commit to ${formatIdentifier(
            identifier,
          )} may or may not have happened`,
          error,
        );
      }
      const committed = current.metadata.snapshots.some(
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
