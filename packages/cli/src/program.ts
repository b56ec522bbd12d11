import { Command, CommanderError } from 'commander';
import { registerCompletionCommand } from './commands/completion';
import { registerDataCommands } from './commands/data';
import { registerOfflineCommands } from './commands/offline';
import { registerPipelineCommands } from './commands/pipelines';
import { registerRunCommands } from './commands/runs';
import { CommandContext } from './context';
import { EXIT } from './exitCodes';
import type { CliIo } from './io';

const EPILOG = `
Environment:
  INGESTION_URL    the portal, e.g. https://portal.example.com (default: the backstage-cli login's)
  INGESTION_TOKEN  a Backstage token, used when \`backstage-cli auth print-token\` has none

Exit codes:
  0 done · 1 spec problems or a run that did not succeed · 2 wrong usage · 3 request rejected (400, 409, 429)
  4 not signed in or not allowed (401, 403) · 5 not found (404) · 6 portal unreachable or failing (5xx)
`;

/** The `ingestion` command tree, writing to `ctx.io`. */
export function createProgram(ctx: CommandContext): Command {
  const program = new Command('ingestion')
    .description(
      'Ingestion pipelines from the command line: validate and render specs offline; pipelines, runs, tables, lineage and costs of a portal',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: text => ctx.io.out(text),
      writeErr: text => ctx.io.err(text),
    })
    .addHelpText('after', EPILOG);
  registerOfflineCommands(program, ctx);
  registerDataCommands(program, ctx);
  registerPipelineCommands(program, ctx);
  registerRunCommands(program, ctx);
  registerCompletionCommand(program, ctx);
  return program;
}

/** Runs the command line `args` (without `node ingestion`) and returns the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const ctx = new CommandContext(io);
  const program = createProgram(ctx);
  try {
    await program.parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    return ctx.fail(error);
  }
}
