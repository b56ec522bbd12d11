import type { jobs } from '@databricks/sdk-experimental';
import {
  validatePipelineSpec,
  type PipelineSpec,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { buildBundle, pipelineSlug } from './bundle';
import { buildJobSettings } from './job';
import { generateNotebook } from './pyspark/generateNotebook';
import { NOTEBOOK_PARAMETERS } from './pyspark/runtime';
import type {
  CodegenOrganization,
  CodegenPipeline,
  WorkloadType,
} from './types';

/**
 * Options of {@link generateDatabricksArtifacts}.
 *
 * @public
 */
export interface GenerateDatabricksArtifactsOptions {
  /** A spec that passed `validatePipelineSpec` (it is validated again, so invalid input never generates). */
  spec: PipelineSpec;
  organization: CodegenOrganization;
  pipeline: CodegenPipeline;
  /**
   * Cluster profile; defaults to `streaming` for streaming pipelines and `batch` otherwise. Use `batch_large`
   * for big backfills (50 workers, 80 % spot).
   */
  workloadType?: WorkloadType;
}

/**
 * Everything needed to run a pipeline on Databricks.
 *
 * @public
 */
export interface DatabricksArtifacts {
  /** The PySpark notebook in Databricks source format, and the workspace path the job runs it from. */
  notebook: { path: string; content: string };
  /** Jobs API 2.2 settings (for `jobs/create` or `jobs/reset`). */
  job: jobs.JobSettings;
  /** A Databricks Asset Bundle: file name to content. */
  bundle: { files: Record<string, string> };
}

/**
 * Generates the notebook, the job and the asset bundle of a pipeline version for an organization.
 * Deterministic: the same input always gives the same bytes, so the output can be reviewed as a diff.
 *
 * @throws Error when the spec is invalid, names a catalog or storage location that is not the organization's,
 * or cannot run on Databricks (e.g. relative paths without storage).
 * @public
 */
export function generateDatabricksArtifacts(
  options: GenerateDatabricksArtifactsOptions,
): DatabricksArtifacts {
  const { organization, pipeline } = options;
  // With the organization: a notebook runs with the cluster's credentials, so it must never
  // name another organization's catalog or storage, whatever the caller checked before.
  const validation = validatePipelineSpec(options.spec, { organization });
  if (!validation.valid) {
    const problems = validation.problems.map(p => `${p.path}: ${p.message}`);
    throw new Error(
      `Invalid pipeline spec for ${pipeline.id}: ${problems.join('; ')}`,
    );
  }
  const spec = validation.spec;
  const streaming = spec.pipeline_type === 'streaming';
  const incremental =
    'incremental_column' in spec.source && !!spec.source.incremental_column;
  const slug = pipelineSlug(pipeline);
  const root =
    organization.databricks?.workspaceRoot ??
    `/Shared/ingestion/${organization.id}`;
  const path = `${root.replace(/\/+$/, '')}/${slug}`;
  const content = generateNotebook({ spec, organization, pipeline });
  const job = buildJobSettings({
    organization,
    pipeline,
    notebookPath: path,
    workloadType: options.workloadType ?? (streaming ? 'streaming' : 'batch'),
    schedule: spec.schedule,
    exclusive: streaming || incremental,
    baseParameters: {
      [NOTEBOOK_PARAMETERS.watermark]: '',
      [NOTEBOOK_PARAMETERS.fullRefresh]: '',
      // Scheduled runs record the Databricks run id; runs the backend submits pass their own id.
      [NOTEBOOK_PARAMETERS.runId]: '{{job.run_id}}',
    },
  });
  return {
    notebook: { path, content },
    job,
    bundle: {
      files: buildBundle({ organization, slug, job, notebook: content }),
    },
  };
}
