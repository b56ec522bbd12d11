/**
 * How a pipeline's cost was estimated before it exists: the cluster the expected data volume
 * needs, the time a run takes on it and the configured DBU price.
 *
 * @public
 */
export interface CostEstimate {
  currency: string;
  /** Price of one DBU (`ingestion.pricing.dbu`). */
  dbuPrice: number;
  /** Cluster profile: batch, batch_large, streaming or interactive. */
  workloadType: string;
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

/**
 * How much room an organization's quotas leave for a new pipeline. `exceeded` lists what keeps the
 * pipeline from running at all; `warnings` what it may run into.
 *
 * @public
 */
export interface QuotaHeadroom {
  dbuPerHour: {
    quota: number;
    usedLastHour: number;
    clusterMin: number;
    clusterMax: number;
    /** DBU per hour left in the quota after the last hour's use. */
    headroom: number;
  };
  storageGb: {
    quota: number;
    used: number;
    projected: number;
    headroom: number;
  };
  concurrentRuns: { quota: number; current: number; headroom: number };
  exceeded: string[];
  warnings: string[];
}

/**
 * Body of `POST /v1/costs/estimate`.
 *
 * @public
 */
export interface CostEstimateRequest {
  organization: string;
  spec: unknown;
  /** Source data per run (per hour for continuous streams), in GB; default 1. */
  expectedVolumeGb?: number;
  /** Cluster profile; default streaming for streaming pipelines, batch otherwise. */
  workloadType?: 'batch' | 'batch_large' | 'streaming' | 'interactive';
}

/**
 * Answer of `POST /v1/costs/estimate`: the estimate, this month's budget and the quota headroom.
 *
 * @public
 */
export interface CostEstimateResult {
  organization: string;
  estimate: CostEstimate;
  /** Absent when the organization has no budget. */
  budget?: {
    monthly: number;
    spentThisMonth: number;
    remaining: number;
    /** What would be left this month after a month of the pipeline. */
    remainingAfter: number;
    exceeded: boolean;
  };
  quotas: QuotaHeadroom;
  /** Organization defaults filled into the spec, e.g. `target.catalog: finance_catalog`. */
  appliedDefaults: string[];
  /** Every warning of `quotas.warnings`, plus the budget's. */
  warnings: string[];
}
