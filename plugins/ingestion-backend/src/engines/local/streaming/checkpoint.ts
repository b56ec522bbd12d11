import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { LocalEngineError } from '../errors';

/**
 * The checkpoint of a file stream, a folder in the organization's storage laid out like Spark's
 * (`offsets/<n>`, `commits/<n>`), so a stream that stops anywhere resumes without reading a file
 * twice or skipping one:
 *
 * 1. a micro-batch is planned: `offsets/<n>` lists its files and the key its commit carries,
 *    written before anything is read;
 * 2. its rows are committed to the target, tagged with that key (the Iceberg, Delta and Parquet
 *    writers skip a key they have already committed);
 * 3. `commits/<n>` records the commit.
 *
 * A stream that finds a planned batch without its commit (it stopped between 1 and 3) processes
 * exactly that batch again: the files are the same, and the target skips it if step 2 had
 * happened. Files of every planned batch count as taken, so no file is planned twice.
 */

/** A micro-batch decided on: which files, and the key its target commit carries. */
export interface PlannedBatch {
  batchId: number;
  /** `<run id>#<batch id>` of the run that planned it; a replay by a later run keeps it. */
  commitKey: string;
  /** Paths relative to the storage root, in processing order. */
  files: string[];
  plannedAt: string;
}

/** What a committed micro-batch wrote. */
export interface CommittedBatch {
  batchId: number;
  committedAt: string;
  rowsRead: number;
  rowsWritten: number;
  snapshotId?: string;
}

/** Column types of the stream's files (spec data types), fixed by the first micro-batch. */
export type StreamSchema = Record<string, string>;

const OFFSETS = 'offsets';
const COMMITS = 'commits';
const SCHEMA = 'schema.json';

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalEngineError(
      `The stream checkpoint file ${path} cannot be read: ${
        (error as Error).message
      }`,
    );
  }
}

/**
 * Writes `value` to `path` only if it does not exist yet, atomically: a reader never sees half a
 * file, and of two writers of the same batch one fails instead of overwriting the other.
 */
async function createJson(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await fs.writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  try {
    await fs.link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new LocalEngineError(
        `Another run wrote ${path} first: two runs are streaming into the same checkpoint`,
      );
    }
    throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

/** Batch ids present in a log folder, ascending. */
async function batchIds(folder: string): Promise<number[]> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  return names
    .filter(name => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

export class StreamCheckpoint {
  readonly folder: string;
  readonly #taken: Set<string>;
  readonly #planned: Map<number, PlannedBatch>;
  readonly #committed: Set<number>;
  #schema?: StreamSchema;

  private constructor(
    folder: string,
    planned: PlannedBatch[],
    committed: number[],
    schema: StreamSchema | undefined,
  ) {
    this.folder = folder;
    this.#planned = new Map(planned.map(batch => [batch.batchId, batch]));
    this.#taken = new Set(planned.flatMap(batch => batch.files));
    this.#committed = new Set(committed);
    this.#schema = schema;
  }

  /** Reads (or starts) the checkpoint in `folder`, which must exist. */
  static async open(folder: string): Promise<StreamCheckpoint> {
    await fs.mkdir(join(folder, OFFSETS), { recursive: true });
    await fs.mkdir(join(folder, COMMITS), { recursive: true });
    const planned: PlannedBatch[] = [];
    for (const id of await batchIds(join(folder, OFFSETS))) {
      const batch = await readJson<PlannedBatch>(
        join(folder, OFFSETS, String(id)),
      );
      if (batch) planned.push(batch);
    }
    return new StreamCheckpoint(
      folder,
      planned,
      await batchIds(join(folder, COMMITS)),
      await readJson<StreamSchema>(join(folder, SCHEMA)),
    );
  }

  /** True when `file` (relative to the storage root) belongs to a planned batch. */
  isTaken(file: string): boolean {
    return this.#taken.has(file);
  }

  /** The planned batch whose commit is not recorded (the stream stopped in the middle of it). */
  unfinished(): PlannedBatch | undefined {
    return [...this.#planned.values()].find(
      batch => !this.#committed.has(batch.batchId),
    );
  }

  /** Number of micro-batches committed so far (by every run of the stream). */
  get committedBatches(): number {
    return this.#committed.size;
  }

  get schema(): StreamSchema | undefined {
    return this.#schema;
  }

  async saveSchema(schema: StreamSchema): Promise<void> {
    if (this.#schema) return;
    await createJson(join(this.folder, SCHEMA), schema);
    this.#schema = schema;
  }

  /** Records the next micro-batch before any of its rows is read. */
  async plan(files: string[], runId: string): Promise<PlannedBatch> {
    const last = Math.max(-1, ...this.#planned.keys());
    const batchId = last + 1;
    const batch: PlannedBatch = {
      batchId,
      commitKey: `${runId}#${batchId}`,
      files,
      plannedAt: new Date().toISOString(),
    };
    await createJson(join(this.folder, OFFSETS, String(batchId)), batch);
    this.#planned.set(batchId, batch);
    files.forEach(file => this.#taken.add(file));
    return batch;
  }

  /** Records that the micro-batch's rows are in the target. */
  async commit(committed: CommittedBatch): Promise<void> {
    if (this.#committed.has(committed.batchId)) return;
    await createJson(
      join(this.folder, COMMITS, String(committed.batchId)),
      committed,
    );
    this.#committed.add(committed.batchId);
  }
}
