import type {
  Pipeline,
  PipelineDetails,
  PipelineVersion,
  Run,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CommandContext } from '../context';
import { renderTable } from '../io';
import { resolvePipelineId } from '../resolve';
import { registerApplyCommand } from './apply';

const PIPELINE_REF =
  'a pipeline id, <organization>/<name>, or a name with --org';

/** `pipelines list|get|apply|delete|versions|rollback`. */
export function registerPipelineCommands(
  program: Command,
  ctx: CommandContext,
) {
  const pipelines = program
    .command('pipelines')
    .description('List, show, apply, delete and roll back pipelines');

  pipelines
    .command('list')
    .description('The pipelines you may read, newest change first')
    .option('--org <id>', 'only this organization')
    .option('--search <text>', 'names containing this text')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        org?: string;
        search?: string;
        limit: string;
        json?: boolean;
      }) => {
        const client = await ctx.api();
        const items: Pipeline[] = [];
        const limit = Number(options.limit);
        for await (const pipeline of client.pages<Pipeline>('/pipelines', {
          organization: options.org,
          q: options.search,
          limit: Math.min(limit, 100),
        })) {
          items.push(pipeline);
          if (items.length >= limit) break;
        }
        ctx.print(options, items, () => ({
          head: [
            'ORGANIZATION',
            'NAME',
            'TYPE',
            'ENGINE',
            'VERSION',
            'SCHEDULE',
            'UPDATED',
            'ID',
          ],
          rows: items.map(p => [
            p.organization,
            p.name,
            p.pipelineType,
            p.engine,
            p.currentVersion,
            p.schedule ?? '',
            p.updatedAt,
            p.id,
          ]),
        }));
      },
    );

  pipelines
    .command('get')
    .description('A pipeline, its current spec and its latest runs')
    .argument('<pipeline>', PIPELINE_REF)
    .option('--org <id>', 'the organization of a pipeline given by name')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { org?: string; json?: boolean }) => {
      const client = await ctx.api();
      const id = await resolvePipelineId(client, ref, options.org);
      const pipeline = await client.get<PipelineDetails>(`/pipelines/${id}`);
      const runs = await client.get<{ items: Run[] }>(`/pipelines/${id}/runs`, {
        limit: 5,
      });
      ctx.print(options, { ...pipeline, latestRuns: runs.items }, () =>
        [
          renderTable(
            ['FIELD', 'VALUE'],
            [
              ['id', pipeline.id],
              ['organization', pipeline.organization],
              ['name', pipeline.name],
              ['owner', pipeline.owner],
              ['type', pipeline.pipelineType],
              ['engine', pipeline.engine],
              ['version', pipeline.currentVersion],
              ['schedule', pipeline.schedule],
              ['updated', `${pipeline.updatedAt} by ${pipeline.updatedBy}`],
            ],
          ),
          '\nLatest runs:\n',
          runs.items.length
            ? renderTable(
                ['RUN', 'STATUS', 'VERSION', 'QUEUED', 'ROWS WRITTEN'],
                runs.items.map(r => [
                  r.id,
                  r.status,
                  r.pipelineVersion,
                  r.queuedAt,
                  r.rowsWritten,
                ]),
              )
            : '  none\n',
          '\nSpec:\n',
          stringify(pipeline.spec, { lineWidth: 0 }),
        ].join(''),
      );
    });

  registerApplyCommand(pipelines, ctx);

  pipelines
    .command('delete')
    .description(
      'Delete a pipeline with its versions and runs (cost records stay for chargeback)',
    )
    .argument('<pipeline>', PIPELINE_REF)
    .option('--org <id>', 'the organization of a pipeline given by name')
    .action(async (ref: string, options: { org?: string }) => {
      const client = await ctx.api();
      const id = await resolvePipelineId(client, ref, options.org);
      await client.request('DELETE', `/pipelines/${id}`);
      ctx.out(`deleted ${id}\n`);
    });

  pipelines
    .command('versions')
    .description("A pipeline's versions, newest first")
    .argument('<pipeline>', PIPELINE_REF)
    .option('--org <id>', 'the organization of a pipeline given by name')
    .option('--json', 'print JSON')
    .action(async (ref: string, options: { org?: string; json?: boolean }) => {
      const client = await ctx.api();
      const id = await resolvePipelineId(client, ref, options.org);
      const versions = await client.all<PipelineVersion>(
        `/pipelines/${id}/versions`,
      );
      ctx.print(options, versions, () => ({
        head: ['VERSION', 'CREATED', 'BY', 'HASH', 'COMMENT'],
        rows: versions.map(v => [
          v.version,
          v.createdAt,
          v.createdBy,
          v.specHash.slice(0, 12),
          v.restoredFromVersion
            ? `restores v${v.restoredFromVersion}${
                v.comment ? `: ${v.comment}` : ''
              }`
            : v.comment,
        ]),
      }));
    });

  pipelines
    .command('rollback')
    .description("Save a new version whose spec is an earlier version's")
    .argument('<pipeline>', PIPELINE_REF)
    .requiredOption('--to <version>', 'the version to restore')
    .option('--org <id>', 'the organization of a pipeline given by name')
    .option('--comment <text>', 'why')
    .option('--json', 'print JSON')
    .action(
      async (
        ref: string,
        options: { to: string; org?: string; comment?: string; json?: boolean },
      ) => {
        const client = await ctx.api();
        const id = await resolvePipelineId(client, ref, options.org);
        const pipeline = await client.request<PipelineDetails>(
          'POST',
          `/pipelines/${id}/rollback`,
          {
            body: {
              version: Number(options.to),
              ...(options.comment ? { comment: options.comment } : {}),
            },
          },
        );
        ctx.print(
          options,
          pipeline,
          () =>
            `${pipeline.organization}/${pipeline.name}: version ${pipeline.currentVersion} restores version ${options.to}\n`,
        );
      },
    );
}
