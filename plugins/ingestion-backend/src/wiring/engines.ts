import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type {
  IngestionEngine,
  IngestionEnginesExtensionPoint,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { DatabasePipelinesStore } from '../database/DatabasePipelinesStore';
import {
  DatabricksEngine,
  pipelineDeployments,
  startDatabricksBilling,
  startDatabricksDeploymentSync,
  startDatabricksScheduledRuns,
} from '../engines/databricks';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { PiiMasking } from '../pii';
import { engineOrganization } from '../runs/RunDriver';

/**
 * The execution engines by id, and the extension point modules add theirs through (`local`,
 * DuckDB, is built in; modules add others, e.g. Databricks).
 */
export function createEngineRegistry(): {
  engines: Map<string, IngestionEngine>;
  extensionPoint: IngestionEnginesExtensionPoint;
} {
  const engines = new Map<string, IngestionEngine>();
  return {
    engines,
    extensionPoint: {
      addEngine(engine) {
        if (engines.has(engine.id)) {
          throw new Error(
            `An ingestion engine '${engine.id}' is already added`,
          );
        }
        engines.set(engine.id, engine);
      },
    },
  };
}

/** Databricks ships with the plugin; a module may replace it through the extension point. */
export function addBuiltInDatabricksEngine(
  engines: Map<string, IngestionEngine>,
  options: { logger: LoggerService; knex: Knex },
): void {
  if (engines.has('databricks')) return;
  engines.set(
    'databricks',
    new DatabricksEngine({
      logger: options.logger,
      // Pipelines deployed as jobs run through their job (run-now).
      deployments: pipelineDeployments(
        new DatabasePipelinesStore(options.knex),
      ),
    }),
  );
}

/**
 * The built-in Databricks engine's scheduled work: billed DBUs replace the estimates of its runs
 * (organizations with a billing warehouse), runs that deployed jobs' own schedules start are
 * recorded, and deployed jobs' notebooks follow the PII masks tagged after their deployment.
 * Nothing when a module replaced the engine.
 */
export async function startDatabricksTasks(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  directory: OrganizationDirectory;
  engines: ReadonlyMap<string, IngestionEngine>;
}): Promise<void> {
  const { config, logger, knex, scheduler, directory } = options;
  const databricks = options.engines.get('databricks');
  if (!(databricks instanceof DatabricksEngine)) return;
  const databricksTask = {
    config,
    logger,
    knex,
    scheduler,
    organizations: () => directory.organizations.map(engineOrganization),
    source: databricks,
  };
  await startDatabricksBilling(databricksTask);
  // Runs that deployed jobs' own schedules start, recorded so the driver polls them like any run.
  await startDatabricksScheduledRuns(databricksTask);
  // Deployed jobs' notebooks follow the PII masks tagged after their deployment.
  await startDatabricksDeploymentSync({
    ...databricksTask,
    masking: new PiiMasking(knex),
    notebooks: databricks,
  });
}
