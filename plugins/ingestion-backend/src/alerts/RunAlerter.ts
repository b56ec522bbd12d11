import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { Run } from '@ingestion-for-backstage/plugin-ingestion-common';
import type { AlertLedger } from './AlertLedger';
import type { AlertPipeline, AlertsStore, BreachedRule } from './AlertsStore';
import { ALERT_TOPICS, deliverAlert, pipelineTabLink } from './deliverAlert';

/** Why a run was refused before it was queued. */
export interface RunRefusal {
  organizationId: string;
  pipelineId: string;
  /** `quota` (concurrency, DBU per hour, storage) or `budget` (`blockRunsAtBudget`). */
  reason: 'quota' | 'budget';
  message: string;
  trigger: 'manual' | 'schedule' | 'api';
}

const HOUR_MS = 3600_000;

const ruleName = (rule: BreachedRule) =>
  `${rule.ruleType}${
    rule.columns.length ? ` on ${rule.columns.join(', ')}` : ''
  }`;

/**
 * Alerts about runs, to the people who own what they affect:
 * - a failed run → the pipeline's owners (`critical`);
 * - a run refused by a quota or a spent budget → the pipeline's owners (`high`), once per
 *   pipeline and hour (retries within the hour update that notification);
 * - breached quality rules → the pipeline's owners and the owners of every pipeline and table
 *   downstream along the lineage (`critical` when a `fail` rule broke, else `normal`), once per run.
 * Each alert is claimed in the ledger first, so of several replicas exactly one sends it.
 */
export class RunAlerter {
  constructor(
    private readonly options: {
      ledger: AlertLedger;
      store: AlertsStore;
      notifications?: NotificationService;
      logger: LoggerService;
      clock?: () => Date;
    },
  ) {}

  #now() {
    return this.options.clock?.() ?? new Date();
  }

  /** The run finisher's listener. */
  readonly onRunFinished = async (event: { run: Run }): Promise<void> => {
    const { run } = event;
    if (run.status === 'failed') {
      await this.#runFailed(run);
    } else if (run.status === 'quality_failed' || run.status === 'succeeded') {
      await this.#qualityBreached(run);
    }
  };

  /** Told by the run service and the scheduled trigger when they refuse a run. */
  readonly onRunRefused = async (refusal: RunRefusal): Promise<void> => {
    const now = this.#now();
    const pipeline = await this.options.store.pipeline(
      refusal.organizationId,
      refusal.pipelineId,
    );
    if (!pipeline) return;
    const hour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
    const key = `run-refused:${pipeline.id}:${hour.toISOString()}`;
    if (!(await this.#claim(key, 'run-refused', pipeline, now))) return;
    await deliverAlert(this.options.notifications, this.options.logger, {
      recipients: [pipeline.owner],
      payload: {
        title: `${pipeline.name}: run refused (${
          refusal.reason === 'budget' ? 'budget spent' : 'quota reached'
        })`,
        description: `A ${refusal.trigger} run of ${pipeline.name} in ${pipeline.organizationId} was not queued: ${refusal.message}`,
        link: pipelineTabLink(pipeline.id, 'runs'),
        severity: 'high',
        topic: ALERT_TOPICS.runRefused,
        scope: key,
      },
    });
  };

  async #runFailed(run: Run) {
    const pipeline = await this.options.store.pipeline(
      run.organization,
      run.pipelineId,
    );
    if (!pipeline) return;
    const key = `run-failed:${run.id}`;
    if (!(await this.#claim(key, 'run-failed', pipeline, this.#now()))) return;
    await deliverAlert(this.options.notifications, this.options.logger, {
      recipients: [pipeline.owner],
      payload: {
        title: `${pipeline.name}: run failed`,
        description: `Run ${run.id} of ${pipeline.name} (${
          pipeline.organizationId
        }, version ${run.pipelineVersion}) failed${
          run.attempt > 1 ? ` after ${run.attempt} attempts` : ''
        }: ${run.errorMessage ?? 'no message'}`,
        link: pipelineTabLink(pipeline.id, 'runs'),
        severity: 'critical',
        topic: ALERT_TOPICS.runFailed,
        scope: key,
      },
    });
  }

  async #qualityBreached(run: Run) {
    const { store } = this.options;
    const breached = await store.breachedRules(run.organization, run.id);
    if (breached.length === 0) return;
    const pipeline = await store.pipeline(run.organization, run.pipelineId);
    if (!pipeline) return;
    const key = `quality-breach:${run.id}`;
    if (!(await this.#claim(key, 'quality-breach', pipeline, this.#now()))) {
      return;
    }
    const blast = await store.downstreamOf(run.organization, pipeline.id);
    const failing = breached.some(rule => rule.severity === 'fail');
    const affected = [
      ...blast.pipelines.map(p => p.name),
      ...blast.tables.map(t => t.identifier),
    ];
    await deliverAlert(this.options.notifications, this.options.logger, {
      recipients: [
        pipeline.owner,
        ...blast.pipelines.map(p => p.owner),
        ...blast.tables.map(t => t.owner),
      ],
      payload: {
        title: `${pipeline.name}: ${breached.length} quality rule${
          breached.length === 1 ? '' : 's'
        } breached${failing ? ' (run failed)' : ''}`,
        description: `Run ${run.id} of ${pipeline.name} (${
          pipeline.organizationId
        }) breached ${breached
          .map(rule => `${ruleName(rule)} [${rule.severity}]`)
          .join('; ')}.${
          affected.length
            ? ` Downstream: ${affected.slice(0, 10).join(', ')}${
                affected.length > 10 ? ` and ${affected.length - 10} more` : ''
              }.`
            : ''
        }`,
        link: pipelineTabLink(pipeline.id, 'quality'),
        severity: failing ? 'critical' : 'normal',
        topic: ALERT_TOPICS.quality,
        scope: key,
      },
    });
  }

  #claim(
    key: string,
    kind: 'run-failed' | 'run-refused' | 'quality-breach',
    pipeline: AlertPipeline,
    at: Date,
  ) {
    return this.options.ledger.claim({
      key,
      kind,
      organizationId: pipeline.organizationId,
      pipelineId: pipeline.id,
      at,
    });
  }
}
