import type { PipelineSpec, SourceSpec, TargetSpec } from './pipelineSpec';

/**
 * Kinds of datasets, named as the catalog resource types they become.
 * @public
 */
export type DatasetKind =
  | 'mysql-table'
  | 'mariadb-table'
  | 'postgres-table'
  | 'kafka-topic'
  | 'http-api'
  | 'iceberg-table'
  | 'delta-table'
  | 'file-path'
  | 's3-prefix';

/**
 * A dataset a pipeline reads or writes, for lineage and catalog entities.
 * @public
 */
export interface DatasetRef {
  kind: DatasetKind;
  /**
   * Identifies the dataset within the organization: `connection/[schema.]table` for
   * databases, `catalog.schema.table` for Iceberg, the topic, the URL or the path.
   */
  name: string;
  /** `source` and `join` datasets are read; the `target` is written. */
  role: 'source' | 'join' | 'target';
  /** The connection used to reach it, if any. */
  connection?: string;
  /** Where it lives when the name does not say: the Kafka brokers. */
  location?: string;
}

type Described = Omit<DatasetRef, 'role'>;

const relational =
  (kind: DatasetKind) =>
  (source: { connection: string; schema?: string; table: string }) => ({
    kind,
    name: `${source.connection}/${source.schema ? `${source.schema}.` : ''}${
      source.table
    }`,
    connection: source.connection,
  });

const byPath = (path: string): DatasetKind =>
  path.startsWith('s3://') ? 's3-prefix' : 'file-path';

const icebergName = (table: {
  catalog: string;
  schema: string;
  table: string;
}) => `${table.catalog}.${table.schema}.${table.table}`;

/** One describer per source type; the mapped type makes a new source type a compile error here. */
const SOURCES: {
  [T in SourceSpec['type']]: (
    source: Extract<SourceSpec, { type: T }>,
  ) => Described;
} = {
  mysql: relational('mysql-table'),
  mariadb: relational('mariadb-table'),
  postgres: relational('postgres-table'),
  file: source => ({
    kind: byPath(source.path),
    name: source.path,
    ...(source.connection ? { connection: source.connection } : {}),
  }),
  kafka: source => ({
    kind: 'kafka-topic',
    name: source.topic,
    location: source.bootstrap_servers,
    ...(source.connection ? { connection: source.connection } : {}),
  }),
  http: source => ({
    kind: 'http-api',
    name: source.url,
    ...(source.connection ? { connection: source.connection } : {}),
  }),
  iceberg: source => ({ kind: 'iceberg-table', name: icebergName(source) }),
};

const TARGETS: {
  [T in TargetSpec['type']]: (
    target: Extract<TargetSpec, { type: T }>,
  ) => Described;
} = {
  iceberg: target => ({ kind: 'iceberg-table', name: icebergName(target) }),
  delta: target => ({ kind: 'delta-table', name: target.path }),
  parquet: target => ({ kind: byPath(target.path), name: target.path }),
};

function describeSource(source: SourceSpec): Described {
  const describe = SOURCES[source.type] as (s: SourceSpec) => Described;
  return describe(source);
}

/**
 * The datasets a pipeline reads: its source, then the dataset of each join, each once.
 * @public
 */
export function getSourceDatasets(spec: PipelineSpec): DatasetRef[] {
  const datasets: DatasetRef[] = [
    { ...describeSource(spec.source), role: 'source' },
    ...spec.transformations.flatMap(transform =>
      transform.type === 'join'
        ? [{ ...describeSource(transform.dataset), role: 'join' as const }]
        : [],
    ),
  ];
  return datasets.filter(
    (dataset, index) =>
      datasets.findIndex(
        other => other.kind === dataset.kind && other.name === dataset.name,
      ) === index,
  );
}

/**
 * The dataset a pipeline writes.
 * @public
 */
export function getTargetDataset(spec: PipelineSpec): DatasetRef {
  const describe = TARGETS[spec.target.type] as (t: TargetSpec) => Described;
  return { ...describe(spec.target), role: 'target' };
}
