import type {
  DatasetKind,
  DatasetRef,
} from '@ingestion-for-backstage/plugin-ingestion-common';

const PREFIXES: Record<DatasetKind, string> = {
  'mysql-table': 'mysql',
  'mariadb-table': 'mariadb',
  'postgres-table': 'postgres',
  'kafka-topic': 'kafka',
  'http-api': 'http',
  'iceberg-table': 'iceberg',
  'delta-table': 'delta',
  'file-path': 'file',
  's3-prefix': 's3',
};

/**
 * The stable reference of a dataset in lineage edges: `<type>:<name>`, e.g.
 * `iceberg:finance_catalog.analytics.daily_transactions`, `mysql:finance-db/transactions`,
 * `file:raw/orders/*.csv`, `delta:curated/events`; S3 locations are their own URL
 * (`s3://bucket/prefix`).
 */
export function datasetRefString(dataset: Pick<DatasetRef, 'kind' | 'name'>) {
  if (dataset.kind === 's3-prefix') return dataset.name;
  return `${PREFIXES[dataset.kind] ?? dataset.kind}:${dataset.name}`;
}
