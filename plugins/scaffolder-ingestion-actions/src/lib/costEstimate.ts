import type {
  ClusterConfig,
  WorkloadType,
} from '@ingestion-for-backstage/plugin-ingestion-node';
import type { PipelineSpec } from '@ingestion-for-backstage/plugin-ingestion-common';
import { CronExpressionParser } from 'cron-parser';

/**
 * Databricks units per node and hour (AWS, Jobs Compute) of the node types the sizing table and
 * common overrides use. Other types are estimated from their size (`xlarge` = 1, `2xlarge` = 2, …).
 */
export const NODE_DBU_RATES: Readonly<Record<string, number>> = {
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
};

/** Source data one worker extracts, transforms and writes per hour (compressed columnar output). */
export const GB_PER_WORKER_HOUR = 25;
/** Cluster start and Spark initialisation, billed before the first row is read (6 minutes). */
export const STARTUP_HOURS = 0.1;
/** Hours in an average month, for pipelines that run continuously. */
const HOURS_PER_MONTH = 730;

/** DBU per node and hour of a node type. */
export function dbuRate(nodeType: string): number {
  const known = NODE_DBU_RATES[nodeType];
  if (known !== undefined) return known;
  const size = /\.(\d*)xlarge$/.exec(nodeType);
  if (size) return size[1] ? Number(size[1]) : 1;
  if (/\.large$/.test(nodeType)) return 0.5;
  return 1;
}

/** The estimated cost of a pipeline, shown before it is created. */
export interface CostEstimate {
  currency: string;
  /** Price of one DBU (`ingestion.pricing.dbu`). */
  dbuPrice: number;
  workloadType: WorkloadType;
  nodeType: string;
  dbuPerNodeHour: number;
  minWorkers: number;
  maxWorkers: number;
  /** Workers the expected volume needs (within the cluster's bounds). */
  workers: number;
  /** DBU per hour at that size, driver included. */
  dbuPerHour: number;
  /** DBU per hour at the cluster's smallest and largest size, driver included. */
  minDbuPerHour: number;
  maxDbuPerHour: number;
  /** `run`: a batch (or scheduled streaming) run; `hour`: an hour of a continuous stream. */
  basis: 'run' | 'hour';
  hoursPerRun: number;
  dbusPerRun: number;
  costPerRun: number;
  runsPerMonth: number;
  costPerMonth: number;
  /** New data written in a month (GB), for the storage quota. */
  storageGbPerMonth: number;
  assumptions: string[];
}

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * How often a cron schedule runs in an average month: its runs over the year 2025 divided by 12
 * (a fixed year, so the estimate does not change from day to day).
 */
export function runsPerMonth(schedule: {
  cron: string;
  timezone: string;
}): number {
  const start = Date.UTC(2025, 0, 1);
  const end = Date.UTC(2026, 0, 1);
  const expression = CronExpressionParser.parse(schedule.cron, {
    currentDate: new Date(start - 1),
    endDate: new Date(end),
    tz: schedule.timezone,
  });
  const cap = 20_000;
  let count = 0;
  let last = start;
  while (count < cap && expression.hasNext()) {
    last = expression.next().getTime();
    count++;
  }
  const span = count >= cap ? last - start : end - start;
  return round((count * (end - start)) / Math.max(span, 1) / 12, 1);
}

/**
 * Estimates what a pipeline costs per run and per month on its organization's Databricks cluster:
 * the cluster size the expected data volume needs within the cluster's bounds, the time a run
 * takes at that size plus cluster start, the node type's DBU rate and the configured DBU price.
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
  const assumptions = [
    `${GB_PER_WORKER_HOUR} GB of source data per worker and hour`,
    `${STARTUP_HOURS * 60} minutes of cluster start per run`,
    `${rate} DBU per ${cluster.nodeType} node and hour, driver included`,
    frequency,
  ];
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
    assumptions,
  };
}
