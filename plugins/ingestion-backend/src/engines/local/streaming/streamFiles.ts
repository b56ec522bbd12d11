import type { DuckDBInstance } from '@duckdb/node-api';
import {
  parseDataType,
  type FileSource,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { promises as fs } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { LocalEngineError } from '../errors';
import { readFilesSql } from '../sources/files';
import { resolveSourceFiles } from '../storage';
import type { StreamSchema } from './checkpoint';

/** A file of the stream's folder, by its path relative to the storage root. */
export interface StreamFile {
  path: string;
  modifiedMs: number;
}

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * The files the source path names now, oldest first (then by name), as paths relative to the
 * storage root. Hidden files (`.x`, `_x`) are not listed, so a writer that writes under such a
 * name and renames when done never has a half-written file read.
 */
export async function listStreamFiles(
  root: string,
  source: FileSource,
): Promise<StreamFile[]> {
  let found: string[];
  try {
    found = await resolveSourceFiles(root, source.path);
  } catch (error) {
    // An empty folder is a stream with nothing new yet, not an error.
    if (
      error instanceof LocalEngineError &&
      error.message.startsWith('No files match')
    ) {
      return [];
    }
    throw error;
  }
  const files = await Promise.all(
    found.map(async file => ({
      path: toPosix(relative(root, file)),
      modifiedMs: (await fs.stat(file)).mtimeMs,
    })),
  );
  return files.sort(
    (a, b) => a.modifiedMs - b.modifiedMs || a.path.localeCompare(b.path),
  );
}

/**
 * Gives a micro-batch its own folder under the storage's temporary folder, holding (hard links
 * to) exactly its files, so the batch pipeline reads those files and no others. Returns the
 * folder's path relative to the root, for the batch's file source.
 */
export async function stageBatchFiles(options: {
  root: string;
  folder: string;
  files: string[];
}): Promise<{ path: string; missing: string[] }> {
  const { root, folder, files } = options;
  await fs.rm(folder, { recursive: true, force: true });
  await fs.mkdir(folder, { recursive: true });
  const missing: string[] = [];
  for (const [index, file] of files.entries()) {
    // Numbered, so files of the same name from different folders do not collide.
    const staged = join(
      folder,
      `${String(index).padStart(6, '0')}-${basename(file)}`,
    );
    try {
      await fs.link(join(root, file), staged);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        missing.push(file);
      } else if (code === 'EXDEV' || code === 'EPERM') {
        await fs.copyFile(join(root, file), staged);
      } else {
        throw error;
      }
    }
  }
  return { path: toPosix(relative(root, folder)), missing };
}

/** DuckDB types as spec data types; other types (lists, structs, …) are left as read. */
function specType(duckdbType: string): string | undefined {
  const type = duckdbType.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `decimal(${decimal[1]}, ${decimal[2]})`;
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  const simple: Record<string, string> = {
    VARCHAR: 'string',
    BOOLEAN: 'boolean',
    TINYINT: 'int',
    SMALLINT: 'int',
    INTEGER: 'int',
    BIGINT: 'bigint',
    HUGEINT: 'decimal(38, 0)',
    FLOAT: 'float',
    DOUBLE: 'double',
    DATE: 'date',
  };
  const name = simple[type];
  return name && parseDataType(name).ok ? name : undefined;
}

/**
 * The column types DuckDB infers from the first micro-batch's files. Kept in the checkpoint and
 * applied to every later micro-batch (as Auto Loader keeps its inferred schema), so a later file
 * whose values would be read differently (`10` then `10.5`) cannot change the target's types.
 */
export async function inferStreamSchema(
  instance: DuckDBInstance,
  files: string[],
  source: FileSource,
): Promise<StreamSchema> {
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(
      `DESCRIBE SELECT * FROM ${readFilesSql(files, source)}`,
    );
    const schema: StreamSchema = {};
    for (const row of reader.getRowObjectsJson()) {
      const type = specType(String(row.column_type));
      if (type) schema[String(row.column_name)] = type;
    }
    return schema;
  } finally {
    connection.closeSync();
  }
}

const INTEGERS = ['int', 'bigint'];

/** Digits before and after the point of a decimal type, or undefined for other types. */
function decimalDigits(type: string): [number, number] | undefined {
  const match = /^decimal\((\d+), (\d+)\)$/.exec(type);
  return match
    ? [Number(match[1]) - Number(match[2]), Number(match[2])]
    : undefined;
}

/** True when every value of type `from` converts to `to` without loss. */
export function widensTo(from: string, to: string): boolean {
  if (from === to || to === 'string') return true;
  if (from === 'int') return [...INTEGERS, 'double'].includes(to);
  if (from === 'float') return to === 'double';
  if (from === 'date') return to === 'timestamp';
  const target = decimalDigits(to);
  if (INTEGERS.includes(from) && target) {
    return target[0] >= (from === 'int' ? 10 : 19);
  }
  const source = decimalDigits(from);
  return Boolean(
    source && target && target[0] >= source[0] && target[1] >= source[1],
  );
}

/**
 * The columns of a micro-batch whose files read as a type the stream's inferred schema cannot
 * hold without loss (`10.5` in a column first read as bigint), as readable differences.
 */
export function schemaConflicts(
  schema: StreamSchema,
  batch: StreamSchema,
): string[] {
  return Object.entries(batch)
    .filter(([name, type]) => name in schema && !widensTo(type, schema[name]))
    .map(
      ([name, type]) =>
        `${name} reads as ${type}, the stream's schema says ${schema[name]}`,
    );
}
