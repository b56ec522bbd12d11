import {
  runsPerMonth,
  type CostEstimate,
  type CostEstimateResult,
  type OrganizationQuotas,
  type PipelineSpec,
  type QuotaHeadroom,
  type QuotaUsage,
} from '@ingestion-for-backstage/plugin-ingestion-common';
import { getClusterConfig } from '../codegen/cluster';
import type {
  ClusterConfig,
  CodegenOrganization,
  WorkloadType,
} from '../codegen/types';

/**
 * Databricks units per node and hour (AWS, Jobs Compute) of the node types the sizing table and
 * common overrides use. Other types are estimated from their size (`xlarge` = 1, `2xlarge` = 2, …).
 *
 * @public
 */
export const NODE_DBU_RATES: Readonly<Record<string, number>> = Object.freeze({
  'i3.xlarge': 1,
  'i3.2xlarge': 2,
  'i3.4xlarge': 4,
  'i3.8xlarge': 8,
  'r5.large': 0.45,
  'r5.xlarge': 0.9,
  'r5.2xlarge': 1.8,
  'r5.4xlarge': 3.6,
  'm5.large': 0.34,
  'm5.xlarge': 0.69,
  'm5.2xlarge': 1.37,
  'm5.4xlarge': 2.74,
  'c5.xlarge': 0.61,
  'c5.2xlarge': 1.23,
});

/**
 * Source data one worker extracts, transforms and writes per hour (compressed columnar output).
 *
 * @public
 */
export const GB_PER_WORKER_HOUR = 25;
/**
 * Cluster start and Spark initialisation, billed before the first row is read (6 minutes).
 *
 * @public
 */
export const STARTUP_HOURS = 0.1;
/** Hours in an average month, for pipelines that run continuously. */
const HOURS_PER_MONTH = 730;

/**
 * DBU per node and hour of a node type: from the rate table, else from the instance size.
 *
 * @public
 */
export function dbuRate(nodeType: string): number {
  const known = NODE_DBU_RATES[nodeType];
  if (known !== undefined) return known;
  const size = /\.(\d*)xlarge$/.exec(nodeType);
  if (size) return size[1] ? Number(size[1]) : 1;
  if (/\.large$/.test(nodeType)) return 0.5;
  return 1;
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The cluster profile of a pipeline when the template names none.
 *
 * @public
 */
export function defaultWorkloadType(spec: PipelineSpec): WorkloadType {
  return spec.pipeline_type === 'streaming' ? 'streaming' : 'batch';
}

/**
 * Estimates what a pipeline costs per run and per month on its organization's Databricks cluster:
 * the cluster size the expected data volume needs within the cluster's bounds, the time a run
 * takes at that size plus cluster start, the node type's DBU rate and the configured DBU price.
 *
 * @public
 */
export function estimateCost(options: {
  spec: PipelineSpec;
  cluster: ClusterConfig;
  workloadType: WorkloadType;
  /** Source data per run (per hour for continuous streams), in GB. */
  expectedVolumeGb: number;
  pricing: { dbu: number; currency: string };
}): CostEstimate {
  const { spec, cluster, workloadType, expectedVolumeGb, pricing } = options;
  const rate = dbuRate(cluster.nodeType);
  const continuous = spec.pipeline_type === 'streaming' && !spec.schedule;
  const needed = Math.ceil(expectedVolumeGb / GB_PER_WORKER_HOUR);
  const workers = cluster.enableAutoscaling
    ? Math.min(cluster.maxWorkers, Math.max(cluster.minWorkers, needed))
    : cluster.minWorkers;
  const perHour = (n: number) => (n + 1) * rate;
  const hoursPerRun = continuous
    ? 1
    : STARTUP_HOURS +
      expectedVolumeGb / (Math.max(workers, 1) * GB_PER_WORKER_HOUR);
  const dbusPerRun = perHour(workers) * hoursPerRun;
  const costPerRun = dbusPerRun * pricing.dbu;
  let monthlyRuns = 1;
  let frequency = 'runs on demand: one run a month assumed';
  if (continuous) {
    monthlyRuns = HOURS_PER_MONTH;
    frequency = `runs continuously: ${HOURS_PER_MONTH} hours a month at ${expectedVolumeGb} GB an hour`;
  } else if (spec.schedule) {
    monthlyRuns = runsPerMonth(spec.schedule);
    frequency = `${monthlyRuns} runs a month on the schedule ${spec.schedule.cron} (${spec.schedule.timezone})`;
  }
  const overwrite = 'mode' in spec.target && spec.target.mode === 'overwrite';
  return {
    currency: pricing.currency,
    dbuPrice: pricing.dbu,
    workloadType,
    nodeType: cluster.nodeType,
    dbuPerNodeHour: rate,
    minWorkers: cluster.minWorkers,
    maxWorkers: cluster.maxWorkers,
    workers,
    dbuPerHour: round(perHour(workers)),
    minDbuPerHour: round(perHour(cluster.minWorkers)),
    maxDbuPerHour: round(
      perHour(
        cluster.enableAutoscaling ? cluster.maxWorkers : cluster.minWorkers,
      ),
    ),
    basis: continuous ? 'hour' : 'run',
    hoursPerRun: round(hoursPerRun, 3),
    dbusPerRun: round(dbusPerRun),
    costPerRun: round(costPerRun),
    runsPerMonth: monthlyRuns,
    costPerMonth: round(costPerRun * monthlyRuns),
    storageGbPerMonth: round(
      overwrite ? expectedVolumeGb : expectedVolumeGb * monthlyRuns,
    ),
    assumptions: [
      `${GB_PER_WORKER_HOUR} GB of source data per worker and hour`,
      `${STARTUP_HOURS * 60} minutes of cluster start per run`,
      `${rate} DBU per ${cluster.nodeType} node and hour, driver included`,
      frequency,
    ],
  };
}

/**
 * How much room an organization's quotas leave for a new pipeline. `exceeded` says what keeps it
 * from running at all (its smallest cluster needs more DBU per hour than the quota, or the storage
 * is used up); `warnings` what it may run into (waiting for DBU or a run slot, outgrowing storage).
 *
 * @public
 */
export function quotaHeadroom(options: {
  organizationId: string;
  quotas: OrganizationQuotas;
  usage: QuotaUsage;
  estimate: CostEstimate;
}): QuotaHeadroom {
  const { organizationId: org, quotas, usage, estimate } = options;
  const exceeded: string[] = [];
  const warnings: string[] = [];
  const maxDbu = quotas.databricks.maxDbuPerHour;
  if (estimate.minDbuPerHour > maxDbu) {
    exceeded.push(
      `The pipeline's smallest cluster (${estimate.minWorkers} × ${estimate.nodeType} and a driver) uses ${estimate.minDbuPerHour} DBU per hour, more than organization '${org}' may use (maxDbuPerHour ${maxDbu}). Ask an admin of '${org}' to raise the quota or to lower the cluster size.`,
    );
  } else if (estimate.maxDbuPerHour > maxDbu) {
    warnings.push(
      `At its largest (${estimate.maxWorkers} workers) the cluster would use ${estimate.maxDbuPerHour} DBU per hour, above the quota of ${maxDbu}: runs that need it wait for DBU to free up.`,
    );
  }
  if (usage.dbuLastHour + estimate.dbuPerHour > maxDbu) {
    warnings.push(
      `'${org}' used ${usage.dbuLastHour} of its ${maxDbu} DBU in the last hour: a run now would be queued until enough is free.`,
    );
  }
  const maxStorage = quotas.storage.maxStorageGb;
  const projected = round(usage.storageGb + estimate.storageGbPerMonth);
  if (usage.storageGb >= maxStorage) {
    exceeded.push(
      `Organization '${org}' has used all of its ${maxStorage} GB of storage (${usage.storageGb} GB): no pipeline can write until an admin frees space or raises the quota.`,
    );
  } else if (projected > maxStorage) {
    // The source volume overstates what is kept (aggregates, overwrites), so this only warns;
    // runs are refused once the quota is actually used up.
    warnings.push(
      `A month of this pipeline's source data (${estimate.storageGbPerMonth} GB) would bring '${org}' to ${projected} GB, above its storage quota of ${maxStorage} GB (${usage.storageGb} GB used).`,
    );
  }
  const concurrent = quotas.databricks.maxConcurrentJobs;
  if (estimate.basis === 'hour' && usage.concurrentRuns + 1 > concurrent) {
    warnings.push(
      `A continuous stream holds one of '${org}''s ${concurrent} concurrent runs, and all are in use now.`,
    );
  }
  return {
    dbuPerHour: {
      quota: maxDbu,
      usedLastHour: usage.dbuLastHour,
      clusterMin: estimate.minDbuPerHour,
      clusterMax: estimate.maxDbuPerHour,
      headroom: round(Math.max(0, maxDbu - usage.dbuLastHour)),
    },
    storageGb: {
      quota: maxStorage,
      used: usage.storageGb,
      projected,
      headroom: round(Math.max(0, maxStorage - usage.storageGb)),
    },
    concurrentRuns: {
      quota: concurrent,
      current: usage.concurrentRuns,
      headroom: Math.max(0, concurrent - usage.concurrentRuns),
    },
    exceeded,
    warnings,
  };
}

/**
 * This month's budget after a month of the pipeline, and the warning when the estimate is more
 * than what is left.
 *
 * @public
 */
export function budgetAfter(options: {
  organizationId: string;
  budget: { monthly: number; spentThisMonth: number };
  estimate: CostEstimate;
}): {
  monthly: number;
  spentThisMonth: number;
  remaining: number;
  remainingAfter: number;
  exceeded: boolean;
  warning?: string;
} {
  const { organizationId: org, budget, estimate } = options;
  const remaining = round(budget.monthly - budget.spentThisMonth);
  const exceeded = estimate.costPerMonth > remaining;
  return {
    monthly: budget.monthly,
    spentThisMonth: round(budget.spentThisMonth),
    remaining,
    remainingAfter: round(remaining - estimate.costPerMonth),
    exceeded,
    ...(exceeded
      ? {
          warning: `The estimated monthly cost (${estimate.costPerMonth} ${estimate.currency}) is more than the ${remaining} ${estimate.currency} left of '${org}''s budget this month.`,
        }
      : {}),
  };
}

/**
 * The whole answer of the cost estimate (`POST /v1/costs/estimate`): the estimate on the
 * organization's cluster for the workload, the quotas' headroom and this month's budget.
 *
 * @throws Error when the organization's cluster settings are invalid (see getClusterConfig).
 * @public
 */
export function estimatePipelineCost(options: {
  organization: CodegenOrganization;
  spec: PipelineSpec;
  /** Default: streaming for streaming pipelines, batch otherwise. */
  workloadType?: WorkloadType;
  /** Default 1 GB. */
  expectedVolumeGb?: number;
  pricing: { dbu: number; currency: string };
  quotas: OrganizationQuotas;
  usage: QuotaUsage;
  /** Absent when the organization has no budget. */
  budget?: { monthly: number; spentThisMonth: number };
  appliedDefaults?: string[];
}): CostEstimateResult {
  const { organization, spec } = options;
  const workloadType = options.workloadType ?? defaultWorkloadType(spec);
  const estimate = estimateCost({
    spec,
    cluster: getClusterConfig(organization, workloadType),
    workloadType,
    expectedVolumeGb: options.expectedVolumeGb ?? 1,
    pricing: options.pricing,
  });
  const quotas = quotaHeadroom({
    organizationId: organization.id,
    quotas: options.quotas,
    usage: options.usage,
    estimate,
  });
  const budget =
    options.budget &&
    budgetAfter({
      organizationId: organization.id,
      budget: options.budget,
      estimate,
    });
  const { warning, ...budgetReport } = budget ?? { warning: undefined };
  return {
    organization: organization.id,
    estimate,
    ...(budget
      ? { budget: budgetReport as NonNullable<CostEstimateResult['budget']> }
      : {}),
    quotas,
    appliedDefaults: options.appliedDefaults ?? [],
    warnings: [...quotas.warnings, ...(warning ? [warning] : [])],
  };
}
