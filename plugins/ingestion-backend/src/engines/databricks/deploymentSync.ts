import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { validatePipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import {
  generateWorkspaceArtifacts,
  hashPipelineSpec,
  type EngineOrganization,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import type { PiiMasking } from '../../pii/PiiMasking';

/** The scheduler task that keeps deployed jobs' notebooks on their effective spec. */
export const DATABRICKS_DEPLOYMENT_SYNC_TASK_ID =
  'ingestion-databricks-deployment-sync';

/** Where notebooks are written: the organization's workspace (the Databricks engine's clients). */
export interface WorkspaceNotebooks {
  importNotebook(
    organization: EngineOrganization,
    path: string,
    content: string,
  ): Promise<void>;
}

/** Options of {@link DatabricksDeploymentSync}. */
export interface DatabricksDeploymentSyncOptions {
  knex: Knex;
  logger: LoggerService;
  /** Organizations to look at: those with a Databricks workspace. */
  organizations: () => readonly EngineOrganization[];
  masking: Pick<PiiMasking, 'effectiveSpec'>;
  notebooks: WorkspaceNotebooks;
}

interface DeployedPipelineRow {
  id: string;
  name: string;
  owner: string;
  description: string | null;
  current_version: number;
  databricks_job_id: string;
  deployed_spec_hash: string | null;
  spec: string;
}

/**
 * Keeps the notebooks of deployed Databricks jobs on their pipeline's effective spec, so the runs a
 * job's own schedule starts mask what the governance policy masks today. A column tagged as PII
 * after the deployment (by a run's review, a scan or Iceberg discovery) changes the effective spec
 * of a non-production organization; the next pass re-imports the job's notebook (same versioned
 * path, so the job and its cluster settings stay as deployed) and records the new spec hash.
 *
 * Only jobs deployed at the pipeline's current version are touched: a newer version is for the
 * deploy step to roll out. Every query is scoped to one organization, and each organization's
 * notebooks go to its own workspace.
 */
export class DatabricksDeploymentSync {
  readonly #options: DatabricksDeploymentSyncOptions;

  constructor(options: DatabricksDeploymentSyncOptions) {
    this.#options = options;
  }

  /** One pass over every organization's deployed pipelines. */
  async sync(): Promise<{ updated: number; errors: number }> {
    const totals = { updated: 0, errors: 0 };
    for (const organization of this.#options.organizations()) {
      if (!organization.databricks) continue;
      for (const row of await this.#deployedAtCurrentVersion(organization.id)) {
        try {
          if (await this.#syncOne(organization, row)) totals.updated += 1;
        } catch (error) {
          // Tried again on the next pass.
          totals.errors += 1;
          this.#options.logger.warn(
            `Could not update the notebook of Databricks job ${row.databricks_job_id} (pipeline ${row.id}, organization ${organization.id}): ${error}`,
          );
        }
      }
    }
    return totals;
  }

  async #deployedAtCurrentVersion(
    organizationId: string,
  ): Promise<DeployedPipelineRow[]> {
    // Only jobs verified as the pipeline's own get the organization's notebook.
    return this.#options
      .knex('pipelines as p')
      .join('pipeline_versions as v', function joinCurrentVersion() {
        this.on('v.organization_id', '=', 'p.organization_id')
          .andOn('v.pipeline_id', '=', 'p.id')
          .andOn('v.version', '=', 'p.current_version');
      })
      .where({ 'p.organization_id': organizationId, 'p.engine': 'databricks' })
      .whereNotNull('p.databricks_job_id')
      .whereNotNull('p.databricks_job_verified_at')
      .andWhereRaw('p.deployed_version = p.current_version')
      .orderBy('p.id')
      .select(
        'p.id',
        'p.name',
        'p.owner',
        'p.description',
        'p.current_version',
        'p.databricks_job_id',
        'p.deployed_spec_hash',
        'v.spec',
      );
  }

  /** True when the job's notebook was updated. */
  async #syncOne(
    organization: EngineOrganization,
    row: DeployedPipelineRow,
  ): Promise<boolean> {
    // With the organization: a deployed job's notebook never names another one's resources.
    const validation = validatePipelineSpec(JSON.parse(row.spec), {
      organization,
    });
    if (!validation.valid) {
      throw new Error(
        `the spec of version ${
          row.current_version
        } does not validate any more: ${validation.problems
          .map(p => `${p.path}: ${p.message}`)
          .join('; ')}`,
      );
    }
    const { spec, masked } = await this.#options.masking.effectiveSpec({
      organizationId: organization.id,
      environment: organization.environment,
      pipelineId: row.id,
      spec: validation.spec,
    });
    const specHash = hashPipelineSpec(spec);
    if (specHash === row.deployed_spec_hash) return false;

    const version = Number(row.current_version);
    const { notebook } = generateWorkspaceArtifacts({
      spec,
      organization,
      pipeline: {
        id: row.id,
        name: row.name,
        owner: row.owner,
        version,
        ...(row.description ? { description: row.description } : {}),
      },
    });
    await this.#options.notebooks.importNotebook(
      organization,
      notebook.path,
      notebook.content,
    );
    // Only while the same job still runs the same version: a deployment in between wins.
    await this.#options
      .knex('pipelines')
      .where({
        organization_id: organization.id,
        id: row.id,
        databricks_job_id: row.databricks_job_id,
        deployed_version: version,
      })
      .update({ deployed_spec_hash: specHash });
    this.#options.logger.info(
      `Updated the notebook of Databricks job ${
        row.databricks_job_id
      } (pipeline ${row.id}, organization ${
        organization.id
      }) to its effective spec${
        masked.length > 0
          ? `, masking ${masked.map(m => m.column).join(', ')}`
          : ''
      }`,
    );
    return true;
  }
}

/**
 * Schedules {@link DatabricksDeploymentSync} on the backend's scheduler (one replica at a time) when
 * an organization has a Databricks workspace. Config:
 * `ingestion.databricksDeploymentSync.frequencyMinutes` (default 5).
 */
export async function startDatabricksDeploymentSync(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  organizations:
    | readonly EngineOrganization[]
    | (() => readonly EngineOrganization[]);
  masking: Pick<PiiMasking, 'effectiveSpec'>;
  notebooks: WorkspaceNotebooks;
}): Promise<DatabricksDeploymentSync | undefined> {
  // A function reads the organizations on every pass (they change at run time).
  const { organizations } = options;
  const current =
    typeof organizations === 'function' ? organizations : () => organizations;
  const withWorkspace = () => current().filter(org => org.databricks);
  if (withWorkspace().length === 0) {
    return undefined;
  }
  const logger = options.logger.child({
    task: DATABRICKS_DEPLOYMENT_SYNC_TASK_ID,
  });
  const sync = new DatabricksDeploymentSync({
    knex: options.knex,
    logger,
    organizations: withWorkspace,
    masking: options.masking,
    notebooks: options.notebooks,
  });
  await options.scheduler.scheduleTask({
    id: DATABRICKS_DEPLOYMENT_SYNC_TASK_ID,
    frequency: {
      minutes:
        options.config.getOptionalNumber(
          'ingestion.databricksDeploymentSync.frequencyMinutes',
        ) ?? 5,
    },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const { updated, errors } = await sync.sync();
      if (updated + errors > 0) {
        logger.info(
          `Databricks deployment sync: ${updated} notebooks updated, ${errors} failed`,
        );
      }
    },
  });
  return sync;
}
