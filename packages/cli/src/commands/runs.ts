import {
  FINAL_RUN_STATUSES,
  type Run,
  type RunEvent,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { EXIT } from '../exitCodes';
import { money } from '../io';
import { resolvePipelineId } from '../resolve';

const runRows = (run: Run) => [
  ['id', run.id],
  ['pipeline', run.pipelineId],
  ['version', run.pipelineVersion],
  ['status', run.status],
  ['engine', run.engine],
  ['trigger', `${run.trigger} by ${run.triggeredBy}`],
  ['queued', run.queuedAt],
  ['started', run.startedAt],
  ['finished', run.finishedAt],
  ['rows read', run.rowsRead],
  ['rows written', run.rowsWritten],
  [
    'duration',
    run.durationMs === undefined ? undefined : `${run.durationMs} ms`,
  ],
  ['DBUs', run.dbus === undefined ? undefined : `${run.dbus} DBU`],
  ['cost', money(run.cost)],
  ['error', run.errorMessage],
];

/** 0 for a run that succeeded, 1 for one that failed, failed its quality rules or was cancelled. */
const outcome = (run: Run) =>
  run.status === 'succeeded' ? EXIT.OK : EXIT.FAILED;

/** `runs trigger|status|logs|cancel`. */
export function registerRunCommands(program: Command, ctx: CommandContext) {
  const runs = program
    .command('runs')
    .description('Trigger, watch and cancel runs');

  runs
    .command('trigger')
    .description("Queue a run of a pipeline's current version")
    .argument(
      '<pipeline>',
      'a pipeline id, <organization>/<name>, or a name with --org',
    )
    .option('--org <id>', 'the organization of a pipeline given by name')
    .option(
      '--full-refresh',
      'load everything again (needs the override permission)',
    )
    .option(
      '--watermark <value>',
      'start an incremental load from this cursor value',
    )
    .option(
      '--follow',
      "show the run's log until it ends; exit with its outcome",
    )
    .option('--json', 'print JSON')
    .action(
      async (
        ref: string,
        options: {
          org?: string;
          fullRefresh?: boolean;
          watermark?: string;
          follow?: boolean;
          json?: boolean;
        },
      ) => {
        const client = await ctx.api();
        const id = await resolvePipelineId(client, ref, options.org);
        const run = await client.request<Run>('POST', `/pipelines/${id}/runs`, {
          body: {
            ...(options.fullRefresh ? { fullRefresh: true } : {}),
            ...(options.watermark ? { watermark: options.watermark } : {}),
          },
        });
        if (options.follow) {
          if (!options.json) ctx.out(`queued run ${run.id}\n`);
          await follow(ctx, run.id, options);
          return;
        }
        ctx.print(options, run, () => `queued run ${run.id}\n`);
      },
    );

  runs
    .command('status')
    .description(
      "A run's status, rows, duration and cost; exit 1 when it ended without success",
    )
    .argument('<run>', 'the run id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const client = await ctx.api();
      const run = await client.get<Run>(`/runs/${id}`);
      ctx.print(options, run, () => ({
        head: ['FIELD', 'VALUE'],
        rows: runRows(run),
      }));
      if (FINAL_RUN_STATUSES.includes(run.status)) ctx.exitCode = outcome(run);
    });

  runs
    .command('logs')
    .description("A run's state changes and log lines")
    .argument('<run>', 'the run id')
    .option(
      '--follow',
      'keep showing new lines with a live status line until the run ends; exit with its outcome',
    )
    .option('--interval <seconds>', 'seconds between polls with --follow', '2')
    .option('--json', 'print events as JSON lines')
    .action(
      async (
        id: string,
        options: { follow?: boolean; interval: string; json?: boolean },
      ) => {
        if (options.follow) {
          await follow(ctx, id, options);
          return;
        }
        const client = await ctx.api();
        for await (const event of client.pages<RunEvent>(`/runs/${id}/logs`)) {
          ctx.out(formatEvent(event, options.json));
        }
      },
    );

  runs
    .command('cancel')
    .description('Cancel a run that has not ended')
    .argument('<run>', 'the run id')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const client = await ctx.api();
      const run = await client.request<Run>('POST', `/runs/${id}/cancel`);
      ctx.print(options, run, () => `run ${run.id}: ${run.status}\n`);
    });
}

function formatEvent(event: RunEvent, json?: boolean): string {
  if (json) return `${JSON.stringify(event)}\n`;
  const what =
    event.kind === 'transition'
      ? `→ ${event.status}: ${event.message}`
      : event.message;
  return `${event.at} ${event.level.toUpperCase().padEnd(5)} ${what}\n`;
}

/**
 * Prints new events until the run is final, with a status line on a terminal, then sets the
 * exit code to the run's outcome.
 */
async function follow(
  ctx: CommandContext,
  runId: string,
  options: { interval?: string; json?: boolean },
) {
  const client = await ctx.api();
  const seen = new Set<string>();
  const intervalMs = Math.max(0.2, Number(options.interval ?? 2)) * 1000;
  let delay = intervalMs;
  for (;;) {
    const run = await client.get<Run>(`/runs/${runId}`);
    let fresh = 0;
    for await (const event of client.pages<RunEvent>(`/runs/${runId}/logs`)) {
      if (seen.has(event.id)) continue;
      seen.add(event.id);
      fresh++;
      if (ctx.io.interactive) ctx.io.err('\r\x1b[2K');
      ctx.out(formatEvent(event, options.json));
    }
    const final = FINAL_RUN_STATUSES.includes(run.status);
    if (ctx.io.interactive) {
      ctx.io.err(
        `\r\x1b[2K${run.status}${
          run.rowsWritten === undefined
            ? ''
            : `, ${run.rowsWritten} rows written`
        }${final ? '\n' : ' …'}`,
      );
    }
    if (final) {
      if (!options.json) {
        ctx.out(
          `run ${run.id} ${run.status}${
            run.errorMessage ? `: ${run.errorMessage}` : ''
          }\n`,
        );
      }
      ctx.exitCode = outcome(run);
      return;
    }
    // Back off while nothing happens, up to 15 s; back to the interval on news.
    delay = fresh > 0 ? intervalMs : Math.min(delay * 1.5, 15_000);
    await ctx.sleep(delay);
  }
}
