/**
 * The organization dashboard's wire types (`GET /v1/organizations/{id}/dashboard` and
 * `.../dashboard/pipelines`), shared by the backend that answers and the frontend that asks.
 */

/**
 * A pipeline's health, one value each (the first that applies, in this order): `failed` (its
 * latest finished run failed), `quality_breached` (its latest finished run ended `quality_failed`,
 * or a rule failed in its latest checked run), `stale` (scheduled, and no run succeeded since the
 * fire time before the latest one past the freshness grace period, as the freshness alert
 * decides), `healthy` (none of these, including never run).
 *
 * @public
 */
export const PIPELINE_HEALTHS = [
  'failed',
  'quality_breached',
  'stale',
  'healthy',
] as const;

/** @public */
export type PipelineHealth = (typeof PIPELINE_HEALTHS)[number];

/** A failed run listed on the dashboard. @public */
export interface RecentFailure {
  runId: string;
  pipelineId: string;
  pipelineName: string;
  status: string;
  queuedAt: string;
  finishedAt?: string;
  /** The run's error, shortened. */
  error?: string;
}

/** `GET /v1/organizations/{id}/dashboard`. @public */
export interface OrganizationDashboard {
  organization: string;
  generatedAt: string;
  /** Pipelines by health (each counted once, see `PIPELINE_HEALTHS`). */
  pipelines: Record<PipelineHealth, number> & { total: number };
  /** Runs queued since midnight UTC. */
  runsToday: {
    since: string;
    total: number;
    succeeded: number;
    failed: number;
    /** Queued, submitted or running now. */
    active: number;
    /** Percent of today's finished runs (succeeded, failed, quality failed) that succeeded. */
    successRate: number | null;
  };
  /** The organization's quality score (0–100), as `/v1/quality/scores` computes `current`. */
  quality: { score: number | null; rules: number; passing: number };
  /** Month-to-date spend and budget; absent when the caller's roles do not include cost read. */
  spend?: {
    currency: string;
    month: string;
    monthToDate: number;
    forecast: number;
    budget?: { monthly: number; progress: number; forecastProgress: number };
    trend: Array<{ month: string; amount: number }>;
  };
  recentFailures: RecentFailure[];
  /** Grace after a missed fire time before a scheduled pipeline counts as stale, in minutes. */
  freshnessGraceMinutes: number;
}

/** A row of `GET /v1/organizations/{id}/dashboard/pipelines`. @public */
export interface DashboardPipeline {
  id: string;
  name: string;
  owner: string;
  pipelineType: string;
  engine: string;
  schedule?: string;
  scheduleTimezone?: string;
  health: PipelineHealth;
  lastRun?: {
    id: string;
    status: string;
    queuedAt: string;
    finishedAt?: string;
  };
}
