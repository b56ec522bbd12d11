import { randomUUID } from 'node:crypto';
import {
  IcebergPartitionSpec,
  IcebergSchema,
  IcebergSnapshot,
  IcebergTableMetadata,
} from '../types';
import { lastPartitionId } from './partitioning';

/** Pure functions building Iceberg v2 table metadata documents. */

/** Snapshot summary key holding the ingestion run that wrote a snapshot. */
export const RUN_ID_SUMMARY_KEY = 'ingestion.run-id';

const DEFAULT_PREVIOUS_VERSIONS_MAX = 100;

/** Metadata of a new table without snapshots. */
export function newTableMetadata(options: {
  location: string;
  schema: IcebergSchema;
  spec: IcebergPartitionSpec;
  properties?: Record<string, string>;
}): IcebergTableMetadata {
  const { location, schema, spec } = options;
  return {
    'format-version': 2,
    'table-uuid': randomUUID(),
    location,
    'last-sequence-number': 0,
    'last-updated-ms': Date.now(),
    'last-column-id': Math.max(0, ...schema.fields.map(f => f.id)),
    schemas: [schema],
    'current-schema-id': schema['schema-id'],
    'partition-specs': [spec],
    'default-spec-id': spec['spec-id'],
    'last-partition-id': lastPartitionId(spec),
    properties: {
      'write.format.default': 'parquet',
      'write.parquet.compression-codec': 'snappy',
      ...options.properties,
    },
    'current-snapshot-id': null,
    snapshots: [],
    'snapshot-log': [],
    'metadata-log': [],
    'sort-orders': [{ 'order-id': 0, fields: [] }],
    'default-sort-order-id': 0,
    refs: {},
  };
}

/** The partition spec writers use. */
export function defaultSpec(
  metadata: IcebergTableMetadata,
): IcebergPartitionSpec {
  const spec = metadata['partition-specs'].find(
    s => s['spec-id'] === metadata['default-spec-id'],
  );
  if (!spec) {
    throw new Error(
      `Table metadata has no partition spec with id ${metadata['default-spec-id']}`,
    );
  }
  return spec;
}

/** The current snapshot, if the table has one. */
export function currentSnapshot(
  metadata: IcebergTableMetadata,
): IcebergSnapshot | undefined {
  const id = metadata['current-snapshot-id'];
  if (id === null || id === undefined || id < 0) {
    return undefined;
  }
  return metadata.snapshots.find(s => s['snapshot-id'] === id);
}

/** The snapshot an ingestion run committed, if any. */
export function findSnapshotByRunId(
  metadata: IcebergTableMetadata,
  runId: string,
): IcebergSnapshot | undefined {
  return metadata.snapshots.find(s => s.summary[RUN_ID_SUMMARY_KEY] === runId);
}

/** A commit timestamp that never goes back behind the base metadata. */
export function commitTimestamp(base: IcebergTableMetadata): number {
  return Math.max(Date.now(), base['last-updated-ms']);
}

/**
 * The metadata after committing `snapshot` on top of `base` (read from
 * `baseLocation`; none when the commit creates the table), optionally with a
 * new current schema.
 */
export function metadataWithSnapshot(
  base: IcebergTableMetadata,
  baseLocation: string | undefined,
  snapshot: IcebergSnapshot,
  schema: { schema: IcebergSchema; changed: boolean; lastColumnId: number },
): IcebergTableMetadata {
  const timestamp = snapshot['timestamp-ms'];
  const keep = Number(
    base.properties['write.metadata.previous-versions-max'] ??
      DEFAULT_PREVIOUS_VERSIONS_MAX,
  );
  const metadataLog = [
    ...base['metadata-log'],
    ...(baseLocation
      ? [
          {
            'metadata-file': baseLocation,
            'timestamp-ms': base['last-updated-ms'],
          },
        ]
      : []),
  ].slice(-Math.max(1, keep));
  return {
    ...base,
    'last-sequence-number': snapshot['sequence-number'],
    'last-updated-ms': timestamp,
    'last-column-id': Math.max(base['last-column-id'], schema.lastColumnId),
    schemas: schema.changed ? [...base.schemas, schema.schema] : base.schemas,
    'current-schema-id': schema.schema['schema-id'],
    'current-snapshot-id': snapshot['snapshot-id'],
    snapshots: [...base.snapshots, snapshot],
    'snapshot-log': [
      ...base['snapshot-log'],
      { 'snapshot-id': snapshot['snapshot-id'], 'timestamp-ms': timestamp },
    ],
    'metadata-log': metadataLog,
    refs: {
      ...base.refs,
      main: { 'snapshot-id': snapshot['snapshot-id'], type: 'branch' },
    },
  };
}
