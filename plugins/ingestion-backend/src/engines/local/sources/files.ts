import type { FileSource } from '@ingestion-for-backstage/plugin-ingestion-common';
import { promises as fs } from 'node:fs';
import { LocalEngineError } from '../errors';
import { count, quoteIdentifier, quoteLiteral } from '../sql';
import { resolveSourceFiles } from '../storage';
import { createS3Client, downloadS3Objects, parseS3Url } from './s3';
import { LoadedDataset, S3Settings, SourceContext } from './types';

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

export async function readFiles(
  context: SourceContext,
  source: FileSource,
  table: string,
): Promise<LoadedDataset> {
  const { storage, workspace } = context;
  let files: string[];
  if (source.path.startsWith('s3://') || storage.kind === 's3') {
    const url = source.path.startsWith('s3://')
      ? source.path
      : `${storage.root}/${source.path}`;
    const settings = await s3SettingsFor(context, source, url);
    const folder = workspace.file(`download-${table}`);
    await fs.mkdir(folder, { recursive: true });
    const client = createS3Client(settings);
    try {
      files = await downloadS3Objects({
        client,
        url,
        folder,
        signal: context.signal,
        checkCancelled: context.checkCancelled,
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
  await workspace.connection.run(
    `CREATE TABLE ${quoteIdentifier(table)} AS SELECT * FROM ${readFilesSql(
      files,
      source,
    )}`,
  );
  await workspace.makePortable(table);
  return {
    rowsRead: await count(workspace.connection, quoteIdentifier(table)),
  };
}
