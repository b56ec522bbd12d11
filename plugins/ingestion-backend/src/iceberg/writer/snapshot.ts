import { randomUUID } from 'node:crypto';
import {
  assignSequenceNumber,
  DataFile,
  EntryStatus,
  LiveDataFile,
  ManifestContext,
  ManifestFile,
  PendingManifest,
  readLiveDataFiles,
  readManifestList,
  writeManifest,
  writeManifestList,
} from '../metadata/manifests';
import { currentSnapshot } from '../metadata/tableMetadata';
import {
  IcebergSnapshot,
  IcebergSnapshotSummary,
  IcebergTableMetadata,
} from '../types';

/**
 * Builds the snapshot of one commit attempt on top of a base metadata: the
 * manifest list (new manifest, kept and rewritten manifests) and the summary.
 */

/** The file changes of a commit. */
export interface SnapshotChanges {
  operation: 'append' | 'overwrite';
  /** Manifest of the added files (written once, reused across attempts). */
  addedManifest: PendingManifest | null;
  added: DataFile[];
  /** Live files of the base that the commit removes (overwrite only). */
  removed: LiveDataFile[];
  /** All live files of the base; required for overwrite. */
  live?: LiveDataFile[];
}

/** What one attempt produced. */
export interface ProducedSnapshot {
  snapshot: IcebergSnapshot;
  /** Files written for this attempt only (stale if the commit loses). */
  attemptFiles: string[];
}

interface Totals {
  files: number;
  records: number;
  size: number;
}

const sum = (files: DataFile[], pick: (f: DataFile) => number) =>
  files.reduce((total, f) => total + pick(f), 0);

/** Live file, record and byte totals of the base snapshot. */
async function baseTotals(
  base: IcebergTableMetadata,
  live: LiveDataFile[] | undefined,
): Promise<Totals> {
  const parent = currentSnapshot(base);
  if (!parent) {
    return { files: 0, records: 0, size: 0 };
  }
  const { summary } = parent;
  if (
    summary['total-data-files'] !== undefined &&
    summary['total-records'] !== undefined &&
    summary['total-files-size'] !== undefined
  ) {
    return {
      files: Number(summary['total-data-files']),
      records: Number(summary['total-records']),
      size: Number(summary['total-files-size']),
    };
  }
  // Written by another engine without totals: count from the manifests.
  const files = (
    live ?? (await readLiveDataFiles(parent['manifest-list']))
  ).map(f => f.entry.dataFile);
  return {
    files: files.length,
    records: sum(files, f => f.recordCount),
    size: sum(files, f => f.fileSizeInBytes),
  };
}

function summarize(
  changes: SnapshotChanges,
  totals: Totals,
  extra: Record<string, string>,
): IcebergSnapshotSummary {
  const removed = changes.removed.map(f => f.entry.dataFile);
  const added = changes.added;
  const partitions = new Set(
    [...added, ...removed].map(f =>
      JSON.stringify(f.partition, (_k, v) =>
        typeof v === 'bigint' ? String(v) : v,
      ),
    ),
  );
  const counts: Record<string, number> = {
    'added-data-files': added.length,
    'added-records': sum(added, f => f.recordCount),
    'added-files-size': sum(added, f => f.fileSizeInBytes),
    'deleted-data-files': removed.length,
    'deleted-records': sum(removed, f => f.recordCount),
    'removed-files-size': sum(removed, f => f.fileSizeInBytes),
    'changed-partition-count': partitions.size,
  };
  const total = (before: number, plus: string, minus: string) =>
    before + counts[plus] - counts[minus];
  return {
    ...extra,
    ...Object.fromEntries(
      Object.entries(counts).map(([key, value]) => [key, String(value)]),
    ),
    'total-data-files': String(
      total(totals.files, 'added-data-files', 'deleted-data-files'),
    ),
    'total-records': String(
      total(totals.records, 'added-records', 'deleted-records'),
    ),
    'total-files-size': String(
      total(totals.size, 'added-files-size', 'removed-files-size'),
    ),
    'total-delete-files': '0',
    'total-position-deletes': '0',
    'total-equality-deletes': '0',
    operation: changes.operation,
  };
}

/**
 * The manifests of the base snapshot that stay, as they are or rewritten with
 * removed files marked DELETED and the rest EXISTING (explicit sequence
 * numbers, as the spec requires for carried-over entries).
 */
async function carriedManifests(
  base: IcebergTableMetadata,
  changes: SnapshotChanges,
  context: ManifestContext,
  snapshotId: number,
  newLocation: () => string,
): Promise<{ kept: ManifestFile[]; rewritten: PendingManifest[] }> {
  const parent = currentSnapshot(base);
  if (!parent) {
    return { kept: [], rewritten: [] };
  }
  const manifests = (await readManifestList(parent['manifest-list'])).filter(
    m => m.addedFilesCount + m.existingFilesCount > 0,
  );
  const removedPaths = new Set(changes.removed.map(f => f.entry.dataFile.path));
  const touched = new Set(changes.removed.map(f => f.manifest.path));
  const kept = manifests.filter(m => !touched.has(m.path));
  const rewritten = await Promise.all(
    manifests
      .filter(m => touched.has(m.path))
      .map(manifest => {
        const entries = (changes.live ?? [])
          .filter(f => f.manifest.path === manifest.path)
          .map(({ entry }) =>
            removedPaths.has(entry.dataFile.path)
              ? { ...entry, status: EntryStatus.DELETED, snapshotId }
              : { ...entry, status: EntryStatus.EXISTING },
          );
        return writeManifest(newLocation(), context, entries, snapshotId);
      }),
  );
  return { kept, rewritten };
}

/**
 * Writes the manifest list of a new snapshot on top of `base` and returns the
 * snapshot (not yet committed).
 */
export async function produceSnapshot(options: {
  base: IcebergTableMetadata;
  snapshotId: number;
  timestampMs: number;
  changes: SnapshotChanges;
  context: ManifestContext;
  summary: Record<string, string>;
}): Promise<ProducedSnapshot> {
  const { base, snapshotId, changes, context } = options;
  const metadataFolder = `${base.location}/metadata`;
  const attemptFiles: string[] = [];
  const newLocation = (name: string) => {
    const location = `${metadataFolder}/${name}`;
    attemptFiles.push(location);
    return location;
  };

  const sequenceNumber = base['last-sequence-number'] + 1;
  const parent = currentSnapshot(base);
  const { kept, rewritten } = await carriedManifests(
    base,
    changes,
    context,
    snapshotId,
    () => newLocation(`${randomUUID()}-m1.avro`),
  );
  const manifests = [
    ...(changes.addedManifest ? [changes.addedManifest] : []),
    ...rewritten,
  ]
    .map(m => assignSequenceNumber(m, sequenceNumber))
    .concat(kept);

  const manifestList = newLocation(`snap-${snapshotId}-${randomUUID()}.avro`);
  await writeManifestList(manifestList, manifests, {
    snapshotId,
    parentSnapshotId: parent?.['snapshot-id'] ?? null,
    sequenceNumber,
  });

  const snapshot: IcebergSnapshot = {
    'snapshot-id': snapshotId,
    ...(parent && { 'parent-snapshot-id': parent['snapshot-id'] }),
    'sequence-number': sequenceNumber,
    'timestamp-ms': options.timestampMs,
    'manifest-list': manifestList,
    summary: summarize(
      changes,
      await baseTotals(base, changes.live),
      options.summary,
    ),
    'schema-id': context.schema['schema-id'],
  };
  return { snapshot, attemptFiles };
}
