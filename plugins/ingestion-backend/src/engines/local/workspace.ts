import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  Column,
  describeRelation,
  portableProjection,
  quoteIdentifier,
} from './sql';

/**
 * One run's place in DuckDB: its own connection, its own in-memory database (nothing of one run
 * is visible to another; data larger than memory spills to the instance's temp directory), and a
 * folder for downloads. `close` removes all of it. An in-memory database, not a file: a file
 * costs a full write of the staged source and a checkpoint on close, several times the query.
 */
export class RunWorkspace {
  private constructor(
    readonly connection: DuckDBConnection,
    /** The attached database's name. */
    readonly database: string,
    /** The run's temporary folder. */
    readonly folder: string,
  ) {}

  static async open(
    instance: DuckDBInstance,
    tmpRoot: string,
    runId: string,
  ): Promise<RunWorkspace> {
    const suffix = randomBytes(6).toString('hex');
    const folder = join(
      tmpRoot,
      `run-${runId.replace(/[^A-Za-z0-9-]/g, '')}-${suffix}`,
    );
    await fs.mkdir(folder, { recursive: true });
    const connection = await instance.connect();
    const database = `run_${suffix}`;
    try {
      await connection.run(`ATTACH ':memory:' AS ${quoteIdentifier(database)}`);
      await connection.run(`USE ${quoteIdentifier(database)}`);
      await connection.run(`SET SESSION TimeZone = 'UTC'`);
    } catch (error) {
      connection.closeSync();
      await fs.rm(folder, { recursive: true, force: true });
      throw error;
    }
    return new RunWorkspace(connection, database, folder);
  }

  /** A fresh path in the run's folder. */
  file(name: string): string {
    return join(this.folder, name);
  }

  describe(relation: string): Promise<Column[]> {
    return describeRelation(this.connection, relation);
  }

  /**
   * Replaces `table` by a copy whose columns all have portable types (see `portableColumn`),
   * if any does not.
   */
  async makePortable(table: string): Promise<void> {
    const name = quoteIdentifier(table);
    const projection = portableProjection(await this.describe(name), name);
    if (!projection) return;
    const staging = quoteIdentifier(`${table}__portable`);
    await this.connection.run(`CREATE TABLE ${staging} AS ${projection}`);
    await this.connection.run(`DROP TABLE ${name}`);
    await this.connection.run(`ALTER TABLE ${staging} RENAME TO ${name}`);
  }

  async close(): Promise<void> {
    try {
      await this.connection.run('USE memory');
      await this.connection.run(`DETACH ${quoteIdentifier(this.database)}`);
    } catch {
      // Closing the connection below releases the database as well.
    }
    this.connection.closeSync();
    await fs.rm(this.folder, { recursive: true, force: true });
  }
}
