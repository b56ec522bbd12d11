import { promises as fs } from 'node:fs';
import type { IcebergSqlCatalog } from '../catalog/IcebergSqlCatalog';
import { removeQuietly, toLocalPath } from '../io/localFiles';
import {
  EntryStatus,
  readManifestEntries,
  readManifestList,
  type ManifestFile,
} from '../metadata/manifests';
import {
  metadataFileLocation,
  metadataVersion,
  publishTableMetadata,
  writeVersionHint,
} from '../metadata/metadataFiles';
import { commitTimestamp } from '../metadata/tableMetadata';
import type {
  IcebergLoadedTable,
  IcebergSnapshot,
  IcebergTableIdentifier,
  IcebergTableMetadata,
} from '../types';

/** Iceberg's table property: snapshots older than this many milliseconds may be expired. */
export const MAX_SNAPSHOT_AGE_PROPERTY = 'history.expire.max-snapshot-age-ms';
/** Iceberg's table property: how many of the newest snapshots are always kept. */
export const MIN_SNAPSHOTS_TO_KEEP_PROPERTY =
  'history.expire.min-snapshots-to-keep';

/** What one expiry removed. */
export interface ExpiredSnapshots {
  expiredSnapshotIds: number[];
  /** Manifest lists, manifests and data files no retained snapshot references, deleted. */
  deletedFiles: string[];
  /** The new metadata file and its content; undefined when nothing was old enough. */
  metadataLocation?: string;
  metadata?: IcebergTableMetadata;
}

/**
 * The snapshots to expire: older than `olderThanMs`, never the current one, never one of the
 * newest `minSnapshotsToKeep`.
 */
export function snapshotsToExpire(
  metadata: IcebergTableMetadata,
  olderThanMs: number,
  minSnapshotsToKeep = 1,
): IcebergSnapshot[] {
  const newest = [...metadata.snapshots]
    .sort((a, b) => b['timestamp-ms'] - a['timestamp-ms'])
    .slice(0, Math.max(1, minSnapshotsToKeep))
    .map(s => s['snapshot-id']);
  const keep = new Set([metadata['current-snapshot-id'], ...newest]);
  return metadata.snapshots.filter(
    s => s['timestamp-ms'] < olderThanMs && !keep.has(s['snapshot-id']),
  );
}

/** Manifest lists, manifests and data files that some snapshots reference. */
async function filesOf(snapshots: IcebergSnapshot[], live: boolean) {
  const lists = new Set<string>();
  const manifests = new Map<string, ManifestFile>();
  for (const snapshot of snapshots) {
    lists.add(snapshot['manifest-list']);
    for (const manifest of await readManifestList(snapshot['manifest-list'])) {
      manifests.set(manifest.path, manifest);
    }
  }
  const dataFiles = new Set<string>();
  for (const manifest of manifests.values()) {
    for (const entry of await readManifestEntries(manifest)) {
      // A retained snapshot protects the files it reads (added or existing); a file it only
      // records as deleted is gone from it and from every later snapshot.
      if (!live || entry.status !== EntryStatus.DELETED) {
        dataFiles.add(entry.dataFile.path);
      }
    }
  }
  return { lists, manifests: new Set(manifests.keys()), dataFiles };
}

/**
 * Expires a local Iceberg table's snapshots older than `olderThanMs` (Iceberg's
 * `expire_snapshots`): commits metadata without them — through the catalog's compare-and-swap, so a
 * concurrent write wins and the expiry is simply tried again later — then deletes the manifest
 * lists, manifests and data files only the expired snapshots referenced. The current snapshot and
 * the newest `minSnapshotsToKeep` are always kept, so the table's data is untouched; what goes is
 * time travel to the expired snapshots and the files of rows deleted or overwritten since.
 * Throws `CommitConflictError` when the table changed during the expiry (nothing is deleted then).
 */
export async function expireSnapshots(options: {
  catalog: IcebergSqlCatalog;
  organizationId: string;
  table: IcebergTableIdentifier;
  olderThanMs: number;
  minSnapshotsToKeep?: number;
  /** The table as the caller just loaded it, to save reading it again. */
  loaded?: Pick<IcebergLoadedTable, 'metadata' | 'metadataLocation'>;
}): Promise<ExpiredSnapshots> {
  const { catalog, organizationId, table } = options;
  const { metadata, metadataLocation } =
    options.loaded ?? (await catalog.loadTable(organizationId, table));
  const expired = snapshotsToExpire(
    metadata,
    options.olderThanMs,
    options.minSnapshotsToKeep,
  );
  if (expired.length === 0) {
    return { expiredSnapshotIds: [], deletedFiles: [] };
  }
  const expiredIds = new Set(expired.map(s => s['snapshot-id']));
  const retained = metadata.snapshots.filter(
    s => !expiredIds.has(s['snapshot-id']),
  );

  const [gone, kept] = await Promise.all([
    filesOf(expired, false),
    filesOf(retained, true),
  ]);
  const deletable = [
    ...[...gone.lists].filter(p => !kept.lists.has(p)),
    ...[...gone.manifests].filter(p => !kept.manifests.has(p)),
    ...[...gone.dataFiles].filter(p => !kept.dataFiles.has(p)),
  ];
  const keep = Number(
    metadata.properties['write.metadata.previous-versions-max'] ?? 100,
  );
  const next: IcebergTableMetadata = {
    ...metadata,
    'last-updated-ms': commitTimestamp(metadata),
    snapshots: retained,
    'snapshot-log': metadata['snapshot-log'].filter(
      entry => !expiredIds.has(entry['snapshot-id']),
    ),
    'metadata-log': [
      ...metadata['metadata-log'],
      {
        'metadata-file': metadataLocation,
        'timestamp-ms': metadata['last-updated-ms'],
      },
    ].slice(-Math.max(1, keep)),
  };
  const location = await publishTableMetadata(
    next,
    metadataVersion(metadataLocation),
  );
  try {
    await catalog.commitTable(
      organizationId,
      table,
      metadataLocation,
      location,
    );
  } catch (error) {
    await removeQuietly([location]);
    throw error;
  }
  await writeVersionHint(metadata.location, metadataVersion(location));
  await removeQuietly(deletable);
  return {
    expiredSnapshotIds: [...expiredIds],
    deletedFiles: deletable,
    metadataLocation: location,
    metadata: next,
  };
}

/**
 * Deletes the table's metadata files older than its metadata log (Iceberg's
 * `write.metadata.delete-after-commit.enabled`): every commit writes a new `v<N>.metadata.json`,
 * and the log keeps the last `write.metadata.previous-versions-max` (100) of them. Only versions
 * below the oldest one the current metadata still names are deleted, never newer ones, which may
 * belong to a commit in flight. Returns the deleted files.
 */
export async function removeOldMetadataFiles(
  current: Pick<IcebergLoadedTable, 'metadata' | 'metadataLocation'>,
): Promise<string[]> {
  const { metadata, metadataLocation } = current;
  const named = [
    metadataLocation,
    ...metadata['metadata-log'].map(entry => entry['metadata-file']),
  ];
  const oldestKept = Math.min(...named.map(metadataVersion));
  const folder = toLocalPath(`${metadata.location}/metadata`);
  const stale = (await fs.readdir(folder))
    .map(name => /^v(\d+)\.metadata\.json$/.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(match => Number(match[1]))
    .filter(version => version < oldestKept)
    .map(version => metadataFileLocation(metadata.location, version));
  await removeQuietly(stale);
  return stale;
}
