import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import { durationToMilliseconds } from '@backstage/types';
import type { Knex } from 'knex';
import type { OrganizationDirectory } from '../organizations/OrganizationDirectory';
import { AlertLedger } from './AlertLedger';
import { AlertsStore } from './AlertsStore';
import { FreshnessChecker } from './FreshnessChecker';
import { RunAlerter } from './RunAlerter';
import { RunStatusSignals } from './RunStatusSignals';

export { AlertLedger, insertOnce } from './AlertLedger';
export { ALERT_TOPICS, deliverAlert } from './deliverAlert';
export type { RunRefusal } from './RunAlerter';
export {
  organizationRunsChannel,
  pipelineRunsChannel,
} from './RunStatusSignals';
export type { RunStatusSignal } from './RunStatusSignals';

export const FRESHNESS_ALERTS_TASK_ID = 'ingestion-freshness-alerts';

/** Default grace after a missed interval before a freshness alert: 30 minutes. */
const DEFAULT_GRACE_MS = 30 * 60_000;

function readGraceMs(config: RootConfigService): number {
  const settings = config.getOptionalConfig('ingestion.alerts');
  if (!settings?.has('freshnessGracePeriod')) return DEFAULT_GRACE_MS;
  return durationToMilliseconds(
    readDurationFromConfig(settings, { key: 'freshnessGracePeriod' }),
  );
}

/**
 * Alerts (see the README's "Alerts"): run failures, refusals and quality breaches as Backstage
 * notifications (the caller wires {@link RunAlerter.onRunFinished} and `onRunRefused`), the
 * scheduled freshness check (`ingestion.alerts`), and run status signals for open pages.
 */
export async function startAlerts(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  directory: OrganizationDirectory;
  notifications?: NotificationService;
  signals?: SignalsService;
}) {
  const { config, knex, scheduler, directory } = options;
  const logger = options.logger.child({ task: FRESHNESS_ALERTS_TASK_ID });
  const ledger = new AlertLedger(knex);
  const store = new AlertsStore(knex);
  const runs = new RunAlerter({
    ledger,
    store,
    notifications: options.notifications,
    logger: options.logger,
  });
  const freshness = new FreshnessChecker({
    ledger,
    store,
    organizations: () => directory.organizations,
    notifications: options.notifications,
    logger,
    graceMs: readGraceMs(config),
  });
  const settings = config.getOptionalConfig('ingestion.alerts');
  if (settings?.getOptionalBoolean('freshness.enabled') !== false) {
    await scheduler.scheduleTask({
      id: FRESHNESS_ALERTS_TASK_ID,
      frequency: {
        minutes:
          settings?.getOptionalNumber('freshness.checkEveryMinutes') ?? 5,
      },
      timeout: { minutes: 10 },
      initialDelay: { minutes: 1 },
      fn: async () => {
        const raised = await freshness.check();
        if (raised > 0) logger.info(`Freshness alerts: ${raised} raised`);
      },
    });
  }
  const signals = new RunStatusSignals({
    signals: options.signals,
    membersOf: id => {
      const organization = directory.find(id);
      return organization
        ? Object.values(organization.roles).flatMap(groups => groups ?? [])
        : [];
    },
    logger: options.logger,
  });
  return { runs, freshness, signals };
}
