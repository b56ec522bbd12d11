import type { CliIo } from '../io';
import { runCli } from '../program';

/** Runs the CLI with captured output and the given environment. */
export async function ingestion(
  args: string[],
  io: Partial<CliIo> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    out: text => {
      stdout += text;
    },
    err: text => {
      stderr += text;
    },
    env: {},
    sleep: async () => {},
    printToken: async () => undefined,
    ...io,
  });
  return { code, stdout, stderr };
}
