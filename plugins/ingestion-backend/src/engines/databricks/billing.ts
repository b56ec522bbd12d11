import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { EngineOrganization } from '@ingestion-for-backstage/plugin-ingestion-node';
import type { Knex } from 'knex';
import { toOptionalNumber } from '../../database/rows';

/** The scheduler task that reconciles DBUs with billing. */
export const DATABRICKS_BILLING_TASK_ID = 'ingestion-databricks-billing';

const FINAL_STATES = ['succeeded', 'failed', 'quality_failed', 'cancelled'];
const MAX_BACKOFF_MS = 12 * 3600_000;

/** Reads billed DBUs (the Databricks engine). */
export interface BilledDbusSource {
  billedDbus(
    organization: EngineOrganization,
    engineRunId: string,
    since: Date,
  ): Promise<number | undefined>;
}

/** Options of {@link DatabricksBillingReconciler}. */
export interface DatabricksBillingReconcilerOptions {
  knex: Knex;
  logger: LoggerService;
  /** Organizations to reconcile: those with `databricks.billingWarehouseId`. */
  organizations: () => readonly EngineOrganization[];
  source: BilledDbusSource;
  /** Price of a DBU for runs whose estimate had no compute cost record to take the rate from. */
  pricing: { dbu: number; currency: string };
  /** Runs finished longer ago keep their estimate (default 3 days). */
  lookbackDays?: number;
  /** First look this long after a run finished; later looks double it, up to 12 h (default 60 min). */
  firstCheckAfterMinutes?: number;
  /** Runs looked at per organization and pass (default 50). */
  batchSize?: number;
  now?: () => Date;
}

interface CandidateRow {
  id: string;
  pipeline_id: string;
  engine_run_id: string;
  dbus: number | string | null;
  cost: number | string | null;
  submitted_at: Date | string | number | null;
  started_at: Date | string | number | null;
  finished_at: Date | string | number;
  checks: number | string | null;
}

/**
 * Replaces the cluster-based DBU estimate a Databricks run recorded when it finished with the figure billed in
 * `system.billing.usage`, once billing has it. Runs on the scheduler (one replica at a time); each pass looks,
 * per organization with a billing warehouse, at finished runs of the last `lookbackDays` that are not billed yet
 * and due for a look. A billed run gets its `dbus`, its compute cost record and its `cost` updated in one
 * transaction, and is never looked at again; a run billing does not know yet is looked at again later, backing
 * off. Every query is scoped to one organization.
 */
export class DatabricksBillingReconciler {
  readonly #options: DatabricksBillingReconcilerOptions;

  constructor(options: DatabricksBillingReconcilerOptions) {
    this.#options = options;
  }

  /** One pass over all organizations. */
  async reconcile(): Promise<{
    billed: number;
    waiting: number;
    errors: number;
  }> {
    const totals = { billed: 0, waiting: 0, errors: 0 };
    for (const organization of this.#options.organizations()) {
      if (!organization.databricks?.billingWarehouseId) {
        continue;
      }
      for (const row of await this.#candidates(organization.id)) {
        try {
          const since = new Date(
            (row.started_at ?? row.submitted_at ?? row.finished_at) as
              | Date
              | string
              | number,
          );
          const billed = await this.#options.source.billedDbus(
            organization,
            row.engine_run_id,
            since,
          );
          if (billed === undefined) {
            await this.#notYet(organization.id, row);
            totals.waiting += 1;
          } else {
            await this.#record(organization, row, billed);
            totals.billed += 1;
          }
        } catch (error) {
          // Not counted as a look: the run is simply tried again on the next pass.
          totals.errors += 1;
          this.#options.logger.warn(
            `Could not read the billed DBUs of run ${row.id} (organization ${organization.id}): ${error}`,
          );
        }
      }
    }
    return totals;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  #firstCheckMs(): number {
    return (this.#options.firstCheckAfterMinutes ?? 60) * 60_000;
  }

  async #candidates(organizationId: string): Promise<CandidateRow[]> {
    const { knex } = this.#options;
    const now = this.#now();
    const oldest = new Date(
      now.getTime() - (this.#options.lookbackDays ?? 3) * 86_400_000,
    );
    const newest = new Date(now.getTime() - this.#firstCheckMs());
    return knex('runs as r')
      .leftJoin('databricks_billing as b', join =>
        join
          .on('b.organization_id', '=', 'r.organization_id')
          .andOn('b.run_id', '=', 'r.id'),
      )
      .where('r.organization_id', organizationId)
      .where('r.engine', 'databricks')
      .whereIn('r.status', FINAL_STATES)
      .whereNotNull('r.engine_run_id')
      .where('r.finished_at', '>=', oldest)
      .where('r.finished_at', '<=', newest)
      .whereNull('b.billed_at')
      .where(q =>
        q.whereNull('b.next_check_at').orWhere('b.next_check_at', '<=', now),
      )
      .orderBy('r.finished_at', 'asc')
      .limit(this.#options.batchSize ?? 50)
      .select(
        'r.id',
        'r.pipeline_id',
        'r.engine_run_id',
        'r.dbus',
        'r.cost',
        'r.submitted_at',
        'r.started_at',
        'r.finished_at',
        'b.checks',
      );
  }

  async #notYet(organizationId: string, row: CandidateRow): Promise<void> {
    const checks = (toOptionalNumber(row.checks) ?? 0) + 1;
    const delay = Math.min(
      MAX_BACKOFF_MS,
      this.#firstCheckMs() * 2 ** (checks - 1),
    );
    await this.#options
      .knex('databricks_billing')
      .insert({
        organization_id: organizationId,
        run_id: row.id,
        estimated_dbus: toOptionalNumber(row.dbus) ?? null,
        checks,
        next_check_at: new Date(this.#now().getTime() + delay),
      })
      .onConflict(['organization_id', 'run_id'])
      .merge(['checks', 'next_check_at']);
  }

  async #record(
    organization: EngineOrganization,
    row: CandidateRow,
    billed: number,
  ): Promise<void> {
    const { pricing } = this.#options;
    const now = this.#now();
    await this.#options.knex.transaction(async trx => {
      const scope = { organization_id: organization.id, run_id: row.id };
      const compute = await trx('cost_records')
        .where({ ...scope, service_type: 'compute', unit: 'DBU' })
        .orderBy('id', 'asc')
        .first();
      const oldAmount = toOptionalNumber(compute?.amount) ?? 0;
      const oldQuantity = toOptionalNumber(compute?.quantity) ?? 0;
      // Keep the price the estimate was recorded at; a run without one takes today's.
      const rate = oldQuantity > 0 ? oldAmount / oldQuantity : pricing.dbu;
      const amount = billed * rate;
      if (compute) {
        await trx('cost_records')
          .where({ id: compute.id, organization_id: organization.id })
          .update({ quantity: billed, amount });
      } else if (billed > 0) {
        const finished = new Date(row.finished_at as Date | string | number);
        await trx('cost_records').insert({
          organization_id: organization.id,
          cost_center: organization.costCenter,
          environment: organization.environment,
          service_type: 'compute',
          pipeline_id: row.pipeline_id,
          run_id: row.id,
          quantity: billed,
          unit: 'DBU',
          amount,
          currency: pricing.currency,
          period: finished.toISOString().slice(0, 7),
          recorded_at: now,
        });
      }
      const cost = (toOptionalNumber(row.cost) ?? 0) - oldAmount + amount;
      await trx('runs')
        .where({ organization_id: organization.id, id: row.id })
        .update({ dbus: billed, cost: Math.round(cost * 1e6) / 1e6 });
      await trx('databricks_billing')
        .insert({
          ...scope,
          estimated_dbus: toOptionalNumber(row.dbus) ?? null,
          billed_dbus: billed,
          checks: (toOptionalNumber(row.checks) ?? 0) + 1,
          next_check_at: null,
          billed_at: now,
        })
        .onConflict(['organization_id', 'run_id'])
        .merge(['billed_dbus', 'checks', 'next_check_at', 'billed_at']);
    });
    this.#options.logger.info(
      `Run ${row.id} (organization ${
        organization.id
      }): ${billed} DBUs billed, ${toOptionalNumber(row.dbus) ?? 0} estimated`,
    );
  }
}

/**
 * Schedules {@link DatabricksBillingReconciler} when at least one organization has a billing warehouse.
 * Configuration: `ingestion.databricksBilling`, `ingestion.pricing`.
 */
export async function startDatabricksBilling(options: {
  config: RootConfigService;
  logger: LoggerService;
  knex: Knex;
  scheduler: SchedulerService;
  organizations:
    | readonly EngineOrganization[]
    | (() => readonly EngineOrganization[]);
  source: BilledDbusSource;
}): Promise<DatabricksBillingReconciler | undefined> {
  // A function reads the organizations on every pass (they change at run time).
  const { organizations } = options;
  const current =
    typeof organizations === 'function' ? organizations : () => organizations;
  const billed = () =>
    current().filter(org => org.databricks?.billingWarehouseId);
  if (billed().length === 0) {
    return undefined;
  }
  const { config } = options;
  const settings = config.getOptionalConfig('ingestion.databricksBilling');
  const logger = options.logger.child({ task: DATABRICKS_BILLING_TASK_ID });
  const reconciler = new DatabricksBillingReconciler({
    knex: options.knex,
    logger,
    organizations: billed,
    source: options.source,
    pricing: {
      dbu: config.getOptionalNumber('ingestion.pricing.dbu') ?? 0.55,
      currency: config.getOptionalString('ingestion.pricing.currency') ?? 'USD',
    },
    lookbackDays: settings?.getOptionalNumber('lookbackDays'),
    firstCheckAfterMinutes: settings?.getOptionalNumber(
      'firstCheckAfterMinutes',
    ),
  });
  await options.scheduler.scheduleTask({
    id: DATABRICKS_BILLING_TASK_ID,
    frequency: {
      minutes: settings?.getOptionalNumber('frequencyMinutes') ?? 30,
    },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const { billed: count, waiting, errors } = await reconciler.reconcile();
      if (count + errors > 0) {
        logger.info(
          `Billed DBUs: ${count} runs reconciled, ${waiting} not billed yet, ${errors} failed`,
        );
      }
    },
  });
  return reconciler;
}
