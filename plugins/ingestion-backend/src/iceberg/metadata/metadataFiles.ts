import {
  publishFileExclusive,
  readJsonFile,
  toLocalPath,
  writeFileAtomic,
} from '../io/localFiles';
import { IcebergTableMetadata } from '../types';

/**
 * Table metadata files. They are named `v<N>.metadata.json`, the names that
 * `metadata/version-hint.text` points file-based readers (such as icebird) to.
 */

/** How many taken version numbers to skip before giving up. */
const MAX_VERSION_PROBES = 100;

/** Location of version `version` of a table's metadata. */
export function metadataFileLocation(
  tableLocation: string,
  version: number,
): string {
  return `${tableLocation}/metadata/v${version}.metadata.json`;
}

/**
 * The version number of a metadata file, from `v<N>.metadata.json` or the
 * metastore form `<N>-<uuid>.metadata.json`.
 */
export function metadataVersion(metadataLocation: string): number {
  const match = /\/v?(\d+)(-[^/]*)?\.metadata\.json$/.exec(metadataLocation);
  if (!match) {
    throw new Error(`Cannot tell the version of ${metadataLocation}`);
  }
  return Number(match[1]);
}

/** Reads a metadata file. */
export function readTableMetadata(
  metadataLocation: string,
): Promise<IcebergTableMetadata> {
  return readJsonFile<IcebergTableMetadata>(metadataLocation);
}

/**
 * Writes `metadata` as the next free version after `baseVersion` and returns
 * its location. A file is never replaced: a taken name means a concurrent
 * writer (whose commit the catalog will arbitrate) or a leftover of a crashed
 * one, so the next number is tried.
 */
export async function publishTableMetadata(
  metadata: IcebergTableMetadata,
  baseVersion: number,
): Promise<string> {
  const content = JSON.stringify(metadata, null, 2);
  for (let probe = 1; probe <= MAX_VERSION_PROBES; probe++) {
    const location = metadataFileLocation(
      metadata.location,
      baseVersion + probe,
    );
    if (await publishFileExclusive(toLocalPath(location), content)) {
      return location;
    }
  }
  throw new Error(
    `No free metadata version after v${baseVersion} in ${metadata.location}`,
  );
}

/**
 * Points `metadata/version-hint.text` at a version. Only file-based readers
 * use it; the catalog remains the source of truth.
 */
export async function writeVersionHint(
  tableLocation: string,
  version: number,
): Promise<void> {
  await writeFileAtomic(
    toLocalPath(`${tableLocation}/metadata/version-hint.text`),
    String(version),
  );
}
