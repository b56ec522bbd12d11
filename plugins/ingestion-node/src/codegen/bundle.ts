import type { jobs } from '@databricks/sdk-experimental';
import { stringify } from 'yaml';
import type { CodegenOrganization } from './types';

/**
 * Options of {@link buildBundle}.
 *
 * @public
 */
export interface BuildBundleOptions {
  organization: CodegenOrganization;
  /** File-name-safe pipeline key (see {@link pipelineSlug}); names the bundle resource and its files. */
  slug: string;
  /** Job settings whose notebook task points at the workspace notebook; re-pointed at the bundled file. */
  job: jobs.JobSettings;
  /** Notebook source, stored as `src/<slug>.py` in the bundle. */
  notebook: string;
}

/**
 * A Databricks Asset Bundle for teams that deploy with `databricks bundle deploy`: `databricks.yml` (bundle,
 * one target for the organization's environment and workspace), `resources/<slug>.job.yml` (the job) and
 * `src/<slug>.py` (the notebook). File names map to file contents; output is deterministic.
 *
 * @public
 */
export function buildBundle(
  options: BuildBundleOptions,
): Record<string, string> {
  const { organization, slug, job, notebook } = options;
  const notebookFile = `src/${slug}.py`;
  const host = organization.databricks?.host;
  const target = organization.environment;
  const databricksYml = {
    bundle: { name: `${organization.id}-${slug}` },
    include: ['resources/*.yml'],
    targets: {
      [target]: {
        // Development mode prefixes resource names and pauses schedules, so a dev deploy never competes with
        // the real job; staging and production deploy the job as generated.
        mode: target === 'development' ? 'development' : 'production',
        default: true,
        workspace: {
          ...(host ? { host } : {}),
          root_path: `/Workspace/Shared/ingestion/${organization.id}/.bundle/\${bundle.name}/\${bundle.target}`,
        },
      },
    },
  };
  const bundleJob: jobs.JobSettings = {
    ...job,
    tasks: job.tasks?.map(task =>
      task.notebook_task
        ? {
            ...task,
            // Relative to the resource file; the CLI uploads the notebook with the bundle.
            notebook_task: {
              ...task.notebook_task,
              notebook_path: `../${notebookFile}`,
            },
          }
        : task,
    ),
  };
  return {
    'databricks.yml': toYaml(databricksYml),
    [`resources/${slug}.job.yml`]: toYaml({
      resources: { jobs: { [slug]: bundleJob } },
    }),
    [notebookFile]: notebook,
  };
}

function toYaml(value: unknown): string {
  // No line folding and no anchors: the files are reviewed as diffs and read by people.
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * A file- and resource-key-safe name for a pipeline (lower case letters, digits, `_` and `-`), from its name,
 * falling back to its id.
 *
 * @public
 */
export function pipelineSlug(pipeline: { id: string; name: string }): string {
  const slugify = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '_')
      .replace(/^[_-]+|[_-]+$/g, '')
      .slice(0, 100);
  return slugify(pipeline.name) || slugify(pipeline.id) || 'pipeline';
}
