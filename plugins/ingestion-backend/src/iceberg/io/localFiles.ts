import { InputError } from '@backstage/errors';
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * File access for tables in a local warehouse folder. Iceberg metadata holds
 * absolute `file:///` URIs (what other engines read); these helpers translate
 * them and write files durably.
 */

/** The `file:///` URI of an absolute local path. */
export function toFileUri(path: string): string {
  if (!isAbsolute(path)) {
    throw new InputError(`Expected an absolute path, got '${path}'`);
  }
  return pathToFileURL(path).href;
}

/** The local path of a `file:` URI, or of an absolute path given as is. */
export function toLocalPath(location: string): string {
  if (location.startsWith('file:')) {
    return fileURLToPath(location);
  }
  if (isAbsolute(location)) {
    return location;
  }
  throw new InputError(
    `Only local warehouses are supported, cannot access '${location}'`,
  );
}

async function fsyncDirectory(dir: string): Promise<void> {
  // Makes a rename or link durable; some platforms cannot open folders.
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (handle) {
    await handle.sync().catch(() => undefined);
    await handle.close();
  }
}

/** Flushes a file written by someone else (DuckDB) to stable storage. */
export async function syncFile(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to a fresh temporary file beside `target` and syncs it. */
async function writeTemporary(target: string, data: Uint8Array | string) {
  const dir = dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const temporary = join(dir, `.${basename(target)}.${randomUUID()}.tmp`);
  const handle = await fs.open(temporary, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temporary;
}

/**
 * Writes a whole file so that readers see either nothing or all of it:
 * temporary file, fsync, rename, fsync of the folder.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
): Promise<void> {
  const temporary = await writeTemporary(path, data);
  try {
    await fs.rename(temporary, path);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
  await fsyncDirectory(dirname(path));
}

/**
 * Like {@link writeFileAtomic}, but never replaces an existing file: the
 * temporary file is hard-linked to its final name, which fails if the name is
 * taken. Returns false in that case.
 */
export async function publishFileExclusive(
  path: string,
  data: Uint8Array | string,
): Promise<boolean> {
  const temporary = await writeTemporary(path, data);
  try {
    await fs.link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  await fsyncDirectory(dirname(path));
  return true;
}

/** Reads and parses a JSON file given by location. */
export async function readJsonFile<T>(location: string): Promise<T> {
  return JSON.parse(await fs.readFile(toLocalPath(location), 'utf8')) as T;
}

/**
 * Deletes files or folders, ignoring failures: used to clean up after failed
 * writes, where leftovers are harmless because no metadata references them.
 */
export async function removeQuietly(
  locations: Iterable<string>,
): Promise<void> {
  await Promise.all(
    Array.from(locations, location =>
      fs
        .rm(toLocalPath(location), { recursive: true, force: true })
        .catch(() => undefined),
    ),
  );
}
