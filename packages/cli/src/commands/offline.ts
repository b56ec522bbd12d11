import fs from 'node:fs/promises';
import path from 'node:path';
import { generateDatabricksArtifacts } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../exitCodes';
import { renderJson } from '../io';
import { readOrganization, type OrganizationOptions } from '../organization';
import {
  expandSpecFiles,
  formatProblem,
  readPipelineFile,
  validateFile,
} from '../pipelineFiles';

const orgOptions = (command: Command) =>
  command
    .option(
      '--org <id>',
      "the organization: also checks that the spec names only its catalogs and storage (default catalog '<id>_catalog')",
    )
    .option(
      '--org-config <file>',
      'YAML/JSON with the organization as configured (id, name, costCenter, environment, owner, storage, icebergCatalog, databricks, quotas)',
    );

/** `validate` and `render`: no portal needed. */
export function registerOfflineCommands(program: Command, ctx: CommandContext) {
  orgOptions(
    program
      .command('validate')
      .description(
        'Check pipeline spec files (or folders of pipeline.yaml files): every problem with its file, line, column and path. Exit 1 when any file has problems.',
      )
      .argument('<files...>', 'pipeline.yaml files or folders'),
  )
    .option('--json', 'print the result as JSON')
    .action(
      async (
        files: string[],
        options: OrganizationOptions & { json?: boolean },
      ) => {
        const organization = await readOrganization(options);
        const results = [];
        for (const file of await expandSpecFiles(files)) {
          results.push(
            validateFile(await readPipelineFile(file), organization),
          );
        }
        const invalid = results.filter(r => !r.valid);
        if (options.json) {
          ctx.out(
            renderJson({
              valid: invalid.length === 0,
              files: results.map(r =>
                r.valid
                  ? { file: r.file, valid: true }
                  : { file: r.file, valid: false, problems: r.problems },
              ),
            }),
          );
        } else {
          for (const result of results) {
            if (result.valid) {
              ctx.out(`${result.file}: valid\n`);
            } else {
              for (const problem of result.problems) {
                ctx.out(`${formatProblem(result.file, problem)}\n`);
              }
            }
          }
          if (invalid.length > 0) {
            const count = invalid.reduce(
              (sum, r) => sum + (r.valid ? 0 : r.problems.length),
              0,
            );
            ctx.out(
              `${count} problem${count === 1 ? '' : 's'} in ${
                invalid.length
              } of ${results.length} file${results.length === 1 ? '' : 's'}\n`,
            );
          }
        }
        ctx.exitCode = invalid.length > 0 ? EXIT.FAILED : EXIT.OK;
      },
    );

  orgOptions(
    program
      .command('render')
      .description(
        'Generate what runs on Databricks from a spec: the PySpark notebook, the job (job.json) and the asset bundle (databricks.yml, resources/, src/), as the backend and the templates generate them.',
      )
      .argument('<file>', 'a pipeline.yaml'),
  )
    .requiredOption('--out <dir>', 'folder to write the files into')
    .option(
      '--name <name>',
      'the pipeline name (default: from catalog-info.yaml or the folder)',
    )
    .option('--owner <ref>', "the owner's entity ref (the Owner cost tag)")
    .option('--pipeline-version <n>', 'the version to stamp', '1')
    .option('--cost-center <code>', 'the CostCenter cost tag')
    .option('--environment <env>', 'production, staging or development')
    .option('--json', 'print the written files as JSON')
    .action(
      async (
        file: string,
        options: OrganizationOptions & {
          out: string;
          name?: string;
          owner?: string;
          pipelineVersion: string;
          json?: boolean;
        },
      ) => {
        const organization = await readOrganization(options);
        if (!organization) {
          throw new CliError(
            'render: give the organization with --org or --org-config',
            EXIT.USAGE,
          );
        }
        const pipelineFile = await readPipelineFile(file, {
          name: options.name,
        });
        const validation = validateFile(pipelineFile, organization);
        if (!validation.valid) {
          for (const problem of validation.problems) {
            ctx.io.err(`${formatProblem(file, problem)}\n`);
          }
          ctx.exitCode = EXIT.FAILED;
          return;
        }
        let artifacts;
        try {
          artifacts = generateDatabricksArtifacts({
            spec: validation.spec,
            organization,
            pipeline: {
              id: pipelineFile.name,
              name: pipelineFile.name,
              owner: options.owner ?? organization.owner,
              version: Number(options.pipelineVersion),
              ...(pipelineFile.description
                ? { description: pipelineFile.description }
                : {}),
            },
          });
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.FAILED);
        }
        const files: Record<string, string> = {
          'job.json': `${JSON.stringify(artifacts.job, null, 2)}\n`,
          ...artifacts.bundle.files,
        };
        const written: string[] = [];
        for (const [name, content] of Object.entries(files)) {
          const target = path.join(options.out, name);
          await fs.mkdir(path.dirname(target), { recursive: true });
          await fs.writeFile(target, content);
          written.push(target);
        }
        if (options.json) {
          ctx.out(
            renderJson({
              notebookPath: artifacts.notebook.path,
              files: written,
            }),
          );
        } else {
          ctx.out(written.map(w => `wrote ${w}\n`).join(''));
        }
      },
    );
}
