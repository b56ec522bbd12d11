import type {
  LifecycleService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type {
  IngestionEngine,
  ResolvedConnection,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { readCostPricing } from '../costs/pricing';
import { EgressGuard } from '../egress';
import { LocalEngine } from '../engines/local';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { RunDriver, type RunDriverOptions } from './RunDriver';

export { RunDriver } from './RunDriver';
export type {
  RetryPolicy,
  RunDriverOptions,
  RunFinishedListener,
} from './RunDriver';
export type { FinishedRun, Pricing, RecordedTable } from './RunResultRecorder';

/** The scheduler task that drives runs. */
export const RUN_DRIVER_TASK_ID = 'ingestion-run-driver';

/**
 * Creates the local engine (unless an engine with id `local` was added already), the run driver,
 * and schedules the driver through the backend's scheduler (a distributed lock keeps replicas
 * from ticking at once). Configuration: `ingestion.runDriver`, `ingestion.localEngine`,
 * `ingestion.pricing`.
 */
export async function startRunDriver(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  lifecycle?: LifecycleService;
  directory: OrganizationDirectory;
  /** The engines added by modules; the local engine is added here. */
  engines: Map<string, IngestionEngine>;
  connections: {
    resolveConnection(
      organizationId: string,
      name: string,
    ): Promise<ResolvedConnection>;
  };
  budgetGate?: RunDriverOptions['budgetGate'];
  onRunRefused?: RunDriverOptions['onRunRefused'];
  onStatusChanged?: RunDriverOptions['onStatusChanged'];
}): Promise<RunDriver> {
  const { config, logger, knex, engines } = options;
  if (!engines.has('local')) {
    const local = LocalEngine.fromConfig(config, {
      database: knex,
      logger,
      // Allow-lists of the organizations as they are now (created or changed at run time too).
      egress: EgressGuard.fromConfig(config, { directory: options.directory }),
    });
    engines.set(local.id, local);
    options.lifecycle?.addShutdownHook(() => local.close());
  }
  const settings = config.getOptionalConfig('ingestion.runDriver');
  const driver = new RunDriver({
    knex,
    directory: options.directory,
    engines,
    resolveConnection: async (organizationId, name) => {
      const connection = await options.connections.resolveConnection(
        organizationId,
        name,
      );
      return {
        type: connection.type,
        settings: connection.settings,
        password: connection.password,
      };
    },
    logger: logger.child({ task: RUN_DRIVER_TASK_ID }),
    pricing: readCostPricing(config),
    budgetGate: options.budgetGate,
    onRunRefused: options.onRunRefused,
    onStatusChanged: options.onStatusChanged,
    retry: {
      maxAttempts: settings?.getOptionalNumber('maxAttempts'),
      baseDelaySeconds: settings?.getOptionalNumber('retryDelaySeconds'),
      maxDelaySeconds: settings?.getOptionalNumber('maxRetryDelaySeconds'),
    },
  });
  if (settings?.getOptionalBoolean('enabled') !== false) {
    await options.scheduler.scheduleTask({
      id: RUN_DRIVER_TASK_ID,
      frequency: {
        seconds: settings?.getOptionalNumber('frequencySeconds') ?? 2,
      },
      timeout: { minutes: 5 },
      fn: () => driver.tick(),
    });
  }
  return driver;
}
