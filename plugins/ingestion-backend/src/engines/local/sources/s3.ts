import {
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { OrganizationEgress } from '../../../egress';
import { LocalEngineError } from '../errors';
import { segmentPattern } from '../storage';
import type { S3Settings } from './types';

/** At most this many objects are read by one source. */
const MAX_OBJECTS = 10_000;

/** Splits `s3://bucket/key` into bucket and key (the key may be empty). */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!match) {
    throw new LocalEngineError(`'${url}' is not an s3://bucket/key URL`);
  }
  return { bucket: match[1], key: match[2] };
}

/**
 * An S3 client whose every connection (the connection's `endpoint` or AWS's own) goes through
 * the organization's egress guard and to the address it checked.
 */
export function createS3Client(
  settings: S3Settings,
  egress: OrganizationEgress,
): S3Client {
  const { httpAgent, httpsAgent } = egress.createAgents();
  return new S3Client({
    region: settings.region ?? 'us-east-1',
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    requestHandler: { httpAgent, httpsAgent },
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: settings.secretAccessKey,
          }
        : undefined,
  });
}

/**
 * Whether `key` is selected by `pattern`: segment-wise wildcards (`*`, `?` within one segment);
 * without wildcards, the object itself or every object below it as a folder.
 */
export function keyMatches(pattern: string, key: string): boolean {
  const name = key.split('/').pop() ?? '';
  if (key.endsWith('/') || name.startsWith('.') || name.startsWith('_')) {
    return false;
  }
  if (!/[*?]/.test(pattern)) {
    const folder = pattern.replace(/\/+$/, '');
    return key === folder || key.startsWith(`${folder}/`);
  }
  const patternSegments = pattern.split('/');
  const keySegments = key.split('/');
  return (
    patternSegments.length === keySegments.length &&
    patternSegments.every((segment, i) =>
      segmentPattern(segment).test(keySegments[i]),
    )
  );
}

/**
 * Downloads the objects `url` selects into `folder`, one file each (named after the object, with
 * a counter), streamed to disk. Returns the local paths, in key order.
 */
export async function downloadS3Objects(options: {
  client: S3Client;
  url: string;
  folder: string;
  signal: AbortSignal;
  checkCancelled(): void;
}): Promise<string[]> {
  const { client, url, folder, signal } = options;
  const { bucket, key: pattern } = parseS3Url(url);
  const wildcard = pattern.search(/[*?]/);
  const prefix =
    wildcard === -1 ? pattern.replace(/\/+$/, '') : pattern.slice(0, wildcard);

  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ContinuationToken: token,
      }),
      { abortSignal: signal },
    );
    for (const object of page.Contents ?? []) {
      if (object.Key && keyMatches(pattern, object.Key)) {
        keys.push(object.Key);
      }
    }
    if (keys.length > MAX_OBJECTS) {
      throw new LocalEngineError(
        `'${url}' selects more than ${MAX_OBJECTS} objects; narrow the path`,
      );
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (keys.length === 0) {
    throw new LocalEngineError(`No objects match '${url}'`);
  }

  const files: string[] = [];
  for (const [index, key] of keys.sort().entries()) {
    options.checkCancelled();
    const object = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
      { abortSignal: signal },
    );
    const file = `${folder}/${String(index).padStart(6, '0')}-${basename(key)}`;
    await pipeline(object.Body as Readable, createWriteStream(file), {
      signal,
    });
    files.push(file);
  }
  return files;
}
