import type { DatabricksRun } from '@ingestion-for-backstage/plugin-ingestion-node';

type RunTask = NonNullable<DatabricksRun['tasks']>[number];
/** A job cluster spec (`new_cluster`) as the Jobs API reports it. */
export type ClusterSpec = NonNullable<RunTask['new_cluster']>;

/**
 * DBUs per node-hour (Jobs Compute, AWS) of the node types in the architecture guide's sizing table. Other node
 * types are estimated from their size (see {@link dbuRate}); deployments with negotiated or newer rates pass
 * their own table.
 */
export const DEFAULT_DBU_RATES: Readonly<Record<string, number>> =
  Object.freeze({
    'i3.xlarge': 1,
    'i3.2xlarge': 2,
    'i3.4xlarge': 4,
    'i3.8xlarge': 8,
  });

/**
 * DBUs per hour of one node: from the rate table, else from the instance size — an `xlarge` (4 vCPU) node
 * counts 1 DBU/h, `Nxlarge` N, `large` 0.5, `medium` 0.25 — else 1.
 */
export function dbuRate(
  nodeType: string | undefined,
  rates: Readonly<Record<string, number>> = DEFAULT_DBU_RATES,
): number {
  if (!nodeType) {
    return 1;
  }
  if (rates[nodeType] !== undefined) {
    return rates[nodeType];
  }
  const size = /\.(\d*)xlarge$/.exec(nodeType);
  if (size) {
    return size[1] ? Number(size[1]) : 1;
  }
  if (nodeType.endsWith('.large')) {
    return 0.5;
  }
  if (nodeType.endsWith('.medium')) {
    return 0.25;
  }
  return 1;
}

/**
 * Workers a cluster is counted with: its fixed size, or the midpoint of its autoscaling range (the Jobs API
 * does not report how the cluster scaled during the run).
 */
export function estimatedWorkers(cluster: ClusterSpec): number {
  if (cluster.autoscale) {
    const min = cluster.autoscale.min_workers ?? 0;
    const max = cluster.autoscale.max_workers ?? min;
    return (min + max) / 2;
  }
  return cluster.num_workers ?? 0;
}

function taskMillis(task: RunTask, run: DatabricksRun): number {
  const phases =
    (task.setup_duration ?? 0) +
    (task.execution_duration ?? 0) +
    (task.cleanup_duration ?? 0);
  if (phases > 0) {
    return phases;
  }
  if (task.start_time && task.end_time && task.end_time > task.start_time) {
    return task.end_time - task.start_time;
  }
  return run.run_duration ?? 0;
}

/**
 * Estimated DBUs of a finished (or failed) run, since the Jobs API does not report usage:
 *
 *   DBUs = Σ over tasks on a new job cluster of
 *          (rate(driver node) + workers × rate(worker node)) × (setup + execution + cleanup) hours
 *
 * with `workers` from {@link estimatedWorkers} and rates from {@link dbuRate}. Tasks on an existing cluster are
 * billed to that cluster and count 0. Tasks of job runs use the job cluster they name (`run.job_clusters`).
 * `fallbackCluster` stands in for tasks whose cluster the API left out.
 * The exact figure is in the workspace's billing system tables (`system.billing.usage`, by `job_run_id`).
 * Rounded to 4 decimals.
 */
export function estimateRunDbus(
  run: DatabricksRun,
  options: {
    rates?: Readonly<Record<string, number>>;
    fallbackCluster?: ClusterSpec;
  } = {},
): number {
  const rates = { ...DEFAULT_DBU_RATES, ...options.rates };
  let total = 0;
  for (const task of run.tasks ?? []) {
    if (task.existing_cluster_id) {
      continue;
    }
    // Runs of a deployed job name one of the job's clusters instead of carrying their own.
    const cluster =
      task.new_cluster ??
      run.job_clusters?.find(c => c.job_cluster_key === task.job_cluster_key)
        ?.new_cluster ??
      options.fallbackCluster;
    if (!cluster) {
      continue;
    }
    const nodesPerHour =
      dbuRate(cluster.driver_node_type_id ?? cluster.node_type_id, rates) +
      estimatedWorkers(cluster) * dbuRate(cluster.node_type_id, rates);
    total += (nodesPerHour * taskMillis(task, run)) / 3_600_000;
  }
  return Math.round(total * 10_000) / 10_000;
}
