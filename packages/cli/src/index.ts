/**
 * The `ingestion` command line: runs with the process's arguments and environment
 * (`bin/ingestion` loads this module). Tests use `runCli` from `./program`.
 *
 * @packageDocumentation
 */
import { processIo } from './io';
import { runCli } from './program';

runCli(process.argv.slice(2), processIo()).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
