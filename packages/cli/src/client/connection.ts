import { execFile } from 'node:child_process';
import { CliError, EXIT } from '../exitCodes';
import type { CliIo } from '../io';
import { IngestionClient } from './IngestionClient';

/**
 * The token of a person signed in with `backstage-cli auth login`: `backstage-cli auth
 * print-token` (which refreshes it when needed), or undefined when the CLI is missing or nobody
 * is signed in. `INGESTION_BACKSTAGE_CLI` names another command.
 */
export function backstageCliToken(
  env: CliIo['env'],
): Promise<string | undefined> {
  const command = env.INGESTION_BACKSTAGE_CLI ?? 'backstage-cli';
  return new Promise(resolve => {
    execFile(
      command,
      ['auth', 'print-token'],
      { timeout: 30_000, env: env as NodeJS.ProcessEnv },
      (error, stdout) => {
        const token = stdout?.trim();
        resolve(!error && token ? token : undefined);
      },
    );
  });
}

/** The base URL of the `backstage-cli auth login` instance, if any. */
async function backstageCliBaseUrl(): Promise<string | undefined> {
  try {
    const { CliAuth } = await import('@backstage/cli-node');
    return (await CliAuth.create()).getBaseUrl();
  } catch {
    return undefined;
  }
}

/**
 * A client for the portal: its URL from `INGESTION_URL`, else the `backstage-cli auth login`
 * instance; the token from `backstage-cli auth print-token` when signed in, else
 * `INGESTION_TOKEN`.
 */
export async function connect(io: CliIo): Promise<IngestionClient> {
  const baseUrl = io.env.INGESTION_URL ?? (await backstageCliBaseUrl());
  if (!baseUrl) {
    throw new CliError(
      'No portal: set INGESTION_URL (e.g. https://portal.example.com) or sign in with `backstage-cli auth login`',
      EXIT.USAGE,
    );
  }
  const token =
    (await (io.printToken ?? (() => backstageCliToken(io.env)))()) ??
    io.env.INGESTION_TOKEN;
  return new IngestionClient({ baseUrl, token, fetch: io.fetch });
}
