import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { pipelineSlug } from '../codegen/bundle';
import {
  generateDatabricksArtifacts,
  type DatabricksArtifacts,
} from '../codegen/generate';
import type {
  CodegenOrganization,
  CodegenPipeline,
  WorkloadType,
} from '../codegen/types';
import type { EngineOrganization } from '../engines/types';

type CodegenDatabricks = NonNullable<CodegenOrganization['databricks']>;

/** Code generation settings an organization's `databricks` block may carry beyond host and token. */
const CODEGEN_DATABRICKS_KEYS: ReadonlyArray<keyof CodegenDatabricks> = [
  'nodeTypeOverrides',
  'cluster',
  'instanceProfileArn',
  'workspaceRoot',
];

/**
 * The organization as code generation needs it, from the organization an engine gets (the token stays out).
 *
 * @public
 */
export function toCodegenOrganization(
  organization: EngineOrganization,
): CodegenOrganization {
  const source = organization.databricks as
    | (EngineOrganization['databricks'] & Partial<CodegenDatabricks>)
    | undefined;
  let databricks: CodegenDatabricks | undefined;
  if (source) {
    databricks = {
      host: source.host,
      ...(source.clusterPolicyId
        ? { clusterPolicyId: source.clusterPolicyId }
        : {}),
      notificationEmails: [...(source.notificationEmails ?? [])],
    };
    for (const key of CODEGEN_DATABRICKS_KEYS) {
      if (source[key] !== undefined) {
        (databricks as Record<string, unknown>)[key] = source[key];
      }
    }
  }
  return {
    id: organization.id,
    name: organization.name,
    costCenter: organization.costCenter,
    environment: organization.environment,
    owner: organization.owner,
    ...(organization.project ? { project: organization.project } : {}),
    quotas: {
      maxConcurrentJobs: organization.quotas.maxConcurrentJobs,
      maxDbuPerHour: organization.quotas.maxDbuPerHour,
    },
    ...(databricks ? { databricks } : {}),
    storage: organization.storage,
    icebergCatalog: organization.icebergCatalog,
    ...(organization.icebergCatalogs
      ? { icebergCatalogs: [...organization.icebergCatalogs] }
      : {}),
    ...(organization.storageLocations
      ? { storageLocations: [...organization.storageLocations] }
      : {}),
  };
}

/**
 * The workspace folder of a pipeline: `<workspace root>/<pipeline slug>`, by default
 * `/Shared/ingestion/<organization>/<pipeline>`.
 *
 * @public
 */
export function pipelineWorkspaceFolder(
  organization: Pick<CodegenOrganization, 'id' | 'databricks'>,
  pipeline: { id: string; name: string },
): string {
  const root =
    organization.databricks?.workspaceRoot ??
    `/Shared/ingestion/${organization.id}`;
  return `${root.replace(/\/+$/, '')}/${pipelineSlug(pipeline)}`;
}

/**
 * Where a pipeline version's notebook lives: `<pipeline folder>/v<version>`. One notebook per version, so a
 * run that is still waiting for its cluster executes the version it was submitted for, even when a newer
 * version is imported meanwhile, and the scheduled job runs exactly the version it was deployed with.
 *
 * @public
 */
export function versionedNotebookPath(
  organization: Pick<CodegenOrganization, 'id' | 'databricks'>,
  pipeline: { id: string; name: string; version: number | string },
): string {
  const version = String(pipeline.version).replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${pipelineWorkspaceFolder(organization, pipeline)}/v${version}`;
}

/**
 * Options of {@link generateWorkspaceArtifacts}.
 *
 * @public
 */
export interface GenerateWorkspaceArtifactsOptions {
  spec: PipelineSpec;
  organization: EngineOrganization;
  pipeline: CodegenPipeline;
  workloadType?: WorkloadType;
}

/**
 * {@link generateDatabricksArtifacts} for deployment into the organization's workspace: the notebook at its
 * {@link versionedNotebookPath}, and the job's notebook task pointing there.
 *
 * @public
 */
export function generateWorkspaceArtifacts(
  options: GenerateWorkspaceArtifactsOptions,
): DatabricksArtifacts {
  const organization = toCodegenOrganization(options.organization);
  const artifacts = generateDatabricksArtifacts({
    spec: options.spec,
    organization,
    pipeline: options.pipeline,
    workloadType: options.workloadType,
  });
  const path = versionedNotebookPath(organization, options.pipeline);
  return {
    ...artifacts,
    notebook: { path, content: artifacts.notebook.content },
    job: {
      ...artifacts.job,
      tasks: artifacts.job.tasks?.map(task =>
        task.notebook_task
          ? {
              ...task,
              notebook_task: { ...task.notebook_task, notebook_path: path },
            }
          : task,
      ),
    },
  };
}
