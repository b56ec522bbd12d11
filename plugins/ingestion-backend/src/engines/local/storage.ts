import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { LocalEngineError } from './errors';

/**
 * An organization's storage as the local engine uses it. File sources and folder targets are
 * paths relative to the root and can never leave it: every path is checked segment by segment,
 * and what it finally points at (after symbolic links) must still be inside the root.
 */
export interface OrganizationStorage {
  /** `local` folder or `s3` URL. */
  kind: 'local' | 's3';
  /** The real absolute folder, or `s3://bucket/prefix` (without trailing slash). */
  root: string;
  /** Where Iceberg tables are written (`<root>/warehouse`); local storage only. */
  warehouse?: string;
  /** Where runs keep temporary data. */
  tmp: string;
}

const WILDCARD = /[*?]/;

/** Resolves an organization's configured storage; a relative folder is taken from `cwd`. */
export async function organizationStorage(
  organizationId: string,
  storage: string,
  cwd: string,
): Promise<OrganizationStorage> {
  if (storage.startsWith('s3://')) {
    return {
      kind: 's3',
      root: storage.replace(/\/+$/, ''),
      tmp: join(tmpdir(), 'ingestion-local-engine', organizationId),
    };
  }
  const configured = resolve(cwd, storage);
  await fs.mkdir(configured, { recursive: true });
  const root = await fs.realpath(configured);
  return {
    kind: 'local',
    root,
    warehouse: join(root, 'warehouse'),
    tmp: join(root, 'tmp'),
  };
}

/** True if `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  return (
    path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)
  );
}

/**
 * The segments of a storage path, refusing anything that could leave the root: absolute paths,
 * other schemes, `..`, `.`, empty segments, backslashes and control characters. The spec
 * validation refuses these too; this is the engine's own check.
 */
export function storagePathSegments(
  path: string,
  options: { wildcards: boolean },
): string[] {
  const problem = (reason: string) =>
    new LocalEngineError(`Invalid storage path '${path}': ${reason}`);
  if (isAbsolute(path) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) {
    throw problem("give a path relative to the organization's storage root");
  }
  // eslint-disable-next-line no-control-regex
  if (path.includes('\\') || /[\u0000-\u001f]/.test(path)) {
    throw problem('backslashes and control characters are not allowed');
  }
  const segments = path.replace(/\/$/, '').split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw problem("paths may not contain empty, '.' or '..' segments");
    }
    if (!options.wildcards && WILDCARD.test(segment)) {
      throw problem('wildcards are only allowed in source paths');
    }
  }
  return segments;
}

/** A glob segment (`*`, `?`) as a regular expression matching one name. */
export function segmentPattern(segment: string): RegExp {
  const body = segment
    .split('')
    .map(c => {
      if (c === '*') return '[^/]*';
      if (c === '?') return '[^/]';
      return c.replace(/[.*+?^${}()|[\]\\=-]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

async function realpathOrUndefined(path: string) {
  try {
    return await fs.realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const isHidden = (name: string) => name.startsWith('.') || name.startsWith('_');

/**
 * The files a source path names inside the root: wildcards are expanded here (never by DuckDB),
 * a folder stands for the files directly in it, and every result is the real path of a file
 * inside the root. Hidden files (`.x`, `_SUCCESS`) are skipped. Fails when nothing matches or
 * when a match leads outside the root.
 */
export async function resolveSourceFiles(
  root: string,
  path: string,
): Promise<string[]> {
  const segments = storagePathSegments(path, { wildcards: true });
  let candidates = [root];
  for (const segment of segments) {
    const next: string[] = [];
    for (const dir of candidates) {
      if (!WILDCARD.test(segment)) {
        next.push(join(dir, segment));
        continue;
      }
      const pattern = segmentPattern(segment);
      const entries = await fs.readdir(dir).catch(() => [] as string[]);
      for (const name of entries.sort()) {
        if (!isHidden(name) && pattern.test(name)) {
          next.push(join(dir, name));
        }
      }
    }
    candidates = next;
  }

  const files: string[] = [];
  const escaped = () =>
    new LocalEngineError(
      `The path '${path}' leads outside the organization's storage (through a symbolic link); refusing to read it`,
    );
  for (const candidate of candidates) {
    const real = await realpathOrUndefined(candidate);
    if (real === undefined) continue;
    if (!isInside(root, real)) throw escaped();
    const stat = await fs.stat(real);
    if (stat.isFile()) {
      files.push(real);
    } else if (stat.isDirectory()) {
      for (const name of (await fs.readdir(real)).sort()) {
        if (isHidden(name)) continue;
        const inner = await realpathOrUndefined(join(real, name));
        if (inner === undefined) continue;
        if (!isInside(root, inner)) throw escaped();
        if ((await fs.stat(inner)).isFile()) files.push(inner);
      }
    }
  }
  if (files.length === 0) {
    throw new LocalEngineError(
      `No files match '${path}' in the organization's storage`,
    );
  }
  return [...new Set(files)];
}

/**
 * A folder for a target inside the root, created if needed. Existing parts of the path must not
 * lead outside the root (a symbolic link placed in the storage cannot redirect writes).
 */
export async function resolveTargetFolder(
  root: string,
  path: string,
): Promise<string> {
  const segments = storagePathSegments(path, { wildcards: false });
  let current = root;
  for (const segment of segments) {
    current = join(current, segment);
    const real = await realpathOrUndefined(current);
    if (real === undefined) {
      await fs.mkdir(current).catch(error => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      });
      continue;
    }
    if (!isInside(root, real)) {
      throw new LocalEngineError(
        `The path '${path}' leads outside the organization's storage (through a symbolic link); refusing to write there`,
      );
    }
    if (!(await fs.stat(real)).isDirectory()) {
      throw new LocalEngineError(
        `The target path '${path}' is a file, not a folder`,
      );
    }
  }
  const real = await fs.realpath(current);
  if (!isInside(root, real)) {
    throw new LocalEngineError(
      `The path '${path}' leads outside the organization's storage; refusing to write there`,
    );
  }
  return real;
}
