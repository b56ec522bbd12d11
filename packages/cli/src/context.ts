import { ApiError, IngestionClient } from './client/IngestionClient';
import { connect } from './client/connection';
import { CliError, EXIT } from './exitCodes';
import { renderJson, renderTable, type Cell, type CliIo } from './io';

/** What every command gets: output, the portal client, and the exit code to end with. */
export class CommandContext {
  exitCode: number = EXIT.OK;
  private client?: Promise<IngestionClient>;

  constructor(readonly io: CliIo) {}

  /** The portal's client, connected on first use (offline commands never ask). */
  api(): Promise<IngestionClient> {
    this.client ??= connect(this.io);
    return this.client;
  }

  out(text: string) {
    this.io.out(text);
  }

  /** A value as JSON with `--json`, else as a table. */
  print(
    options: { json?: boolean },
    value: unknown,
    table: () => { head: string[]; rows: Cell[][] } | string,
  ) {
    if (options.json) {
      this.out(renderJson(value));
      return;
    }
    const rendered = table();
    this.out(
      typeof rendered === 'string'
        ? rendered
        : renderTable(rendered.head, rendered.rows),
    );
  }

  sleep(ms: number): Promise<void> {
    return (
      this.io.sleep?.(ms) ?? new Promise(resolve => setTimeout(resolve, ms))
    );
  }

  /** Reports an error on stderr (API errors with their field paths) and returns its exit code. */
  fail(error: unknown): number {
    if (error instanceof ApiError) {
      this.io.err(`error: ${error.message} (HTTP ${error.status})\n`);
      for (const problem of error.problems) {
        this.io.err(`  ${problem.path || '(spec)'}: ${problem.message}\n`);
      }
      return error.exitCode;
    }
    if (error instanceof CliError) {
      this.io.err(`error: ${error.message}\n`);
      return error.exitCode;
    }
    this.io.err(`error: ${(error as Error)?.message ?? String(error)}\n`);
    return EXIT.FAILED;
  }
}
