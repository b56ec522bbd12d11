import { promises as fs } from 'node:fs';
import { decodeAvroContainer, encodeAvroContainer } from '../avro/container';
import { toLocalPath, writeFileAtomic } from '../io/localFiles';
import { IcebergPartitionSpec, IcebergSchema } from '../types';
import {
  avroCompatibleName,
  MANIFEST_LIST_SCHEMA,
  manifestEntrySchema,
} from './manifestSchemas';
import {
  BoundPartitionField,
  PartitionFieldSummary,
  PartitionValue,
  summarizePartitions,
} from './partitioning';

/**
 * Writing and reading manifests and manifest lists (data files only; this
 * writer produces no delete files).
 */

/** A Parquet data file as a manifest records it. */
export interface DataFile {
  /** Absolute `file:///` URI. */
  path: string;
  /** Partition values in partition spec order. */
  partition: PartitionValue[];
  recordCount: number;
  fileSizeInBytes: number;
  /** Per field id: bytes, values (including nulls) and nulls. */
  columnSizes?: Record<number, number>;
  valueCounts?: Record<number, number>;
  nullValueCounts?: Record<number, number>;
}

/** `manifest_entry.status` values. */
export const EntryStatus = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const;

/** A manifest entry, with inherited values resolved when read. */
export interface ManifestEntry {
  status: 0 | 1 | 2;
  snapshotId: number;
  /** Data sequence number; null on new entries, which inherit it. */
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  dataFile: DataFile;
}

/** A manifest list entry (`manifest_file`). */
export interface ManifestFile {
  path: string;
  length: number;
  specId: number;
  sequenceNumber: number;
  minSequenceNumber: number;
  addedSnapshotId: number;
  addedFilesCount: number;
  existingFilesCount: number;
  deletedFilesCount: number;
  addedRowsCount: number;
  existingRowsCount: number;
  deletedRowsCount: number;
  partitions: PartitionFieldSummary[] | null;
}

/**
 * A manifest written for a commit attempt whose sequence number is not known
 * yet: retries reuse the file and only rewrite the manifest list.
 */
export interface PendingManifest
  extends Omit<ManifestFile, 'sequenceNumber' | 'minSequenceNumber'> {
  /** Lowest explicit data sequence number of live entries, if any. */
  explicitMinSequenceNumber: number | null;
}

/** Schema and partitioning that a manifest is written with. */
export interface ManifestContext {
  schema: IcebergSchema;
  spec: IcebergPartitionSpec;
  partitionFields: BoundPartitionField[];
}

function toLong(value: number | null): bigint | null {
  return value === null ? null : BigInt(value);
}

function toCountMap(counts: Record<number, number> | undefined) {
  return counts
    ? Object.entries(counts).map(([key, value]) => ({
        key: Number(key),
        value: BigInt(value),
      }))
    : null;
}

function fromCountMap(
  entries: Array<{ key: number; value: bigint }> | null,
): Record<number, number> | undefined {
  return entries
    ? Object.fromEntries(entries.map(e => [e.key, Number(e.value)]))
    : undefined;
}

function encodeEntry(entry: ManifestEntry, context: ManifestContext) {
  const { dataFile } = entry;
  return {
    status: entry.status,
    snapshot_id: BigInt(entry.snapshotId),
    sequence_number: toLong(entry.sequenceNumber),
    file_sequence_number: toLong(entry.fileSequenceNumber),
    data_file: {
      content: 0,
      file_path: dataFile.path,
      file_format: 'PARQUET',
      partition: Object.fromEntries(
        context.partitionFields.map(({ field }, index) => [
          avroCompatibleName(field.name),
          dataFile.partition[index] ?? null,
        ]),
      ),
      record_count: BigInt(dataFile.recordCount),
      file_size_in_bytes: BigInt(dataFile.fileSizeInBytes),
      column_sizes: toCountMap(dataFile.columnSizes),
      value_counts: toCountMap(dataFile.valueCounts),
      null_value_counts: toCountMap(dataFile.nullValueCounts),
    },
  };
}

/** Writes a manifest for `entries`, all of one partition spec. */
export async function writeManifest(
  location: string,
  context: ManifestContext,
  entries: ManifestEntry[],
  snapshotId: number,
): Promise<PendingManifest> {
  const content = encodeAvroContainer(
    manifestEntrySchema(context.partitionFields),
    entries.map(entry => encodeEntry(entry, context)),
    {
      schema: JSON.stringify(context.schema),
      'schema-id': String(context.schema['schema-id']),
      'partition-spec': JSON.stringify(context.spec.fields),
      'partition-spec-id': String(context.spec['spec-id']),
      'format-version': '2',
      content: 'data',
    },
  );
  await writeFileAtomic(toLocalPath(location), content);

  const withStatus = (status: number) =>
    entries.filter(e => e.status === status);
  const rows = (list: ManifestEntry[]) =>
    list.reduce((sum, e) => sum + e.dataFile.recordCount, 0);
  const added = withStatus(EntryStatus.ADDED);
  const existing = withStatus(EntryStatus.EXISTING);
  const deleted = withStatus(EntryStatus.DELETED);
  const live = [...added, ...existing];
  const explicit = live
    .map(e => e.sequenceNumber)
    .filter((n): n is number => n !== null);
  return {
    path: location,
    length: content.length,
    specId: context.spec['spec-id'],
    addedSnapshotId: snapshotId,
    addedFilesCount: added.length,
    existingFilesCount: existing.length,
    deletedFilesCount: deleted.length,
    addedRowsCount: rows(added),
    existingRowsCount: rows(existing),
    deletedRowsCount: rows(deleted),
    partitions: summarizePartitions(
      context.partitionFields,
      live.map(e => e.dataFile.partition),
    ),
    explicitMinSequenceNumber: explicit.length ? Math.min(...explicit) : null,
  };
}

/** Gives a pending manifest the sequence number of the snapshot adding it. */
export function assignSequenceNumber(
  pending: PendingManifest,
  sequenceNumber: number,
): ManifestFile {
  const { explicitMinSequenceNumber, ...manifest } = pending;
  return {
    ...manifest,
    sequenceNumber,
    minSequenceNumber: Math.min(
      explicitMinSequenceNumber ?? sequenceNumber,
      sequenceNumber,
    ),
  };
}

/** Writes a snapshot's manifest list. */
export async function writeManifestList(
  location: string,
  manifests: ManifestFile[],
  snapshot: {
    snapshotId: number;
    parentSnapshotId: number | null;
    sequenceNumber: number;
  },
): Promise<void> {
  const records = manifests.map(m => ({
    manifest_path: m.path,
    manifest_length: BigInt(m.length),
    partition_spec_id: m.specId,
    content: 0,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: BigInt(m.addedSnapshotId),
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: BigInt(m.addedRowsCount),
    existing_rows_count: BigInt(m.existingRowsCount),
    deleted_rows_count: BigInt(m.deletedRowsCount),
    partitions: m.partitions,
  }));
  const content = encodeAvroContainer(MANIFEST_LIST_SCHEMA, records, {
    'snapshot-id': String(snapshot.snapshotId),
    'parent-snapshot-id': String(snapshot.parentSnapshotId ?? 'null'),
    'sequence-number': String(snapshot.sequenceNumber),
    'format-version': '2',
  });
  await writeFileAtomic(toLocalPath(location), content);
}

async function readAvroFile<T>(location: string) {
  return decodeAvroContainer<T>(await fs.readFile(toLocalPath(location)));
}

const asNumber = (value: bigint | number | null | undefined) =>
  value === null || value === undefined ? null : Number(value);

/** Reads a manifest list. */
export async function readManifestList(
  location: string,
): Promise<ManifestFile[]> {
  const { records } = await readAvroFile<Record<string, any>>(location);
  if (records.some(r => (r.content ?? 0) !== 0)) {
    // Carrying delete files over correctly is out of scope for this writer.
    throw new Error(
      `Manifest list ${location} tracks delete files, which this writer does not support`,
    );
  }
  return records.map(r => ({
    path: r.manifest_path,
    length: Number(r.manifest_length),
    specId: r.partition_spec_id,
    sequenceNumber: asNumber(r.sequence_number) ?? 0,
    minSequenceNumber: asNumber(r.min_sequence_number) ?? 0,
    addedSnapshotId: Number(r.added_snapshot_id),
    addedFilesCount: r.added_files_count ?? 0,
    existingFilesCount: r.existing_files_count ?? 0,
    deletedFilesCount: r.deleted_files_count ?? 0,
    addedRowsCount: asNumber(r.added_rows_count) ?? 0,
    existingRowsCount: asNumber(r.existing_rows_count) ?? 0,
    deletedRowsCount: asNumber(r.deleted_rows_count) ?? 0,
    partitions: r.partitions ?? null,
  }));
}

/**
 * Reads a manifest's entries and resolves inherited values (snapshot id and
 * sequence numbers of entries added by the manifest's snapshot).
 */
export async function readManifestEntries(
  manifest: ManifestFile,
): Promise<ManifestEntry[]> {
  const { records } = await readAvroFile<Record<string, any>>(manifest.path);
  return records.map(r => {
    const status = r.status as 0 | 1 | 2;
    const inherits = status === EntryStatus.ADDED;
    const file = r.data_file;
    return {
      status,
      snapshotId: asNumber(r.snapshot_id) ?? manifest.addedSnapshotId,
      sequenceNumber:
        asNumber(r.sequence_number) ?? (inherits ? manifest.sequenceNumber : 0),
      fileSequenceNumber:
        asNumber(r.file_sequence_number) ??
        (inherits ? manifest.sequenceNumber : 0),
      dataFile: {
        path: file.file_path,
        partition: Object.values(file.partition ?? {}) as PartitionValue[],
        recordCount: Number(file.record_count),
        fileSizeInBytes: Number(file.file_size_in_bytes),
        columnSizes: fromCountMap(file.column_sizes),
        valueCounts: fromCountMap(file.value_counts),
        nullValueCounts: fromCountMap(file.null_value_counts),
      },
    };
  });
}

/** A live (added or existing) data file of a snapshot, with its manifest. */
export interface LiveDataFile {
  manifest: ManifestFile;
  entry: ManifestEntry;
}

/** Lists the live data files of a snapshot, from its manifest list. */
export async function readLiveDataFiles(
  manifestListLocation: string,
): Promise<LiveDataFile[]> {
  const manifests = await readManifestList(manifestListLocation);
  const perManifest = await Promise.all(
    manifests.map(async manifest =>
      (await readManifestEntries(manifest))
        .filter(entry => entry.status !== EntryStatus.DELETED)
        .map(entry => ({ manifest, entry })),
    ),
  );
  return perManifest.flat();
}
