/**
 * The `ingestion` command line.
 *
 * @packageDocumentation
 */
export { runCli, createProgram } from './program';
export { EXIT } from './exitCodes';
export type { CliIo } from './io';
