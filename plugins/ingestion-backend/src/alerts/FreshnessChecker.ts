import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { nextFireTime, previousFireTime } from '../runs/schedules';
import type { AlertLedger } from './AlertLedger';
import type { AlertsStore, ScheduledPipeline } from './AlertsStore';
import { ALERT_TOPICS, deliverAlert, pipelineTabLink } from './deliverAlert';

/** A pipeline that missed its freshness: no successful run within its interval plus the grace. */
export interface StalePipeline {
  pipeline: ScheduledPipeline;
  /** The fire time whose run (plus grace) should have succeeded by now. */
  missedFireTime: Date;
  intervalMs: number;
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * Whether a scheduled pipeline is stale at `now`: the latest fire time whose grace period has
 * passed is `missed` when no run succeeded since the fire time before it (that is, within the
 * schedule's interval plus the grace). Fire times before the current version was saved are not
 * expected to have runs.
 */
export function staleness(
  pipeline: ScheduledPipeline,
  now: Date,
  graceMs: number,
): StalePipeline | undefined {
  const { schedule, scheduleTimezone } = pipeline;
  const due = previousFireTime(
    schedule,
    scheduleTimezone,
    new Date(now.getTime() - graceMs),
  );
  if (!due) return undefined;
  const before = previousFireTime(schedule, scheduleTimezone, due);
  const after = nextFireTime(schedule, scheduleTimezone, due);
  if (!before || !after) return undefined;
  const intervalMs = after.getTime() - due.getTime();
  // The window the run of the previous fire time had: it should have succeeded within it.
  if (before.getTime() < new Date(pipeline.updatedAt).getTime()) {
    return undefined;
  }
  const last = pipeline.lastSucceededAt
    ? new Date(pipeline.lastSucceededAt).getTime()
    : undefined;
  if (last !== undefined && last >= before.getTime()) return undefined;
  return { pipeline, missedFireTime: due, intervalMs };
}

/**
 * The scheduled freshness check: each scheduled pipeline of each organization whose data is
 * older than its interval plus `ingestion.alerts.freshnessGracePeriod` alerts its owners, once
 * per missed interval (the ledger key names the missed fire time).
 */
export class FreshnessChecker {
  constructor(
    private readonly options: {
      ledger: AlertLedger;
      store: AlertsStore;
      organizations: () => ReadonlyArray<{ id: string }>;
      notifications?: NotificationService;
      logger: LoggerService;
      graceMs: number;
      clock?: () => Date;
    },
  ) {}

  /** One pass; returns the alerts this replica raised. */
  async check(): Promise<number> {
    const now = this.options.clock?.() ?? new Date();
    let raised = 0;
    for (const organization of this.options.organizations()) {
      try {
        for (const pipeline of await this.options.store.scheduledPipelines(
          organization.id,
        )) {
          const stale = staleness(pipeline, now, this.options.graceMs);
          if (stale && (await this.#raise(stale, now))) raised += 1;
        }
      } catch (error) {
        this.options.logger.warn(
          `Freshness check failed for ${organization.id}: ${error}`,
        );
      }
    }
    return raised;
  }

  async #raise(stale: StalePipeline, now: Date): Promise<boolean> {
    const { pipeline, missedFireTime, intervalMs } = stale;
    const key = `freshness:${pipeline.id}:${missedFireTime.toISOString()}`;
    const claimed = await this.options.ledger.claim({
      key,
      kind: 'freshness',
      organizationId: pipeline.organizationId,
      pipelineId: pipeline.id,
      at: now,
    });
    if (!claimed) return false;
    await deliverAlert(this.options.notifications, this.options.logger, {
      recipients: [pipeline.owner],
      payload: {
        title: `${pipeline.name}: data is stale`,
        description: `${pipeline.name} (${pipeline.organizationId}) runs on '${
          pipeline.schedule
        }' (every ${minutes(intervalMs)} min) but has not succeeded since ${
          pipeline.lastSucceededAt ?? 'it was saved'
        }; the run due at ${missedFireTime.toISOString()} is past its grace period of ${minutes(
          this.options.graceMs,
        )} min.`,
        link: pipelineTabLink(pipeline.id, 'runs'),
        severity: 'high',
        topic: ALERT_TOPICS.freshness,
        scope: `freshness:${pipeline.id}`,
      },
    });
    return true;
  }
}
