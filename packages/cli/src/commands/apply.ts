import type { PipelineDetails } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CommandContext } from '../context';
import { lineDiff } from '../diff';
import { CliError, EXIT } from '../exitCodes';
import { renderJson, renderTable } from '../io';
import {
  expandSpecFiles,
  formatProblem,
  readPipelineFile,
  validateFile,
} from '../pipelineFiles';
import { findPipelineByName } from '../resolve';

/** Keys sorted at every level, so equal specs print and compare equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(key => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const specYaml = (spec: unknown) =>
  spec === undefined ? '' : stringify(canonical(spec), { lineWidth: 0 });

interface Change {
  file: string;
  organization: string;
  name: string;
  action: 'create' | 'update' | 'unchanged';
  pipelineId?: string;
  version?: number;
  diff: string;
}

/**
 * `pipelines apply FILE...`: creates each pipeline or saves a new version when its spec changed,
 * and leaves unchanged ones alone (so applying twice changes nothing). Every file is read,
 * validated and compared before anything is saved: one invalid file and nothing is applied.
 */
export function registerApplyCommand(pipelines: Command, ctx: CommandContext) {
  pipelines
    .command('apply')
    .description(
      'Create pipelines or add a version where the spec changed (idempotent). Folders apply as one change: all files are validated before any is saved. The organization and name come from --org/--name or the catalog-info.yaml beside each file.',
    )
    .argument('<files...>', 'pipeline.yaml files or folders')
    .option('--org <id>', 'the organization of every file')
    .option('--name <name>', 'the pipeline name (one file only)')
    .option('--comment <text>', 'the comment of the new versions')
    .option('--dry-run', 'print what would change, as a diff, and save nothing')
    .option('--json', 'print the changes as JSON')
    .action(
      async (
        args: string[],
        options: {
          org?: string;
          name?: string;
          comment?: string;
          dryRun?: boolean;
          json?: boolean;
        },
      ) => {
        const files = await expandSpecFiles(args);
        if (options.name && files.length > 1) {
          throw new CliError('--name: only with one file', EXIT.USAGE);
        }
        const client = await ctx.api();
        const planned: Array<
          Change & {
            spec: unknown;
            current?: PipelineDetails;
            description?: string;
          }
        > = [];
        let invalid = false;
        for (const file of files) {
          const pipelineFile = await readPipelineFile(file, {
            organization: options.org,
            name: options.name,
          });
          if (!pipelineFile.organization) {
            throw new CliError(
              `${file}: no organization: give --org or a catalog-info.yaml with the ingestion.backstage.io/organization annotation beside it`,
              EXIT.USAGE,
            );
          }
          const validation = validateFile(pipelineFile);
          if (!validation.valid) {
            invalid = true;
            for (const problem of validation.problems) {
              ctx.io.err(`${formatProblem(file, problem)}\n`);
            }
            continue;
          }
          const existing = await findPipelineByName(
            client,
            pipelineFile.organization,
            pipelineFile.name,
          );
          const current = existing
            ? await client.get<PipelineDetails>(`/pipelines/${existing.id}`)
            : undefined;
          const before = specYaml(current?.spec);
          const after = specYaml(validation.spec);
          let action: Change['action'] = 'update';
          if (!current) action = 'create';
          else if (before === after) action = 'unchanged';
          planned.push({
            file,
            organization: pipelineFile.organization,
            name: pipelineFile.name,
            action,
            pipelineId: current?.id,
            version: current?.currentVersion,
            diff: lineDiff(before, after, {
              before: current
                ? `${pipelineFile.organization}/${pipelineFile.name} v${current.currentVersion}`
                : '/dev/null',
              after: file,
            }),
            spec: validation.spec,
            current,
            description: pipelineFile.description,
          });
        }
        if (invalid) {
          ctx.io.err('Nothing applied: fix the problems above.\n');
          ctx.exitCode = EXIT.FAILED;
          return;
        }
        if (!options.dryRun) {
          for (const change of planned) {
            if (change.action === 'create') {
              const created = await client.request<PipelineDetails>(
                'POST',
                '/pipelines',
                {
                  body: {
                    organization: change.organization,
                    name: change.name,
                    spec: change.spec,
                    ...(change.description
                      ? { description: change.description }
                      : {}),
                    ...(options.comment ? { comment: options.comment } : {}),
                  },
                },
              );
              change.pipelineId = created.id;
              change.version = created.currentVersion;
            } else if (change.action === 'update') {
              const updated = await client.request<PipelineDetails>(
                'PUT',
                `/pipelines/${change.pipelineId}`,
                {
                  body: {
                    spec: change.spec,
                    expectedVersion: change.current!.currentVersion,
                    ...(options.comment ? { comment: options.comment } : {}),
                  },
                },
              );
              change.version = updated.currentVersion;
            }
          }
        }
        const result = planned.map(
          ({ spec: _spec, current: _current, description: _d, ...change }) =>
            change,
        );
        if (options.json) {
          ctx.out(renderJson({ dryRun: !!options.dryRun, changes: result }));
          return;
        }
        if (options.dryRun) {
          for (const change of result) {
            ctx.out(
              `${change.organization}/${change.name}: ${
                change.action === 'unchanged'
                  ? 'unchanged'
                  : `would ${change.action}`
              }\n${change.diff}`,
            );
          }
          return;
        }
        ctx.out(
          renderTable(
            ['PIPELINE', 'RESULT', 'VERSION', 'ID'],
            result.map(c => [
              `${c.organization}/${c.name}`,
              {
                create: 'created',
                update: 'new version',
                unchanged: 'unchanged',
              }[c.action],
              c.version,
              c.pipelineId,
            ]),
          ),
        );
      },
    );
}
