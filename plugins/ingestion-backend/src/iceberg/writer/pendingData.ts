import { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { removeQuietly } from '../io/localFiles';
import {
  DataFile,
  EntryStatus,
  LiveDataFile,
  ManifestContext,
  PendingManifest,
  readLiveDataFiles,
  writeManifest,
} from '../metadata/manifests';
import { findByName, InputColumn } from '../metadata/schema';
import { currentSnapshot } from '../metadata/tableMetadata';
import { IcebergTableMetadata } from '../types';
import { writeDataFiles } from './dataFiles';
import { mergeDataFiles } from './merge';
import { asSubquery, projectToSchema, quoteIdentifier } from './sql';

/**
 * The data side of a write: the input, and the data files plus manifest that
 * a commit attempt adds, kept across attempts while they stay valid.
 */

/** The rows to write, as a DuckDB source. */
export interface StagedInput {
  /** A table name or parenthesized query. */
  source: string;
  columns: InputColumn[];
  release(): Promise<void>;
}

/**
 * Makes the query usable as a source. A merge reads its input twice (to find
 * and to replace matching rows), so its input is materialized once in a
 * temporary table; other modes stream the query.
 */
export async function stageInput(
  connection: DuckDBConnection,
  query: string,
  columns: InputColumn[],
  materialize: boolean,
): Promise<StagedInput> {
  if (!materialize) {
    return { source: asSubquery(query), columns, release: async () => {} };
  }
  const name = quoteIdentifier(`iceberg_input_${randomUUID()}`);
  await connection.run(
    `CREATE TEMP TABLE ${name} AS SELECT * FROM ${asSubquery(query)} AS input`,
  );
  return {
    source: name,
    columns,
    release: async () => {
      await connection.run(`DROP TABLE IF EXISTS ${name}`);
    },
  };
}

/** Data files of a commit attempt and what they replace. */
export interface PendingData {
  /** Table location and schema the files were written for. */
  writtenFor: string;
  added: DataFile[];
  /** Manifest listing `added` (null when nothing was added). */
  manifest: PendingManifest | null;
  /** Live files of the base that the commit removes. */
  removed: LiveDataFile[];
  /** All live files of the base, when the mode needed them. */
  live?: LiveDataFile[];
}

/** Every file a {@link PendingData} consists of. */
export function pendingFiles(data: PendingData | undefined): string[] {
  if (!data) {
    return [];
  }
  return [
    ...data.added.map(f => f.path),
    ...(data.manifest ? [data.manifest.path] : []),
  ];
}

/** What {@link preparePendingData} needs. */
export interface PrepareOptions {
  connection: DuckDBConnection;
  mode: 'append' | 'overwrite' | 'merge';
  mergeKeys?: string[];
  input: StagedInput;
  base: IcebergTableMetadata;
  context: ManifestContext;
  snapshotId: number;
  /** What the previous attempt wrote, if any. */
  previous?: PendingData;
}

async function writeAddedManifest(
  options: PrepareOptions,
  added: DataFile[],
): Promise<PendingManifest | null> {
  if (added.length === 0) {
    return null;
  }
  const { base, context, snapshotId } = options;
  const location = `${base.location}/metadata/${randomUUID()}-m0.avro`;
  try {
    return await writeManifest(
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
    await removeQuietly([...added.map(f => f.path), location]);
    throw error;
  }
}

/**
 * The data files of an attempt on `base`. Appends and overwrites add the same
 * rows on any base, so a previous attempt's files are reused unless the table
 * location or schema changed; merges depend on the base rows and are redone.
 */
export async function preparePendingData(
  options: PrepareOptions,
): Promise<PendingData> {
  const { base, context, mode, previous, input } = options;
  const writtenFor = JSON.stringify([base.location, context.schema.fields]);
  const parent = currentSnapshot(base);
  const live =
    mode === 'append' || !parent
      ? undefined
      : await readLiveDataFiles(parent['manifest-list']);

  if (previous && previous.writtenFor === writtenFor && mode !== 'merge') {
    return { ...previous, live, removed: live ?? [] };
  }
  await removeQuietly(pendingFiles(previous));

  const select = projectToSchema(context.schema, input.columns, input.source);
  const target = {
    connection: options.connection,
    schema: context.schema,
    partitionFields: context.partitionFields,
    tableLocation: base.location,
  };
  const { added, removed } =
    mode === 'merge'
      ? await mergeDataFiles({
          ...target,
          input: select,
          live: live ?? [],
          keys: (options.mergeKeys ?? []).map(
            key => findByName(context.schema.fields, key)!.name,
          ),
        })
      : {
          added: await writeDataFiles({ ...target, select }),
          removed: live ?? [],
        };
  return {
    writtenFor,
    added,
    manifest: await writeAddedManifest(options, added),
    removed,
    live,
  };
}
