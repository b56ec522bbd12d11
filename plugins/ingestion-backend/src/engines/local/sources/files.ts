import type { FileSource } from '@ingestion-for-backstage/plugin-ingestion-common';
import { promises as fs } from 'node:fs';
import { LocalEngineError } from '../errors';
import {
  count,
  portableProjection,
  quoteIdentifier,
  quoteLiteral,
} from '../sql';
import { resolveSourceFiles } from '../storage';
import { egressFailure } from './egress';
import { createS3Client, downloadS3Objects, parseS3Url } from './s3';
import {
  OpenedSource,
  LoadedDataset,
  S3Settings,
  SourceContext,
} from './types';

/**
 * File sources: CSV, JSON and Parquet from the organization's storage (a local folder, or S3)
 * or from `s3://` with a connection. Wildcards and folders are expanded by the engine (see
 * storage.ts), objects on S3 are downloaded into the run's folder first, and DuckDB reads the
 * resulting explicit list of files.
 */

/** The DuckDB table function call reading `files` in `source.format`. */
export function readFilesSql(files: string[], source: FileSource): string {
  const list = `[${files.map(quoteLiteral).join(', ')}]`;
  switch (source.format) {
    case 'csv':
      return `read_csv(${list}, header = ${
        source.header === false ? 'false' : 'true'
      }, delim = ${quoteLiteral(
        source.delimiter ?? ',',
      )}, union_by_name = true)`;
    case 'json':
      return `read_json(${list}, union_by_name = true)`;
    case 'parquet':
      return `read_parquet(${list}, union_by_name = true)`;
    default:
      throw new LocalEngineError(
        `Unsupported file format '${(source as { format: string }).format}'`,
      );
  }
}

/** Files up to which a CSV source's schema is pinned (one sniff per file). */
const MAX_PINNED_FILES = 32;

const sniffedOption = (value: unknown) =>
  value === null || value === undefined || value === '(empty)'
    ? ''
    : String(value);

/**
 * ISO 8601 formats, which DuckDB's own cast reads without a format: pinning one makes every
 * value go through strptime, ~10 % of a 10M-row run's time for one date column.
 */
const ISO_FORMATS = new Set([
  '%Y-%m-%d',
  '%Y-%m-%d %H:%M:%S',
  '%Y-%m-%dT%H:%M:%S',
  '%Y-%m-%d %H:%M:%S.%f',
  '%Y-%m-%dT%H:%M:%S.%f',
]);

function formatOption(option: string, sniffed: unknown): string[] {
  if (!sniffed || ISO_FORMATS.has(String(sniffed))) return [];
  return [`${option} = ${quoteLiteral(String(sniffed))}`];
}

/**
 * A `read_csv` call with the dialect and column types DuckDB's sniffer found, so that later
 * reads need no sniffing. Each bind of an auto-detecting `read_csv` (every view over it, every
 * DESCRIBE of a transformation step) samples the files again, which costs more than the run's
 * query on a large file. Undefined when the files differ (then `union_by_name` reconciles them
 * at read time) or are too many to sniff one by one.
 */
async function pinnedCsvSql(
  context: SourceContext,
  files: string[],
  source: FileSource,
): Promise<string | undefined> {
  if (files.length === 0 || files.length > MAX_PINNED_FILES) return undefined;
  const header = source.header === false ? 'false' : 'true';
  const delim = quoteLiteral(source.delimiter ?? ',');
  let pinned: string | undefined;
  for (const file of files) {
    const reader = await context.workspace.connection.runAndReadAll(
      `SELECT * FROM sniff_csv(${quoteLiteral(
        file,
      )}, header = ${header}, delim = ${delim})`,
    );
    const sniffed = reader.getRowObjectsJS()[0] as Record<string, unknown>;
    const columns = (sniffed.Columns as Array<Record<string, unknown>>)
      .map(
        c => `${quoteLiteral(String(c.name))}: ${quoteLiteral(String(c.type))}`,
      )
      .join(', ');
    const options = [
      'auto_detect = false',
      `header = ${sniffed.HasHeader ? 'true' : 'false'}`,
      `delim = ${quoteLiteral(sniffedOption(sniffed.Delimiter))}`,
      `quote = ${quoteLiteral(sniffedOption(sniffed.Quote))}`,
      `escape = ${quoteLiteral(sniffedOption(sniffed.Escape))}`,
      `comment = ${quoteLiteral(sniffedOption(sniffed.Comment))}`,
      `skip = ${Number(sniffed.SkipRows) || 0}`,
      `columns = {${columns}}`,
      ...formatOption('dateformat', sniffed.DateFormat),
      ...formatOption('timestampformat', sniffed.TimestampFormat),
    ].join(', ');
    if (pinned !== undefined && pinned !== options) return undefined;
    pinned = options;
  }
  return `read_csv([${files.map(quoteLiteral).join(', ')}], ${pinned})`;
}

/** The S3 settings a source may use for `url`, refusing buckets it has no right to. */
async function s3SettingsFor(
  context: SourceContext,
  source: FileSource,
  url: string,
): Promise<S3Settings> {
  const { bucket, key } = parseS3Url(url);
  if (source.connection) {
    const connection = await context.resolveConnection(source.connection);
    if (connection.type !== 's3') {
      throw new LocalEngineError(
        `Connection '${source.connection}' is a ${connection.type} connection; an s3:// path needs an s3 connection`,
      );
    }
    const settings = connection.settings as Record<string, unknown>;
    const allowedBucket = String(settings.bucket ?? '');
    const allowedPrefix = String(settings.prefix ?? '').replace(/^\/+/, '');
    if (bucket !== allowedBucket || !key.startsWith(allowedPrefix)) {
      throw new LocalEngineError(
        `Connection '${source.connection}' is for s3://${allowedBucket}/${allowedPrefix}; it cannot read ${url}`,
      );
    }
    return {
      region: settings.region as string | undefined,
      endpoint: settings.endpoint as string | undefined,
      forcePathStyle: settings.forcePathStyle as boolean | undefined,
      accessKeyId: settings.accessKeyId as string | undefined,
      secretAccessKey: connection.password,
    };
  }
  const { storage } = context;
  if (storage.kind === 's3' && `${url}/`.startsWith(`${storage.root}/`)) {
    return context.organizationS3 ?? {};
  }
  // The backend's own AWS credentials may reach other tenants' buckets: never use them here.
  throw new LocalEngineError(
    `Reading ${url} needs a connection with S3 credentials (set \`connection\`); only the organization's own storage is read without one`,
  );
}

/** The local paths of a file source's files (downloaded first when they are on S3). */
async function sourceFiles(
  context: SourceContext,
  source: FileSource,
  table: string,
): Promise<string[]> {
  const { storage, workspace } = context;
  let files: string[];
  if (source.path.startsWith('s3://') || storage.kind === 's3') {
    const url = source.path.startsWith('s3://')
      ? source.path
      : `${storage.root}/${source.path}`;
    const settings = await s3SettingsFor(context, source, url);
    const folder = workspace.file(`download-${table}`);
    await fs.mkdir(folder, { recursive: true });
    const client = createS3Client(settings, context.egress);
    try {
      files = await downloadS3Objects({
        client,
        url,
        folder,
        signal: context.signal,
        checkCancelled: context.checkCancelled,
      }).catch(error => {
        throw egressFailure(error);
      });
    } finally {
      client.destroy();
    }
  } else {
    files = await resolveSourceFiles(storage.root, source.path);
  }
  await context.log(
    'info',
    `Reading ${files.length} ${source.format} file${
      files.length === 1 ? '' : 's'
    } from ${source.path}`,
  );
  return files;
}

/** Reads the files into the DuckDB table `table` (for datasets read more than once, e.g. joins). */
export async function readFiles(
  context: SourceContext,
  source: FileSource,
  table: string,
): Promise<LoadedDataset> {
  const { workspace } = context;
  const files = await sourceFiles(context, source, table);
  await workspace.connection.run(
    `CREATE TABLE ${quoteIdentifier(table)} AS SELECT * FROM ${readFilesSql(
      files,
      source,
    )}${
      context.sampleRows === undefined
        ? ''
        : ` LIMIT ${Math.floor(context.sampleRows)}`
    }`,
  );
  await workspace.makePortable(table);
  return {
    rowsRead: await count(workspace.connection, quoteIdentifier(table)),
  };
}

/**
 * Makes `table` a view over the files rather than a copy: the run's one query then streams the
 * files straight into its result, instead of staging every row in memory and reading it again.
 * Parquet files know their row count; CSV must be parsed to be counted, so its count is taken
 * from the scan of the query that reads it (`scanOperator`). JSON is still read into a table:
 * its schema inference samples the files again on every bind of a view over them.
 */
export async function openFiles(
  context: SourceContext,
  source: FileSource,
  table: string,
): Promise<OpenedSource> {
  if (source.format === 'json') {
    const loaded = await readFiles(context, source, table);
    return { rowsRead: loaded.rowsRead, view: false };
  }
  const { workspace } = context;
  const files = await sourceFiles(context, source, table);
  const read =
    (source.format === 'csv' && (await pinnedCsvSql(context, files, source))) ||
    readFilesSql(files, source);
  const projection =
    portableProjection(await workspace.describe(read), read) ??
    `SELECT * FROM ${read}`;
  await workspace.connection.run(
    `CREATE VIEW ${quoteIdentifier(table)} AS ${projection}`,
  );
  if (source.format === 'parquet') {
    return {
      rowsRead: await count(workspace.connection, quoteIdentifier(table)),
      view: true,
    };
  }
  // The profiler's name of the scan operator of read_csv (see scanCounts.ts).
  return { scanOperator: 'READ_CSV', view: true };
}
