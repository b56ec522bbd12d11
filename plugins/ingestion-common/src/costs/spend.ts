/**
 * Tags spend can be grouped by: the brief's six allocation tags (Organization, CostCenter,
 * Environment, Service, Owner = the owning team, Project), plus pipeline, table and the source
 * that produced the figure.
 *
 * @public
 */
export const SPEND_TAGS = [
  'organization',
  'costCenter',
  'environment',
  'service',
  'owner',
  'project',
  'pipeline',
  'table',
  'source',
] as const;

/** @public */
export type SpendTag = (typeof SPEND_TAGS)[number];

/** @public */
export type SpendGranularity = 'day' | 'week' | 'month';

/**
 * Answer of `GET /v1/costs/spend`: spend per period (a day, the Monday of an ISO week, or a
 * month) and tag value. `total` equals the sum of every amount.
 *
 * @public
 */
export interface SpendSeries {
  organization: string;
  currency: string;
  from: string;
  to: string;
  granularity: SpendGranularity;
  groupBy: SpendTag;
  team?: string;
  total: number;
  /** Every tag value that appears, largest first (`unattributed` for records without it). */
  keys: Array<{ key: string; label: string; amount: number }>;
  points: Array<{ period: string; key: string; amount: number }>;
}

/**
 * A budget and how far this month has used it.
 *
 * @public
 */
export interface BudgetStatus {
  /** The team's group ref; absent for the organization's own budget. */
  team?: string;
  monthly: number;
  /** Fractions of the budget that alert, e.g. `[0.5, 0.8, 1]`. */
  thresholds: number[];
  /** `configured` (app-config) or `custom` (set through the API). */
  origin: 'configured' | 'custom';
  spent: number;
  forecast: number;
  /** `spent / monthly`. */
  progress: number;
  forecastProgress: number;
}

/**
 * Answer of `GET /v1/costs/summary`: everything a cost card shows, in one request.
 *
 * @public
 */
export interface SpendSummary {
  organization: string;
  team?: string;
  currency: string;
  month: string;
  monthToDate: number;
  /** Month-end forecast: the month so far, extended linearly to the month's end. */
  forecast: number;
  budget?: BudgetStatus;
  /** The last six months, oldest first (the current month to date). */
  trend: Array<{ month: string; amount: number }>;
  byService: Array<{ service: string; amount: number }>;
  topPipelines: Array<{ id: string; name: string; amount: number }>;
}

/**
 * One pipeline's month in `GET /v1/costs/pipelines`.
 *
 * @public
 */
export interface PipelineSpend {
  pipelineId: string;
  name: string;
  owner: string;
  month: string;
  currency: string;
  /** Everything the pipeline was charged in the month: runs, storage, platform usage. */
  cost: number;
  runs: number;
  /**
   * What the month's runs cost (the records that carry a run) over its runs; absent without
   * runs.
   */
  costPerRun?: number;
  /** Rows that passed quality: the rows the month's succeeded runs wrote. */
  goodRows: number;
  /** What the month's runs cost over `goodRows`; absent without good rows. */
  costPerGoodRow?: number;
}

/**
 * The chargeback of a month by cost center or team: one line per key and service.
 *
 * @public
 */
export interface ChargebackBreakdown {
  organization: string;
  month: string;
  currency: string;
  by: 'costCenter' | 'team';
  total: number;
  lines: Array<{ key: string; serviceType: string; amount: number }>;
}

/**
 * Body of `PUT /v1/budgets`.
 *
 * @public
 */
export interface BudgetUpdate {
  organization: string;
  /** A team's group ref; the organization's own budget when absent. */
  team?: string;
  monthly: number;
  thresholds?: number[];
}

/**
 * Answer of `GET /v1/budgets`.
 *
 * @public
 */
export interface BudgetList {
  organization: string;
  currency: string;
  month: string;
  items: BudgetStatus[];
}

/**
 * A budget threshold crossed (`GET /v1/budgets/alerts`).
 *
 * @public
 */
export interface BudgetAlert {
  team?: string;
  month: string;
  threshold: number;
  /** `actual`: the spend crossed it; `forecast`: the month-end forecast did. */
  kind: 'actual' | 'forecast';
  amount: number;
  budget: number;
  raisedAt: string;
}
