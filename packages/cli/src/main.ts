import { runCli } from './program';
import { processIo } from './io';

runCli(process.argv.slice(2), processIo()).then(
  code => {
    process.exitCode = code;
  },
  error => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
