/**
 * Exit codes of the `ingestion` command (documented in the README; scripts rely on them).
 *
 * @public
 */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** What was checked failed: a spec has problems, a followed run did not succeed. */
  FAILED: 1,
  /** Wrong usage: unknown command or option, missing argument, no portal configured. */
  USAGE: 2,
  /** The portal refused the request as invalid (400, 409, 413, 429): see the field paths. */
  REJECTED: 3,
  /** Not signed in (401) or not allowed (403). */
  DENIED: 4,
  /** Not found (404): it does not exist or the caller may not see it. */
  NOT_FOUND: 5,
  /** The portal could not be reached or failed (5xx). */
  UNAVAILABLE: 6,
} as const;

/** An error that ends the command with a given exit code and message. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.USAGE) {
    super(message);
    this.name = 'CliError';
  }
}
