import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { RootConfigService } from '@backstage/backend-plugin-api';
import type { OrganizationConfig } from '../organizations/organizationConfig';
import type { StorageMeasure } from './StorageSampler';

/** `ingestion.organizations[].s3`: the client settings of an organization's own storage. */
export interface StorageS3Settings {
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** At most this many objects are listed per organization and sample (1000 per request). */
const MAX_OBJECTS = 2_000_000;

export function readStorageS3Settings(
  config: RootConfigService,
): Map<string, StorageS3Settings> {
  const settings = new Map<string, StorageS3Settings>();
  for (const org of config.getOptionalConfigArray('ingestion.organizations') ??
    []) {
    const s3 = org.getOptionalConfig('s3');
    if (!s3) continue;
    settings.set(org.getString('id'), {
      region: s3.getOptionalString('region'),
      endpoint: s3.getOptionalString('endpoint'),
      forcePathStyle: s3.getOptionalBoolean('forcePathStyle'),
      accessKeyId: s3.getOptionalString('accessKeyId'),
      secretAccessKey: s3.getOptionalString('secretAccessKey'),
    });
  }
  return settings;
}

export function storageS3Client(settings: StorageS3Settings): S3Client {
  return new S3Client({
    region: settings.region ?? 'us-east-1',
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
          }
        : undefined,
  });
}

/** Bytes under `s3://bucket/prefix`, listed page by page. */
export async function s3PrefixSize(
  client: Pick<S3Client, 'send'>,
  url: string,
): Promise<number> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) throw new Error(`'${url}' is not an s3://bucket/prefix URL`);
  const [, bucket, rawPrefix] = match;
  const prefix =
    rawPrefix && !rawPrefix.endsWith('/') ? `${rawPrefix}/` : rawPrefix;
  let total = 0;
  let listed = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix || undefined,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) total += object.Size ?? 0;
    listed += page.KeyCount ?? page.Contents?.length ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token && listed < MAX_OBJECTS);
  return total;
}

/**
 * The storage of organizations on S3: their `storage` prefix listed with their own configured
 * client settings (the storage the organization's admins configured, never a spec's location).
 */
export function s3StorageMeasure(options: {
  settingsOf(organizationId: string): StorageS3Settings | undefined;
  createClient?: (settings: StorageS3Settings) => S3Client;
}): StorageMeasure {
  return async (organization: OrganizationConfig) => {
    if (!organization.storage.startsWith('s3://')) return undefined;
    const client = (options.createClient ?? storageS3Client)(
      options.settingsOf(organization.id) ?? {},
    );
    try {
      return await s3PrefixSize(client, organization.storage);
    } finally {
      client.destroy();
    }
  };
}

/** The first measure that knows the organization's storage. */
export function anyStorageMeasure(
  ...measures: StorageMeasure[]
): StorageMeasure {
  return async organization => {
    for (const measure of measures) {
      const size = await measure(organization);
      if (size !== undefined) return size;
    }
    return undefined;
  };
}
