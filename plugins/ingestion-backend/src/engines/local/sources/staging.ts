import { promises as fs } from 'node:fs';
import { quoteIdentifier, quoteLiteral } from '../sql';
import { RunWorkspace } from '../workspace';

/** A column read from a database or API, with the DuckDB type it is stored as. */
export interface StagedColumn {
  name: string;
  /** DuckDB type, e.g. `DECIMAL(10,2)`. */
  type: string;
  /** SQL turning the column's text (`ref`, a quoted VARCHAR column) into `type`. */
  fromText?: (ref: string) => string;
}

/**
 * Bytes staged before they are handed to DuckDB: large enough that the per-statement cost
 * vanishes, small enough to stay a bounded buffer whatever the table's size.
 */
const FLUSH_BYTES = 4 * 1024 * 1024;
/** Chunks written but not yet loaded before the reader is asked to wait. */
const MAX_PENDING = 4;
/** DuckDB's default longest CSV line; longer rows raise the reader's limits for their chunk. */
const DEFAULT_MAX_LINE_BYTES = 2_000_000;

const NEEDS_QUOTES = /[",\n\r]/;
/**
 * Types whose text (numbers, dates, times, booleans) never holds a quote, comma or line break:
 * their strings go into the CSV as they are, without the quoting check (a few percent of a
 * large read).
 */
const PLAIN_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL|NUMERIC|DATE|TIME|TIMESTAMP|BOOLEAN)\b/i;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * A value as a CSV field: NULL unquoted and empty, an empty string quoted (see
 * `allow_quoted_nulls`).
 */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') {
    text = value;
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    return String(value);
  } else if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  } else if (value instanceof Uint8Array) {
    return Buffer.from(value).toString('hex');
  } else {
    text = JSON.stringify(value);
  }
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Streams rows into a typed DuckDB table in bulk: rows are written as CSV text (a few megabytes
 * at a time) into a file of the run's folder, which DuckDB's parallel CSV reader loads and
 * converts in one `INSERT … SELECT` — no per-value calls into DuckDB, no per-row statements.
 * While DuckDB loads one chunk the reader fills the next; a reader waits (`ready()`) only when
 * two chunks are pending, so memory stays bounded by two chunks whatever the table's size.
 */
export class RowStager {
  #rows = 0;
  // Rows are encoded straight into a buffer: joining strings costs twice the driver's parsing.
  #buffer: Buffer;
  #offset = 0;
  #longestLine = 0;
  #chunks = 0;
  /** Resolves (never rejects) when every chunk handed to DuckDB so far is loaded. */
  #loaded: Promise<void> = Promise.resolve();
  /** Completion of the chunks not loaded yet, oldest first. */
  #pending: Array<Promise<void>> = [];
  #failure: { error: unknown } | undefined;
  /** Per column: its strings need no quoting check (see PLAIN_TYPES). */
  readonly #plain: boolean[];

  private constructor(
    private readonly workspace: RunWorkspace,
    private readonly table: string,
    private readonly columns: StagedColumn[],
    private readonly flushBytes: number,
  ) {
    this.#buffer = this.#newBuffer();
    this.#plain = columns.map(c => !c.fromText && PLAIN_TYPES.test(c.type));
  }

  static async create(
    workspace: RunWorkspace,
    table: string,
    columns: StagedColumn[],
    /** Bytes per chunk handed to DuckDB (smaller in tests). */
    flushBytes = FLUSH_BYTES,
  ): Promise<RowStager> {
    if (columns.length === 0) {
      throw new Error('A source without columns cannot be read');
    }
    await workspace.connection.run(
      `CREATE TABLE ${quoteIdentifier(table)} (${columns
        .map(c => `${quoteIdentifier(c.name)} ${c.type}`)
        .join(', ')})`,
    );
    return new RowStager(workspace, table, columns, flushBytes);
  }

  get rows(): number {
    return this.#rows;
  }

  /**
   * Adds one row (values in column order: strings, numbers, booleans, bytes, JSON-able objects
   * or null). Returns true when the caller should await {@link ready} before adding more.
   */
  appendRow(values: readonly unknown[]): boolean {
    this.#throwIfFailed();
    const start = this.#offset;
    // Each field ends with a comma, so no line is empty (one NULL column): a last, empty
    // column closes the line.
    for (let i = 0; i < this.columns.length; i++) {
      const value = values[i];
      const text =
        this.#plain[i] && typeof value === 'string' && value !== ''
          ? value
          : csvField(value);
      // UTF-16 units to UTF-8 bytes: three at most; one more for the comma.
      if (this.#offset + text.length * 3 + 2 > this.#buffer.length) {
        this.#grow(text.length * 3 + 2);
      }
      if (text.length > 0) {
        this.#offset += this.#buffer.write(text, this.#offset);
      }
      this.#buffer[this.#offset++] = COMMA;
    }
    this.#buffer[this.#offset++] = NEWLINE;
    this.#rows++;
    this.#longestLine = Math.max(this.#longestLine, this.#offset - start);
    if (this.#offset >= this.flushBytes) this.#flush();
    return this.#pending.length >= MAX_PENDING;
  }

  /** Resolves when fewer than `MAX_PENDING` chunks wait (rejects if loading one failed). */
  async ready(): Promise<void> {
    while (this.#pending.length >= MAX_PENDING) await this.#pending[0];
    this.#throwIfFailed();
  }

  /** Appends one batch of rows. */
  async append(batch: ReadonlyArray<readonly unknown[]>): Promise<void> {
    let wait = false;
    for (const row of batch) wait = this.appendRow(row);
    if (wait) await this.ready();
  }

  /** Loads what is left and waits for every chunk. */
  async finish(): Promise<void> {
    this.#flush();
    await this.#loaded;
    this.#throwIfFailed();
  }

  /** Resolves (never rejects) when no chunk is being loaded any more. */
  settled(): Promise<void> {
    return this.#loaded;
  }

  #newBuffer() {
    return Buffer.allocUnsafe(this.flushBytes + 65536);
  }

  #grow(needed: number) {
    const grown = Buffer.allocUnsafe(
      Math.max(this.#buffer.length * 2, this.#offset + needed),
    );
    this.#buffer.copy(grown, 0, 0, this.#offset);
    this.#buffer = grown;
  }

  #throwIfFailed() {
    if (this.#failure) throw this.#failure.error;
  }

  #file(index: number) {
    return this.workspace.file(`${this.table}-chunk-${index}.csv`);
  }

  #flush() {
    if (this.#offset === 0) return;
    const text = this.#buffer.subarray(0, this.#offset);
    const longestBytes = this.#longestLine;
    this.#buffer = this.#newBuffer();
    this.#offset = 0;
    this.#longestLine = 0;
    // Written at once, loaded in order: the file of one chunk is written while DuckDB loads
    // the one before.
    const file = this.#file(this.#chunks++);
    const written = fs.writeFile(file, text);
    written.catch(() => undefined);
    const loaded = this.#loaded
      .then(async () => {
        await written;
        if (this.#failure) return;
        await this.workspace.connection.run(
          this.#insertSql(file, longestBytes),
        );
      })
      .catch(error => {
        this.#failure ??= { error };
      })
      .finally(async () => {
        this.#pending.shift();
        await fs.rm(file, { force: true });
      });
    this.#pending.push(loaded);
    this.#loaded = loaded;
  }

  #insertSql(file: string, longestBytes: number): string {
    const raw = this.columns.map((_c, i) => `c${i}`);
    const columns = [...raw, 'end'];
    const select = this.columns
      .map((c, i) => {
        const ref = quoteIdentifier(raw[i]);
        return c.fromText ? c.fromText(ref) : `CAST(${ref} AS ${c.type})`;
      })
      .join(', ');
    const lineLimit =
      longestBytes > DEFAULT_MAX_LINE_BYTES
        ? `, max_line_size = ${longestBytes}, buffer_size = ${longestBytes * 2}`
        : '';
    return (
      `INSERT INTO ${quoteIdentifier(
        this.table,
      )} SELECT ${select} FROM read_csv(${quoteLiteral(file)}, ` +
      `auto_detect = false, header = false, delim = ',', quote = '"', escape = '"', ` +
      `new_line = '\\n', allow_quoted_nulls = false, strict_mode = true, ` +
      `columns = {${columns
        .map(name => `${quoteLiteral(name)}: 'VARCHAR'`)
        .join(', ')}}${lineLimit})`
    );
  }
}
