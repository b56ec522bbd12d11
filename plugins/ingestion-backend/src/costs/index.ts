import type {
  AuthService,
  HttpAuthService,
  LifecycleService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Knex } from 'knex';
import type { AuditRecord } from '../audit';
import type { IngestionAuthorizer } from '../authorization/IngestionAuthorizer';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { OrganizationOfResourceStore } from '../ratelimit/OrganizationOfResourceStore';
import { BudgetAlerter } from './BudgetAlerter';
import { BudgetGate } from './BudgetGate';
import { Budgets, DEFAULT_THRESHOLDS } from './Budgets';
import { BudgetsStore } from './BudgetsStore';
import { CostAllocator } from './CostAllocator';
import { readCostPricing } from './pricing';
import { createSpendRouter } from './router';
import { SpendService } from './SpendService';
import { SpendStore } from './SpendStore';
import {
  anyStorageMeasure,
  readStorageS3Settings,
  s3StorageMeasure,
} from './s3Storage';
import { CostSampler, localStorageMeasure } from './StorageSampler';
import { CatalogTeamResolver } from './teams';
import { ApiUsageCounter } from './usage';

export { readCostPricing } from './pricing';
export type { CostPricing } from './pricing';

export const COST_ALLOCATION_TASK_ID = 'ingestion-cost-allocation';
export const COST_SAMPLES_TASK_ID = 'ingestion-cost-samples';
export const BUDGET_ALERTS_TASK_ID = 'ingestion-budget-alerts';

function readThresholds(value: unknown): number[] {
  if (value === undefined) return DEFAULT_THRESHOLDS;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every(t => typeof t === 'number' && t > 0 && t <= 2)
  ) {
    throw new Error(
      'ingestion.costs.budgets.defaultThresholds must be a list of fractions of the budget, e.g. [0.5, 0.8, 1]',
    );
  }
  return [...value].sort((a, b) => a - b);
}

/**
 * Spend end to end (see the README's "Costs"): the spend and budget API, the budget gate for
 * new runs (`ingestion.costs.blockRunsAtBudget`), the API usage counter, and three scheduled
 * tasks (one replica at a time): tag completion, daily storage and platform samples, and budget
 * alerts.
 */
export async function startSpend(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  authorizer: IngestionAuthorizer;
  directory: OrganizationDirectory;
  catalog?: CatalogService;
  notifications?: NotificationService;
  audit?: { record(event: AuditRecord): Promise<void> };
}) {
  const { config, logger, knex, scheduler, directory } = options;
  const settings = config.getOptionalConfig('ingestion.costs');
  const pricing = readCostPricing(config);
  const teams = options.catalog
    ? new CatalogTeamResolver({
        catalog: options.catalog,
        auth: options.auth,
        logger,
      })
    : undefined;
  const spendStore = new SpendStore(knex);
  const budgets = new Budgets({
    store: new BudgetsStore(knex),
    spend: spendStore,
    teams,
    defaultThresholds: readThresholds(
      settings?.getOptional('budgets.defaultThresholds'),
    ),
  });
  const service = new SpendService({
    spend: spendStore,
    budgets,
    authorizer: options.authorizer,
    directory,
    currency: pricing.currency,
    audit: options.audit,
  });
  const allocator = new CostAllocator({
    knex,
    teams,
    rollup: spendStore.rollup,
    logger,
  });
  const allocateAll = async () => {
    for (const organization of directory.organizations) {
      await allocator.complete(organization);
      // Records updated in place (billed DBUs replace estimates for a few days).
      await spendStore.rollup.refreshRecent(organization.id, new Date());
    }
  };
  const s3Settings = readStorageS3Settings(config);
  const sampler = new CostSampler({
    knex,
    logger,
    pricing,
    organizations: () => directory.organizations,
    measureStorage: anyStorageMeasure(
      localStorageMeasure(),
      s3StorageMeasure({ settingsOf: id => s3Settings.get(id) }),
    ),
  });
  const alerter = new BudgetAlerter({
    budgets,
    organizations: () => directory.organizations,
    notifications: options.notifications,
    audit: options.audit,
    logger,
    currency: pricing.currency,
  });
  const counter = new ApiUsageCounter({
    knex,
    directory,
    resources: OrganizationOfResourceStore.create({ knex }),
    logger,
  });
  options.lifecycle.addShutdownHook(() => counter.close());

  await scheduler.scheduleTask({
    id: COST_ALLOCATION_TASK_ID,
    frequency: { minutes: 10 },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 30 },
    fn: allocateAll,
  });
  await scheduler.scheduleTask({
    id: COST_SAMPLES_TASK_ID,
    frequency: { hours: settings?.getOptionalNumber('sampleEveryHours') ?? 6 },
    timeout: { minutes: 30 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const written = await sampler.sample();
      if (written.storage + written.platform > 0) {
        logger.info(
          `Cost samples: ${written.storage} storage and ${written.platform} platform usage records`,
        );
      }
    },
  });
  await scheduler.scheduleTask({
    id: BUDGET_ALERTS_TASK_ID,
    frequency: {
      minutes:
        settings?.getOptionalNumber('budgets.evaluateEveryMinutes') ?? 15,
    },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 2 },
    fn: async () => {
      await allocateAll();
      await alerter.evaluate();
    },
  });

  return {
    pricing,
    service,
    allocator,
    alerter,
    sampler,
    counter,
    /** For RunsService: refuses runs at 100% when configured. */
    budgetGate: settings?.getOptionalBoolean('blockRunsAtBudget')
      ? new BudgetGate({ budgets, teams, currency: pricing.currency })
      : undefined,
    /** Completes a finished run's records' tags (a person's team) at once. */
    onRunFinished: (event: { run: { organization: string } }) => {
      const organization = directory.find(event.run.organization);
      if (organization) {
        allocator
          .complete(organization)
          .catch(error => logger.warn(`Cost allocation failed: ${error}`));
      }
    },
    api: {
      path: '',
      router: createSpendRouter({ httpAuth: options.httpAuth, spend: service }),
    },
  };
}
