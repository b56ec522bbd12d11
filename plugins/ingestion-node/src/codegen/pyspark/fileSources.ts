/** Files on object storage, read as a batch or as an Auto Loader stream, with a connection's S3 credentials. */
import { pyStr, quoteSparkIdentifier } from '../python';
import { reader, secret, stringOptions } from './sparkReader';

/**
 * Files (CSV, JSON lines, Parquet). With a connection, the bucket's S3 credentials come from its secret scope
 * (otherwise the cluster's instance profile applies).
 */
export function fileSource(options: {
  into: string;
  format: 'csv' | 'json' | 'parquet';
  uri: string;
  readerOptions: Record<string, string>;
  scope?: string;
}): string[] {
  const { format, uri } = options;
  return [
    ...s3Credentials(uri, options.scope),
    ...reader(
      options.into,
      `spark.read.format(${pyStr(format)})`,
      stringOptions(options.readerOptions),
      `.load(${pyStr(uri)})`,
    ),
  ];
}

/** Bucket-scoped S3A credentials from a connection's secret scope (none without a connection). */
function s3Credentials(uri: string, scope: string | undefined): string[] {
  if (!scope) {
    return [];
  }
  const bucket = /^s3:\/\/([^/]+)/.exec(uri)?.[1];
  if (!bucket) {
    throw new Error(
      `S3 credentials from a connection need an s3:// path, not "${uri}"`,
    );
  }
  const conf = (key: string) => pyStr(`fs.s3a.bucket.${bucket}.${key}`);
  return [
    `spark.conf.set(${conf('access.key')}, ${secret(scope, 'access_key_id')})`,
    `spark.conf.set(${conf('secret.key')}, ${secret(
      scope,
      'secret_access_key',
    )})`,
  ];
}

/**
 * Files arriving in a folder, as a stream: Auto Loader (`cloudFiles`) lists only what is new since the last
 * micro-batch and records the files it has taken in the stream's checkpoint, so none is read twice or skipped
 * after a restart. Declared columns are the schema; without them Auto Loader infers the types once and keeps
 * the schema under `schemaLocation`, so every micro-batch reads the same columns.
 */
export function streamingFileSource(options: {
  format: 'csv' | 'json' | 'parquet';
  uri: string;
  readerOptions: Record<string, string>;
  scope?: string;
  /** Spark types by column name. */
  columns?: Record<string, string>;
  maxFilesPerTrigger?: number;
  schemaLocation: string;
}): string[] {
  const { columns, maxFilesPerTrigger } = options;
  const autoLoader: Record<string, string> = {
    'cloudFiles.format': options.format,
    ...(columns
      ? {}
      : {
          'cloudFiles.schemaLocation': options.schemaLocation,
          'cloudFiles.inferColumnTypes': 'true',
        }),
    ...(maxFilesPerTrigger
      ? { 'cloudFiles.maxFilesPerTrigger': String(maxFilesPerTrigger) }
      : {}),
  };
  const schema = columns
    ? Object.entries(columns)
        .map(([name, type]) => `${quoteSparkIdentifier(name)} ${type}`)
        .join(', ')
    : undefined;
  return [
    ...s3Credentials(options.uri, options.scope),
    ...(schema ? [`SOURCE_SCHEMA = ${pyStr(schema)}`] : []),
    ...reader(
      'source_df',
      'spark.readStream.format("cloudFiles")',
      stringOptions({ ...autoLoader, ...options.readerOptions }),
      ...(schema ? ['.schema(SOURCE_SCHEMA)'] : []),
      `.load(${pyStr(options.uri)})`,
    ),
  ];
}
