import { quoteIdentifier } from '../sql';
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
 * Streams rows into a typed DuckDB table in batches: each batch is appended as text to a small
 * staging table with DuckDB's appender, converted into the typed table in SQL, and cleared. Only
 * one batch is ever held in JavaScript.
 */
export class RowStager {
  #rows = 0;

  private constructor(
    private readonly workspace: RunWorkspace,
    private readonly table: string,
    private readonly raw: string,
    private readonly columns: StagedColumn[],
  ) {}

  static async create(
    workspace: RunWorkspace,
    table: string,
    columns: StagedColumn[],
  ): Promise<RowStager> {
    if (columns.length === 0) {
      throw new Error('A source without columns cannot be read');
    }
    const raw = `${table}__raw`;
    const { connection } = workspace;
    await connection.run(
      `CREATE TABLE ${quoteIdentifier(table)} (${columns
        .map(c => `${quoteIdentifier(c.name)} ${c.type}`)
        .join(', ')})`,
    );
    await connection.run(
      `CREATE TABLE ${quoteIdentifier(raw)} (${columns
        .map((_c, i) => `${quoteIdentifier(`c${i}`)} VARCHAR`)
        .join(', ')})`,
    );
    return new RowStager(workspace, table, raw, columns);
  }

  get rows(): number {
    return this.#rows;
  }

  /** Appends one batch; values are text or null, in column order. */
  async append(batch: Array<Array<string | null>>): Promise<void> {
    if (batch.length === 0) return;
    const { connection, database } = this.workspace;
    const appender = await connection.createAppender(
      this.raw,
      'main',
      database,
    );
    try {
      for (const row of batch) {
        for (let i = 0; i < this.columns.length; i++) {
          const value = row[i];
          if (value === null || value === undefined) {
            appender.appendNull();
          } else {
            appender.appendVarchar(value);
          }
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const select = this.columns
      .map((c, i) => {
        const ref = quoteIdentifier(`c${i}`);
        return c.fromText ? c.fromText(ref) : `CAST(${ref} AS ${c.type})`;
      })
      .join(', ');
    await connection.run(
      `INSERT INTO ${quoteIdentifier(
        this.table,
      )} SELECT ${select} FROM ${quoteIdentifier(this.raw)}`,
    );
    await connection.run(`DELETE FROM ${quoteIdentifier(this.raw)}`);
    this.#rows += batch.length;
  }

  async finish(): Promise<void> {
    await this.workspace.connection.run(
      `DROP TABLE IF EXISTS ${quoteIdentifier(this.raw)}`,
    );
  }
}
